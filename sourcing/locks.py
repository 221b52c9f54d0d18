"""The only place sourcing takes row locks:

- a location's load for a day, counted with one conditional statement each
  (``location_days_take``, in location order; ``location_day_fail``). These rows come last
  in the lock order, after the order's and inventory's rows (see orders.locks);
- sourcing profiles (``profile_lock``, then ``profiles_published_lock``), locked alone by
  drafting or publishing a profile, never with an order, inventory or load row.
"""

from __future__ import annotations

from django.db import connection

from .models import SourcingProfile

_TAKE_MANY_SQL = """
INSERT INTO sourcing_locationdayload AS load (location_id, day, fulfilment_orders, failures)
SELECT location_id, %(day)s, taken, 0
  FROM unnest(%(locations)s::bigint[], %(taken)s::int[], %(capacities)s::int[]) AS w(location_id, taken, capacity)
 WHERE capacity IS NULL OR taken <= capacity
ORDER BY location_id
ON CONFLICT (location_id, day) DO UPDATE
   SET fulfilment_orders = load.fulfilment_orders + EXCLUDED.fulfilment_orders
 WHERE load.fulfilment_orders + EXCLUDED.fulfilment_orders <= coalesce(
        (SELECT c.capacity FROM unnest(%(locations)s::bigint[], %(capacities)s::int[]) AS c(location_id, capacity)
          WHERE c.location_id = load.location_id), 2147483647)
RETURNING location_id
"""


def location_days_take(*, day, wanted: dict[int, tuple[int, int | None]]) -> bool:
    """Count new fulfilment orders against several locations' day at once ({location: (how
    many, capacity)}), in location order, in one conditional statement. False when any
    location would pass its capacity (the caller rolls its savepoint back)."""
    if not wanted:
        return True
    ids = sorted(wanted)
    with connection.cursor() as cursor:
        cursor.execute(
            _TAKE_MANY_SQL,
            {
                "day": day,
                "locations": ids,
                "taken": [wanted[i][0] for i in ids],
                "capacities": [wanted[i][1] for i in ids],
            },
        )
        return len(cursor.fetchall()) == len(ids)


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


def profile_lock(profile: SourcingProfile) -> SourcingProfile:
    """Lock a sourcing profile and return a fresh copy. Caller is in a transaction and holds no other lock."""
    return SourcingProfile.objects.select_for_update().get(pk=profile.pk)


def profiles_published_lock() -> list[SourcingProfile]:
    """Lock the published profiles (normally one). Caller holds the profile being published."""
    return list(SourcingProfile.objects.select_for_update().filter(status=SourcingProfile.Status.PUBLISHED))
