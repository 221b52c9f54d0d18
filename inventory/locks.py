"""The only place inventory calls ``select_for_update``. Inventory's rows come after the
order's (order row, lines, fulfilment orders; see orders.locks) and before sourcing's load
rows; within inventory the order is:

1. a transfer row (``transfer_lock``), when receiving one, or a count task
   (``count_task_lock``), when settling it;
2. then reservations, in id order: ``reservations_lock`` (consuming a parcel),
   ``reservations_lock_expired`` (the expiry sweep, skipping rows someone else holds), or
   ``reservation_lock`` one at a time (releasing, consuming; ``reservations_send`` goes in
   (SKU, id) order, each reservation just before its own stock rows; so does
   ``reservation_write_off``, whose callers take reservations in SKU order);
3. then stock rows, in (SKU, location) order: ``stock_level_lock`` for a single row, and
   the set-based statements that lock their rows inside their own UPDATE or CTE, in that
   order: ``_RESERVE_MANY_SQL`` in services/stock.py (a ``FOR UPDATE OF st`` CTE ordered
   by SKU, location; ``_CONSUME_MANY_SQL`` and ``_change_stock`` get their rows sorted) and
   ``_SNAPSHOT_APPLY`` and ``_DELTA_LOCK`` in services/sync.py (the same ordered CTE).

A stock import row (``stock_import_claim``) is locked for the whole of its apply, before any
stock row; it is never locked with a reservation.

A location row (``location_lock``) is locked alone, by an edit of the location, never with
a reservation or stock row.
"""

from __future__ import annotations

import datetime

from .models import SKU as Sku
from .models import CountTask, Location, Reservation, StockImport, StockLevel, Transfer


def stock_import_claim(import_id: int) -> StockImport | None:
    """The confirmed (or interrupted: still "running") import, locked for its apply; None when
    another transaction is applying it right now (its lock is skipped, not waited for) or it is
    no longer waiting to be applied. Caller is in a transaction."""
    return (
        StockImport.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("location", "confirmed_by")
        .filter(pk=import_id, status__in=[StockImport.Status.CONFIRMED, StockImport.Status.RUNNING])
        .first()
    )


def stock_level_lock(sku: Sku, location: Location) -> StockLevel:
    """Lock one stock row. Caller is in a transaction and holds no other stock row."""
    return StockLevel.objects.select_for_update().get(sku=sku, location=location)


def reservation_lock(reservation: Reservation) -> Reservation:
    """Lock one reservation and return a fresh copy. Caller is in a transaction."""
    return Reservation.objects.select_for_update().get(pk=reservation.pk)


def reservations_lock(ids: list[int]) -> dict[int, Reservation]:
    """Lock several reservations in one statement, in id order ({id: reservation})."""
    return {r.pk: r for r in Reservation.objects.select_for_update().filter(pk__in=ids).order_by("pk")}


def reservations_lock_expired(now: datetime.datetime, batch_size: int) -> list[Reservation]:
    """Lock up to ``batch_size`` active reservations expired by ``now``, in id order, skipping locked ones."""
    return list(
        Reservation.objects.select_for_update(skip_locked=True)
        .filter(status=Reservation.Status.ACTIVE, expires_at__lte=now)
        .order_by("pk")[:batch_size]
    )


def transfer_lock(transfer: Transfer) -> Transfer:
    """Lock a transfer and return a fresh copy, before any reservation or stock row."""
    return Transfer.objects.select_for_update().get(pk=transfer.pk)


def location_lock(location: Location) -> Location:
    """Lock a location and return a fresh copy. Caller is in a transaction and holds no other lock."""
    return Location.objects.select_for_update().get(pk=location.pk)


def count_task_lock(task_id: int) -> CountTask:
    """Lock a count task and return a fresh copy, before the stock row its count sets."""
    return CountTask.objects.select_for_update().select_related("sku", "location").get(pk=task_id)
