"""Fulfilment orders through their life: acknowledged, picked, packed, shipped or made ready
and collected; or declined, short-picked, expired — and then rerouted.

Goods leave an order only through these actions. Every function locks the order, its lines
and then the fulfilment order (``orders.locks``), checks the move with the model's state
machine, moves buckets and allocations through ``allocations``, and records one event on the
order's timeline (which queues the customer's e-mail where one is due: one per parcel
shipped, one per pickup made ready, with its code).
"""

from __future__ import annotations

import datetime
import secrets
from decimal import Decimal

from django.db import transaction
from django.utils import formats, timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_fsm import TransitionNotAllowed

from inventory import services as inventory
from omni.errors import ConflictError, DomainError
from omni.trace import Trace
from sourcing import services as sourcing
from sourcing.models import SourcingRun

from ..locks import fulfilment_order_lock, order_lock
from ..models import (
    Allocation,
    FulfilmentOrder,
    FulfilmentOrderLine,
    LineFailure,
    NoCodeReason,
    Order,
    OrderEvent,
    OrderLine,
    Parcel,
    RejectionReason,
)
from . import allocations
from .capture import order_recalculate
from .payments import payments_settle
from .sourcing import line_failures, lines_source
from .timeline import event_record

MAX_PARCELS = 20


class IllegalFulfilmentChange(ConflictError):
    code = "illegal_fulfilment_change"


class HandoverProofRequired(DomainError):
    code = "handover_proof_required"


class PickupCodeMismatch(DomainError):
    code = "pickup_code_mismatch"
    keeps_changes = True  # the wrong try is counted


class HandoverLocked(ConflictError):
    code = "handover_locked"
    keeps_changes = True  # the lock is kept


def _locked(fulfilment_order: FulfilmentOrder) -> tuple[FulfilmentOrder, Order, list[OrderLine]]:
    order, lines = order_lock(fulfilment_order.order)
    if order.status == Order.Status.ON_HOLD:
        raise IllegalFulfilmentChange(
            _("Order %(number)s is on hold: %(reason)s")
            % {"number": order.number, "reason": order.hold_reason},
            code="order_on_hold",
        )
    return fulfilment_order_lock(fulfilment_order.pk), order, lines


def _move(fo: FulfilmentOrder, transition, *args) -> None:
    try:
        transition(*args)
    except TransitionNotAllowed as error:
        raise IllegalFulfilmentChange(
            _("Fulfilment order %(number)s is %(status)s.")
            % {"number": fo.number, "status": fo.get_status_display().lower()}
        ) from error


def _fo_lines(fo: FulfilmentOrder) -> list[FulfilmentOrderLine]:
    return list(
        fo.lines.select_related("allocation__reservation", "order_line").order_by("order_line__line_number")
    )


def _record(fo, order, kind, trace, summary, **data):
    event_record(
        order=order,
        kind=kind,
        trace=trace,
        summary=f"{fo.number} ({fo.location.name}): {summary}"
        if summary
        else f"{fo.number} ({fo.location.name})",
        data={"fulfilment_order": fo.number, "location": fo.location.code, **data},
    )


@transaction.atomic
def fulfilment_order_acknowledge(*, fulfilment_order: FulfilmentOrder, trace: Trace) -> FulfilmentOrder:
    """The location takes the work; the ready-by deadline now applies."""
    fo, order, _lines = _locked(fulfilment_order)
    _move(fo, fo.acknowledge)
    fo.save(update_fields=["status", "due_at", "acknowledged_at", "updated_at"])
    _record(fo, order, OrderEvent.Kind.FULFILMENT_ACKNOWLEDGED, trace, "")
    return fo


@transaction.atomic
def fulfilment_order_start_picking(*, fulfilment_order: FulfilmentOrder, trace: Trace) -> FulfilmentOrder:
    fo, order, _lines = _locked(fulfilment_order)
    _move(fo, fo.start_picking)
    fo.save(update_fields=["status", "due_at", "acknowledged_at", "updated_at"])
    _record(fo, order, OrderEvent.Kind.PICKING_STARTED, trace, "")
    return fo


def _reason_code(reason: str) -> str:
    if reason not in RejectionReason.values:
        raise DomainError(
            _("Choose one of the reasons: %(codes)s.") % {"codes": ", ".join(RejectionReason.values)},
            code="invalid_reason",
            field="reason",
        )
    return reason


@transaction.atomic
def fulfilment_order_decline(
    *, fulfilment_order: FulfilmentOrder, reason: str, trace: Trace, note: str = ""
) -> FulfilmentOrder:
    """The location will not do the work (``reason``: a ``RejectionReason`` code, ``note``:
    the associate's words): everything it held is released and rerouted at once, never back
    to this location. Units not found or damaged are written off its stock instead of being
    released, and a count is asked for (see ``allocations.work_fail``), in this transaction."""
    code, note = _reason_code(reason), note.strip()[:300]
    fo, order, lines = _locked(fulfilment_order)
    _move(fo, fo.decline, code, note)
    fo.save(update_fields=["status", "failure_code", "failure_reason", "due_at", "updated_at"])
    text = RejectionReason.text(code, note)
    _record(fo, order, OrderEvent.Kind.FULFILMENT_DECLINED, trace, text, reason_code=code)
    failed = [
        (fl, fl.allocation.quantity)
        for fl in _fo_lines(fo)
        if fl.allocation.status == Allocation.Status.ACTIVE
    ]
    fulfilment_order_reroute(
        fo, order, lines, failed, LineFailure.Kind.DECLINED, text, trace, reason_code=code, note=note
    )
    return fo


@transaction.atomic
def fulfilment_order_record_picks(
    *,
    fulfilment_order: FulfilmentOrder,
    picked: dict[int, int],
    trace: Trace,
    reason: str = "",
    note: str = "",
) -> FulfilmentOrder:
    """What the associate found, by order line number. Units not found (a short pick) are
    rerouted, and need a ``reason`` code: not found or damaged units are written off the
    location's stock with a count task, others released (``allocations.work_fail``). The rest
    waits to be packed. Nothing found at all declines the work."""
    note = note.strip()[:300]
    fo, order, lines = _locked(fulfilment_order)
    fo_lines = _fo_lines(fo)
    by_number = {fl.order_line.line_number: fl for fl in fo_lines}
    unknown = set(picked) - set(by_number)
    if unknown:
        raise DomainError(
            _("Fulfilment order %(number)s has no line %(lines)s.")
            % {"number": fo.number, "lines": ", ".join(map(str, sorted(unknown)))},
            field="lines",
        )
    short = []
    for number, fl in by_number.items():
        held = fl.allocation.quantity if fl.allocation.status == Allocation.Status.ACTIVE else 0
        quantity = picked.get(number, 0)
        if not isinstance(quantity, int) or quantity < 0 or quantity > held:
            raise DomainError(
                _("Line %(line)s: pick between 0 and %(held)s units.") % {"line": number, "held": held},
                field="lines",
            )
        fl.qty_picked = quantity
        fl.qty_short = held - quantity
        if fl.qty_short:
            short.append((fl, fl.qty_short))
    code = ""
    if short:
        if not reason:
            raise DomainError(
                _("Say why items are missing: they will be sent from elsewhere."),
                code="reason_required",
                field="reason",
            )
        code = _reason_code(reason)
    if not any(fl.qty_picked for fl in fo_lines):
        _move(fo, fo.decline, code, note)
        fo.save(update_fields=["status", "failure_code", "failure_reason", "due_at", "updated_at"])
    else:
        _move(fo, fo.finish_picking)
        fo.save(update_fields=["status", "due_at", "updated_at"])
    FulfilmentOrderLine.objects.bulk_update(fo_lines, ["qty_picked", "qty_short"])
    _record(
        fo,
        order,
        OrderEvent.Kind.SHORT_PICKED if short else OrderEvent.Kind.FULFILMENT_PICKED,
        trace,
        ", ".join(
            f"{fl.order_line.sku_code} {fl.qty_picked}/{fl.qty_picked + fl.qty_short}" for fl in fo_lines
        )
        + (f" ({RejectionReason.text(code, note)})" if short else ""),
        picked={str(k): v for k, v in picked.items()},
        **({"reason_code": code} if short else {}),
    )
    if short:
        fulfilment_order_reroute(
            fo, order, lines, short, LineFailure.Kind.SHORT_PICK, RejectionReason.text(code, note), trace,
            reason_code=code, note=note,
        )  # fmt: skip
    return fo


@transaction.atomic
def fulfilment_order_pack(
    *, fulfilment_order: FulfilmentOrder, parcels: list[Decimal | None], trace: Trace
) -> FulfilmentOrder:
    """The picked goods are boxed: one entry per parcel, its weight in kg when weighed."""
    if not parcels:
        raise DomainError(_("Pack at least one parcel."), field="parcels")
    if len(parcels) > MAX_PARCELS:
        raise DomainError(_("At most %(n)s parcels.") % {"n": MAX_PARCELS}, field="parcels")
    if any(weight is not None and weight <= 0 for weight in parcels):
        raise DomainError(_("A parcel's weight is more than zero."), field="parcels")
    fo, order, _lines = _locked(fulfilment_order)
    _move(fo, fo.pack)
    fo.save(update_fields=["status", "updated_at"])
    fo.parcels.all().delete()
    Parcel.objects.bulk_create(
        Parcel(fulfilment_order=fo, number=n, weight_kg=weight) for n, weight in enumerate(parcels, start=1)
    )
    weights = [w for w in parcels if w is not None]
    _record(
        fo,
        order,
        OrderEvent.Kind.FULFILMENT_PACKED,
        trace,
        _("%(n)s parcels") % {"n": len(parcels)}
        + (f", {sum(weights):.3f} kg".replace(".", ",") if weights else ""),
        parcels=len(parcels),
        weights_kg=[str(w) for w in weights],
    )
    return fo


@transaction.atomic
def fulfilment_order_scan(
    *, fulfilment_order: FulfilmentOrder, ean: str, trace: Trace
) -> FulfilmentOrderLine:
    """One unit scanned (or its EAN typed) while picking: it counts towards the line of that
    item. An item not on the work, or one more than is held, is refused. Scanning starts the
    picking of acknowledged work."""
    ean = (ean or "").strip()
    if not ean.isdigit():
        raise DomainError(_("Scan or type the item's EAN (digits only)."), field="ean")
    fo, order, _lines = _locked(fulfilment_order)
    if fo.status == FulfilmentOrder.Status.ACKNOWLEDGED:
        _move(fo, fo.start_picking)
        fo.save(update_fields=["status", "due_at", "acknowledged_at", "updated_at"])
        _record(fo, order, OrderEvent.Kind.PICKING_STARTED, trace, "")
    elif fo.status != FulfilmentOrder.Status.PICKING:
        raise IllegalFulfilmentChange(
            _("Fulfilment order %(number)s is %(status)s.")
            % {"number": fo.number, "status": fo.get_status_display().lower()}
        )
    matching = [
        fl
        for fl in fo.lines.select_related("allocation", "order_line__sku").order_by("order_line__line_number")
        if fl.order_line.sku.ean == ean and fl.allocation.status == Allocation.Status.ACTIVE
    ]
    if not matching:
        raise DomainError(_("Wrong item: %(ean)s is not on this order.") % {"ean": ean}, field="ean")
    line = next((fl for fl in matching if fl.qty_picked < fl.allocation.quantity), None)
    if line is None:
        raise DomainError(
            _("All %(n)s units of %(sku)s are already picked.")
            % {"n": sum(fl.allocation.quantity for fl in matching), "sku": matching[0].order_line.sku_code},
            field="ean",
        )
    line.qty_picked += 1
    line.save(update_fields=["qty_picked"])
    return line


@transaction.atomic
def fulfilment_order_scan_reset(*, fulfilment_order: FulfilmentOrder, trace: Trace) -> FulfilmentOrder:
    """Start the count again (the associate lost track)."""
    fo, _order, _lines = _locked(fulfilment_order)
    if fo.status != FulfilmentOrder.Status.PICKING:
        raise IllegalFulfilmentChange(_("Only work being picked can be recounted."))
    fo.lines.update(qty_picked=0)
    return fo


@transaction.atomic
def fulfilment_order_ship(
    *, fulfilment_order: FulfilmentOrder, carrier: str, tracking_number: str, trace: Trace
) -> FulfilmentOrder:
    """The parcel leaves: to the customer (its lines are shipped and paid for, the customer
    gets one e-mail for the parcel) or, for ship-to-store and transfers, to the pickup store,
    which makes it ready on arrival."""
    if not carrier.strip():
        raise DomainError(_("Name the carrier."), field="carrier")
    carrier, tracking_number = carrier.strip(), tracking_number.strip()
    fo, order, lines = _locked(fulfilment_order)
    fo_lines = _fo_lines(fo)
    if fo.status in (
        FulfilmentOrder.Status.CREATED,
        FulfilmentOrder.Status.ACKNOWLEDGED,
        FulfilmentOrder.Status.PICKING,
    ):
        # A vendor or warehouse system reports the shipment without reporting picks first.
        _move(fo, fo.finish_picking)
    _move(fo, fo.ship, carrier, tracking_number)
    if fo.goes_to_store:
        held = [
            fl.allocation.reservation for fl in fo_lines if fl.allocation.status == Allocation.Status.ACTIVE
        ]
        fo.transfer = inventory.reservations_send(reservations=held, to_location=fo.destination, trace=trace)
        fo.save(
            update_fields=[
                "status",
                "carrier",
                "tracking_number",
                "due_at",
                "completed_at",
                "transfer",
                "updated_at",
            ]
        )
        _record(fo, order, OrderEvent.Kind.IN_TRANSIT_TO_STORE, trace,
                _("to %(store)s, %(carrier)s %(tracking)s") % {
                    "store": fo.destination.name, "carrier": carrier, "tracking": tracking_number},
                transfer=fo.transfer.reference)  # fmt: skip
        return fo
    fo.save(update_fields=["status", "carrier", "tracking_number", "due_at", "completed_at", "updated_at"])
    moved = allocations.work_consume(fo_lines=fo_lines, lines=lines, collected=False, trace=trace)
    order_recalculate(order=order, lines=lines)
    event_record(
        order=order,
        kind=OrderEvent.Kind.SHIPPED,
        trace=trace,
        summary=_("%(number)s: %(parts)s from %(where)s %(tracking)s")
        % {
            "number": fo.number,
            "parts": ", ".join(f"{quantity} × {line.sku_code}" for line, quantity in moved),
            "where": fo.location.name,
            "tracking": f"({carrier} {tracking_number})".strip() if tracking_number else f"({carrier})",
        },
        data={
            "fulfilment_order": fo.number,
            "location": fo.location.code,
            "carrier": carrier,
            "tracking": tracking_number,
            "lines": {str(line.line_number): quantity for line, quantity in moved},
        },
    )
    payments_settle(order=order, trace=trace)
    return fo


@transaction.atomic
def fulfilment_order_make_ready(*, fulfilment_order: FulfilmentOrder, trace: Trace) -> FulfilmentOrder:
    """Goods are on the pickup store's shelf: picked there, or arrived from elsewhere (then
    they are received into the store's stock first)."""
    fo, order, lines = _locked(fulfilment_order)
    if fo.goes_to_store and fo.status == FulfilmentOrder.Status.SHIPPED and fo.received_at is None:
        _receive(fo, order, lines, trace)
        return fo
    if (
        fo.status
        in (
            FulfilmentOrder.Status.CREATED,
            FulfilmentOrder.Status.ACKNOWLEDGED,
            FulfilmentOrder.Status.PICKING,
        )
        and not fo.goes_to_store
    ):
        _move(fo, fo.finish_picking)
    _ready_for_pickup(fo, order, lines, trace)
    return fo


def _ready_for_pickup(fo: FulfilmentOrder, order: Order, lines: list[OrderLine], trace: Trace) -> None:
    _move(fo, fo.make_ready_for_pickup)
    store = fo.destination or fo.location
    fo.pickup_code = pickup_code_new(store.pk)
    fo.ready_at = timezone.now()
    fo.save(update_fields=["status", "due_at", "pickup_code", "ready_at", "completed_at", "updated_at"])
    fo_lines = _fo_lines(fo)
    allocations.lines_make_ready(fo_lines=fo_lines, lines=lines)
    by_id = {line.pk: line for line in lines}
    event_record(
        order=order,
        kind=OrderEvent.Kind.READY_FOR_PICKUP,
        trace=trace,
        summary=_("%(number)s: %(parts)s at %(store)s")
        % {
            "number": fo.number,
            "parts": ", ".join(
                f"{allocations.picked_or_held(fl)} × {by_id[fl.order_line_id].sku_code}"
                for fl in fo_lines
                if allocations.picked_or_held(fl)
            ),
            "store": store.name,
        },
        data={"fulfilment_order": fo.number, "location": store.code, "pickup_code": fo.pickup_code},
    )


@transaction.atomic
def fulfilment_order_receive(*, fulfilment_order: FulfilmentOrder, trace: Trace) -> FulfilmentOrder:
    """The pickup store receives the parcel sent to it (ship to store, transfer): the goods
    enter its stock, held for the customer, and the order is ready for pickup."""
    fo, order, lines = _locked(fulfilment_order)
    if not fo.goes_to_store or fo.status != FulfilmentOrder.Status.SHIPPED or fo.transfer_id is None:
        raise IllegalFulfilmentChange(
            _("Fulfilment order %(number)s is not on its way to a store.") % {"number": fo.number}
        )
    _receive(fo, order, lines, trace)
    return fo


def _receive(fo: FulfilmentOrder, order: Order, lines: list[OrderLine], trace: Trace) -> None:
    fo_lines = _fo_lines(fo)
    waiting = {fl.allocation.reservation_id: fl.allocation for fl in fo_lines
               if fl.allocation.status == Allocation.Status.ACTIVE}  # fmt: skip
    transfer = inventory.transfer_receive(transfer=fo.transfer, trace=trace, still_wanted=set(waiting))
    for transfer_line in transfer.lines.filter(held_by__isnull=False).select_related("held_by"):
        allocation = waiting[transfer_line.sent_for_id]
        allocation.reservation = transfer_line.held_by
        allocation.save(update_fields=["reservation"])
        excess = transfer_line.held_by.quantity - allocation.quantity
        if excess > 0:  # part of the line was cancelled on the way: the rest is the store's
            inventory.reservation_release(reservation=transfer_line.held_by, trace=trace, quantity=excess)
    fo.received_at = timezone.now()
    fo.save(update_fields=["received_at", "updated_at"])
    _record(
        fo, order, OrderEvent.Kind.RECEIVED_IN_STORE, trace, fo.destination.name, transfer=transfer.reference
    )
    if waiting:
        _ready_for_pickup(fo, order, lines, trace)
    else:  # cancelled on the way: the goods stay in the store's stock
        _move(fo, fo.cancel)
        fo.save(update_fields=["status", "due_at", "updated_at"])


def pickup_code_new(store_id: int) -> str:
    """Six digits, not shared with other work waiting at the same store."""
    taken = set(
        FulfilmentOrder.objects.filter(status=FulfilmentOrder.Status.READY_FOR_PICKUP)
        .filter(FulfilmentOrder.handed_over_at(store_id))
        .values_list("pickup_code", flat=True)
    )
    while True:
        code = f"{secrets.randbelow(1_000_000):06d}"
        if code not in taken:
            return code


@transaction.atomic
def order_customer_arrived(*, order: Order, trace: Trace, parking_spot: str = "") -> list[FulfilmentOrder]:
    """The customer says "I'm here" (web shop, app): the store sees who is waiting and where."""
    order, _lines = order_lock(order)
    ready = list(
        order.fulfilment_orders.filter(status=FulfilmentOrder.Status.READY_FOR_PICKUP).order_by("pk")
    )
    if not ready:
        raise ConflictError(
            _("Order %(number)s has nothing ready for pickup.") % {"number": order.number},
            code="nothing_ready",
        )
    now, spot = timezone.now(), parking_spot.strip()[:40]
    for fo in ready:
        fo = fulfilment_order_lock(fo.pk)
        fo.customer_arrived_at, fo.parking_spot = now, spot
        fo.save(update_fields=["customer_arrived_at", "parking_spot", "updated_at"])
    store = ready[0].destination or ready[0].location
    event_record(
        order=order,
        kind=OrderEvent.Kind.CUSTOMER_ARRIVED,
        trace=trace,
        summary=(_("at %(store)s, parking spot %(spot)s") % {"store": store.name, "spot": spot})
        if spot
        else (_("at %(store)s, at the counter") % {"store": store.name}),
        data={"fulfilment_orders": [fo.number for fo in ready], "parking_spot": spot},
    )
    return ready


PICKUP_CODE_TRIES = 5
PICKUP_LOCK = datetime.timedelta(minutes=15)


def fulfilment_order_collect(
    *,
    fulfilment_order: FulfilmentOrder,
    trace: Trace,
    pickup_code: str = "",
    identity_checked: str = "",
    no_code_reason: str = "",
    no_code_note: str = "",
) -> FulfilmentOrder:
    """The customer takes the goods: the lines are collected and paid for.

    Needs proof of who collects, typed or scanned by the associate, never read from Omni:
    the customer's ``pickup_code`` (the one they were sent), or, when they have none, an
    identity check (``identity_checked``: which document, as the associate or the store system
    describes it) with the reason they have no code (``no_code_reason``, a ``NoCodeReason``;
    ``no_code_note`` is required for ``other``). Both go on the timeline with the associate.

    A wrong code is counted (committed even though the call raises ``PickupCodeMismatch``,
    so call it outside a transaction, or commit on ``keeps_changes``); the fifth in a row
    locks the handover for 15 minutes (``HandoverLocked``, on the timeline). Nothing else
    changes when refused."""
    fo, refusal = _collect(
        fulfilment_order=fulfilment_order,
        trace=trace,
        pickup_code=pickup_code.strip(),
        identity_checked=identity_checked.strip(),
        no_code_reason=no_code_reason,
        no_code_note=no_code_note.strip(),
    )
    if refusal is not None:
        raise refusal
    return fo


@transaction.atomic
def _collect(
    *, fulfilment_order, trace, pickup_code, identity_checked, no_code_reason, no_code_note
) -> tuple[FulfilmentOrder, DomainError | None]:
    fo, order, lines = _locked(fulfilment_order)
    _move(fo, fo.collect)  # an illegal move is refused first, whatever the proof
    now = timezone.now()
    if fo.pickup_locked_until and fo.pickup_locked_until > now:
        raise HandoverLocked(
            _("Too many wrong pickup codes: the handover of %(number)s is locked until %(time)s.")
            % {"number": fo.number, "time": formats.time_format(timezone.localtime(fo.pickup_locked_until))}
        )
    if pickup_code:
        if not fo.pickup_code or not constant_time_compare(pickup_code, fo.pickup_code):
            return fo, _wrong_pickup_code(fo, order, trace, now)
        proof = {"identity_checked": "pickup code"}
        how = _("pickup code")
    else:
        if not identity_checked:
            raise HandoverProofRequired(
                _("Handing over needs the customer's pickup code, or an identity check when they have none."),
                field="pickup_code",
            )
        if no_code_reason not in NoCodeReason.values:
            raise HandoverProofRequired(
                _("Say why the customer has no pickup code."),
                code="no_code_reason_required",
                field="no_code_reason",
            )
        if no_code_reason == NoCodeReason.OTHER and not no_code_note:
            raise HandoverProofRequired(
                _("Explain why the customer has no pickup code."),
                code="no_code_reason_required",
                field="no_code_note",
            )
        proof = {
            "identity_checked": identity_checked,
            "no_code_reason": no_code_reason,
            "no_code_note": no_code_note,
        }
        how = _("%(document)s, without the pickup code: %(reason)s") % {
            "document": identity_checked,
            "reason": " — ".join(p for p in (str(NoCodeReason(no_code_reason).label), no_code_note) if p),
        }
    wrong_codes = fo.pickup_code_failures
    fo.pickup_code_failures, fo.pickup_locked_until = 0, None
    fo.save(
        update_fields=["status", "collected_at", "pickup_code_failures", "pickup_locked_until", "updated_at"]
    )
    moved = allocations.work_consume(fo_lines=_fo_lines(fo), lines=lines, collected=True, trace=trace)
    order_recalculate(order=order, lines=lines)
    store = fo.destination or fo.location
    event_record(
        order=order,
        kind=OrderEvent.Kind.COLLECTED,
        trace=trace,
        summary=_("%(number)s: %(parts)s handed over at %(store)s (identity checked: %(how)s)")
        % {
            "number": fo.number,
            "parts": ", ".join(f"{quantity} × {line.sku_code}" for line, quantity in moved),
            "store": store.name,
            "how": how,
        },
        data={
            "fulfilment_order": fo.number,
            "location": store.code,
            **proof,
            "wrong_codes": wrong_codes,
            "lines": {str(line.line_number): quantity for line, quantity in moved},
        },
    )
    payments_settle(order=order, trace=trace)
    return fo, None


def _wrong_pickup_code(fo: FulfilmentOrder, order: Order, trace: Trace, now) -> DomainError:
    """Count a wrong code (caller holds the fulfilment order's lock); the last try allowed
    locks the handover and says so on the timeline. Returns the refusal to raise after commit."""
    fo.pickup_code_failures += 1
    if fo.pickup_code_failures < PICKUP_CODE_TRIES:
        fo.save(update_fields=["pickup_code_failures", "updated_at"])
        left = PICKUP_CODE_TRIES - fo.pickup_code_failures
        error = PickupCodeMismatch(
            ngettext(
                "This is not the pickup code of %(number)s; nothing was handed over. %(left)s try left "
                "before the handover is locked.",
                "This is not the pickup code of %(number)s; nothing was handed over. %(left)s tries left "
                "before the handover is locked.",
                left,
            )
            % {"number": fo.number, "left": left},
            field="pickup_code",
        )
        return error
    tries = fo.pickup_code_failures
    fo.pickup_code_failures, fo.pickup_locked_until = 0, now + PICKUP_LOCK
    fo.save(update_fields=["pickup_code_failures", "pickup_locked_until", "updated_at"])
    until = formats.time_format(timezone.localtime(fo.pickup_locked_until))
    _record(
        fo,
        order,
        OrderEvent.Kind.PICKUP_LOCKED,
        trace,
        _("%(tries)s wrong pickup codes, handover locked until %(time)s") % {"tries": tries, "time": until},
        tries=tries,
        locked_until=fo.pickup_locked_until.isoformat(),
    )
    return HandoverLocked(
        _("%(tries)s wrong pickup codes: the handover of %(number)s is locked until %(time)s.")
        % {"tries": tries, "number": fo.number, "time": until}
    )


def fulfilment_order_reroute(
    fo, order, lines, failed, kind, reason, trace, reason_code="", note=None
) -> None:
    """Release what the location failed to do (or write it off, for units not found or
    damaged), remember the failure, source it elsewhere. Caller holds the order's and the
    fulfilment order's locks. ``reason``: the text the timeline and the sourcing run show;
    ``note``: what the failure keeps beside its code (the reason itself when not given)."""
    allocations.work_fail(
        fulfilment_order=fo, failed=failed, lines=lines, kind=kind,
        reason=reason if note is None else note, trace=trace, reason_code=reason_code,
    )  # fmt: skip
    result = lines_source(
        order=order, lines=lines, trace=trace, trigger=SourcingRun.Trigger.REROUTE, reason=reason
    )
    moved = ", ".join(f.number for f in result.fulfilment_orders) or _("nowhere yet")
    _record(fo, order, OrderEvent.Kind.REROUTED, trace, _("%(why)s → %(to)s") % {"why": reason, "to": moved})
    limit = sourcing.profile_current().max_failures_per_line
    failures = line_failures(lines)
    by_id = {line.pk: line for line in lines}
    for fl, _quantity in failed:
        line = by_id[fl.order_line_id]
        if line.qty_backordered and len(failures.get(line.pk, ())) >= limit:
            event_record(
                order=order,
                line=line,
                kind=OrderEvent.Kind.NEEDS_ATTENTION,
                trace=trace,
                summary=_("Line %(line)s failed at %(count)s locations: waiting in the backorder queue")
                % {"line": line.line_number, "count": len(failures[line.pk])},
            )
    order_recalculate(order=order, lines=lines)


def fulfilment_orders_settle(*, order: Order) -> None:
    """Close the fulfilment orders whose every allocation was released by a change of the
    order (cancelled units, a new delivery). Caller holds the order's lock."""
    open_fos = list(
        order.fulfilment_orders.filter(
            status__in=[
                *FulfilmentOrder.OPEN,
                FulfilmentOrder.Status.SHIPPED,
                FulfilmentOrder.Status.READY_FOR_PICKUP,
            ]
        ).select_related("location")
    )
    statuses_of: dict[int, set] = {fo.pk: set() for fo in open_fos}
    for fo_id, status in FulfilmentOrderLine.objects.filter(fulfilment_order__in=open_fos).values_list(
        "fulfilment_order_id", "allocation__status"
    ):
        statuses_of[fo_id].add(status)
    for fo in open_fos:
        if statuses_of[fo.pk] != {Allocation.Status.RELEASED}:
            continue
        if fo.goes_to_store and fo.status == FulfilmentOrder.Status.SHIPPED and fo.received_at is None:
            continue  # on its way: the pickup store receives it into its own stock, then it closes
        fo = fulfilment_order_lock(fo.pk)
        fo.cancel()
        fo.save(update_fields=["status", "due_at", "updated_at"])
