"""Issue 15, item 1, on the pages: the store's work page, queue and pick list show the relay
point, the requested date and slot and the instructions; the call centre takes and changes
them, and a change after packing is refused beside the form."""

import datetime

import pytest

from omni.trace import Trace
from orders import services
from orders.models import FulfilmentOrder, Order
from tests.orders.conftest import entry_post

from .conftest import fulfilment_orders

pytestmark = pytest.mark.django_db

RELAY = {"id": "MR-069123", "name": "Tabac de la Place", "carrier": "Mondial Relay",
         "line1": "4 place des Terreaux", "postcode": "69001", "city": "Lyon"}  # fmt: skip


@pytest.fixture
def relay_order(place, polo):
    day = datetime.date.today() + datetime.timedelta(days=3)
    delivery = {"method": "ship_to_relay", "relay_point": RELAY, "requested_date": day,
                "requested_slot": {"start": datetime.time(9), "end": datetime.time(12)},
                "instructions": "Fragile, merci"}  # fmt: skip
    return place(lines=[{"sku": polo.code, "quantity": 1, "delivery": delivery}])


def test_store_sees_the_relay_point_not_the_home_address(client, lea, relay_order):
    [fo] = fulfilment_orders(relay_order)
    assert fo.location.code == "ST-LYON"
    client.force_login(lea)
    queue = client.get("/store/").content.decode()
    assert "Tabac de la Place" in queue
    page = client.get(f"/store/work/{fo.number}/").content.decode()
    assert 'data-testid="relay-point"' in page and "4 place des Terreaux" in page and "MR-069123" in page
    assert "Mondial Relay" in page and "09:00–12:00" in page and "Fragile, merci" in page
    assert "12 rue Mercière" not in page  # the customer's home address
    services.fulfilment_order_acknowledge(fulfilment_order=fo, trace=Trace(actor=lea))
    pick = client.get(f"/store/work/{fo.number}/pick/").content.decode()
    assert 'data-testid="pick-delivery"' in pick and "Tabac de la Place" in pick and "Fragile, merci" in pick


def test_call_centre_takes_a_relay_point_order_on_the_phone(client, call_centre, polo):
    client.force_login(call_centre)
    response = entry_post(client, {
            "confirm": "1", "last_name": "Durand", "phone": "07 98 76 54 32", "language": "fr", "method": "ship_to_relay",
            "relay_id": "MR-069123", "relay_name": "Tabac de la Place", "relay_carrier": "Mondial Relay",
            "relay_line1": "4 place des Terreaux", "relay_postcode": "69001", "relay_city": "Lyon",
            "instructions": "Fragile, merci", "payment_method": "card", "payment_reference": "TPE-1",
            "lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "0", "lines-0-sku": polo.code, "lines-0-quantity": "1",
        },
    )  # fmt: skip
    assert response.status_code == 302, response.context and response.context["form"].errors
    order = Order.objects.get()
    line = order.lines.get()
    assert line.relay_point == RELAY and line.delivery_instructions == "Fragile, merci"
    [fo] = fulfilment_orders(order)
    assert fo.relay_point == RELAY and fo.delivery_instructions == "Fragile, merci"


def test_call_centre_moves_the_relay_point_and_the_work_follows(client, call_centre, relay_order):
    client.force_login(call_centre)
    response = client.post(
        f"/orders/{relay_order.number}/lines/1/delivery/",
        {"delivery-1-method": "ship_to_relay", "delivery-1-relay_id": "MR-069777",
         "delivery-1-relay_name": "Pressing Bellecour", "delivery-1-relay_postcode": "69002",
         "delivery-1-relay_city": "Lyon", "delivery-1-reason": "plus près"},
    )  # fmt: skip
    assert response.status_code == 302
    [fo] = fulfilment_orders(relay_order)
    assert fo.relay_point["id"] == "MR-069777" and fo.relay_point["name"] == "Pressing Bellecour"


def test_call_centre_change_after_packing_is_refused_beside_the_form(client, call_centre, relay_order):
    [fo] = fulfilment_orders(relay_order)
    trace = Trace(note="test")
    services.fulfilment_order_record_picks(fulfilment_order=fo, picked={1: 1}, trace=trace)
    services.fulfilment_order_pack(fulfilment_order=fo, parcels=[None], trace=trace)
    client.force_login(call_centre)
    client.cookies["django_language"] = "en"
    response = client.post(
        f"/orders/{relay_order.number}/lines/1/requested/",
        {"requested-1-requested_date": "", "requested-1-instructions": "Sonner"},
    )
    assert response.status_code == 400
    assert "already packed" in response.content.decode()
    fo = FulfilmentOrder.objects.get(pk=fo.pk)
    assert fo.delivery_instructions == "Fragile, merci"
