"""Sourcing decisions: every delivery mode, splits, constraints, the explanation."""

import pytest

from inventory.models import StockLevel
from orders.models import Allocation, FulfilmentOrder, OrderEvent
from sourcing.models import SourcingRun, SourcingStrategy
from sourcing.services import profile_current, profile_draft_from, profile_publish
from tests.factories import SKUFactory, StoreAssociateFactory

from .conftest import fulfilment_orders, line

pytestmark = pytest.mark.django_db


def modes(order):
    return [(fo.location.code, fo.mode) for fo in fulfilment_orders(order)]


def test_home_delivery_ships_from_the_warehouse_and_explains_why(place, network):
    order = place(lines=[line("CHE-OXF-BLE-M", 2)])
    assert modes(order) == [("WH-NAT", Allocation.Kind.SHIP_FROM_LOCATION)]
    fo = fulfilment_orders(order)[0]
    assert fo.status == FulfilmentOrder.Status.CREATED and fo.number == f"{order.number}-1"
    assert fo.due_at == fo.acknowledge_by and fo.ready_by >= fo.acknowledge_by
    # the decision is recorded with its profile version, strategy and candidates
    run = SourcingRun.objects.get(reference=order.number)
    assert run.trigger == "capture" and run.profile == profile_current()
    group = run.explanation["groups"][0]
    assert group["chosen_strategy"].startswith("Standard")
    standard = next(s for s in group["strategies"] if s.get("winner"))
    by_code = {c["location"]: c for c in standard["candidates"]}
    assert by_code["WH-NAT"]["chosen"] and set(by_code["WH-NAT"]["scores"]) >= {"distance", "shipping_cost"}
    assert "last 1 units" in by_code["ST-PARIS"]["excluded"]  # Paris holds a single shirt


def test_ship_from_store_when_a_store_is_closest(place, network, stock, shirt):
    stock(shirt, network["marseille"], 6)
    address = {"name": "Hugo Blanc", "line1": "3 quai du Port", "postcode": "13002", "city": "Marseille"}
    order = place(lines=[line("CHE-OXF-BLE-M")], shipping_address=address, billing_address=address)
    assert modes(order) == [("ST-MARS", Allocation.Kind.SHIP_FROM_LOCATION)]


def test_click_and_collect_from_the_stores_own_shelf(place, network):
    order = place(lines=[line("CHE-OXF-BLE-M", 1, "pickup_in_store", "ST-LYON")])
    assert modes(order) == [("ST-LYON", Allocation.Kind.PICKUP_AT_LOCATION)]
    assert order.lines.get().promised_date is not None


def test_ship_to_store_from_the_warehouse(place, network):
    order = place(lines=[line("JEA-SLI-IND-42", 1, "pickup_in_store", "ST-LYON")])
    [fo] = fulfilment_orders(order)
    assert (fo.location.code, fo.mode, fo.destination.code) == ("WH-NAT", "ship_to_store", "ST-LYON")
    assert fo.promised_date > order.placed_at.date()


def test_store_to_store_transfer_for_pickup(place, network, stock):
    # given a bag only the Paris store holds, and Marseille receives transfers from Paris
    bag = SKUFactory(code="SAC-CUI-NOI", name="Sac cuir noir")
    stock(bag, network["paris"], 4)
    network["paris"].sends_transfers = True
    network["paris"].save()
    network["marseille"].receives_transfers = True
    network["marseille"].save()
    order = place(lines=[line("SAC-CUI-NOI", 1, "pickup_in_store", "ST-MARS")])
    [fo] = fulfilment_orders(order)
    assert (fo.location.code, fo.mode, fo.destination.code) == ("ST-PARIS", "transfer", "ST-MARS")


def test_endless_aisle_a_store_sells_what_it_lacks(place, network, lyon_associate):
    from omni.trace import Trace

    # the Lyon store holds no jeans: its associate sells them, delivered home from elsewhere
    order = place(lines=[line("JEA-SLI-IND-42")], channel="store", trace=Trace.of(lyon_associate))
    assert modes(order) == [("WH-NAT", Allocation.Kind.SHIP_FROM_LOCATION)]
    assert order.events.first().channel == "store"


def test_drop_ship_goes_to_the_vendor(place, network, towel):
    order = place(lines=[line("SER-BAI-BLA", 2)])
    assert modes(order) == [("DS-MAISON", Allocation.Kind.DROP_SHIP)]


def test_split_when_no_single_location_holds_everything(place, network, stock):
    bag = SKUFactory(code="SAC-CUI-NOI", name="Sac cuir noir")
    stock(bag, network["paris"], 4)
    order = place(lines=[line("JEA-SLI-IND-42"), line("SAC-CUI-NOI")])
    assert sorted(modes(order)) == [("ST-PARIS", "ship"), ("WH-NAT", "ship")]
    assert all(line.status == "allocated" for line in order.lines.all())


def test_one_location_is_preferred_to_a_split(place, network, stock):
    # the Lyon store holds both SKUs; the warehouse is closer to nothing but holds jeans
    stock(SKUFactory(code="SAC-CUI-NOI"), network["lyon"], 5)
    stock(SKUFactory(code="JEA-SLI-IND-42"), network["lyon"], 5)
    order = place(lines=[line("JEA-SLI-IND-42"), line("SAC-CUI-NOI")])
    assert modes(order) == [("ST-LYON", "ship")]


def test_ship_complete_profile_backorders_rather_than_split(place, network, stock, head_office):
    bag = SKUFactory(code="SAC-CUI-NOI", name="Sac cuir noir")
    stock(bag, network["paris"], 4)
    draft = profile_draft_from(profile=profile_current(), name="Ship complete")
    SourcingStrategy.objects.filter(profile=draft, is_fallback=True).delete()
    SourcingStrategy.objects.filter(profile=draft).update(allow_split=False, max_locations=1)
    published = profile_publish(profile=draft, user=head_office, note="no split parcels")
    order = place(lines=[line("JEA-SLI-IND-42"), line("SAC-CUI-NOI")])
    assert fulfilment_orders(order) == []
    assert [line.qty_backordered for line in order.lines.all()] == [1, 1]
    assert SourcingRun.objects.get(reference=order.number).profile == published
    assert profile_current() == published


def test_capacity_full_location_is_skipped(place, network):
    network["warehouse"].daily_capacity = 1
    network["warehouse"].save()
    first = place(lines=[line("JEA-SLI-IND-42")])
    second = place(lines=[line("JEA-SLI-IND-42")])
    assert modes(first) == [("WH-NAT", "ship")]
    assert fulfilment_orders(second) == []  # only the warehouse holds jeans, and it is full today
    explanation = SourcingRun.objects.get(reference=second.number).explanation["groups"][0]
    excluded = [c["excluded"] for s in explanation["strategies"] if s.get("applies") for c in s["candidates"]]
    assert any("capacity" in reason for reason in excluded)


def test_store_associates_see_their_stores_work_only(place, network):
    from orders.selectors import fulfilment_orders_visible_to

    order = place(lines=[line("CHE-OXF-BLE-M", 1, "pickup_in_store", "ST-LYON")])
    lyon = StoreAssociateFactory(username="l1", store=network["lyon"])
    paris = StoreAssociateFactory(username="p1", store=network["paris"])
    assert list(fulfilment_orders_visible_to(lyon)) == fulfilment_orders(order)
    assert list(fulfilment_orders_visible_to(paris)) == []


def test_allocation_events_name_the_fulfilment_order(place, network):
    order = place(lines=[line("CHE-OXF-BLE-M")])
    event = order.events.get(kind=OrderEvent.Kind.ALLOCATED)
    assert event.data["fulfilment_order"] == f"{order.number}-1" and event.data["profile"] == 1


def test_reservations_match_fulfilment_orders(place, network):
    order = place(lines=[line("CHE-OXF-BLE-M", 2), line("JEA-SLI-IND-42", 1, "pickup_in_store", "ST-LYON")])
    held = sum(level.reserved for level in StockLevel.objects.all())
    assert held == sum(fl.quantity for fo in fulfilment_orders(order) for fl in fo.lines.all()) == 3
