"""Availability agrees with the engine: for any basket and any state of the network (who
ships, who is a click & collect point, whose stock the web shop sells, who has no capacity
left today), the store finder, the checkout promise and order capture give the same answer."""

import datetime
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inventory import services as inventory
from inventory.models import Location
from omni.trace import Trace
from orders import services as orders
from sourcing.models import LocationDayLoad
from sourcing.services import profile_current
from tests.factories import LocationFactory, SKUFactory
from tests.orders.conftest import ADDRESS

pytestmark = pytest.mark.django_db

SKUS = ("AGR-A", "AGR-B")
CAPACITY = st.sampled_from(["none", "room", "full"])  # no limit, room left today, full today


def location_state():
    return st.fixed_dictionaries(
        {
            "ships": st.booleans(),
            "pickup": st.booleans(),
            "online": st.booleans(),
            "capacity": CAPACITY,
            "stock": st.tuples(st.integers(0, 3), st.integers(0, 3)),
        }
    )


@pytest.fixture
def agreement_network(head_office):
    """A warehouse and two Lyon stores; each example sets their flags, stock and load."""
    SKUFactory(code="AGR-A", price=Decimal("20.00"))
    SKUFactory(code="AGR-B", price=Decimal("30.00"))
    common = {"receives_ship_to_store": False, "receives_transfers": False, "sends_transfers": False}
    return [
        LocationFactory(code="WH-AGR", kind=Location.Kind.WAREHOUSE, postcode="69400", city="Villefranche",
                        latitude=Decimal("45.989"), longitude=Decimal("4.718"), **common),
        LocationFactory(code="ST-AGR-1", postcode="69002", city="Lyon",
                        latitude=Decimal("45.7632"), longitude=Decimal("4.8359"), **common),
        LocationFactory(code="ST-AGR-2", postcode="69006", city="Lyon",
                        latitude=Decimal("45.7700"), longitude=Decimal("4.8500"), **common),
    ]  # fmt: skip


def _set_up(locations, states, head_office):
    today = timezone.localdate()
    for location, state in zip(locations, states, strict=True):
        location.ships_to_customers = state["ships"]
        location.is_pickup_point = state["pickup"] and location.kind == Location.Kind.STORE
        location.sells_stock_online = state["online"]
        location.daily_capacity = {"none": None, "room": 5, "full": 2}[state["capacity"]]
        location.save()
        if state["capacity"] == "full":
            LocationDayLoad.objects.create(location=location, day=today, fulfilment_orders=2)
        for code, units in zip(SKUS, state["stock"], strict=True):
            if units:
                sku = SKUFactory._meta.model.objects.get(code=code)
                inventory.stock_receive(
                    sku=sku,
                    location=location,
                    quantity=units,
                    trace=Trace(actor=head_office, reference="setup"),
                )


def _capture(basket, method, pickup=""):
    """Whether capture allocates the whole basket (nothing backordered); rolled back."""
    with transaction.atomic():
        order, _created = orders.order_place(
            channel="web",
            customer={"email": "agree@example.fr"},
            shipping_address=dict(ADDRESS),
            lines=[
                {"sku": code, "quantity": quantity, "delivery_method": method, "pickup_location": pickup}
                for code, quantity in basket.items()
            ],
            trace=Trace(channel="integration"),
        )
        served = all(line.qty_backordered == 0 for line in order.lines.all())
        from_shelf = all(
            a.location.code == pickup for line in order.lines.all() for a in line.allocations.all()
        )
        transaction.set_rollback(True)
    return served, from_shelf


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    states=st.tuples(location_state(), location_state(), location_state()),
    basket=st.fixed_dictionaries({"AGR-A": st.integers(1, 4)}, optional={"AGR-B": st.integers(1, 3)}),
)
def test_finder_promise_and_capture_agree_for_any_basket(
    states, basket, agreement_network, head_office, api_as, integration_client
):
    api = api_as(integration_client)
    with transaction.atomic():
        _set_up(agreement_network, states, head_office)
        codes = ",".join(basket)
        finder = api.get(f"/api/v1/availability/?skus={codes}&postcode=69002&radius_km=100").json()
        promise = api.post(
            "/api/v1/promise/",
            {"lines": [{"sku": code, "quantity": q} for code, q in basket.items()], "destination": {"postcode": "69002"}},
            format="json",
        ).json()  # fmt: skip
        offered = {(o["method"], (o["store"] or {}).get("code")) for o in promise["options"]}

        # home delivery: the finder's delivery ATP covers the basket exactly when the promise
        # offers home delivery and capture allocates every unit
        delivery = {sku["sku"]: sku["delivery"] for sku in finder["skus"]}
        finder_home = all(delivery[code] >= quantity for code, quantity in basket.items())
        captured_home, _shelf = _capture(basket, "ship_to_address")
        assert finder_home == (("ship_to_address", None) in offered) == captured_home, (finder, promise)

        # click & collect from a store's shelf: the finder's "has all" is the promise's option
        # at that store and capture's allocation there
        listed = {store["code"]: store for store in finder["stores"]}
        for location in agreement_network[1:]:
            location.refresh_from_db()
            if not location.is_pickup_point:
                assert location.code not in listed
                continue
            store = listed.get(location.code)
            # (the finder answers per SKU; the basket's quantities are the web shop's to compare)
            finder_pickup = bool(store) and all(store["atp"][code] >= q for code, q in basket.items())
            if store and not store["taking_orders"]:
                assert not finder_pickup and all(units == 0 for units in store["atp"].values())
            served, from_shelf = _capture(basket, "pickup_in_store", location.code)
            assert finder_pickup == (("pickup_in_store", location.code) in offered), (
                location.code,
                finder,
                promise,
            )
            assert finder_pickup == (served and from_shelf), (location.code, finder)
        transaction.set_rollback(True)


def test_a_store_at_capacity_is_not_counted(agreement_network, head_office, api_as, integration_client):
    # given the Lyon store alone holds the shirt, ships and is a pickup point, but has taken
    # its two fulfilment orders of the day
    warehouse, store, other = agreement_network
    states = [
        {"ships": True, "pickup": False, "online": True, "capacity": "none", "stock": (0, 0)},
        {"ships": True, "pickup": True, "online": True, "capacity": "full", "stock": (3, 0)},
        {"ships": False, "pickup": False, "online": True, "capacity": "none", "stock": (0, 0)},
    ]
    _set_up(agreement_network, states, head_office)
    api = api_as(integration_client)

    finder = api.get("/api/v1/availability/?skus=AGR-A&postcode=69002").json()

    # then neither home delivery nor the store's shelf counts its units, and the finder says why
    assert finder["skus"] == [{"sku": "AGR-A", "network": 3, "delivery": 0}]
    (listed,) = finder["stores"]
    assert listed["code"] == "ST-AGR-1" and listed["taking_orders"] is False and listed["atp"] == {"AGR-A": 0}
    # and tomorrow (a new day's load) it counts again
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    from sourcing.selectors import closed_for_orders

    assert closed_for_orders(profile_current()) == {store.pk}
    assert closed_for_orders(profile_current(), moment=tomorrow) == frozenset()
