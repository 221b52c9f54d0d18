"""Reads of the sourcing app: the network snapshot a decision works from, strategies as
rules, decisions and fulfilment orders as each role may see them."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from inventory.models import Location, OpeningPeriod

from .engine import LocationFacts, Snapshot, StrategyRule
from .models import FulfilmentOrder, LineFailure, LocationDayLoad, ShippingRate, SourcingProfile

# Used until head office enters its carrier's rates: (up to km, € per parcel, working days).
DEFAULT_RATES = {
    Location.Kind.WAREHOUSE: [
        (150, Decimal("4.90"), 1),
        (500, Decimal("5.90"), 2),
        (20000, Decimal("7.90"), 3),
    ],
    Location.Kind.STORE: [(150, Decimal("5.90"), 1), (500, Decimal("6.90"), 2), (20000, Decimal("8.90"), 3)],
    Location.Kind.DROP_SHIP_VENDOR: [(20000, Decimal("6.50"), 3)],
}
RELIABILITY_WINDOW = datetime.timedelta(days=30)

_LOCATION_FIELDS = (
    "id", "code", "name", "kind", "postcode", "latitude", "longitude", "ships_to_customers", "is_pickup_point",
    "receives_ship_to_store", "sends_transfers", "receives_transfers", "sells_stock_online",
    "daily_capacity", "order_cutoff_time", "timezone",
)  # fmt: skip

_ATP_SQL = """
SELECT st.location_id, st.sku_id, st.on_hand - st.reserved - st.safety_stock
  FROM inventory_stocklevel st
  JOIN inventory_location l ON l.id = st.location_id
 WHERE st.sku_id = ANY(%s) AND l.is_active
   AND st.on_hand - st.reserved - st.safety_stock > 0
"""


def shipping_rates() -> dict[str, list[tuple[int, Decimal, int]]]:
    rates: dict[str, list] = {}
    for rate in ShippingRate.objects.order_by("origin_kind", "up_to_km"):
        rates.setdefault(rate.origin_kind, []).append((rate.up_to_km, rate.cost, rate.transit_days))
    return rates or DEFAULT_RATES


def network_snapshot(*, sku_ids, location_ids=(), moment: datetime.datetime | None = None) -> Snapshot:
    """ATP of the SKUs wherever it is positive, and the facts of those locations (plus
    ``location_ids``, e.g. pickup stores): five small queries, whatever the network's size."""
    moment = moment or timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(_ATP_SQL, [list(sku_ids)])
        atp = {(loc, sku): units for loc, sku, units in cursor.fetchall()}
    ids = {loc for loc, _sku in atp} | set(location_ids)
    periods: dict[int, list] = {}
    for loc, weekday, opens, closes in OpeningPeriod.objects.filter(location_id__in=ids).values_list(
        "location_id", "weekday", "opens_at", "closes_at"
    ):
        periods.setdefault(loc, []).append((weekday, opens, closes))
    locations = {}
    for row in Location.objects.filter(id__in=ids, is_active=True).values(*_LOCATION_FIELDS):
        row["latitude"], row["longitude"] = float(row["latitude"]), float(row["longitude"])
        locations[row["id"]] = LocationFacts(**row, periods=tuple(periods.get(row["id"], ())))
    load = dict(
        LocationDayLoad.objects.filter(location_id__in=ids, day=timezone.localdate(moment)).values_list(
            "location_id", "fulfilment_orders"
        )
    )
    return Snapshot(
        atp=atp,
        locations=locations,
        load_today=load,
        failure_rate=failure_rates(location_ids=ids, since=moment - RELIABILITY_WINDOW),
        rates=shipping_rates(),
    )


def failure_rates(*, location_ids, since: datetime.datetime) -> dict[int, float]:
    """Share of each location's fulfilment orders declined, short-picked or expired lately."""
    failed = dict(
        LineFailure.objects.filter(location_id__in=location_ids, created_at__gte=since)
        .values("location_id")
        .annotate(n=Count("fulfilment_order_id", distinct=True))
        .values_list("location_id", "n")
    )
    if not failed:
        return {}
    given = dict(
        FulfilmentOrder.objects.filter(location_id__in=failed, created_at__gte=since)
        .values("location_id")
        .annotate(n=Count("id"))
        .values_list("location_id", "n")
    )
    return {loc: min(1.0, n / given[loc]) for loc, n in failed.items() if given.get(loc)}


def strategy_rules(profile: SourcingProfile) -> list[StrategyRule]:
    rules = []
    for s in profile.strategies.prefetch_related("excluded_locations").order_by("priority", "pk"):
        rules.append(
            StrategyRule(
                id=s.pk,
                name=s.name,
                priority=s.priority,
                is_fallback=s.is_fallback,
                criteria=s.criteria,
                channels=s.channels,
                delivery_methods=s.delivery_methods,
                postcode_prefixes=s.postcode_prefixes,
                min_order_value=s.min_order_value,
                max_order_value=s.max_order_value,
                weekdays=s.weekdays,
                time_from=s.time_from,
                time_to=s.time_to,
                allow_split=s.allow_split,
                max_locations=s.max_locations,
                location_kinds=s.location_kinds,
                excluded_location_ids=frozenset(loc.pk for loc in s.excluded_locations.all()),
                respect_capacity=s.respect_capacity,
                respect_promised_date=s.respect_promised_date,
            )
        )
    return rules


def profile_published() -> SourcingProfile | None:
    return (
        SourcingProfile.objects.filter(status=SourcingProfile.Status.PUBLISHED).order_by("-version").first()
    )


def fulfilment_orders_visible_to(user) -> QuerySet[FulfilmentOrder]:
    """Store associates see their store's work (and parcels coming to it); API clients
    (store systems, vendors) and head office see everything."""
    queryset = FulfilmentOrder.objects.select_related("order", "location", "destination")
    if getattr(user, "is_store_associate", False):
        return queryset.filter(Q(location_id=user.store_id) | Q(destination_id=user.store_id))
    return queryset


def fulfilment_order_get(*, user, number: str) -> FulfilmentOrder:
    return fulfilment_orders_visible_to(user).prefetch_related("lines__order_line").get(number=number)


def backorder_queue() -> QuerySet:
    """Lines waiting for stock or for someone to decide, oldest order first."""
    from orders.models import Order, OrderLine

    return (
        OrderLine.objects.filter(qty_backordered__gt=0, order__status__in=Order.OPEN_STATUSES)
        .select_related("order", "order__customer", "pickup_location")
        .annotate(failures=Count("sourcing_failures"))
        .order_by("order__placed_at", "order_id", "line_number")
    )
