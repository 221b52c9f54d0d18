"""Changes the customer asks for: cancel, new address, new date, new delivery, hold."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed

from inventory.models import Location
from omni.errors import ConflictError, DomainError
from omni.trace import Trace
from omni.vocabulary import DeliveryMethod

from ..locks import fulfilment_order_lock, order_lock
from ..models import Allocation, FulfilmentOrder, Order, OrderEvent, OrderLine
from . import allocations
from .capture import (
    _address_errors,
    _clean_address,
    clean_relay_point,
    order_recalculate,
    requested_slot,
    shipping_address_errors,
    validate_delivery,
)
from .delivery import delivery_charge_move, delivery_charges_sync, delivery_group
from .fulfilment import fulfilment_orders_settle
from .payments import payments_settle
from .promotions import redemptions_release
from .sourcing import lines_source
from .timeline import event_record


class IllegalChange(ConflictError):
    code = "illegal_change"


class DeliveryAlreadyPacked(IllegalChange):
    """The parcel is packed (its label printed): where and when it goes can no longer change."""

    code = "delivery_already_packed"


def _line_work(line: OrderLine) -> list[FulfilmentOrder]:
    """The open work holding the line's units, locked by id. Caller holds the order's lock."""
    ids = (
        FulfilmentOrder.objects.filter(
            lines__order_line=line,
            lines__allocation__status=Allocation.Status.ACTIVE,
            status__in=FulfilmentOrder.OPEN,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
        .distinct()
    )
    return [fulfilment_order_lock(pk) for pk in ids]


def _refuse_packed(line: OrderLine, work: list[FulfilmentOrder]) -> None:
    packed = [fo.number for fo in work if fo.status in FulfilmentOrder.DELIVERY_FROZEN]
    if packed:
        raise DeliveryAlreadyPacked(
            _("Line %(line)s is already packed (%(work)s): its delivery can no longer change.")
            % {"line": line.line_number, "work": ", ".join(packed)},
            field="line",
        )


def _work_follow(line: OrderLine, work: list[FulfilmentOrder]) -> list[str]:
    """The open work takes the line's new delivery details; returns the numbers updated."""
    for fo in work:
        fo.delivery_from(line)
        fo.save(update_fields=[*FulfilmentOrder.DELIVERY_FIELDS, "updated_at"])
    return [fo.number for fo in work]


def _line(lines: list[OrderLine], number: int) -> OrderLine:
    for line in lines:
        if line.line_number == number:
            return line
    raise DomainError(_("The order has no line %(line)s.") % {"line": number}, code="not_found", field="line")


def _first_message(errors: dict | list) -> str:
    """The first message of field errors nested as in the request, for the error's detail."""
    first = next(iter(errors.values())) if isinstance(errors, dict) else errors
    return first[0] if isinstance(first, list) else _first_message(first)


def _refuse_closed(order: Order) -> None:
    if not order.is_open:
        raise IllegalChange(
            _("Order %(number)s is %(status)s: it can no longer change.")
            % {"number": order.number, "status": order.get_status_display().lower()}
        )


@transaction.atomic
def order_cancel(*, order: Order, trace: Trace, lines: dict[int, int | None] | None = None) -> Order:
    """Cancel the whole order (``lines`` None) or some units of some lines ({line number:
    quantity or None for all open units}). Backordered units go first, then allocated ones,
    whose reservations are released. Units shipped or collected cannot be cancelled; a
    request for more than is open is refused and changes nothing."""
    order, order_lines = order_lock(order)
    _refuse_closed(order)
    wanted = (
        {line.line_number: None for line in order_lines if line.open_quantity} if lines is None else lines
    )
    if not wanted:
        raise IllegalChange(_("Nothing is left to cancel on this order."))
    plan = []
    for number, quantity in wanted.items():
        line = _line(order_lines, number)
        open_quantity = line.open_quantity
        quantity = open_quantity if quantity is None else quantity
        if quantity <= 0 or quantity > open_quantity or line.status not in OrderLine.CANCELLABLE:
            raise IllegalChange(
                _("Line %(line)s has %(open)s units left to cancel (%(status)s).")
                % {"line": number, "open": open_quantity, "status": line.get_status_display().lower()},
                field="lines",
            )
        plan.append((line, quantity))
    cancelling = {line.pk: quantity for line, quantity in plan}
    if all(line.qty_cancelled + cancelling.get(line.pk, 0) == line.quantity for line in order_lines):
        # The whole order goes: its promotion uses are given back first, before any stock row
        # is locked, in the same lock order as capture (promotions, then inventory).
        redemptions_release(order=order)
    for line, quantity in plan:
        allocations.units_cancel(line=line, quantity=quantity, trace=trace)
        event_record(
            order=order,
            line=line,
            kind=OrderEvent.Kind.CANCELLED,
            trace=trace,
            summary=_("%(quantity)s × %(sku)s cancelled") % {"quantity": quantity, "sku": line.sku_code},
            data={"quantity": quantity},
            notify=False,
        )
    delivery_charges_sync(order=order, lines=order_lines, trace=trace)
    order_recalculate(order=order, lines=order_lines)
    fulfilment_orders_settle(order=order)
    payments_settle(order=order, trace=trace)
    # One e-mail for the whole change, whatever the number of lines.
    event_record(
        order=order,
        kind=OrderEvent.Kind.CANCELLED,
        trace=trace,
        summary=_("Order cancelled")
        if order.status == Order.Status.CANCELLED
        else _("Part of the order cancelled"),
        data={"lines": {str(line.line_number): quantity for line, quantity in plan}},
    )
    return order


def _refuse_after_shipment(order: Order, lines: list[OrderLine], *, what: str) -> list[OrderLine]:
    """The lines the change applies to; refuses when every such line has left already."""
    _refuse_closed(order)
    open_lines = [line for line in lines if line.status in OrderLine.CHANGEABLE]
    if not open_lines:
        raise IllegalChange(what)
    return open_lines


@transaction.atomic
def order_change_shipping_address(*, order: Order, address: dict, trace: Trace) -> Order:
    """New address for the home-delivery lines not yet shipped; refused
    (``delivery_already_packed``) while one of their parcels is packed."""
    order, lines = order_lock(order)
    home_lines = [line for line in lines if line.delivery_method == DeliveryMethod.SHIP_TO_ADDRESS]
    if not home_lines:
        raise IllegalChange(_("No line of this order is delivered to an address."))
    open_lines = _refuse_after_shipment(
        order, home_lines, what=_("Every home-delivery line has already shipped.")
    )
    if errors := shipping_address_errors(address):
        incomplete = bool(_address_errors(address))
        detail = _("The address is incomplete.") if incomplete else _first_message(errors)
        # Keyed as the request's own fields (the address is the whole body).
        fields = errors if isinstance(errors, dict) else {"address": errors}
        raise DomainError(detail, code="invalid", **fields)
    for line in open_lines:  # the label of a packed parcel is printed
        _refuse_packed(line, _line_work(line))
    before = order.shipping_address
    order.shipping_address = _clean_address(address)
    order.save(update_fields=["shipping_address", "updated_at"])
    event_record(
        order=order,
        kind=OrderEvent.Kind.SHIPPING_ADDRESS_CHANGED,
        trace=trace,
        summary=_("%(line1)s, %(postcode)s %(city)s") % order.shipping_address,
        data={"before": before, "after": order.shipping_address},
    )
    return order


@transaction.atomic
def order_line_change_requested_delivery(
    *,
    order: Order,
    line_number: int,
    requested_date: datetime.date | None,
    trace: Trace,
    slot_start: datetime.time | None = None,
    slot_end: datetime.time | None = None,
    instructions: str | None = None,
) -> OrderLine:
    """New requested date and slot (and delivery instructions, unless None) for a line not yet
    shipped. The open work holding its units follows at once; once that work is packed the
    change is refused (``delivery_already_packed``) and nothing changes. Holds the order's
    lock, then its fulfilment orders'; records one timeline event."""
    order, lines = order_lock(order)
    _refuse_closed(order)
    line = _line(lines, line_number)
    if line.status not in OrderLine.CHANGEABLE:
        raise IllegalChange(
            _("Line %(line)s is %(status)s: its delivery date can no longer change.")
            % {"line": line_number, "status": line.get_status_display().lower()}
        )
    errors = validate_delivery(
        method=line.delivery_method,
        pickup_location=line.pickup_location,
        relay_point=line.relay_point,
        requested_date=requested_date,
        slot=(slot_start, slot_end),
        instructions=instructions or "",
    )
    if errors:
        raise DomainError(next(iter(errors.values()))[0], code="invalid", **errors)
    work = _line_work(line)
    _refuse_packed(line, work)
    before = {
        "date": str(line.requested_date or ""),
        "slot": requested_slot(line.requested_slot_start, line.requested_slot_end),
        "instructions": line.delivery_instructions,
    }
    line.requested_date, line.requested_slot_start, line.requested_slot_end = (
        requested_date,
        slot_start,
        slot_end,
    )
    if instructions is not None:
        line.delivery_instructions = instructions.strip()
    line.save(
        update_fields=[
            "requested_date",
            "requested_slot_start",
            "requested_slot_end",
            "delivery_instructions",
        ]
    )
    after = {
        "date": str(requested_date or ""),
        "slot": requested_slot(slot_start, slot_end),
        "instructions": line.delivery_instructions,
    }
    event_record(
        order=order,
        line=line,
        kind=OrderEvent.Kind.DELIVERY_DATE_CHANGED,
        trace=trace,
        summary=_("Line %(line)s: %(date)s %(slot)s") % {"line": line_number, **after}
        if requested_date
        else _("Line %(line)s: no requested date") % {"line": line_number},
        data={"before": before, "after": after, "fulfilment_orders": _work_follow(line, work)},
    )
    return line


@transaction.atomic
def order_line_change_delivery(
    *,
    order: Order,
    line_number: int,
    delivery_method: str,
    trace: Trace,
    pickup_location: Location | None = None,
    relay_point: dict | None = None,
) -> OrderLine:
    """Switch a line between home delivery, relay point and pickup, or change its pickup store.
    Its reservations are released and the line is sourced again for the new destination."""
    order, lines = order_lock(order)
    _refuse_closed(order)
    line = _line(lines, line_number)
    if line.status not in OrderLine.CHANGEABLE:
        raise IllegalChange(
            _("Line %(line)s is %(status)s: its delivery can no longer change.")
            % {"line": line_number, "status": line.get_status_display().lower()}
        )
    errors = validate_delivery(
        method=delivery_method,
        pickup_location=pickup_location,
        relay_point=relay_point,
        requested_date=None,
        slot=None,
    )
    if delivery_method == DeliveryMethod.SHIP_TO_ADDRESS and shipping_address_errors(order.shipping_address):
        errors["shipping_address"] = [_("Give the order a complete shipping address first.")]
    if errors:
        raise DomainError(_first_message(errors), code="invalid", **errors)
    work = _line_work(line)
    _refuse_packed(line, work)
    relay_point = clean_relay_point(relay_point)
    before = _delivery_label(line)
    if delivery_method == line.delivery_method == DeliveryMethod.SHIP_TO_RELAY:
        # Another relay point: the same parcel goes elsewhere, the work keeps its place (and
        # the group's delivery fee goes with it).
        before_group = delivery_group(line)
        line.relay_point = relay_point
        line.save(update_fields=["relay_point"])
        delivery_charge_move(order=order, lines=lines, before=before_group, after=delivery_group(line))
        after = _delivery_label(line)
        event_record(
            order=order,
            line=line,
            kind=OrderEvent.Kind.DELIVERY_METHOD_CHANGED,
            trace=trace,
            summary=_("Line %(line)s: %(before)s → %(after)s")
            % {"line": line_number, "before": before, "after": after},
            data={"before": before, "after": after, "fulfilment_orders": _work_follow(line, work)},
        )
        delivery_charges_sync(order=order, lines=lines, trace=trace)
        order_recalculate(order=order, lines=lines)
        payments_settle(order=order, trace=trace)
        return line
    allocations.units_unsource(line=line, trace=trace)
    line.delivery_method = delivery_method
    line.pickup_location = pickup_location if delivery_method in DeliveryMethod.pickups() else None
    line.relay_point = relay_point if delivery_method == DeliveryMethod.SHIP_TO_RELAY else None
    line.save(update_fields=["delivery_method", "pickup_location", "relay_point"])
    fulfilment_orders_settle(order=order)
    made = lines_source(order=order, lines=[line], trace=trace, trigger="change").allocations
    after = _delivery_label(line)
    where = _("allocated at %(location)s") % {"location": made[0].location.name} if made else _("backordered")
    event_record(
        order=order,
        line=line,
        kind=OrderEvent.Kind.DELIVERY_METHOD_CHANGED,
        trace=trace,
        summary=_("Line %(line)s: %(before)s → %(after)s, %(where)s")
        % {"line": line_number, "before": before, "after": after, "where": where},
        data={
            "before": before,
            "after": after,
            "allocated_at": made[0].location.code if made else None,
        },
    )
    delivery_charges_sync(order=order, lines=lines, trace=trace)
    order_recalculate(order=order, lines=lines)
    payments_settle(order=order, trace=trace)
    return line


def _delivery_label(line: OrderLine) -> str:
    label = str(DeliveryMethod(line.delivery_method).label)
    if line.pickup_location_id:
        return f"{label} ({line.pickup_location.name})"
    if line.relay_point:
        return f"{label} ({line.relay_point.get('name') or line.relay_point.get('id')})"
    return label


@transaction.atomic
def order_hold(*, order: Order, reason: str, trace: Trace) -> Order:
    """Stop fulfilment (fraud check, customer's request...) until released: the order's open
    work leaves the stores' queues and the SLA clock (its deadlines move by the time held),
    and is never rerouted or counted against a location meanwhile."""
    order, _lines = order_lock(order)
    if not reason.strip():
        raise DomainError(_("Say why the order is held."), field="reason")
    try:
        order.hold(reason.strip())
    except TransitionNotAllowed as error:
        raise IllegalChange(
            _("An order that is %(status)s cannot be held.") % {"status": order.get_status_display().lower()}
        ) from error
    order.save(update_fields=["status", "status_before_hold", "hold_reason", "updated_at"])
    held = FulfilmentOrder.objects.filter(
        order=order,
        status__in=[
            *FulfilmentOrder.OPEN,
            FulfilmentOrder.Status.SHIPPED,
            FulfilmentOrder.Status.READY_FOR_PICKUP,
        ],
        held_since__isnull=True,
    )
    held.update(held_since=timezone.now())
    event_record(order=order, kind=OrderEvent.Kind.HELD, trace=trace, summary=reason.strip())
    return order


@transaction.atomic
def order_release(*, order: Order, trace: Trace) -> Order:
    order, _lines = order_lock(order)
    try:
        order.release()
    except TransitionNotAllowed as error:
        raise IllegalChange(_("This order is not on hold.")) from error
    order.save(update_fields=["status", "status_before_hold", "hold_reason", "updated_at"])
    now = timezone.now()
    for fo in FulfilmentOrder.objects.filter(order=order, held_since__isnull=False).order_by("pk"):
        fo = fulfilment_order_lock(fo.pk)
        fo.resume(now)
        fo.save(update_fields=["held_since", "acknowledge_by", "ready_by", "due_at", "updated_at"])
    event_record(order=order, kind=OrderEvent.Kind.RELEASED, trace=trace)
    return order
