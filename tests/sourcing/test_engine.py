"""The engine on a hand-built snapshot (no database): how far it looks, and that shared
network facts give the same decision as facts read per run."""

import dataclasses
import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from inventory.models import Location
from sourcing.engine import (
    NEAREST_STORES,
    Group,
    LineNeed,
    LocationFacts,
    Request,
    Snapshot,
    StrategyRule,
    decide,
)
from sourcing.selectors import network_facts_shared, network_snapshot

PARIS = (48.857, 2.352)
WEEK = tuple((day, datetime.time(9), datetime.time(19)) for day in range(6))


def facts(loc_id: int, kind: str, lat: float, lon: float) -> LocationFacts:
    return LocationFacts(
        id=loc_id, code=f"L{loc_id}", name=f"Location {loc_id}", kind=kind, postcode="", latitude=lat,
        longitude=lon, ships_to_customers=True, is_pickup_point=kind == Location.Kind.STORE,
        receives_ship_to_store=True, sends_transfers=True, receives_transfers=True, sells_stock_online=True,
        daily_capacity=None, order_cutoff_time=None, timezone="Europe/Paris", periods=WEEK,
    )  # fmt: skip


def nearest_first_rule() -> StrategyRule:
    return StrategyRule(
        id=1, name="Nearest", priority=1, is_fallback=False, criteria=[{"criterion": "distance", "weight": 1}]
    )


def test_far_stores_are_set_aside_but_warehouses_always_weighed():
    # 60 stores spreading south from Paris, and one warehouse beyond all of them.
    stores = [facts(i, Location.Kind.STORE, PARIS[0] - i * 0.05, PARIS[1]) for i in range(1, 61)]
    warehouse = facts(100, Location.Kind.WAREHOUSE, PARIS[0] - 5, PARIS[1])
    locations = {f.id: f for f in [*stores, warehouse]}
    snapshot = Snapshot(
        atp={(loc_id, 7): 3 for loc_id in locations}, locations=locations, load_today={}, failure_rate={},
        rates={Location.Kind.STORE: [(20000, Decimal("5"), 1)], Location.Kind.WAREHOUSE: [(20000, Decimal("4"), 1)]},
    )  # fmt: skip
    request = Request(
        channel="web", order_value=Decimal("30"),
        moment=datetime.datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Europe/Paris")),
        groups=[Group(delivery_method="ship_to_address", lines=[LineNeed("1", 7, "SKU-7", 1)], point=PARIS)],
    )  # fmt: skip

    (decision,) = decide(request, [nearest_first_rule()], snapshot)

    assert (
        decision.explanation["candidates_considered"] == NEAREST_STORES + 1
    )  # the 40 nearest + the warehouse
    assert decision.explanation["far_stores_set_aside"] == 60 - NEAREST_STORES
    assert [a.code for a in decision.assignments] == ["L1"]


@pytest.mark.django_db
def test_shared_network_facts_read_the_same_as_facts_per_run(
    network, shirt, jeans, django_assert_max_num_queries
):
    sku_ids = [shirt.pk, jeans.pk]
    alone = network_snapshot(sku_ids=sku_ids)
    with network_facts_shared():
        first = network_snapshot(sku_ids=sku_ids)
        with django_assert_max_num_queries(2):  # stock and today's load only
            again = network_snapshot(sku_ids=sku_ids)
    assert first == alone
    assert again == alone


@pytest.mark.django_db
def test_reliability_is_recounted_at_most_once_per_cache_period(
    settings, place, network, system, django_assert_num_queries
):
    from django.core.cache import cache

    from orders.services import fulfilment_order_decline
    from sourcing.selectors import _RELIABILITY_CACHE_KEY, RELIABILITY_WINDOW, failure_rates

    settings.OMNI_RELIABILITY_CACHE_SECONDS = 300
    cache.delete(_RELIABILITY_CACHE_KEY)
    order = place()
    fo = order.fulfilment_orders.get()
    fulfilment_order_decline(fulfilment_order=fo, reason="other", trace=system)
    assert cache.get(_RELIABILITY_CACHE_KEY) == {}  # counted when the order was placed, kept
    cache.delete(_RELIABILITY_CACHE_KEY)
    since = timezone.now() - RELIABILITY_WINDOW
    counted = failure_rates(since=since)
    assert counted[fo.location_id] > 0
    with django_assert_num_queries(0):
        assert failure_rates(since=since) == counted
    cache.delete(_RELIABILITY_CACHE_KEY)


def test_a_destination_without_a_point_is_not_at_zero_km():
    # given a home delivery whose address could not be placed (captured before postcodes were
    # checked), a store 5 km from Paris and a warehouse 400 km away
    store, warehouse = facts(1, Location.Kind.STORE, 48.9, 2.35), facts(2, Location.Kind.WAREHOUSE, 45.0, 4.8)
    snapshot = Snapshot(
        atp={(1, 7): 3, (2, 7): 3}, locations={1: store, 2: warehouse}, load_today={}, failure_rate={},
        rates={kind: [(50, Decimal("3"), 1), (20000, Decimal("9"), 3)] for kind in (Location.Kind.STORE, Location.Kind.WAREHOUSE)},
    )  # fmt: skip
    request = Request(
        channel="web", order_value=Decimal("30"),
        moment=datetime.datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Europe/Paris")),
        groups=[Group(delivery_method="ship_to_address", lines=[LineNeed("1", 7, "SKU-7", 1)], point=None)],
    )  # fmt: skip

    (decision,) = decide(request, [nearest_first_rule()], snapshot)

    # then no candidate is at 0 km: the distance is unknown, scored as such, rated as the farthest
    candidates = decision.explanation["strategies"][0]["candidates"]
    assert {c["distance_km"] for c in candidates} == {None}
    assert {c["notes"]["distance"] for c in candidates} == {"distance unknown"}
    assert {c["scores"]["distance"] for c in candidates} == {0.0}
    # and the date is the far band's (3 days), not the near one's (1 day)
    near = dataclasses.replace(request, groups=[dataclasses.replace(request.groups[0], point=PARIS)])
    (placed,) = decide(near, [nearest_first_rule()], snapshot)
    assert placed.assignments[0].code == "L1"
    assert decision.assignments[0].date > placed.assignments[0].date
