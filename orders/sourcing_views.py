"""Order pages about sourcing: an order's decisions and fulfilment orders, its what-if under
any profile, the backorder queue and "source again"."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import role_required
from accounts.models import Role
from omni.errors import DomainError
from omni.trace import Trace
from sourcing import selectors as sourcing_selectors
from sourcing import services as sourcing
from sourcing.forms import DryRunForm
from sourcing.models import SourcingProfile, SourcingRun
from sourcing.planning import dry_run
from sourcing.presenters import explanation_present

from . import selectors, services
from .services.sourcing import sourcing_request_for

READERS = (Role.HEAD_OFFICE, Role.CALL_CENTRE)


@role_required(*READERS)
def order_decisions_view(request: HttpRequest, number: str) -> HttpResponse:
    """The order's fulfilment orders and every sourcing decision with its reasons (an HTMX
    partial loaded into the order page)."""
    order = selectors.order_get(user=request.user, number=number)
    runs = sourcing_selectors.sourcing_runs_for(order.number)
    for run in runs:
        for group in run.explanation.get("groups", []):
            explanation_present(group)
    fulfilment_orders = order.fulfilment_orders.select_related("location", "destination").prefetch_related(
        "lines__order_line", "failures"
    )
    return render(
        request,
        "sourcing/order_decisions.html#decisions",
        {"order": order, "runs": runs, "fulfilment_orders": fulfilment_orders},
    )


@role_required(Role.HEAD_OFFICE)
def order_what_if_view(request: HttpRequest, number: str) -> HttpResponse:
    """What each strategy of a profile would decide for the order's lines as placed (every
    unit, as if nothing were allocated yet); nothing is reserved."""
    order = selectors.order_get(user=request.user, number=number)
    profile = (
        SourcingProfile.objects.filter(pk=request.GET.get("profile") or 0).first()
        or sourcing.profile_current()
    )
    lines = list(order.lines.select_related("sku", "pickup_location"))
    request_ = sourcing_request_for(order, lines, trigger=SourcingRun.Trigger.MANUAL, as_new=True)
    decisions = dry_run(request=request_, profile=profile)
    for decision in decisions:
        explanation_present(decision.explanation)
    form = DryRunForm(initial={"order": order.number, "profile": profile.pk})
    return render(
        request,
        "sourcing/dry_run.html",
        {"form": form, "decisions": decisions, "profile": profile, "order": order},
    )


@role_required(*READERS)
def backorder_queue_view(request: HttpRequest) -> HttpResponse:
    lines = list(selectors.backorder_queue()[:300])
    return render(request, "sourcing/backorders.html", {"lines": lines, "limit": sourcing.profile_current()})


@require_POST
@role_required(*READERS)
def order_source_again_view(request: HttpRequest, number: str) -> HttpResponse:
    order = selectors.order_get(user=request.user, number=number)
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
    return redirect("orders:backorders")
