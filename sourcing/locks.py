"""The only place sourcing takes row locks: a location's load for a day, counted with one
conditional statement each. These rows come last in the lock order (see orders.locks)."""

from __future__ import annotations

from django.db import connection

_TAKE_CAPACITY_SQL = """
INSERT INTO sourcing_locationdayload (location_id, day, fulfilment_orders, failures)
VALUES (%(location)s, %(day)s, 1, 0)
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


_FAIL_SQL = """
INSERT INTO sourcing_locationdayload (location_id, day, fulfilment_orders, failures)
VALUES (%(location)s, %(day)s, 0, 1)
ON CONFLICT (location_id, day) DO UPDATE
   SET failures = sourcing_locationdayload.failures + 1
"""


def location_day_fail(*, location_id: int, day) -> None:
    """Count one failed piece of work against the location's day (its reliability)."""
    with connection.cursor() as cursor:
        cursor.execute(_FAIL_SQL, {"location": location_id, "day": day})
