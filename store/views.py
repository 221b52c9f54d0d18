"""Store associates' screens. Each view reads through ``store.selectors`` (scoped to the
associate's store) and acts through the orders services; a refused action comes back as a
message on the same screen."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.access import role_required
from accounts.models import Role
from inventory import selectors as inventory_selectors
from inventory import services as inventory
from omni.errors import DomainError
from omni.trace import Trace
from orders import services
from orders.models import FulfilmentOrder, IdentityDocument

from . import selectors
from .forms import (
    CollectForm,
    CountForm,
    DeclineForm,
    FinishPickForm,
    HandoverSearchForm,
    NoCodeForm,
    PackForm,
    ScanForm,
    ShipForm,
)

associate_only = role_required(Role.STORE_ASSOCIATE)
PREPARE, RECEIVE, HAND_OVER = "prepare", "receive", "hand_over"


def _work(request: HttpRequest, number: str, role: str | None = None) -> FulfilmentOrder:
    """The store's piece of work; 404 for another store's, 403 when this store has no part in
    the step (e.g. the sending store cannot receive its own parcel)."""
    store = request.user.store
    fo = selectors.store_work_get(store=store, number=number)
    allowed = {
        PREPARE: selectors.prepared_here(fo, store),
        RECEIVE: fo.destination_id == store.pk,
        HAND_OVER: selectors.handed_over_here(fo, store),
        None: True,
    }[role]
    if not allowed:
        raise PermissionDenied
    return fo


def _act(
    request: HttpRequest, fo: FulfilmentOrder, action: Callable, done: str, next_url: str = ""
) -> HttpResponse:
    """Run one service on the work; a refusal comes back as a message on the same screen (the
    work), success goes on to ``next_url`` when given."""
    try:
        action(fo, Trace.of(request.user))
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("store:work", number=fo.number)
    messages.success(request, done)
    if next_url:
        return redirect(next_url)
    return redirect("store:work", number=fo.number)


def _step_view(role: str, service: Callable, done):
    """A view for a step that needs no input: check the store's part, run the service."""

    @associate_only
    @require_POST
    def view(request: HttpRequest, number: str) -> HttpResponse:
        fo = _work(request, number, role)
        return _act(request, fo, lambda fo, trace: service(fulfilment_order=fo, trace=trace), str(done))

    return view


acknowledge_view = _step_view(
    PREPARE, services.fulfilment_order_acknowledge, gettext_lazy("Acknowledged: start picking.")
)
ready_view = _step_view(
    PREPARE,
    services.fulfilment_order_make_ready,
    gettext_lazy("Ready for pickup: the customer has their pickup code."),
)
send_back_view = _step_view(
    HAND_OVER,
    services.fulfilment_order_send_back,
    gettext_lazy("Sent back: the goods left the store's stock."),
)
receive_view = _step_view(
    RECEIVE,
    services.fulfilment_order_receive,
    gettext_lazy("Received: in the store's stock, ready for pickup."),
)


def _refused(request: HttpRequest, form, number: str) -> HttpResponse:
    """A form that did not validate: its errors as messages, back to the work."""
    for errors in form.errors.values():
        messages.error(request, " ".join(errors))
    return redirect("store:work", number=number)


@associate_only
def queue_view(request: HttpRequest) -> HttpResponse:
    """The work queue; the page polls its list partial and beeps on new work or arrivals."""
    queue = selectors.store_queue(request.user.store)
    template = "store/queue.html#queue" if request.htmx else "store/queue.html"
    return render(request, template, {"queue": queue, "store": request.user.store})


@associate_only
def work_view(request: HttpRequest, number: str) -> HttpResponse:
    store = request.user.store
    fo = _work(request, number)
    context = {
        "fo": fo,
        "store": store,
        "lines": list(fo.lines.all()),
        "prepared_here": selectors.prepared_here(fo, store),
        "hand_over_here": selectors.handed_over_here(fo, store),
        "receive_here": fo.destination_id == store.pk,
        "decline_form": DeclineForm(),
        "pack_form": PackForm(),
        "ship_form": ShipForm(initial={"carrier": "Navette magasin"} if fo.goes_to_store else None),
        # The code is never shown: the field holds only what the associate typed or scanned.
        "collect_form": CollectForm(initial={"pickup_code": request.GET.get("code", "")[:20]}),
        "no_code_form": NoCodeForm(),
        "handover_locked": fo.pickup_locked_until and fo.pickup_locked_until > timezone.now(),
        "tries_left": services.PICKUP_CODE_TRIES - fo.pickup_code_failures,
    }
    return render(request, "store/work.html", context)


@associate_only
@require_POST
def decline_view(request: HttpRequest, number: str) -> HttpResponse:
    fo = _work(request, number, PREPARE)
    form = DeclineForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose why you decline."))
        return redirect("store:work", number=number)
    return _act(
        request,
        fo,
        lambda fo, trace: services.fulfilment_order_decline(
            fulfilment_order=fo,
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
            trace=trace,
        ),
        _("Declined: the order goes to another location."),
        next_url="store:queue",
    )


def _pick_context(fo: FulfilmentOrder, error: str = "", last: str = "") -> dict:
    walk = selectors.pick_walk(fo)
    lines = [line for _department, lines in walk for line in lines]
    return {
        "fo": fo,
        "walk": walk,
        "scan_form": ScanForm(),
        "finish_form": FinishPickForm(),
        "error": error,
        "last": last,
        "picked": sum(line.picked for line in lines),
        "held": sum(line.held for line in lines),
        "short": any(line.left for line in lines),
    }


@associate_only
def pick_view(request: HttpRequest, number: str) -> HttpResponse:
    """The pick list, grouped by department, with the scan field."""
    fo = _work(request, number, PREPARE)
    if fo.status not in (FulfilmentOrder.Status.ACKNOWLEDGED, FulfilmentOrder.Status.PICKING):
        return redirect("store:work", number=number)
    return render(request, "store/pick.html", _pick_context(fo))


@associate_only
@require_POST
def scan_view(request: HttpRequest, number: str) -> HttpResponse:
    """One scan (HTMX): the pick list comes back with the count, or with why it was refused."""
    fo = _work(request, number, PREPARE)
    form = ScanForm(request.POST)
    error, last = "", ""
    if form.is_valid():
        try:
            line = services.fulfilment_order_scan(
                fulfilment_order=fo, ean=form.cleaned_data["ean"], trace=Trace.of(request.user)
            )
            last = line.order_line.sku_code
        except DomainError as refused:
            error = refused.message
    else:
        error = _("Scan or type the item's EAN (digits only).")
    fo.refresh_from_db()
    template = "store/pick.html#pick" if request.htmx else "store/pick.html"
    response = render(request, template, _pick_context(fo, error, last))
    if error and request.htmx:
        response["HX-Trigger"] = "scan-refused"
    return response


@associate_only
@require_POST
def recount_view(request: HttpRequest, number: str) -> HttpResponse:
    fo = _work(request, number, PREPARE)
    try:
        services.fulfilment_order_scan_reset(fulfilment_order=fo, trace=Trace.of(request.user))
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("store:pick", number=number)


@associate_only
@require_POST
def finish_pick_view(request: HttpRequest, number: str) -> HttpResponse:
    """The walk is over: what was scanned is picked, the rest is a short pick and rerouted."""
    fo = _work(request, number, PREPARE)
    form = FinishPickForm(request.POST)
    walk = selectors.pick_walk(fo)
    picked = {line.fl.order_line.line_number: line.picked for _d, lines in walk for line in lines}
    short = any(line.left for _d, lines in walk for line in lines)
    if fo.status == FulfilmentOrder.Status.ACKNOWLEDGED and not any(picked.values()):
        messages.error(request, _("Scan the items first."))
        return redirect("store:pick", number=number)
    if not form.is_valid():
        return _refused(request, form, number)
    reason = form.cleaned_data.get("reason", "")
    if short and not reason:
        messages.error(request, _("Say why items are missing: they will be sent from elsewhere."))
        return redirect("store:pick", number=number)
    return _act(
        request,
        fo,
        lambda fo, trace: services.fulfilment_order_record_picks(
            fulfilment_order=fo,
            picked=picked,
            reason=reason,
            note=form.cleaned_data.get("note", ""),
            trace=trace,
        ),
        _("Picked. Missing items were sent to another location.") if short else _("Picked."),
    )


@associate_only
@require_POST
def pack_view(request: HttpRequest, number: str) -> HttpResponse:
    fo = _work(request, number, PREPARE)
    form = PackForm(request.POST)
    if not form.is_valid():
        return _refused(request, form, number)
    return _act(
        request,
        fo,
        lambda fo, trace: services.fulfilment_order_pack(
            fulfilment_order=fo, parcels=form.cleaned_data["parcel_weights"], trace=trace
        ),
        _("Packed."),
    )


@associate_only
@require_POST
def ship_view(request: HttpRequest, number: str) -> HttpResponse:
    fo = _work(request, number, PREPARE)
    form = ShipForm(request.POST)
    if not form.is_valid():
        return _refused(request, form, number)
    return _act(
        request,
        fo,
        lambda fo, trace: services.fulfilment_order_ship(
            fulfilment_order=fo,
            carrier=form.cleaned_data["carrier"],
            tracking_number=form.cleaned_data["tracking_number"],
            trace=trace,
        ),
        _("Shipped: the customer is notified."),
    )


@associate_only
@require_POST
def collect_view(request: HttpRequest, number: str) -> HttpResponse:
    """The associate typed or scanned the code the customer presents; the service checks it
    (and counts wrong ones)."""
    fo = _work(request, number, HAND_OVER)
    form = CollectForm(request.POST)
    if not form.is_valid():
        return _refused(request, form, number)
    return _act(
        request,
        fo,
        lambda fo, trace: services.fulfilment_order_collect(
            fulfilment_order=fo, trace=trace, pickup_code=form.cleaned_data["pickup_code"]
        ),
        _("Handed over. Payment captured."),
        next_url="store:handover",
    )


@associate_only
@require_POST
def collect_without_code_view(request: HttpRequest, number: str) -> HttpResponse:
    """The customer has no code: an identity document checked and the reason, on the timeline
    with the associate."""
    fo = _work(request, number, HAND_OVER)
    form = NoCodeForm(request.POST)
    if not form.is_valid():
        return _refused(request, form, number)
    data = form.cleaned_data
    return _act(
        request,
        fo,
        lambda fo, trace: services.fulfilment_order_collect(
            fulfilment_order=fo,
            trace=trace,
            identity_checked=str(IdentityDocument(data["document"]).label),
            no_code_reason=data["reason"],
            no_code_note=data["note"],
        ),
        _("Handed over. Payment captured."),
        next_url="store:handover",
    )


@associate_only
def handover_view(request: HttpRequest) -> HttpResponse:
    """Find the order at the counter: pickup code, order number or the customer's name. A code
    that finds its order opens it with the code typed in, ready to hand over."""
    form = HandoverSearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    results = selectors.handover_search(store=request.user.store, query=query)
    if query and len(results) == 1:
        url = reverse("store:work", args=[results[0].number])
        if results[0].pickup_code == query:
            url += "?" + urlencode({"code": query})
        return redirect(url)
    return render(request, "store/handover.html", {"form": form, "results": results, "query": query})


@associate_only
def dashboard_view(request: HttpRequest) -> HttpResponse:
    dashboard = selectors.store_dashboard(request.user.store)
    peak = max((bar.total for bar in dashboard.by_hour), default=0) or 1
    bars = [
        {
            "hour": bar.hour,
            "total": bar.total,
            "parts": [
                (kind, n, round(100 * n / peak, 1))
                for kind, n in (("shipped", bar.shipped), ("ready", bar.ready), ("collected", bar.collected))
                if n
            ],
            "bar": bar,
        }
        for bar in dashboard.by_hour
    ]
    return render(
        request, "store/dashboard.html", {"dashboard": dashboard, "bars": bars, "store": request.user.store}
    )


@associate_only
def counts_view(request: HttpRequest) -> HttpResponse:
    """The SKUs the store is asked to count (stock found wrong while picking)."""
    store = request.user.store
    return render(
        request,
        "store/counts.html",
        {"store": store, "counts": inventory_selectors.count_tasks_open(location=store), "form": CountForm()},
    )


@associate_only
@require_POST
def count_view(request: HttpRequest, task_id: int) -> HttpResponse:
    """Enter what was counted: the store's on hand becomes that figure (a cycle count)."""
    task = inventory_selectors.count_task_get(location=request.user.store, task_id=task_id)
    form = CountForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect("store:counts")
    try:
        inventory.count_task_settle(
            task=task,
            counted=form.cleaned_data["counted"],
            trace=Trace.of(request.user, note=_("count task")),
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Counted: %(sku)s, %(n)s on hand.") % {"sku": task.sku.code, "n": form.cleaned_data["counted"]},
        )
    return redirect("store:counts")
