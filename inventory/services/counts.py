"""Stock found wrong while working: units written off where they were held (not found on the
shelf, damaged) and the count tasks that settle what the location really holds.

A write-off is one conditional change of the stock row with its ledger row (who, why, for
which holder), in the caller's transaction: availability and the store finder read the same
row, so they stop promising the units the moment it commits.
"""

from __future__ import annotations

from dataclasses import replace

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from omni.errors import ConflictError, DomainError
from omni.trace import Trace

from ..locks import count_task_lock, stock_level_lock
from ..models import CountTask, Reservation, StockMovement
from .stock import _change_stock, _close_or_reduce, _lock_active_reservation, _part, stock_count

# Reasons that say the location's stock is wrong: the units leave on hand, and a count follows.
WRITE_OFF_REASONS = (StockMovement.Reason.NOT_FOUND, StockMovement.Reason.DAMAGED)


@transaction.atomic
def reservation_write_off(
    *, reservation: Reservation, quantity: int, trace: Trace, clear_shelf: bool = False
) -> int:
    """Held units that cannot be picked (``trace.reason``: not found, or damaged) leave the
    location's stock: on hand and reserved go down together in one ledger row (so nothing is
    released to be promised again), the reservation is closed for those units, and a count
    task is raised for the SKU at the location.

    ``clear_shelf``: the associate found no more of the SKU on the shelf, so the units nobody
    holds are not there either: they are written off in the same ledger row (the location
    then promises none until the count says otherwise). Units held for other customers stay:
    their own picks will tell.

    Locks the reservation, then its stock row. Returns the units taken off on hand."""
    if trace.reason not in WRITE_OFF_REASONS:
        raise DomainError(
            _("Only units not found or damaged are written off."), code="reason_required", field="reason"
        )
    reservation = _lock_active_reservation(reservation)
    quantity = _part(reservation, quantity)
    level = stock_level_lock(reservation.sku_id, reservation.location_id)
    unheld = max(level.on_hand - level.reserved, 0) if clear_shelf else 0
    _change_stock(
        sku_id=reservation.sku_id,
        location_id=reservation.location_id,
        kind=StockMovement.Kind.ADJUSTMENT,
        trace=replace(
            trace, reference=trace.reference or f"{reservation.holder_type}:{reservation.holder_ref}"
        ),
        on_hand=-(quantity + unheld),
        reserved=-quantity,
    )
    _close_or_reduce(reservation, quantity, Reservation.Status.CONSUMED)
    count_task_raise(
        sku_id=reservation.sku_id, location_id=reservation.location_id, reason=trace.reason, trace=trace
    )
    return quantity + unheld


def count_task_raise(*, sku_id: int, location_id: int, reason: str, trace: Trace) -> None:
    """Ask the location to count the SKU; nothing new when a count is already waiting there."""
    CountTask.objects.bulk_create(
        [
            CountTask(
                sku_id=sku_id,
                location_id=location_id,
                reason=reason,
                reference=trace.reference[:100],
                raised_by=trace.actor if getattr(trace.actor, "pk", None) else None,
            )
        ],
        ignore_conflicts=True,  # the one open task per SKU and location is already there
    )


@transaction.atomic
def count_task_settle(*, task: CountTask, counted: int, trace: Trace) -> CountTask:
    """The associate counted the SKU: on hand becomes what was counted (a cycle count in the
    ledger, with who counted and why), and the task is closed. Refused when fewer units were
    counted than are held for customers, or when the task was already settled."""
    task = count_task_lock(task.pk)
    if task.status != CountTask.Status.OPEN:
        raise ConflictError(_("This count was already entered."), code="count_settled")
    level = stock_level_lock(task.sku_id, task.location_id)
    task.on_hand_before = level.on_hand
    stock_count(
        sku=task.sku,
        location=task.location,
        counted=counted,
        trace=replace(
            trace, reason=StockMovement.Reason.COUNT, reference=trace.reference or f"count:{task.pk}"
        ),
    )
    task.status, task.counted, task.counted_at = CountTask.Status.COUNTED, counted, timezone.now()
    task.counted_by = trace.actor if getattr(trace.actor, "pk", None) else None
    task.save(update_fields=["status", "counted", "counted_at", "counted_by", "on_hand_before"])
    return task
