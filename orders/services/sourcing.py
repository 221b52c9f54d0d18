"""Where orders ask sourcing where units come from.

Orders describe what to source (the lines' open units, where they go, the locations that
failed each line); sourcing decides, reserves and records its decision; orders turn the plan
into fulfilment orders and allocations (``allocations.plan_apply``). Sourcing knows nothing
of orders.
"""

from __future__ import annotations

from collections import defaultdict

from django.db import transaction
from django.utils.translation import gettext as _

from inventory.geo import postcode_point
from omni.errors import ConflictError
from omni.trace import Trace
from omni.vocabulary import DeliveryMethod
from sourcing import services as sourcing
from sourcing.models import SourcingRun
from sourcing.services import SourcingLine, SourcingRequest

from ..locks import order_lock
from ..models import LineFailure, Order, OrderLine
from .allocations import Sourced, plan_apply, unsourced_quantity

SOURCEABLE = (*OrderLine.CHANGEABLE, OrderLine.Status.PARTIALLY_FULFILLED)


def line_failures(lines) -> dict[int, set[int]]:
    """The locations that already failed each line (never asked again)."""
    failures: dict[int, set[int]] = defaultdict(set)
    for line_id, location_id in LineFailure.objects.filter(order_line__in=lines).values_list(
        "order_line_id", "location_id"
    ):
        failures[line_id].add(location_id)
    return failures


def _destination(order: Order, line: OrderLine) -> tuple[str, tuple[float, float] | None]:
    if line.is_pickup:
        return line.pickup_location.postcode or "", None
    address = (
        line.relay_point if line.delivery_method == DeliveryMethod.SHIP_TO_RELAY else order.shipping_address
    )
    address = address or {}
    if address.get("latitude") is not None and address.get("longitude") is not None:
        return address.get("postcode", ""), (float(address["latitude"]), float(address["longitude"]))
    return address.get("postcode", ""), postcode_point(address.get("postcode", ""))


def sourcing_request_for(
    order: Order,
    lines: list[OrderLine],
    *,
    trigger: str,
    reason: str = "",
    failures: dict[int, set[int]] | None = None,
    max_failures: int | None = None,
    as_new: bool = False,
) -> SourcingRequest:
    """The request for the lines' unsourced units (every active unit with ``as_new``, for a
    what-if). Lines that failed at ``max_failures`` locations wait for the call centre."""
    failures = line_failures(lines) if failures is None else failures
    wanted = []
    for line in lines:
        quantity = line.quantity - line.qty_cancelled if as_new else unsourced_quantity(line)
        if quantity <= 0 or (not as_new and line.status not in SOURCEABLE):
            continue
        if max_failures is not None and len(failures.get(line.pk, ())) >= max_failures:
            continue  # the call centre decides (backorder queue)
        postcode, point = _destination(order, line)
        wanted.append(
            SourcingLine(
                key=str(line.line_number),
                sku=line.sku,
                quantity=quantity,
                delivery_method=line.delivery_method,
                holder_ref=line.reference,
                pickup_location_id=line.pickup_location_id,
                postcode=postcode,
                point=point,
                promised_date=line.promised_date,
                excluded=frozenset(failures.get(line.pk, ())),
                destination=str((line.relay_point or {}).get("id") or ""),
            )
        )
    return SourcingRequest(
        reference=order.number,
        channel=order.channel,
        order_value=order.total,
        lines=wanted,
        trigger=trigger,
        reason=reason,
    )


def lines_source(
    *, order: Order, lines: list[OrderLine], trace: Trace, trigger: str, reason: str = ""
) -> Sourced:
    """Allocate or backorder every open unit of the lines not yet allocated, as the current
    sourcing profile decides. Caller holds the order's lock."""
    profile = sourcing.profile_current()
    limit = None if trigger == SourcingRun.Trigger.MANUAL else profile.max_failures_per_line
    capture = trigger == SourcingRun.Trigger.CAPTURE  # new lines: no failures, no work yet
    request = sourcing_request_for(
        order, lines, trigger=trigger, reason=reason, max_failures=limit, failures={} if capture else None
    )
    if not request.lines:
        return Sourced()
    plan = sourcing.sourcing_plan_reserve(request=request, trace=trace, profile=profile)
    return plan_apply(order=order, lines=lines, plan=plan, trace=trace, first_work=0 if capture else None)


@transaction.atomic
def order_source_again(*, order: Order, trace: Trace) -> Sourced:
    """The call centre asks for another try at an order's backordered lines, past the failure
    limit (locations that already failed a line stay excluded)."""
    from .capture import order_recalculate

    order, lines = order_lock(order)
    if not order.is_open:
        raise ConflictError(_("Order %(number)s is closed.") % {"number": order.number})
    result = lines_source(
        order=order, lines=lines, trace=trace, trigger=SourcingRun.Trigger.MANUAL, reason=trace.note
    )
    order_recalculate(order=order, lines=lines)
    return result
