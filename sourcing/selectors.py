"""Reads of the sourcing app: the network snapshot a decision works from, strategies as
rules, and the decisions recorded for an order."""

from __future__ import annotations

import datetime
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db.models import Exists, F, Sum
from django.utils import timezone

from inventory import selectors as inventory
from inventory.models import Location, OpeningPeriod

from .engine import LocationFacts, Snapshot, StrategyRule
from .models import LocationDayLoad, ShippingRate, SourcingProfile, SourcingRun, SourcingStrategy

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
_RELIABILITY_CACHE_KEY = "sourcing:failure-rates"

_LOCATION_FIELDS = (
    "id", "code", "name", "kind", "postcode", "latitude", "longitude", "ships_to_customers", "is_pickup_point",
    "receives_ship_to_store", "sends_transfers", "receives_transfers", "sells_stock_online",
    "daily_capacity", "order_cutoff_time", "timezone",
)  # fmt: skip


def shipping_rates() -> dict[str, list[tuple[int, Decimal, int]]]:
    rates: dict[str, list] = {}
    for rate in ShippingRate.objects.order_by("origin_kind", "up_to_km"):
        rates.setdefault(rate.origin_kind, []).append((rate.up_to_km, rate.cost, rate.transit_days))
    return rates or DEFAULT_RATES


# Location facts (with opening hours), failure rates and shipping rates shared by the runs
# of one batch (a sweep, a backorder pass, a promise): read once for the whole network.
_shared_facts: ContextVar[dict | None] = ContextVar("sourcing_shared_facts", default=None)


@contextmanager
def network_facts_shared() -> Iterator[None]:
    """Within this block, sourcing runs read the network's location facts, failure rates and
    shipping rates once and share them; stock and today's load are always read fresh. For
    batches of a few seconds: a location edited meanwhile is seen by the next batch."""
    token = _shared_facts.set({})
    try:
        yield
    finally:
        _shared_facts.reset(token)


_recent_facts: dict = {}
_recent_since = 0.0


@contextmanager
def network_facts_recent(max_age: float) -> Iterator[None]:
    """Like ``network_facts_shared``, but the facts are kept in this process across blocks for
    up to ``max_age`` seconds: for estimates such as the checkout promise, never for sourcing."""
    global _recent_facts, _recent_since
    if time.monotonic() - _recent_since >= max_age:
        _recent_facts, _recent_since = {}, time.monotonic()
    token = _shared_facts.set(_recent_facts)
    try:
        yield
    finally:
        _shared_facts.reset(token)


def _shared(key: str, compute):
    """``compute()``, once per ``network_facts_shared`` block (every time outside one, and
    again while it returns None)."""
    shared = _shared_facts.get()
    if shared is None:
        return compute()
    if shared.get(key) is None:
        shared[key] = compute()
    return shared[key]


def _location_facts(ids) -> dict[int, LocationFacts]:
    """Facts of the given active locations, or of every active location when ``ids`` is None."""
    periods: dict[int, list] = {}
    opening = (
        OpeningPeriod.objects.all() if ids is None else OpeningPeriod.objects.filter(location_id__in=ids)
    )
    for loc, weekday, opens, closes in opening.values_list("location_id", "weekday", "opens_at", "closes_at"):
        periods.setdefault(loc, []).append((weekday, opens, closes))
    located = Location.objects.filter(is_active=True)
    if ids is not None:
        located = located.filter(id__in=ids)
    facts = {}
    for row in located.values(*_LOCATION_FIELDS):
        row["latitude"], row["longitude"] = float(row["latitude"]), float(row["longitude"])
        facts[row["id"]] = LocationFacts(**row, periods=tuple(periods.get(row["id"], ())))
    return facts


def network_snapshot(*, sku_ids, location_ids=(), moment: datetime.datetime | None = None) -> Snapshot:
    """ATP of the SKUs wherever it is positive, and the facts of those locations (plus
    ``location_ids``, e.g. pickup stores): five small queries, whatever the network's size
    (two inside ``network_facts_shared``)."""
    moment = moment or timezone.now()
    atp = inventory.atp_where_positive(sku_ids=sku_ids)
    ids = {loc for loc, _sku in atp} | set(location_ids)
    if _shared_facts.get() is None:
        locations = _location_facts(ids)
    else:
        network = _shared("locations", lambda: _location_facts(None))
        locations = {loc: network[loc] for loc in ids if loc in network}
    failure_rate = _shared("failure_rate", lambda: failure_rates(since=moment - RELIABILITY_WINDOW))
    today = LocationDayLoad.objects.filter(day=timezone.localdate(moment))
    if _shared_facts.get() is None:
        today = today.filter(location_id__in=ids)
    load = dict(today.values_list("location_id", "fulfilment_orders"))
    return Snapshot(
        atp=atp,
        locations=locations,
        load_today=load,
        failure_rate=failure_rate,
        rates=_shared("rates", shipping_rates),
    )


def closed_for_orders(profile: SourcingProfile, *, moment: datetime.datetime | None = None) -> frozenset[int]:
    """The locations availability must not count today, as sourcing would give them no work:
    those at capacity, when every strategy of the profile respects capacity (a strategy that
    does not may still use them). One query."""
    day = timezone.localdate(moment or timezone.now())
    lenient = SourcingStrategy.objects.filter(profile=profile, respect_capacity=False)
    return frozenset(
        LocationDayLoad.objects.filter(
            ~Exists(lenient),
            day=day,
            location__daily_capacity__isnull=False,
            fulfilment_orders__gte=F("location__daily_capacity"),
        ).values_list("location_id", flat=True)
    )


def failure_rates(*, since: datetime.datetime) -> dict[int, float]:
    """Share of each location's work it failed lately (declined, short-picked, expired), from
    the loads sourcing counts per day. Kept in the cache for ``OMNI_RELIABILITY_CACHE_SECONDS``
    so that sourcing runs do not recount it each time."""
    ttl = settings.OMNI_RELIABILITY_CACHE_SECONDS
    if ttl and (cached := cache.get(_RELIABILITY_CACHE_KEY)) is not None:
        return cached
    rows = (
        LocationDayLoad.objects.filter(day__gte=timezone.localdate(since), failures__gt=0)
        .values("location_id")
        .annotate(failed=Sum("failures"))
        .values_list("location_id", "failed")
    )
    failed = dict(rows)
    given = dict(
        LocationDayLoad.objects.filter(location_id__in=failed, day__gte=timezone.localdate(since))
        .values("location_id")
        .annotate(given=Sum("fulfilment_orders"))
        .values_list("location_id", "given")
        if failed
        else ()
    )
    rates = {loc: min(1.0, n / given[loc]) for loc, n in failed.items() if given.get(loc)}
    if ttl:
        cache.set(_RELIABILITY_CACHE_KEY, rates, ttl)
    return rates


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
    return _shared(
        "profile",
        lambda: (
            SourcingProfile.objects.filter(status=SourcingProfile.Status.PUBLISHED)
            .order_by("-version")
            .first()
        ),
    )


def sourcing_runs_for(reference: str) -> list[SourcingRun]:
    """Every decision recorded for an order (by its number), newest first."""
    return list(
        SourcingRun.objects.filter(reference=reference)
        .select_related("profile")
        .order_by("-created_at", "-pk")
    )
