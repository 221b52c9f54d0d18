"""Fulfilment orders through their life, and rerouting when a location fails."""

import datetime
import zoneinfo

import pytest
import time_machine

from inventory import services as inventory
from inventory.models import StockLevel
from omni.errors import DomainError
from omni.trace import Trace
from orders import services
from orders.models import LineFailure, OrderEvent
from orders.selectors import backorder_queue
from sourcing.models import SourcingRun

from .conftest import fulfilment_orders, line

pytestmark = pytest.mark.django_db
PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def test_ship_from_location_moves_the_lines_and_captures_payment(place, network, system):
    order = place(lines=[line("CHE-OXF-BLE-M", 2)])
    [fo] = fulfilment_orders(order)
    services.fulfilment_order_acknowledge(fulfilment_order=fo, trace=system)
    services.fulfilment_order_record_picks(fulfilment_order=fo, picked={1: 2}, trace=system)
    services.fulfilment_order_pack(fulfilment_order=fo, parcels=[None], trace=system)
    services.fulfilment_order_ship(
        fulfilment_order=fo, carrier="Colissimo", tracking_number="6A1", trace=system
    )
    fo.refresh_from_db()
    order.refresh_from_db()
    assert fo.status == "shipped" and fo.tracking_number == "6A1"
    assert order.lines.get().status == "shipped" and order.status == "completed"
    assert order.payments.get().amount_captured == order.total
    assert StockLevel.objects.get(location__code="WH-NAT", sku__code="CHE-OXF-BLE-M").on_hand == 18
    kinds = list(order.events.values_list("kind", flat=True))
    assert {"fo_acknowledged", "fo_picked", "fo_packed", "shipped"} <= set(kinds)


def test_click_and_collect_ready_then_collected(place, network, system):
    order = place(lines=[line("CHE-OXF-BLE-M", 1, "pickup_in_store", "ST-LYON")])
    [fo] = fulfilment_orders(order)
    services.fulfilment_order_make_ready(fulfilment_order=fo, trace=system)
    assert order.lines.get().status == "ready_for_pickup"
    services.fulfilment_order_collect(
        fulfilment_order=fo, trace=system, identity_checked="identity document", no_code_reason="message_lost"
    )
    fo.refresh_from_db()
    assert fo.status == "collected" and order.lines.get().status == "collected"


def test_ship_to_store_travels_then_is_collected(place, network, system):
    order = place(lines=[line("JEA-SLI-IND-42", 1, "pickup_in_store", "ST-LYON")])
    [fo] = fulfilment_orders(order)
    services.fulfilment_order_ship(
        fulfilment_order=fo, carrier="Navette", tracking_number="N-7", trace=system
    )
    assert order.lines.get().status == "allocated"  # on its way to the store, not to the customer
    jeans = order.lines.get().sku
    warehouse, lyon = network["warehouse"], network["lyon"]
    assert level(jeans, warehouse) == (4, 0, 0) and level(jeans, lyon) == (0, 0, 1)  # left, in transit
    services.fulfilment_order_receive(fulfilment_order=fo, trace=system)
    fo.refresh_from_db()
    assert fo.status == "ready_for_pickup" and len(fo.pickup_code) == 6
    assert level(jeans, lyon) == (1, 1, 0)  # in the store's stock, held for the customer
    services.fulfilment_order_collect(
        fulfilment_order=fo, trace=system, identity_checked="identity document", no_code_reason="message_lost"
    )
    fo.refresh_from_db()
    assert fo.status == "collected" and order.lines.get().status == "collected"
    assert level(jeans, lyon) == (0, 0, 0)
    kinds = set(order.events.values_list("kind", flat=True))
    assert {"to_store", "received_in_store", "ready_for_pickup", "collected"} <= kinds


def level(sku, location) -> tuple[int, int, int]:
    """(on hand, reserved, in transit) of a SKU at a location."""
    row = StockLevel.objects.filter(sku=sku, location=location).values_list(
        "on_hand", "reserved", "in_transit"
    )
    return row.first() or (0, 0, 0)


def test_decline_reroutes_at_once_and_never_back(place, network, system):
    order = place(lines=[line("CHE-OXF-BLE-M", 1, "pickup_in_store", "ST-LYON")])
    [fo] = fulfilment_orders(order)
    services.fulfilment_order_decline(fulfilment_order=fo, reason="no_capacity", note="rush", trace=system)
    first, second = fulfilment_orders(order)
    assert (first.status, first.failure_code, first.failure_reason) == ("declined", "no_capacity", "rush")
    assert first.failure_text == "Not enough staff now — rush"
    # the pickup store failed: the unit comes from the warehouse instead (ship to store)
    assert (second.location.code, second.mode, second.destination.code) == (
        "WH-NAT",
        "ship_to_store",
        "ST-LYON",
    )
    assert StockLevel.objects.get(location__code="ST-LYON", sku__code="CHE-OXF-BLE-M").reserved == 0
    assert LineFailure.objects.get().location.code == "ST-LYON"
    assert order.events.filter(kind=OrderEvent.Kind.REROUTED).exists()


def test_short_pick_reroutes_the_missing_units(place, network, system, stock, shirt):
    stock(shirt, network["marseille"], 10)
    address = {"name": "Hugo Blanc", "line1": "3 quai du Port", "postcode": "13002", "city": "Marseille"}
    order = place(lines=[line("CHE-OXF-BLE-M", 3)], shipping_address=address, billing_address=address)
    [fo] = fulfilment_orders(order)
    assert fo.location.code == "ST-MARS"
    services.fulfilment_order_record_picks(
        fulfilment_order=fo, picked={1: 1}, reason="wrong_item", trace=system
    )
    fo.refresh_from_db()
    assert fo.status == "picked"
    rerouted = fulfilment_orders(order)[1]
    assert rerouted.location.code == "WH-NAT" and rerouted.lines.get().quantity == 2
    order_line = order.lines.get()
    assert (order_line.qty_allocated, order_line.qty_backordered) == (3, 0)
    assert StockLevel.objects.get(location__code="ST-MARS", sku__code="CHE-OXF-BLE-M").reserved == 1
    failure = LineFailure.objects.get()
    assert (failure.kind, failure.quantity) == ("short_pick", 2)


def test_picking_more_than_held_is_refused(place, network, system):
    order = place(lines=[line("CHE-OXF-BLE-M", 1)])
    [fo] = fulfilment_orders(order)
    with pytest.raises(DomainError):
        services.fulfilment_order_record_picks(fulfilment_order=fo, picked={1: 2}, trace=system)
    fo.refresh_from_db()
    assert fo.status == "created"


def test_illegal_moves_are_refused(place, network, system):
    order = place(lines=[line("CHE-OXF-BLE-M", 1, "pickup_in_store", "ST-LYON")])
    [fo] = fulfilment_orders(order)
    with pytest.raises(services.IllegalFulfilmentChange):
        services.fulfilment_order_collect(
            fulfilment_order=fo, trace=system, identity_checked="identity document"
        )
    with pytest.raises(services.IllegalFulfilmentChange):
        services.fulfilment_order_ship(fulfilment_order=fo, carrier="X", tracking_number="1", trace=system)


def test_repeated_failures_send_the_line_to_the_call_centre(place, network, system):
    order = place(lines=[line("CHE-OXF-BLE-M", 1)])
    for _ in range(3):  # warehouse, then Lyon, then nobody left but the protected Paris unit
        fo = [f for f in fulfilment_orders(order) if f.status == "created"][0]
        services.fulfilment_order_decline(fulfilment_order=fo, reason="no_capacity", trace=system)
        if not [f for f in fulfilment_orders(order) if f.status == "created"]:
            break
    order_line = order.lines.get()
    assert order_line.qty_backordered == 1
    assert list(backorder_queue()) == [order_line]
    failed_at = set(LineFailure.objects.values_list("location__code", flat=True))
    assert len(failed_at) == len({fo.location_id for fo in fulfilment_orders(order)})


def test_cancelling_the_order_cancels_its_fulfilment_orders(place, network, head_office):
    from orders import services as orders

    order = place(lines=[line("CHE-OXF-BLE-M", 1)])
    orders.order_cancel(order=order, trace=Trace(actor=head_office))
    assert [fo.status for fo in fulfilment_orders(order)] == ["cancelled"]


# --------------------------------------------------------------------- SLAs on a frozen clock


def test_sla_counts_only_opening_hours(place, network, system):
    # given a click & collect order placed on Saturday at 18:30 in Lyon (open 10:00-19:00, closed Sunday)
    with time_machine.travel(datetime.datetime(2026, 11, 21, 18, 30, tzinfo=PARIS), tick=False):
        order = place(lines=[line("CHE-OXF-BLE-M", 1, "pickup_in_store", "ST-LYON")])
    [fo] = fulfilment_orders(order)
    # then the hour to acknowledge is 30 minutes on Saturday and 30 on Monday morning
    assert fo.acknowledge_by == datetime.datetime(2026, 11, 23, 10, 30, tzinfo=PARIS)
    # when the sweep runs on Monday at 10:29, nothing expires
    assert (
        services.fulfilment_orders_expire_overdue(
            now=datetime.datetime(2026, 11, 23, 10, 29, tzinfo=PARIS)
        ).expired
        == 0
    )
    # and at 10:31 the store loses the work
    result = services.fulfilment_orders_expire_overdue(
        now=datetime.datetime(2026, 11, 23, 10, 31, tzinfo=PARIS)
    )
    assert result.expired == 1 and result.rerouted_units == 1
    first, second = fulfilment_orders(order)
    assert first.status == "expired" and "not acknowledged" in first.failure_reason
    assert second.location.code == "WH-NAT" and second.mode == "ship_to_store"
    assert order.events.filter(kind=OrderEvent.Kind.SLA_MISSED).count() == 1


def test_acknowledged_work_is_held_to_the_ready_deadline(place, network, system):
    with time_machine.travel(datetime.datetime(2026, 11, 24, 11, 0, tzinfo=PARIS), tick=False):
        order = place(lines=[line("CHE-OXF-BLE-M", 1, "pickup_in_store", "ST-LYON")])
        [fo] = fulfilment_orders(order)
        services.fulfilment_order_acknowledge(fulfilment_order=fo, trace=system)
    fo.refresh_from_db()
    assert fo.due_at == fo.ready_by == datetime.datetime(2026, 11, 24, 15, 0, tzinfo=PARIS)
    with time_machine.travel(datetime.datetime(2026, 11, 24, 15, 1, tzinfo=PARIS), tick=False):
        assert services.fulfilment_orders_expire_overdue().expired == 1
        fo.refresh_from_db()
        assert fo.status == "expired" and "not ready" in fo.failure_reason
        assert services.fulfilment_orders_expire_overdue().expired == 0  # idempotent


# --------------------------------------------------------------------- backorders


def test_backorders_are_sourced_when_stock_arrives_oldest_first(place, network, head_office):
    # given two orders waiting for a coat nobody holds
    coat = __import__("tests.factories", fromlist=["SKUFactory"]).SKUFactory(
        code="MAN-LAI-GRI", name="Manteau"
    )
    older = place(lines=[line("MAN-LAI-GRI")])
    newer = place(lines=[line("MAN-LAI-GRI")])
    assert older.lines.get().status == newer.lines.get().status == "backordered"
    assert services.backorders_source() == 0  # nothing in stock: nothing written
    # when one coat arrives at the warehouse
    inventory.stock_receive(
        sku=coat, location=network["warehouse"], quantity=1, trace=Trace(actor=head_office)
    )
    assert services.backorders_source() == 1
    # then the older order gets it
    assert older.lines.get().status == "allocated" and newer.lines.get().status == "backordered"
    assert SourcingRun.objects.filter(reference=older.number).last().trigger == "backorder"
    assert not SourcingRun.objects.filter(reference=newer.number, trigger="backorder").exists()


def test_orders_on_hold_wait(place, network, head_office):
    from orders import services as orders
    from tests.factories import SKUFactory

    coat = SKUFactory(code="MAN-LAI-GRI", name="Manteau")
    held = place(lines=[line("MAN-LAI-GRI")])
    orders.order_hold(order=held, reason="fraud check", trace=Trace(actor=head_office))
    inventory.stock_receive(
        sku=coat, location=network["warehouse"], quantity=1, trace=Trace(actor=head_office)
    )
    assert services.backorders_source() == 0
    assert held.lines.get().status == "backordered"
