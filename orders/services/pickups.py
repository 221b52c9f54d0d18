"""Pickups nobody collects, by the pickup store's policy (``Location.pickup_reminder_days``,
``pickup_expiry_days``, ``uncollected_ship_to_store``): the customer is reminded once, then
the waiting units are cancelled, the payment released or refunded as for any cancellation, and
the goods go back on sale in the store, or wait to be sent back where they came from.

The beat sweep is safe on any number of workers: an order another transaction holds is
skipped (handled there, or by the next sweep), and each step re-checks the state under the
order's and the fulfilment order's locks, so a reminder is sent once and an order cancelled
once however often it runs.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import DurationField, ExpressionWrapper, F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from inventory import services as inventory
from inventory.models import Reservation, UncollectedGoods
from omni.errors import ConflictError
from omni.trace import Trace

from ..locks import fulfilment_order_lock, order_try_lock
from ..models import FulfilmentOrder, Order, OrderEvent, OrderLine
from . import allocations
from .capture import order_recalculate
from .fulfilment import _fo_lines, _locked
from .payments import payments_settle
from .promotions import redemptions_release
from .timeline import EventDraft, events_record

PICKUP_TRACE = Trace(note="uncollected pickups")
DAY = datetime.timedelta(days=1)


@dataclass
class PickupSweepResult:
    reminded: int = 0
    cancelled: int = 0
    skipped: int = 0


def _store_days(field: str):
    days = Coalesce(F(f"destination__{field}"), F(f"location__{field}"))
    return ExpressionWrapper(days * Value(DAY), output_field=DurationField())


def pickups_waiting_too_long(now: datetime.datetime):
    """Work on a pickup shelf whose reminder or cancellation is due by its store's policy."""
    return (
        FulfilmentOrder.objects.filter(
            status=FulfilmentOrder.Status.READY_FOR_PICKUP, held_since__isnull=True
        )
        .alias(
            remind_at=F("ready_at") + _store_days("pickup_reminder_days"),
            cancel_at=F("ready_at") + _store_days("pickup_expiry_days"),
        )
        .filter(Q(cancel_at__lte=now) | Q(remind_at__lte=now, pickup_reminded_at__isnull=True))
    )


def pickups_uncollected_sweep(
    *, now: datetime.datetime | None = None, batch_size: int = 200
) -> PickupSweepResult:
    """Beat: remind the customers whose pickup waits past the store's reminder days, cancel
    what waits past its cancellation days. One short transaction per order."""
    now = now or timezone.now()
    result, after = PickupSweepResult(), 0
    while True:
        due = list(
            pickups_waiting_too_long(now)
            .filter(pk__gt=after)
            .order_by("pk")
            .values_list("pk", "order_id")[:batch_size]
        )
        for fo_id, order_id in due:
            _settle_one(fo_id, order_id, now, result)
        if len(due) < batch_size:
            return result
        after = due[-1][0]


def _settle_one(fo_id: int, order_id: int, now: datetime.datetime, result: PickupSweepResult) -> None:
    with transaction.atomic():
        locked = order_try_lock(order_id)
        if locked is None:
            result.skipped += 1
            return
        order, lines = locked
        fo = fulfilment_order_lock(fo_id)
        if (
            fo.status != FulfilmentOrder.Status.READY_FOR_PICKUP
            or fo.held_since is not None
            or order.status == Order.Status.ON_HOLD
            or fo.ready_at is None
        ):
            return  # collected, cancelled or held meanwhile
        store = fo.pickup_store
        if now >= fo.ready_at + store.pickup_expiry_days * DAY:
            _cancel_uncollected(fo, order, lines, now, PICKUP_TRACE)
            result.cancelled += 1
        elif now >= fo.ready_at + store.pickup_reminder_days * DAY and fo.pickup_reminded_at is None:
            _remind(fo, order, now)
            result.reminded += 1


def _remind(fo: FulfilmentOrder, order: Order, now: datetime.datetime) -> None:
    store = fo.pickup_store
    cancel_on = timezone.localtime(fo.ready_at + store.pickup_expiry_days * DAY).date()
    fo.pickup_reminded_at = now
    fo.save(update_fields=["pickup_reminded_at", "updated_at"])
    events_record(
        order=order,
        trace=PICKUP_TRACE,
        events=[
            EventDraft(
                kind=OrderEvent.Kind.PICKUP_REMINDER,
                summary=_(
                    "%(number)s: waiting at %(store)s since %(since)s; cancelled on %(date)s if not collected"
                )
                % {
                    "number": fo.number,
                    "store": store.name,
                    "since": timezone.localtime(fo.ready_at).strftime("%d/%m"),
                    "date": cancel_on.strftime("%d/%m/%Y"),
                },
                data={
                    "fulfilment_order": fo.number,
                    "location": store.code,
                    "cancel_on": cancel_on.strftime("%d/%m/%Y"),
                },
            )
        ],
    )


def _cancel_uncollected(
    fo: FulfilmentOrder, order: Order, lines: list[OrderLine], now: datetime.datetime, trace: Trace
) -> None:
    """Caller holds the order's and the fulfilment order's locks."""
    store = fo.pickup_store
    send_back = fo.goes_to_store and store.uncollected_ship_to_store == UncollectedGoods.SEND_BACK
    fo_lines = _fo_lines(fo)
    leaving = {
        fl.order_line_id: fl.allocation.quantity for fl in fo_lines if fl.allocation.status == "active"
    }
    if all(line.qty_cancelled + leaving.get(line.pk, 0) == line.quantity for line in lines):
        # The whole order goes: its promotion uses are given back before any stock row is locked.
        redemptions_release(order=order)
    moved = allocations.work_uncollected(
        fo_lines=fo_lines, lines=lines, trace=trace, hold_for=f"send-back:{fo.number}" if send_back else ""
    )
    fo.cancel()
    fo.uncollected_at, fo.send_back = now, send_back
    fo.save(update_fields=["status", "due_at", "uncollected_at", "send_back", "updated_at"])
    order_recalculate(order=order, lines=lines)
    payments_settle(order=order, trace=trace)
    days = store.pickup_expiry_days
    parts = ", ".join(f"{quantity} × {line.sku_code}" for line, quantity in moved)
    where = (
        _("to be sent back to %(origin)s") % {"origin": fo.location.name}
        if send_back
        else _("back on sale at %(store)s") % {"store": store.name}
    )
    events = [
        EventDraft(
            kind=OrderEvent.Kind.UNCOLLECTED,
            line=line,
            summary=_("%(number)s: %(quantity)s × %(sku)s not collected in %(days)s days, %(where)s")
            % {"number": fo.number, "quantity": quantity, "sku": line.sku_code, "days": days, "where": where},
            data={"fulfilment_order": fo.number, "quantity": quantity, "send_back": send_back},
            notify=False,
        )
        for line, quantity in moved
    ]
    events.append(
        EventDraft(
            kind=OrderEvent.Kind.CANCELLED,
            summary=(
                _("Order cancelled: not collected at %(store)s in %(days)s days")
                if order.status == Order.Status.CANCELLED
                else _("Part of the order cancelled: not collected at %(store)s in %(days)s days")
            )
            % {"store": store.name, "days": days},
            data={
                "fulfilment_order": fo.number,
                "location": store.code,
                "uncollected": True,
                "days": days,
                "lines": {str(line.line_number): quantity for line, quantity in moved},
                "parts": parts,
            },
        )
    )
    events_record(order=order, trace=trace, events=events)


@transaction.atomic
def fulfilment_order_send_back(*, fulfilment_order: FulfilmentOrder, trace: Trace) -> FulfilmentOrder:
    """The pickup store sends back the goods nobody collected (its policy for ship-to-store
    parcels): they leave its stock as a transfer to where they came from."""
    fo, order, _lines = _locked(fulfilment_order)
    if not fo.send_back or fo.return_transfer_id is not None:
        raise ConflictError(
            _("Fulfilment order %(number)s has nothing to send back.") % {"number": fo.number},
            code="nothing_to_send_back",
        )
    held = list(
        Reservation.objects.filter(
            holder_type=Reservation.HolderType.TRANSFER,
            holder_ref=f"send-back:{fo.number}",
            status=Reservation.Status.ACTIVE,
        )
        .select_related("sku", "location")
        .order_by("pk")
    )
    fo.return_transfer = inventory.reservations_send_back(
        reservations=held, to_location=fo.location, trace=trace
    )
    fo.save(update_fields=["return_transfer", "updated_at"])
    events_record(
        order=order,
        trace=trace,
        events=[
            EventDraft(
                kind=OrderEvent.Kind.SENT_BACK,
                summary=_(
                    "%(number)s: uncollected goods sent back from %(store)s to %(origin)s (%(transfer)s)"
                )
                % {
                    "number": fo.number,
                    "store": fo.pickup_store.name,
                    "origin": fo.location.name,
                    "transfer": fo.return_transfer.reference,
                },
                data={"fulfilment_order": fo.number, "transfer": fo.return_transfer.reference},
            )
        ],
    )
    return fo
