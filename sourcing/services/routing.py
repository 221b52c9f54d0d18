"""Sourcing an order: decide with the engine, reserve, create fulfilment orders, record why.

Callers hold the order's lock (orders.locks.order_lock). Reservations are conditional
updates, taken in (SKU, location) order; if stock or capacity moved between the decision
and the writes, the attempt is rolled back to its savepoint and decided again on fresh facts.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from inventory import services as inventory
from inventory.geo import postcode_point
from inventory.models import Location, Reservation
from inventory.services import Trace
from omni.errors import ConflictError
from orders.models import Allocation, DeliveryMethod, Order, OrderEvent, OrderLine
from orders.services.timeline import event_record

from ..calendar import add_open_minutes
from ..engine import Group, GroupDecision, LineNeed, Request, decide
from ..locks import location_day_take
from ..models import FulfilmentOrder, FulfilmentOrderLine, LineFailure, SourcingProfile, SourcingRun
from ..selectors import network_snapshot, strategy_rules
from .profiles import profile_current

ATTEMPTS = 3
SOURCEABLE = (*OrderLine.CHANGEABLE, OrderLine.Status.PARTIALLY_FULFILLED)


class CapacityTaken(ConflictError):
    code = "capacity_taken"


_rules_cache: dict[int, list] = {}


def profile_rules(profile: SourcingProfile):
    """Published profiles never change, so their rules are read once per process."""
    if profile.pk not in _rules_cache:
        _rules_cache[profile.pk] = strategy_rules(profile)
    return _rules_cache[profile.pk]


def unsourced_quantity(line: OrderLine) -> int:
    return line.quantity - line.qty_cancelled - line.qty_shipped - line.qty_collected - line.qty_allocated


def _destination(order: Order, line: OrderLine) -> tuple[str, tuple[float, float] | None]:
    address = (
        line.relay_point if line.delivery_method == DeliveryMethod.SHIP_TO_RELAY else order.shipping_address
    )
    address = address or {}
    if address.get("latitude") is not None and address.get("longitude") is not None:
        return address.get("postcode", ""), (float(address["latitude"]), float(address["longitude"]))
    return address.get("postcode", ""), postcode_point(address.get("postcode", ""))


@dataclass
class SourcingResult:
    run: SourcingRun | None
    allocations: list[Allocation]
    fulfilment_orders: list[FulfilmentOrder]


def sourcing_request(
    order: Order,
    lines: list[OrderLine],
    failures: dict[int, set[int]],
    profile,
    ignore_failure_limit: bool = False,
) -> tuple[Request, dict]:
    """What the engine is asked for the order's unsourced units: one group per delivery
    (method, pickup store or destination), each line excluding the locations that already
    failed it; and the order lines by their key. Lines past the failure limit wait for the
    call centre unless ``ignore_failure_limit``."""
    groups: dict[tuple, Group] = {}
    by_key: dict[str, OrderLine] = {}
    for line in lines:
        quantity = unsourced_quantity(line)
        if quantity <= 0 or line.status not in SOURCEABLE:
            continue
        if not ignore_failure_limit and len(failures.get(line.pk, ())) >= profile.max_failures_per_line:
            continue  # the call centre decides (backorder queue)
        postcode, point = ("", None) if line.is_pickup else _destination(order, line)
        key = (line.delivery_method, line.pickup_location_id, postcode, point)
        group = groups.get(key)
        if group is None:
            group = groups[key] = Group(
                delivery_method=line.delivery_method,
                lines=[],
                pickup_location_id=line.pickup_location_id,
                point=point,
                postcode=postcode if not line.is_pickup else (line.pickup_location.postcode or ""),
                promised_date=line.promised_date,
            )
        elif line.promised_date and (group.promised_date is None or line.promised_date < group.promised_date):
            group.promised_date = line.promised_date
        group.lines.append(
            LineNeed(
                key=str(line.line_number),
                sku_id=line.sku_id,
                sku_code=line.sku_code,
                quantity=quantity,
                excluded=frozenset(failures.get(line.pk, ())),
            )
        )
        by_key[str(line.line_number)] = line
    request = Request(
        channel=order.channel,
        order_value=order.total,
        moment=timezone.localtime(),
        groups=list(groups.values()),
    )
    return request, by_key


def line_failures(lines) -> dict[int, set[int]]:
    failures: dict[int, set[int]] = defaultdict(set)
    for line_id, location_id in LineFailure.objects.filter(order_line__in=lines).values_list(
        "order_line_id", "location_id"
    ):
        failures[line_id].add(location_id)
    return failures


def order_source(
    *, order: Order, lines: list[OrderLine], trace: Trace, trigger: str, reason: str = ""
) -> SourcingResult:
    """Source every open unit of the order's lines not yet allocated: allocate it at the
    locations the current profile chooses (one fulfilment order per location and delivery)
    or backorder it. Writes a SourcingRun with the explanation, timeline events, and moves
    line buckets. Caller holds the order's lock. A backorder sweep that finds nothing new
    writes nothing."""
    started = time.perf_counter()
    profile = profile_current()
    failures = line_failures(lines)
    request, by_key = sourcing_request(
        order, lines, failures, profile, ignore_failure_limit=trigger == SourcingRun.Trigger.MANUAL
    )
    if not request.groups:
        return SourcingResult(None, [], [])
    rules = profile_rules(profile)
    sku_ids = {need.sku_id for g in request.groups for need in g.lines}
    pickups = {g.pickup_location_id for g in request.groups if g.pickup_location_id}
    applied = None
    for _attempt in range(ATTEMPTS):
        snapshot = network_snapshot(sku_ids=sku_ids, location_ids=pickups, moment=request.moment)
        decisions = decide(request, rules, snapshot)
        if trigger == SourcingRun.Trigger.BACKORDER and not any(d.units for d in decisions):
            return SourcingResult(None, [], [])
        try:
            with transaction.atomic():
                applied = _apply(order, decisions, by_key, snapshot, profile, trace, trigger, reason, started)
            break
        except (inventory.InsufficientStock, CapacityTaken):
            continue  # stock or capacity moved since the decision: decide again
    if applied is None:  # still racing after every attempt: backorder, the sweep will retry
        with transaction.atomic():
            applied = _apply(order, [], by_key, snapshot, profile, trace, trigger, reason, started)
    return applied


def _apply(order, decisions: list[GroupDecision], by_key, snapshot, profile, trace, trigger, reason, started):
    requested = sum(unsourced_quantity(line) for line in by_key.values())
    sourced = sum(d.units for d in decisions)
    run = SourcingRun.objects.create(
        order=order,
        profile=profile,
        trigger=trigger,
        reason=reason[:300],
        units_requested=requested,
        units_sourced=sourced,
        explanation={"profile": profile.version, "groups": [d.explanation for d in decisions]},
    )
    # Reserve in (SKU, location) order so concurrent runs never wait on each other in a cycle.
    wanted = []
    for decision in decisions:
        for assignment in decision.assignments:
            for key, quantity in assignment.lines.items():
                wanted.append((by_key[key].sku_id, assignment.location_id, key, quantity, assignment))
    locations = Location.objects.in_bulk({w[1] for w in wanted})
    reservations = {}
    for _sku_id, location_id, key, quantity, assignment in sorted(wanted, key=lambda w: (w[0], w[1], w[2])):
        line = by_key[key]
        reservations[(id(assignment), key)] = inventory.stock_reserve(
            sku=line.sku,
            location=locations[location_id],
            quantity=quantity,
            holder_type=Reservation.HolderType.ORDER_LINE,
            holder_ref=line.reference,
            trace=trace,
        )
    today = timezone.localdate(run.created_at)
    assignments = sorted((a for d in decisions for a in d.assignments), key=lambda a: a.location_id)
    for assignment in assignments:
        facts = snapshot.locations[assignment.location_id]
        if not location_day_take(location_id=facts.id, day=today, capacity=facts.daily_capacity):
            raise CapacityTaken(_("%(location)s is full today.") % {"location": facts.name})
    sequence = FulfilmentOrder.objects.filter(order=order).count()
    planned = [(decision, assignment) for decision in decisions for assignment in decision.assignments]
    fulfilment_orders = FulfilmentOrder.objects.bulk_create(
        _fulfilment_order(order, decision, assignment, snapshot, profile, run, sequence + n)
        for n, (decision, assignment) in enumerate(planned, start=1)
    )
    owners, allocations = [], []
    for fo, (_decision, assignment) in zip(fulfilment_orders, planned, strict=True):
        for key, quantity in assignment.lines.items():
            owners.append(fo)
            allocations.append(
                Allocation(
                    line=by_key[key],
                    location_id=assignment.location_id,
                    kind=assignment.mode,
                    quantity=quantity,
                    reservation=reservations[(id(assignment), key)],
                )
            )
    Allocation.objects.bulk_create(allocations)
    FulfilmentOrderLine.objects.bulk_create(
        FulfilmentOrderLine(fulfilment_order=fo, order_line=a.line, allocation=a, quantity=a.quantity)
        for fo, a in zip(owners, allocations, strict=True)
    )
    for allocation in allocations:
        allocation.line.qty_allocated += allocation.quantity
    for fo, (decision, assignment) in zip(fulfilment_orders, planned, strict=True):
        parts = [f"{quantity} × {by_key[key].sku_code}" for key, quantity in assignment.lines.items()]
        event_record(
            order=order,
            kind=OrderEvent.Kind.ALLOCATED,
            trace=trace,
            summary=_("%(number)s: %(parts)s at %(location)s (%(mode)s), by %(date)s — %(strategy)s")
            % {
                "number": fo.number,
                "parts": ", ".join(parts),
                "location": assignment.name,
                "mode": Allocation.Kind(assignment.mode).label,
                "date": assignment.date.isoformat() if assignment.date else "—",
                "strategy": decision.strategy.name if decision.strategy else "",
            },
            data={
                "fulfilment_order": fo.number,
                "location": assignment.code,
                "kind": assignment.mode,
                "strategy": decision.strategy.name if decision.strategy else None,
                "profile": profile.version,
                "run": run.pk,
            },
        )
    dates = {}
    for decision in decisions:
        for assignment in decision.assignments:
            for key in assignment.lines:
                if assignment.date and (key not in dates or assignment.date > dates[key]):
                    dates[key] = assignment.date
    for key, line in by_key.items():
        left = unsourced_quantity(line)
        line.qty_backordered = left
        date = dates.get(key)
        if date and line.promised_date and date > line.promised_date:
            event_record(
                order=order,
                line=line,
                kind=OrderEvent.Kind.PROMISE_AT_RISK,
                trace=trace,
                summary=_("Line %(line)s can be delivered %(date)s, after the promised %(promised)s")
                % {
                    "line": line.line_number,
                    "date": date.isoformat(),
                    "promised": line.promised_date.isoformat(),
                },
            )
        elif date and not line.promised_date:
            line.promised_date = date
        if line.status in OrderLine.CHANGEABLE:
            line.source()
        line.save(update_fields=["qty_allocated", "qty_backordered", "promised_date", "status"])
        if left:
            event_record(
                order=order,
                line=line,
                kind=OrderEvent.Kind.BACKORDERED,
                trace=trace,
                summary=_("%(quantity)s × %(sku)s: no location can serve it now")
                % {"quantity": left, "sku": line.sku_code},
                data={"quantity": left, "run": run.pk},
            )
    run.duration_ms = round((time.perf_counter() - started) * 1000, 2)
    run.save(update_fields=["duration_ms"])
    return SourcingResult(run, allocations, fulfilment_orders)


def _fulfilment_order(order, decision, assignment, snapshot, profile, run, sequence) -> FulfilmentOrder:
    """The fulfilment order of one assignment, unsaved, with its SLA deadlines."""
    facts = snapshot.locations[assignment.location_id]
    acknowledge_minutes, ready_minutes = profile.sla_minutes(facts.kind)
    now = timezone.now()
    acknowledge_by = add_open_minutes(now, acknowledge_minutes, facts.periods, facts.timezone)
    ready_by = add_open_minutes(now, ready_minutes, facts.periods, facts.timezone)
    goes_to_store = assignment.mode in (Allocation.Kind.SHIP_TO_STORE, Allocation.Kind.TRANSFER)
    return FulfilmentOrder(
        number=f"{order.number}-{sequence}",
        order=order,
        location_id=assignment.location_id,
        mode=assignment.mode,
        destination_id=decision.group.pickup_location_id if goes_to_store else None,
        sourcing_run=run,
        acknowledge_by=acknowledge_by,
        ready_by=ready_by,
        due_at=acknowledge_by,
        promised_date=assignment.date,
    )


@transaction.atomic
def order_source_again(*, order: Order, trace: Trace) -> SourcingResult:
    """The call centre asks for another try at an order's backordered lines, past the failure
    limit (locations that already failed a line stay excluded)."""
    from orders.locks import order_lock
    from orders.services import order_recalculate

    order, lines = order_lock(order)
    if not order.is_open:
        raise ConflictError(_("Order %(number)s is closed.") % {"number": order.number})
    result = order_source(
        order=order, lines=lines, trace=trace, trigger=SourcingRun.Trigger.MANUAL, reason=trace.note
    )
    order_recalculate(order=order, lines=lines)
    return result
