"""Sourcing pages: decisions on an order, head office's dry run, the backorder queue."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import role_required
from accounts.models import Role
from inventory.geo import postcode_point
from inventory.services import Trace
from omni.errors import DomainError
from orders import selectors as order_selectors
from orders.models import Allocation, DeliveryMethod, Order

from . import selectors, services
from .criteria import criterion_label
from .forms import DryRunForm
from .planning import dry_run_basket, dry_run_order

READERS = (Role.HEAD_OFFICE, Role.CALL_CENTRE)


def _label(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value or ""


def _present(explanation: dict) -> dict:
    """Add what a template cannot compute: labels, and the criteria columns of each table."""
    explanation["delivery_label"] = _label(DeliveryMethod, explanation.get("delivery_method"))
    for strategy in explanation.get("strategies", []):
        for part in strategy.get("plan", []):
            part["mode_label"] = _label(Allocation.Kind, part.get("mode"))
        names = []
        for candidate in strategy.get("candidates", []):
            for name in candidate.get("notes", {}):
                if name not in names:
                    names.append(name)
        strategy["columns"] = [(name, criterion_label(name)) for name in names]
        for candidate in strategy.get("candidates", []):
            candidate["mode_label"] = _label(Allocation.Kind, candidate.get("mode"))
            candidate["cells"] = [
                (candidate["scores"].get(name), candidate["notes"].get(name, "")) for name in names
            ]
    return explanation


@role_required(*READERS)
def order_decisions_view(request: HttpRequest, number: str) -> HttpResponse:
    """The order's fulfilment orders and every sourcing decision with its reasons (an HTMX
    partial loaded into the order page)."""
    order = order_selectors.order_get(user=request.user, number=number)
    runs = list(order.sourcing_runs.select_related("profile").order_by("-created_at", "-pk"))
    for run in runs:
        for group in run.explanation.get("groups", []):
            _present(group)
    fulfilment_orders = order.fulfilment_orders.select_related("location", "destination").prefetch_related(
        "lines__order_line", "failures"
    )
    return render(
        request,
        "sourcing/order_decisions.html#decisions",
        {"order": order, "runs": runs, "fulfilment_orders": fulfilment_orders},
    )


@role_required(Role.HEAD_OFFICE)
def dry_run_view(request: HttpRequest) -> HttpResponse:
    form = DryRunForm(request.GET or None)
    decisions, profile, order = None, None, None
    if form.is_valid():
        data = form.cleaned_data
        profile = data.get("profile") or services.profile_current()
        if data.get("order"):
            order = Order.objects.filter(number=data["order"].strip().upper()).first()
            if order is None:
                form.add_error("order", _("No order %(number)s.") % {"number": data["order"]})
            else:
                decisions = dry_run_order(order=order, profile=profile)
        else:
            decisions = dry_run_basket(
                lines=data["lines"],
                delivery_method=data["delivery_method"],
                profile=profile,
                postcode=data.get("postcode", ""),
                point=postcode_point(data.get("postcode", "")),
                pickup_location=data.get("pickup_location"),
                channel=data["channel"],
            )
        for decision in decisions or []:
            _present(decision.explanation)
    template = "sourcing/dry_run.html#results" if request.htmx else "sourcing/dry_run.html"
    return render(
        request, template, {"form": form, "decisions": decisions, "profile": profile, "order": order}
    )


@role_required(*READERS)
def backorder_queue_view(request: HttpRequest) -> HttpResponse:
    lines = list(selectors.backorder_queue()[:300])
    return render(request, "sourcing/backorders.html", {"lines": lines, "limit": services.profile_current()})


@require_POST
@role_required(*READERS)
def order_source_again_view(request: HttpRequest, number: str) -> HttpResponse:
    order = order_selectors.order_get(user=request.user, number=number)
    try:
        result = services.order_source_again(
            order=order, trace=Trace.of(request.user, note=_("sourced again by hand"))
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        if result.fulfilment_orders:
            messages.success(
                request,
                _("%(number)s: %(count)s fulfilment orders created.")
                % {"number": order.number, "count": len(result.fulfilment_orders)},
            )
        else:
            messages.warning(
                request, _("%(number)s: still no location can serve it.") % {"number": order.number}
            )
    if request.POST.get("next") == "order":
        return redirect(order)
    return redirect("sourcing:backorders")
