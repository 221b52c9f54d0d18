"""Issue 15, item 1: where and when the customer wants the parcel reaches the location that
ships it (fulfilment-order API, store pages, pick list, e-mails), follows changes made on the
order while the work is open, and is refused clearly once the parcel is packed."""

import datetime

import pytest
from django.core import mail

from omni.trace import Trace
from orders import services
from orders.models import FulfilmentOrder, OrderEvent

from .conftest import ADDRESS, order_payload, tomorrow

pytestmark = pytest.mark.django_db

URL = "/api/v1/orders/"
FO_URL = "/api/v1/fulfilment-orders/"
RELAY = {
    "id": "MR-069123",
    "name": "Tabac de la Place",
    "carrier": "Mondial Relay",
    "line1": "4 place des Terreaux",
    "postcode": "69001",
    "city": "Lyon",
}
OTHER_RELAY = {
    "id": "MR-069777",
    "name": "Pressing Bellecour",
    "carrier": "Mondial Relay",
    "line1": "1 rue de la Barre",
    "postcode": "69002",
    "city": "Lyon",
}


def relay_line(sku="CHE-OXF-BLE-M", quantity=1, relay=RELAY, **delivery):
    return {
        "sku": sku,
        "quantity": quantity,
        "delivery": {"method": "ship_to_relay", "relay_point": dict(relay), **delivery},
    }


@pytest.fixture
def client(api_as, call_centre):
    return api_as(call_centre)


@pytest.fixture
def place_api(client, network, django_capture_on_commit_callbacks):
    def _place(lines):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(URL, order_payload(lines=lines), format="json")
        assert response.status_code == 201, response.json()
        return response.json()

    return _place


@pytest.fixture
def relay_order(place_api):
    slot = {"start": "09:00:00", "end": "12:00:00"}
    return place_api(
        [
            relay_line(
                requested_date=tomorrow().isoformat(), requested_slot=slot, instructions="Fragile, merci"
            )
        ]
    )


def work(number: str) -> FulfilmentOrder:
    return FulfilmentOrder.objects.exclude(status__in=FulfilmentOrder.CLOSED).get(order__number=number)


def test_relay_point_order_reaches_the_shipper_with_its_relay_point_date_slot_and_instructions(
    relay_order, api_as, head_office
):
    fo = work(relay_order["number"])
    body = api_as(head_office).get(f"{FO_URL}{fo.number}/").json()
    assert body["delivery"] == {
        "method": "ship_to_relay",
        "relay_point": RELAY,
        "requested_date": tomorrow().isoformat(),
        "requested_slot": {"start": "09:00:00", "end": "12:00:00"},
        "instructions": "Fragile, merci",
    }
    # Never the customer's home: the parcel goes to the relay point.
    assert body["shipping_address"] is None
    listed = api_as(head_office).get(FO_URL, {"location": fo.location.code}).json()["results"]
    assert [item["delivery"]["relay_point"]["id"] for item in listed] == ["MR-069123"]
    line = api_as(head_office).get(f"{URL}{relay_order['number']}/").json()["lines"][0]
    assert line["relay_point"] == RELAY and line["delivery_instructions"] == "Fragile, merci"


def test_home_delivery_work_gives_the_home_address_and_no_relay_point(place_api, api_as, head_office):
    order = place_api([{"sku": "CHE-OXF-BLE-M", "quantity": 1, "delivery": {"method": "ship_to_address"}}])
    body = api_as(head_office).get(f"{FO_URL}{work(order['number']).number}/").json()
    assert body["shipping_address"]["line1"] == ADDRESS["line1"]
    assert body["delivery"] == {
        "method": "ship_to_address",
        "relay_point": None,
        "requested_date": None,
        "requested_slot": None,
        "instructions": "",
    }


def test_two_relay_points_at_one_postcode_are_two_parcels(place_api):
    same_postcode = dict(OTHER_RELAY, postcode=RELAY["postcode"])
    order = place_api([relay_line(), relay_line(relay=same_postcode)])
    points = sorted(
        fo.relay_point["id"]
        for fo in FulfilmentOrder.objects.filter(order__number=order["number"]).exclude(
            status__in=FulfilmentOrder.CLOSED
        )
    )
    assert points == ["MR-069123", "MR-069777"]


def test_a_new_date_slot_and_instructions_reach_the_open_work(client, relay_order):
    number = relay_order["number"]
    fo = work(number)
    day = tomorrow() + datetime.timedelta(days=2)
    response = client.post(
        f"{URL}{number}/lines/1/requested-delivery/",
        {"requested_date": day.isoformat(), "requested_slot": {"start": "14:00", "end": "18:00"},
         "instructions": "Appeler avant"},
        format="json",
    )  # fmt: skip
    assert response.status_code == 200, response.json()
    fo.refresh_from_db()
    assert (fo.requested_date, fo.requested_slot_start, fo.requested_slot_end, fo.delivery_instructions) == (
        day, datetime.time(14), datetime.time(18), "Appeler avant",
    )  # fmt: skip
    event = OrderEvent.objects.filter(order__number=number, kind=OrderEvent.Kind.DELIVERY_DATE_CHANGED).get()
    assert event.data["fulfilment_orders"] == [fo.number]
    assert event.data["after"]["instructions"] == "Appeler avant"
    # Omitting the instructions keeps them.
    client.post(f"{URL}{number}/lines/1/requested-delivery/", {"requested_date": None}, format="json")
    fo.refresh_from_db()
    assert fo.requested_date is None and fo.delivery_instructions == "Appeler avant"


def test_another_relay_point_moves_the_parcel_without_resourcing(client, relay_order):
    number = relay_order["number"]
    fo = work(number)
    reservation = fo.lines.get().allocation.reservation_id
    response = client.post(
        f"{URL}{number}/lines/1/delivery/",
        {"method": "ship_to_relay", "relay_point": OTHER_RELAY, "reason": "closer to work"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["lines"][0]["relay_point"] == OTHER_RELAY
    fo.refresh_from_db()
    assert fo.status == "created" and fo.relay_point == OTHER_RELAY
    assert fo.lines.get().allocation.reservation_id == reservation  # same work, same stock


def test_relay_to_home_delivery_makes_new_work_for_the_home(client, relay_order):
    number = relay_order["number"]
    before = work(number)
    response = client.post(f"{URL}{number}/lines/1/delivery/", {"method": "ship_to_address"}, format="json")
    assert response.status_code == 200, response.json()
    after = work(number)
    assert after.pk != before.pk
    assert after.delivery_method == "ship_to_address" and after.relay_point is None


def _pack(number: str) -> FulfilmentOrder:
    fo = work(number)
    trace = Trace(note="test")
    services.fulfilment_order_record_picks(fulfilment_order=fo, picked={1: 1}, trace=trace)
    services.fulfilment_order_pack(fulfilment_order=fo, parcels=[None], trace=trace)
    fo.refresh_from_db()
    assert fo.status == "packed"
    return fo


def test_picked_work_still_follows_a_change(client, relay_order):
    number = relay_order["number"]
    fo = work(number)
    services.fulfilment_order_record_picks(fulfilment_order=fo, picked={1: 1}, trace=Trace(note="test"))
    response = client.post(
        f"{URL}{number}/lines/1/delivery/",
        {"method": "ship_to_relay", "relay_point": OTHER_RELAY},
        format="json",
    )
    assert response.status_code == 200
    fo.refresh_from_db()
    assert fo.status == "picked" and fo.relay_point["id"] == OTHER_RELAY["id"]


@pytest.mark.parametrize(
    "path, body",
    [
        ("lines/1/requested-delivery/", {"requested_date": None, "instructions": "Sonner deux fois"}),
        ("lines/1/delivery/", {"method": "ship_to_relay", "relay_point": OTHER_RELAY}),
        ("lines/1/delivery/", {"method": "ship_to_address"}),
    ],
)
def test_once_packed_a_delivery_change_is_a_409_and_changes_nothing(client, relay_order, path, body):
    number = relay_order["number"]
    fo = _pack(number)
    response = client.post(f"{URL}{number}/{path}", body, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "delivery_already_packed"
    assert fo.number in response.json()["detail"]
    fo.refresh_from_db()
    assert fo.status == "packed" and fo.relay_point == RELAY and fo.delivery_instructions == "Fragile, merci"
    line = client.get(f"{URL}{number}/").json()["lines"][0]
    assert line["relay_point"] == RELAY and line["requested_date"] == tomorrow().isoformat()


def test_home_address_change_is_refused_once_the_parcel_is_packed(client, place_api):
    order = place_api([{"sku": "CHE-OXF-BLE-M", "quantity": 1, "delivery": {"method": "ship_to_address"}}])
    _pack(order["number"])
    response = client.post(
        f"{URL}{order['number']}/shipping-address/",
        dict(ADDRESS, line1="1 quai Saint-Antoine"),
        format="json",
    )
    assert response.status_code == 409 and response.json()["code"] == "delivery_already_packed"


def test_emails_tell_the_customer_where_the_parcel_goes(relay_order, django_capture_on_commit_callbacks):
    confirmation = mail.outbox[-1]
    assert "Tabac de la Place" in confirmation.body and "4 place des Terreaux" in confirmation.body
    assert "Fragile, merci" in confirmation.body
    fo = _pack(relay_order["number"])
    with django_capture_on_commit_callbacks(execute=True):
        services.fulfilment_order_ship(
            fulfilment_order=fo, carrier="Mondial Relay", tracking_number="MR1", trace=Trace(note="test")
        )
    shipment = mail.outbox[-1]
    assert "MR1" in shipment.body and "Tabac de la Place" in shipment.body
    assert "Tabac de la Place" in shipment.alternatives[0][0]
