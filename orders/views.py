"""Call-centre pages: search orders, see one whole, change it, take an order on the phone."""

from __future__ import annotations

import hashlib
import json
import uuid

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import role_required
from accounts.models import Role
from inventory.selectors import network_availability, sku_search
from omni.errors import DomainError
from omni.forms import apply_domain_error
from omni.trace import Trace
from omni.vocabulary import DeliveryMethod, SalesChannel
from sourcing import services as sourcing
from sourcing.selectors import closed_for_orders

from . import selectors, services
from .exports import order_csv_lines
from .forms import (
    RELAY_FIELDS,
    AddressForm,
    CancelForm,
    DeliveryForm,
    EntryLineFormSet,
    HoldForm,
    OrderEntryForm,
    OrderSearchForm,
    RequestedDeliveryForm,
    relay_point_from,
    relay_point_initial,
)
from .models import OrderLine

LIST_PAGE_SIZE = 50
READERS = (Role.HEAD_OFFICE, Role.CALL_CENTRE, Role.STORE_ASSOCIATE)
CHANGERS = (Role.HEAD_OFFICE, Role.CALL_CENTRE)


def _listed_orders(request: HttpRequest):
    """The orders list's form, its sort and the orders it finds (the page and the CSV agree)."""
    form = OrderSearchForm(request.GET or None)
    filters = dict(form.cleaned_data) if form.is_valid() else {}
    filters["query"] = filters.pop("q", "")
    sort = selectors.order_sort_of(request.GET.get("sort"))
    orders = selectors.order_search(
        user=request.user, limit=None, sort=sort, **{k: v for k, v in filters.items() if v}
    )
    return form, sort, orders


@role_required(*READERS)
def order_list_view(request: HttpRequest) -> HttpResponse:
    form, sort, orders = _listed_orders(request)
    page = Paginator(orders, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    template = "orders/order_list.html#results" if request.htmx else "orders/order_list.html"
    return render(request, template, {"form": form, "orders": page, "page": page, "sort": sort})


@role_required(*READERS)
def order_list_export_view(request: HttpRequest) -> StreamingHttpResponse:
    """The list as filtered and sorted, every row, streamed as CSV for Excel in France."""
    _form, _sort, orders = _listed_orders(request)
    response = StreamingHttpResponse(order_csv_lines(orders), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="orders-{timezone.localdate():%Y-%m-%d}.csv"'
    return response


def _detail_context(request, order, **forms) -> dict:
    line_forms = {}
    for line in order.lines.all():
        line_forms[line.line_number] = {
            "delivery": forms.get(f"delivery-{line.line_number}")
            or DeliveryForm(
                prefix=f"delivery-{line.line_number}",
                initial={
                    "method": line.delivery_method,
                    "pickup_location": line.pickup_location_id,
                    **relay_point_initial(line.relay_point),
                },
            ),
            "requested": forms.get(f"requested-{line.line_number}")
            or RequestedDeliveryForm(
                prefix=f"requested-{line.line_number}",
                initial={
                    "requested_date": line.requested_date,
                    "slot_start": line.requested_slot_start,
                    "slot_end": line.requested_slot_end,
                    "instructions": line.delivery_instructions,
                },
            ),
            "changeable": line.status in OrderLine.CHANGEABLE and order.is_open,
            "cancellable": line.status in OrderLine.CANCELLABLE and line.open_quantity and order.is_open,
        }
    return {
        "order": order,
        "lines": list(order.lines.all()),
        "line_forms": line_forms,
        "address_form": forms.get("address") or AddressForm(prefix="address", initial=order.shipping_address),
        "cancel_form": forms.get("cancel") or CancelForm(prefix="cancel", lines=list(order.lines.all())),
        "cancel_review": forms.get("cancel_review"),
        "hold_form": forms.get("hold") or HoldForm(prefix="hold"),
        "can_change": request.user.effective_role in CHANGERS,
        "has_home_delivery": any(
            line.delivery_method == DeliveryMethod.SHIP_TO_ADDRESS for line in order.lines.all()
        ),
    }


@role_required(*READERS)
def order_detail_view(request: HttpRequest, number: str) -> HttpResponse:
    order = selectors.order_get(user=request.user, number=number)
    return render(request, "orders/order_detail.html", _detail_context(request, order))


def _change(request, number: str, form_key: str, form, apply) -> HttpResponse:
    """Validate ``form``, run ``apply(order, data, trace)``; on success back to the order with a
    message, otherwise the page again with the errors beside the form's fields."""
    order = selectors.order_get(user=request.user, number=number)
    if form.is_valid():
        trace = Trace.of(request.user, note=form.cleaned_data.get("reason", "") or "")
        try:
            message = apply(order, form.cleaned_data, trace)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, message)
            return redirect(order)
    order = selectors.order_get(user=request.user, number=number)
    return render(
        request, "orders/order_detail.html", _detail_context(request, order, **{form_key: form}), status=400
    )


@require_POST
@role_required(*CHANGERS)
def order_cancel_view(request: HttpRequest, number: str) -> HttpResponse:
    """Two steps: the page reads back the units going and the refund; the confirmation cancels."""
    order = selectors.order_get(user=request.user, number=number)
    form = CancelForm(request.POST, prefix="cancel", lines=list(order.lines.all()))
    if form.is_valid() and not form.cleaned_data["confirm"]:
        review = selectors.cancellation_preview(order=order, units=form.units())
        return render(
            request,
            "orders/order_detail.html",
            _detail_context(request, order, cancel=form, cancel_review=review),
        )

    def apply(order, data, trace):
        services.order_cancel(order=order, lines=None if data["whole"] else data["units"], trace=trace)
        return _("The cancellation is recorded; the customer is told by e-mail.")

    return _change(request, number, "cancel", form, apply)


@require_POST
@role_required(*CHANGERS)
def order_address_view(request: HttpRequest, number: str) -> HttpResponse:
    def apply(order, data, trace):
        services.order_change_shipping_address(order=order, address=data, trace=trace)
        return _("The shipping address is changed.")

    return _change(request, number, "address", AddressForm(request.POST, prefix="address"), apply)


@require_POST
@role_required(*CHANGERS)
def order_line_delivery_view(request: HttpRequest, number: str, line: int) -> HttpResponse:
    def apply(order, data, trace):
        changed = services.order_line_change_delivery(
            order=order,
            line_number=line,
            delivery_method=data["method"],
            pickup_location=data.get("pickup_location"),
            relay_point=relay_point_from(data),
            trace=trace,
        )
        if changed.qty_backordered:
            return _("Delivery changed; no location holds the article now, so the line is backordered.")
        return _("Delivery changed and the line allocated again.")

    key = f"delivery-{line}"
    return _change(request, number, key, DeliveryForm(request.POST, prefix=key), apply)


@require_POST
@role_required(*CHANGERS)
def order_line_requested_view(request: HttpRequest, number: str, line: int) -> HttpResponse:
    def apply(order, data, trace):
        services.order_line_change_requested_delivery(
            order=order,
            line_number=line,
            requested_date=data.get("requested_date"),
            slot_start=data.get("slot_start"),
            slot_end=data.get("slot_end"),
            instructions=data.get("instructions") or "",
            trace=trace,
        )
        return _("The requested delivery is changed.")

    key = f"requested-{line}"
    return _change(request, number, key, RequestedDeliveryForm(request.POST, prefix=key), apply)


@require_POST
@role_required(*CHANGERS)
def order_hold_view(request: HttpRequest, number: str) -> HttpResponse:
    def apply(order, data, trace):
        services.order_hold(order=order, reason=data["reason"], trace=trace)
        return _("The order is on hold.")

    return _change(request, number, "hold", HoldForm(request.POST, prefix="hold"), apply)


@require_POST
@role_required(*CHANGERS)
def order_release_view(request: HttpRequest, number: str) -> HttpResponse:
    def apply(order, data, trace):
        services.order_release(order=order, trace=trace)
        return _("The order is released.")

    return _change(request, number, "release", HoldForm({"hold-reason": "-"}, prefix="hold"), apply)


@role_required(*CHANGERS)
def order_entry_view(request: HttpRequest) -> HttpResponse:
    """Take an order for a customer: who, what, how it is delivered, how it is paid."""
    form = OrderEntryForm(request.POST or None)
    lines = EntryLineFormSet(request.POST or None, prefix="lines")
    review = None
    digest = _entry_digest(request.POST) if request.method == "POST" else ""
    read_back = request.POST.get("confirm") == "1" and request.POST.get("entry_digest") == digest
    if request.method == "POST" and form.is_valid() and lines.is_valid() and not read_back:
        # First the read-back: what the customer will get and pay; placing needs the confirmation
        # of exactly what was read back (changed since, it is read back again).
        if request.POST.get("confirm") == "1":
            messages.warning(request, _("The order changed since it was read back: read it back again."))
        review = _entry_summary(request.POST)
        context = {
            **_entry_context(form, lines, review),
            "reading_back": True,
            "entry_key": request.POST.get("entry_key") or uuid.uuid4().hex,
            "entry_digest": digest,
        }
        return render(request, "orders/order_entry.html", context)
    if request.method == "POST" and form.is_valid() and lines.is_valid():
        data = form.cleaned_data
        wanted = [line for line in lines.cleaned_data if line.get("sku")]
        address = {
            "name": f"{data['first_name']} {data['last_name']}".strip(),
            "line1": data["line1"],
            "line2": data["line2"],
            "postcode": data["postcode"],
            "city": data["city"],
            "phone": data["phone"],
        }
        # Only the chosen delivery's fields count (the page hides the others, they may be filled).
        pickup = data.get("pickup_location") if data["method"] in DeliveryMethod.pickups() else None
        relay_point = relay_point_from(data) if data["method"] == DeliveryMethod.SHIP_TO_RELAY else None
        try:
            order, _created = services.order_place(
                channel=SalesChannel.CALL_CENTRE,
                customer={
                    key: data[key] for key in ("email", "phone", "first_name", "last_name", "language")
                },
                billing_address=address if data["line1"] else None,
                shipping_address=address if data["line1"] else None,
                lines=[
                    {
                        "sku": line["sku"].strip().upper(),
                        "quantity": line.get("quantity") or 1,
                        "delivery_method": data["method"],
                        "pickup_location": pickup.code if pickup else "",
                        "relay_point": relay_point,
                        "requested_date": data.get("requested_date"),
                        "requested_slot_start": data.get("slot_start"),
                        "requested_slot_end": data.get("slot_end"),
                        "delivery_instructions": data.get("instructions") or "",
                    }
                    for line in wanted
                ],
                payments=[{"method": data["payment_method"], "reference": data["payment_reference"]}],
                notes=data["notes"],
                coupon_codes=data["coupon_codes"].replace(",", " ").split(),
                trace=Trace.of(request.user),
                # A second click on "Confirm" finds the order the first one placed.
                idempotency_key=f"entry-{request.POST['entry_key']}"[:80]
                if request.POST.get("entry_key")
                else "",
                request_hash=digest,
            )
        except DomainError as error:
            _show_entry_errors(form, lines, error)
        else:
            messages.success(request, _("Order %(number)s is placed.") % {"number": order.number})
            return redirect(order)
    refused = request.method == "POST"  # a placed order redirected above
    return render(
        request,
        "orders/order_entry.html",
        _entry_context(form, lines, review),
        status=400 if refused else 200,
    )


ENTRY_GROUPS = {
    "customer_fields": ("email", "phone", "first_name", "last_name", "language"),
    "delivery_fields": (
        "method",
        "pickup_location",
        *RELAY_FIELDS,
        "requested_date",
        "slot_start",
        "slot_end",
        "instructions",
        "line1",
        "line2",
        "postcode",
        "city",
    ),
    "payment_fields": ("payment_method", "payment_reference", "coupon_codes", "notes"),
}


def _entry_context(form, lines, review) -> dict:
    groups = {name: [form[field] for field in fields] for name, fields in ENTRY_GROUPS.items()}
    return {"form": form, "lines": lines, "review": review, **groups}


def _entry_digest(data) -> str:
    """What the agent read back to the customer: every field of the form but the page's own."""
    own = {"csrfmiddlewaretoken", "confirm", "entry_key", "entry_digest", "q"}
    fields = sorted((key, value) for key in data for value in data.getlist(key) if key not in own)
    return hashlib.sha256(json.dumps(fields).encode()).hexdigest()[:32]


def _entry_summary(data) -> dict:
    """The basket as the form holds it now (lines the agent filled, however valid the rest)."""
    try:
        total = min(int(data.get("lines-TOTAL_FORMS", 0)), 100)
    except ValueError:
        total = 0
    wanted = []
    for n in range(total):
        code = (data.get(f"lines-{n}-sku") or "").strip()
        try:
            quantity = max(1, min(999, int(data.get(f"lines-{n}-quantity") or 1)))
        except ValueError:
            quantity = 1
        if code:
            wanted.append((code, quantity))
    method = data.get("method") or ""
    relay = method == DeliveryMethod.SHIP_TO_RELAY
    return selectors.entry_summary(
        lines=wanted,
        channel=SalesChannel.CALL_CENTRE,
        method=method if method in DeliveryMethod.values else "",
        postcode=(data.get("postcode") or "").strip(),
        fee_postcode=(data.get("relay_postcode") or "").strip() if relay else "",
        codes=(data.get("coupon_codes") or "").replace(",", " ").split(),
    )


@require_POST
@role_required(*CHANGERS)
def order_entry_summary_view(request: HttpRequest) -> HttpResponse:
    """HTMX: the live read-back beside the order form, as the agent types."""
    return render(request, "orders/order_entry.html#summary", {"review": _entry_summary(request.POST)})


def _show_entry_errors(form, lines, error: DomainError) -> None:
    """Put the capture service's errors beside the entry form's fields: line errors on the
    line rows the agent filled (the service numbers them in that order), the rest on top."""
    filled = [line_form for line_form in lines.forms if line_form.cleaned_data.get("sku")]
    line_errors = error.details.get("lines")
    if isinstance(line_errors, dict):
        for index, errors in line_errors.items():
            target = filled[int(index)]
            for field, field_messages in errors.items():
                target.add_error(field if field in target.fields else None, field_messages)
    elif line_errors:
        lines.forms[0].add_error("sku", line_errors)
    refused = error.details.get("coupon_codes")
    if refused:
        form.add_error("coupon_codes", [f"{code}: {' '.join(why)}" for code, why in refused.items()])
    for key in ("shipping_address", "billing_address", "customer"):
        value = error.details.get(key)
        if isinstance(value, dict):  # beside the entry form's own field when it has one
            for field, field_messages in value.items():
                form.add_error(field if field in form.fields else None, field_messages)
        elif value:
            form.add_error(None, value)
    if not any(
        error.details.get(key)
        for key in ("lines", "shipping_address", "billing_address", "customer", "coupon_codes")
    ):
        apply_domain_error(form, error)


@role_required(*CHANGERS)
def sku_lookup_view(request: HttpRequest) -> HttpResponse:
    """HTMX: SKUs matching what the agent types, with what the network can sell of each."""
    query = request.GET.get("q", "").strip()
    skus = list(sku_search(query=query, limit=10)) if len(query) >= 2 else []
    closed = closed_for_orders(sourcing.profile_current()) if skus else ()
    codes = [sku.code for sku in skus]
    availability = network_availability(sku_codes=codes, closed=closed) if skus else {}
    return render(
        request, "orders/order_entry.html#sku-results", {"skus": skus, "availability": availability}
    )
