"""Periodic work: expire fulfilment orders past their SLA, source backorders when stock
arrives. Both are safe to run twice at once: an order another transaction holds is skipped
(it is handled there or by the next sweep), and a state already changed is not changed again.
Orders on hold are left alone: their work is off the clock until they are released.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import OperationalError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from inventory.models import StockLevel
from inventory.selectors import atp_expression
from omni.trace import Trace
from sourcing.models import SourcingRun
from sourcing.selectors import network_facts_shared

from ..locks import fulfilment_order_lock, order_try_lock
from ..models import FulfilmentOrder, LineFailure, Order, OrderEvent, OrderLine
from .capture import order_recalculate
from .fulfilment import _fo_lines, fulfilment_order_reroute
from .sourcing import lines_source
from .timeline import event_record

SWEEP_TRACE = Trace(note="SLA sweep")


@dataclass
class SweepResult:
    expired: int = 0
    rerouted_units: int = 0
    skipped: int = 0


def fulfilment_orders_expire_overdue(
    *, now: datetime.datetime | None = None, batch_size: int = 200, limit: int | None = None
) -> SweepResult:
    """Expire every reroutable fulfilment order whose deadline (acknowledge, then ready) has
    passed, and reroute its units. One short transaction per order."""
    now = now or timezone.now()
    result, after = SweepResult(), Q()
    while limit is None or result.expired < limit:
        due = list(
            FulfilmentOrder.objects.filter(
                after, status__in=FulfilmentOrder.REROUTABLE, due_at__lte=now, held_since__isnull=True
            )
            .order_by("due_at", "pk")
            .values_list("pk", "order_id", "due_at")[:batch_size]
        )
        if not due:
            return result
        with network_facts_shared():
            _expire_batch(due, now, result)
        # Walk on past this batch: what was skipped is being handled, or is the next sweep's.
        last_pk, _order_id, last_due = due[-1]
        after = Q(due_at__gt=last_due) | Q(due_at=last_due, pk__gt=last_pk)
    return result


DEADLOCK = "40P01"


def _expire_batch(due, now, result: SweepResult) -> None:
    for fo_id, order_id, _due_at in due:
        for attempt in range(3):
            try:
                _expire_one(fo_id, order_id, now, result)
                break
            except OperationalError as error:
                # Two sweeps rerouting at once can meet on two locations' day loads in opposite
                # orders (one records a failure where the other takes new work): PostgreSQL
                # aborts one; its order, rolled back whole, is simply tried again.
                if getattr(error.__cause__, "sqlstate", None) != DEADLOCK or attempt == 2:
                    raise


def _expire_one(fo_id, order_id, now, result: SweepResult) -> None:
    """Expire and reroute one overdue fulfilment order, in one transaction."""
    with transaction.atomic():
        locked = order_try_lock(order_id)
        if locked is None:
            result.skipped += 1
            return
        order, lines = locked
        fo = fulfilment_order_lock(fo_id)
        if (
            fo.status not in FulfilmentOrder.REROUTABLE
            or fo.due_at is None
            or fo.due_at > now
            or fo.held_since is not None
            or order.status == Order.Status.ON_HOLD
        ):
            return  # acknowledged, picked, expired or held meanwhile
        missed = (
            _("not acknowledged by %(time)s")
            if fo.status == FulfilmentOrder.Status.CREATED
            else _("not ready by %(time)s")
        ) % {"time": timezone.localtime(fo.due_at).strftime("%d/%m %H:%M")}
        fo.expire(missed)
        fo.save(update_fields=["status", "failure_reason", "due_at", "updated_at"])
        event_record(
            order=order,
            kind=OrderEvent.Kind.SLA_MISSED,
            trace=SWEEP_TRACE,
            summary=f"{fo.number} ({fo.location.name}): {missed}",
            data={"fulfilment_order": fo.number, "location": fo.location.code},
        )
        failed = [(fl, fl.allocation.quantity) for fl in _fo_lines(fo) if fl.allocation.status == "active"]
        fulfilment_order_reroute(fo, order, lines, failed, LineFailure.Kind.EXPIRED, missed, SWEEP_TRACE)
        result.expired += 1
        result.rerouted_units += sum(q for _fl, q in failed)


def backorders_source(*, limit: int = 200) -> int:
    """Source backordered lines whose SKU has stock again somewhere, oldest order first.
    Returns the number of orders that got new allocations."""
    in_stock = (
        StockLevel.objects.filter(
            sku_id=OuterRef("sku_id"),
            location__is_active=True,
        )
        .alias(atp=atp_expression())
        .filter(atp__gt=0)
    )
    order_ids = list(
        OrderLine.objects.filter(
            qty_backordered__gt=0, order__status__in=[Order.Status.CONFIRMED, Order.Status.IN_PROGRESS]
        )
        .filter(Exists(in_stock))
        .order_by("order__placed_at", "order_id")
        .values_list("order_id", flat=True)
        .distinct()[: limit * 2]
    )
    with network_facts_shared():
        return _source_backordered(order_ids, limit)


def _source_backordered(order_ids, limit: int) -> int:
    sourced, done = 0, set()
    for order_id in order_ids:
        if order_id in done or len(done) >= limit:
            continue
        done.add(order_id)
        with transaction.atomic():
            locked = order_try_lock(order_id)
            if locked is None:
                continue
            order, lines = locked
            if order.status not in (Order.Status.CONFIRMED, Order.Status.IN_PROGRESS):
                continue
            result = lines_source(
                order=order,
                lines=lines,
                trace=Trace(note="stock arrived"),
                trigger=SourcingRun.Trigger.BACKORDER,
            )
            if result.allocations:
                order_recalculate(order=order, lines=lines)
                sourced += 1
    return sourced
