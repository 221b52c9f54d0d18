"""The only place sourcing locks rows. Callers lock the order first (orders.locks), then
its fulfilment orders, so every path takes locks in the same order."""

from __future__ import annotations

from django.db import connection

from .models import FulfilmentOrder


def fulfilment_order_lock(fulfilment_order_id: int) -> FulfilmentOrder:
    """Caller holds the order's lock."""
    return (
        FulfilmentOrder.objects.select_for_update(of=("self",))
        .select_related("order", "location", "destination")
        .get(pk=fulfilment_order_id)
    )


_TAKE_CAPACITY_SQL = """
INSERT INTO sourcing_locationdayload (location_id, day, fulfilment_orders)
VALUES (%(location)s, %(day)s, 1)
ON CONFLICT (location_id, day) DO UPDATE
   SET fulfilment_orders = sourcing_locationdayload.fulfilment_orders + 1
 WHERE %(capacity)s IS NULL OR sourcing_locationdayload.fulfilment_orders < %(capacity)s
RETURNING fulfilment_orders
"""


def location_day_take(*, location_id: int, day, capacity: int | None) -> bool:
    """Count one more fulfilment order for the location's day, unless that would pass its
    capacity (one conditional statement: concurrent runs cannot overfill it)."""
    with connection.cursor() as cursor:
        cursor.execute(_TAKE_CAPACITY_SQL, {"location": location_id, "day": day, "capacity": capacity})
        return cursor.fetchone() is not None
