"""Goods leave: shipped from a location, made ready for pickup, handed over in store.

The store-fulfilment issue builds pick and pack on top; these are the order-side effects
every fulfilment path ends with: reservations consumed, buckets moved, payments captured,
the customer told.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed

from inventory import services as inventory
from inventory.services import Trace

from ..locks import order_lock
from ..models import Allocation, Order, OrderEvent, OrderLine
from .capture import order_recalculate
from .changes import IllegalChange, _line
from .payments import payments_settle
from .sourcing import fulfilment_orders_settle
from .timeline import event_record


def _refuse_on_hold(order: Order) -> None:
    if order.status == Order.Status.ON_HOLD:
        raise IllegalChange(_("The order is on hold: %(reason)s") % {"reason": order.hold_reason})
    if not order.is_open:
        raise IllegalChange(
            _("Order %(number)s is %(status)s.")
            % {"number": order.number, "status": order.get_status_display().lower()}
        )


def _consume(line: OrderLine, quantity: int, trace: Trace, allocation_id: int | None = None) -> list[str]:
    """Consume ``quantity`` held units, oldest allocation first (or from the one given); the
    locations they left."""
    remaining, where = quantity, []
    allocations = line.allocations.filter(status=Allocation.Status.ACTIVE)
    if allocation_id is not None:
        allocations = allocations.filter(pk=allocation_id)
    for allocation in allocations.select_related("reservation", "location").order_by("pk"):
        if remaining <= 0:
            break
        part = min(allocation.quantity, remaining)
        inventory.reservation_consume(reservation=allocation.reservation, trace=trace, quantity=part)
        if part == allocation.quantity:
            allocation.status = Allocation.Status.FULFILLED
            allocation.closed_at = timezone.now()
            allocation.save(update_fields=["status", "closed_at"])
        else:
            # Split: what left is fulfilled, the rest stays held under the same reservation.
            allocation.quantity -= part
            allocation.save(update_fields=["quantity"])
        remaining -= part
        where.append(allocation.location.name)
    return where


def _quantity(line: OrderLine, quantity: int | None) -> int:
    quantity = line.qty_allocated if quantity is None else quantity
    if quantity <= 0 or quantity > line.qty_allocated:
        raise IllegalChange(
            _("Line %(line)s has %(allocated)s allocated units.")
            % {"line": line.line_number, "allocated": line.qty_allocated},
            field="quantity",
        )
    return quantity


@transaction.atomic
def order_line_ship(
    *,
    order: Order,
    line_number: int,
    trace: Trace,
    quantity: int | None = None,
    carrier: str = "",
    tracking: str = "",
    allocation_id: int | None = None,
) -> OrderLine:
    """Allocated units of a delivery line leave for the customer (from one allocation when
    ``allocation_id`` says so: a fulfilment order ships what it holds)."""
    order, lines = order_lock(order)
    _refuse_on_hold(order)
    line = _line(lines, line_number)
    if line.is_pickup:
        raise IllegalChange(_("Line %(line)s is collected in store, not shipped.") % {"line": line_number})
    quantity = _quantity(line, quantity)
    try:
        line.qty_allocated -= quantity
        line.qty_shipped += quantity
        line.ship()
    except TransitionNotAllowed as error:
        raise IllegalChange(
            _("Line %(line)s is %(status)s.")
            % {"line": line_number, "status": line.get_status_display().lower()}
        ) from error
    where = _consume(line, quantity, trace, allocation_id)
    line.save(update_fields=["qty_allocated", "qty_shipped", "status"])
    fulfilment_orders_settle(order=order, trace=trace)
    order_recalculate(order=order, lines=lines)
    event_record(
        order=order,
        line=line,
        kind=OrderEvent.Kind.SHIPPED,
        trace=trace,
        summary=_("%(quantity)s × %(sku)s from %(where)s %(tracking)s")
        % {
            "quantity": quantity,
            "sku": line.sku_code,
            "where": ", ".join(where),
            "tracking": f"({carrier} {tracking})".strip() if tracking else "",
        },
        data={"quantity": quantity, "carrier": carrier, "tracking": tracking},
    )
    payments_settle(order=order, trace=trace)
    return line


@transaction.atomic
def order_line_make_ready_for_pickup(*, order: Order, line_number: int, trace: Trace) -> OrderLine:
    """The line's units wait on the pickup store's shelf."""
    order, lines = order_lock(order)
    _refuse_on_hold(order)
    line = _line(lines, line_number)
    if not line.is_pickup:
        raise IllegalChange(_("Line %(line)s is delivered, not collected.") % {"line": line_number})
    try:
        line.make_ready_for_pickup()
    except TransitionNotAllowed as error:
        raise IllegalChange(
            _("Line %(line)s is %(status)s.")
            % {"line": line_number, "status": line.get_status_display().lower()}
        ) from error
    line.save(update_fields=["status"])
    event_record(
        order=order,
        line=line,
        kind=OrderEvent.Kind.READY_FOR_PICKUP,
        trace=trace,
        summary=_("%(quantity)s × %(sku)s at %(store)s")
        % {"quantity": line.qty_allocated, "sku": line.sku_code, "store": line.pickup_location.name},
    )
    return line


@transaction.atomic
def order_line_collect(
    *,
    order: Order,
    line_number: int,
    trace: Trace,
    quantity: int | None = None,
    allocation_id: int | None = None,
) -> OrderLine:
    """The customer takes the units waiting for them."""
    order, lines = order_lock(order)
    _refuse_on_hold(order)
    line = _line(lines, line_number)
    quantity = _quantity(line, quantity)
    if line.status != OrderLine.Status.READY_FOR_PICKUP:
        raise IllegalChange(_("Line %(line)s is not ready for pickup yet.") % {"line": line_number})
    line.qty_allocated -= quantity
    line.qty_collected += quantity
    line.collect()
    _consume(line, quantity, trace, allocation_id)
    line.save(update_fields=["qty_allocated", "qty_collected", "status"])
    fulfilment_orders_settle(order=order, trace=trace)
    order_recalculate(order=order, lines=lines)
    event_record(
        order=order,
        line=line,
        kind=OrderEvent.Kind.COLLECTED,
        trace=trace,
        summary=_("%(quantity)s × %(sku)s handed over at %(store)s")
        % {"quantity": quantity, "sku": line.sku_code, "store": line.pickup_location.name},
        data={"quantity": quantity},
    )
    payments_settle(order=order, trace=trace)
    return line
