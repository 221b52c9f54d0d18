"""The one writer of an order line's quantity buckets and of its allocations.

Every unit of a line sits in one bucket (allocated, backordered, shipped, collected,
cancelled — the database checks they add up). Units move between buckets only here:

- ``plan_apply``: a sourcing plan becomes fulfilment orders and allocations (allocated), the
  rest waits (backordered);
- ``units_release``/``units_cancel``/``units_unsource``: the customer cancels or changes
  the delivery, reservations are given back;
- ``work_consume``: goods leave a location (shipped) or are handed over (collected);
- ``work_fail``: a location fails its work, the units wait to be sourced again.

Callers hold the order's lock (``orders.locks``); reservations are inventory's, changed
through its services.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from django.utils import timezone
from django.utils.translation import gettext as _

from inventory import services as inventory
from inventory.models import Reservation
from omni.trace import Trace
from sourcing import services as sourcing

from ..models import (
    Allocation,
    FulfilmentOrder,
    FulfilmentOrderLine,
    LineFailure,
    Order,
    OrderEvent,
    OrderLine,
    RejectionReason,
)
from .timeline import EventDraft, events_record


@dataclass
class Sourced:
    """What applying a sourcing plan made."""

    run: object | None = None
    allocations: list[Allocation] = field(default_factory=list)
    fulfilment_orders: list[FulfilmentOrder] = field(default_factory=list)


def unsourced_quantity(line: OrderLine) -> int:
    return line.quantity - line.qty_cancelled - line.qty_shipped - line.qty_collected - line.qty_allocated


def plan_apply(
    *, order: Order, lines: list[OrderLine], plan, trace: Trace, first_work: int | None = None
) -> Sourced:
    """Turn a sourcing plan into one fulfilment order per planned piece of work, an allocation
    per line in it (holding the plan's reservation), and move the lines' buckets; record it on
    the timeline. ``lines`` are the lines the plan was made for (key = line number);
    ``first_work``: how many fulfilment orders the order already has, when the caller knows."""
    by_key = {str(line.line_number): line for line in lines}
    if plan.run is None:
        return Sourced()
    sequence = FulfilmentOrder.objects.filter(order=order).count() if first_work is None else first_work
    fulfilment_orders = []
    for n, work in enumerate(plan.work, start=1):
        fo = FulfilmentOrder(
            number=f"{order.number}-{sequence + n}",
            order=order,
            location_id=work.location_id,
            mode=work.mode,
            destination_id=work.destination_id,
            sourcing_run=plan.run,
            acknowledge_by=work.acknowledge_by,
            ready_by=work.ready_by,
            due_at=work.acknowledge_by,
            promised_date=work.date,
        )
        # A piece of work serves one delivery group (one method, one destination): its
        # first line says where and when the customer wants it.
        fo.delivery_from(by_key[min(work.lines, key=int)])
        fulfilment_orders.append(fo)
    fulfilment_orders = FulfilmentOrder.objects.bulk_create(fulfilment_orders)
    owners, allocations = [], []
    for fo, work in zip(fulfilment_orders, plan.work, strict=True):
        for key, (quantity, reservation) in work.lines.items():
            owners.append(fo)
            allocations.append(
                Allocation(
                    line=by_key[key],
                    location_id=work.location_id,
                    kind=work.mode,
                    quantity=quantity,
                    reservation=reservation,
                )
            )
    Allocation.objects.bulk_create(allocations)
    FulfilmentOrderLine.objects.bulk_create(
        FulfilmentOrderLine(fulfilment_order=fo, order_line=a.line, allocation=a, quantity=a.quantity)
        for fo, a in zip(owners, allocations, strict=True)
    )
    for allocation in allocations:
        allocation.line.qty_allocated += allocation.quantity
    events = []
    for fo, work in zip(fulfilment_orders, plan.work, strict=True):
        parts = [f"{quantity} × {by_key[key].sku_code}" for key, (quantity, _r) in work.lines.items()]
        events.append(
            EventDraft(
                kind=OrderEvent.Kind.ALLOCATED,
                summary=_("%(number)s: %(parts)s at %(location)s (%(mode)s), by %(date)s — %(strategy)s")
                % {
                    "number": fo.number,
                    "parts": ", ".join(parts),
                    "location": work.location_name,
                    "mode": Allocation.Kind(work.mode).label,
                    "date": work.date.isoformat() if work.date else "—",
                    "strategy": work.strategy or "",
                },
                data={
                    "fulfilment_order": fo.number,
                    "location": work.location_code,
                    "kind": work.mode,
                    "strategy": work.strategy,
                    "profile": plan.run.profile.version,
                    "run": plan.run.pk,
                },
            )
        )
    changed = []
    for key, line in by_key.items():
        left = unsourced_quantity(line)
        line.qty_backordered = left
        date = plan.latest_date(key)
        if date and line.promised_date and date > line.promised_date:
            events.append(
                EventDraft(
                    kind=OrderEvent.Kind.PROMISE_AT_RISK,
                    line=line,
                    summary=_("Line %(line)s can be delivered %(date)s, after the promised %(promised)s")
                    % {
                        "line": line.line_number,
                        "date": date.isoformat(),
                        "promised": line.promised_date.isoformat(),
                    },
                )
            )
        elif date and not line.promised_date:
            line.promised_date = date
        if line.status in OrderLine.CHANGEABLE:
            line.source()
        changed.append(line)
        if left:
            events.append(
                EventDraft(
                    kind=OrderEvent.Kind.BACKORDERED,
                    line=line,
                    summary=_("%(quantity)s × %(sku)s: no location can serve it now")
                    % {"quantity": left, "sku": line.sku_code},
                    data={"quantity": left, "run": plan.run.pk},
                )
            )
    OrderLine.objects.bulk_update(changed, ["qty_allocated", "qty_backordered", "promised_date", "status"])
    events_record(order=order, trace=trace, events=events)
    return Sourced(plan.run, allocations, fulfilment_orders)


def units_release(*, line: OrderLine, trace: Trace, quantity: int | None = None) -> int:
    """Give back up to ``quantity`` allocated units (all when None), newest allocation first;
    returns how many. The line's ``qty_allocated`` is the caller's to move (cancel or
    re-source decide where the units go)."""
    remaining = line.qty_allocated if quantity is None else quantity
    released = 0
    for allocation in (
        line.allocations.filter(status=Allocation.Status.ACTIVE).select_related("reservation").order_by("-pk")
    ):
        if remaining <= 0:
            break
        part = min(allocation.quantity, remaining)
        if allocation.reservation.status == Reservation.Status.ACTIVE:
            inventory.reservation_release(reservation=allocation.reservation, trace=trace, quantity=part)
        # else the units are on their way to the pickup store: they arrive as its own stock.
        if part == allocation.quantity:  # a released allocation keeps what it held, for the record
            allocation.status = Allocation.Status.RELEASED
            allocation.closed_at = timezone.now()
        else:
            allocation.quantity -= part
        allocation.save(update_fields=["quantity", "status", "closed_at"])
        remaining -= part
        released += part
    return released


def units_cancel(*, line: OrderLine, quantity: int, trace: Trace) -> None:
    """Cancel ``quantity`` open units: backordered ones first, then allocated ones (released)."""
    from_backorder = min(line.qty_backordered, quantity)
    from_allocated = quantity - from_backorder
    if from_allocated:
        units_release(line=line, trace=trace, quantity=from_allocated)
    line.qty_backordered -= from_backorder
    line.qty_allocated -= from_allocated
    line.qty_cancelled += quantity
    line.cancel()
    line.save(update_fields=["qty_backordered", "qty_allocated", "qty_cancelled", "status"])


def units_unsource(*, line: OrderLine, trace: Trace) -> None:
    """Release every open unit before the line is sourced again (a new delivery)."""
    units_release(line=line, trace=trace)
    line.qty_allocated = 0
    line.qty_backordered = 0


def picked_or_held(fl: FulfilmentOrderLine) -> int:
    if fl.allocation.status != Allocation.Status.ACTIVE:
        return 0
    return fl.qty_picked or fl.allocation.quantity


def work_consume(
    *, fo_lines: list[FulfilmentOrderLine], lines: list[OrderLine], collected: bool, trace: Trace,
) -> list[tuple[OrderLine, int]]:  # fmt: skip
    """The goods of a fulfilment order left for the customer (``collected`` False: shipped) or
    were handed over (collected): reservations consumed, allocations fulfilled, the lines'
    units moved to shipped or collected. Returns each line with its units."""
    by_id = {line.pk: line for line in lines}
    moved, changed, leaving = [], {}, []
    now = timezone.now()
    for fl in fo_lines:
        quantity = picked_or_held(fl)
        if not quantity:
            continue
        allocation = fl.allocation
        leaving.append((allocation, quantity))
        if quantity == allocation.quantity:
            allocation.status = Allocation.Status.FULFILLED
            allocation.closed_at = now
        else:  # what left is fulfilled; the rest stays held under the same reservation
            allocation.quantity -= quantity
        line = by_id[fl.order_line_id]
        line.qty_allocated -= quantity
        if collected:
            line.qty_collected += quantity
            line.collect()
        else:
            line.qty_shipped += quantity
            line.ship()
        changed[line.pk] = line
        moved.append((line, quantity))
    inventory.reservations_consume(parts=[(a.reservation, q) for a, q in leaving], trace=trace)
    Allocation.objects.bulk_update([a for a, _q in leaving], ["quantity", "status", "closed_at"])
    OrderLine.objects.bulk_update(
        changed.values(), ["qty_allocated", "qty_shipped", "qty_collected", "status"]
    )
    return moved


def lines_make_ready(*, fo_lines: list[FulfilmentOrderLine], lines: list[OrderLine]) -> list[OrderLine]:
    """The lines whose units wait on the pickup shelf now."""
    by_id = {line.pk: line for line in lines}
    ready = []
    for fl in fo_lines:
        line = by_id[fl.order_line_id]
        if line.status != OrderLine.Status.READY_FOR_PICKUP and picked_or_held(fl):
            line.make_ready_for_pickup()
            ready.append(line)
    OrderLine.objects.bulk_update(ready, ["status"])
    return ready


def work_fail(
    *, fulfilment_order: FulfilmentOrder, failed: list[tuple[FulfilmentOrderLine, int]],
    lines: list[OrderLine], kind: str, reason: str, trace: Trace, reason_code: str = "",
) -> None:  # fmt: skip
    """A location failed (part of) its work: the units it held are released and wait to be
    sourced elsewhere (backordered), the failure is remembered on each line (that location is
    never asked again) and counted against the location's reliability.

    Units not found or damaged (``reason_code``) are not released but written off the
    location's stock, with a count task (``inventory.reservation_write_off``): nothing is
    promised again from them. Not found means the shelf held no more: the location's unheld
    units of the SKU go too, until counted. Reservations are taken in SKU order."""
    by_id = {line.pk: line for line in lines}
    changed = {}
    write_off = RejectionReason.writes_off(reason_code)
    write_off_trace = replace(
        trace,
        reason=reason_code if write_off else trace.reason,
        reference=fulfilment_order.number,
        note=trace.note or reason,
    )
    for fl, quantity in sorted(failed, key=lambda item: (item[0].allocation.reservation.sku_id, item[0].pk)):
        line = by_id[fl.order_line_id]
        allocation = fl.allocation
        if write_off:
            inventory.reservation_write_off(
                reservation=allocation.reservation,
                quantity=quantity,
                trace=write_off_trace,
                clear_shelf=reason_code == RejectionReason.NOT_FOUND,
            )
        else:
            inventory.reservation_release(reservation=allocation.reservation, trace=trace, quantity=quantity)
        allocation.quantity -= quantity
        if allocation.quantity == 0:
            allocation.quantity = quantity  # a released allocation keeps what it held, for the record
            allocation.status = Allocation.Status.RELEASED
            allocation.closed_at = timezone.now()
        allocation.save(update_fields=["quantity", "status", "closed_at"])
        line.qty_allocated -= quantity
        line.qty_backordered += quantity
        changed[line.pk] = line
    OrderLine.objects.bulk_update(changed.values(), ["qty_allocated", "qty_backordered"])
    LineFailure.objects.bulk_create(
        LineFailure(
            order_line=by_id[fl.order_line_id],
            location_id=fulfilment_order.location_id,
            fulfilment_order=fulfilment_order,
            kind=kind,
            quantity=quantity,
            reason_code=reason_code,
            reason=reason[:300],
            channel=trace.channel,
        )
        for fl, quantity in failed
    )
    if failed:
        sourcing.location_failure_record(location_id=fulfilment_order.location_id)


def work_uncollected(
    *, fo_lines: list[FulfilmentOrderLine], lines: list[OrderLine], trace: Trace, hold_for: str = ""
) -> list[tuple[OrderLine, int]]:
    """Units waiting on the pickup shelf that nobody collected are cancelled: each allocation's
    reservation is released (the units are the store's to sell again) or, with ``hold_for``,
    handed to that holder (kept off sale until sent back). Returns each line with its units."""
    by_id = {line.pk: line for line in lines}
    moved, changed = [], {}
    now = timezone.now()
    for fl in fo_lines:
        allocation = fl.allocation
        if allocation.status != Allocation.Status.ACTIVE:
            continue
        quantity = allocation.quantity
        if hold_for:
            inventory.reservation_hand_over(
                reservation=allocation.reservation,
                holder_type=Reservation.HolderType.TRANSFER,
                holder_ref=hold_for,
            )
        else:
            inventory.reservation_release(reservation=allocation.reservation, trace=trace)
        allocation.status, allocation.closed_at = Allocation.Status.RELEASED, now
        allocation.save(update_fields=["status", "closed_at"])
        line = by_id[fl.order_line_id]
        line.qty_allocated -= quantity
        line.qty_cancelled += quantity
        line.cancel()
        changed[line.pk] = line
        moved.append((line, quantity))
    OrderLine.objects.bulk_update(changed.values(), ["qty_allocated", "qty_cancelled", "status"])
    return moved
