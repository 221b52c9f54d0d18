"""Capturing orders through the API: sourcing, totals, idempotency, bad input."""

import json
from decimal import Decimal

import pytest

from customers.models import Customer
from inventory.models import Reservation, StockLevel
from orders.models import IdempotencyKey, Order, OrderEvent, OrderLine
from tests.contract.errors import errors_at, path_of

from .conftest import ADDRESS, order_payload, tomorrow

pytestmark = pytest.mark.django_db

URL = "/api/v1/orders/"


def nothing_written():
    return not (Order.objects.exists() or OrderLine.objects.exists() or Reservation.objects.exists())


def test_web_order_is_priced_sourced_and_confirmed(api_as, integration_client, network):
    # given a web order: two shirts delivered to Lyon, one click & collect in Paris
    payload = order_payload(
        lines=[
            {"sku": "CHE-OXF-BLE-M", "quantity": 2, "delivery": {"method": "ship_to_address"}},
            {"sku": "CHE-OXF-BLE-M", "quantity": 1, "delivery": {"method": "pickup_in_store", "pickup_location": "ST-PARIS"}},
        ]
    )  # fmt: skip

    # when the web shop posts it
    response = api_as(integration_client).post(URL, payload, format="json")

    # then it is confirmed, priced tax-included, and each line reserved where it should be
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["number"].startswith("OM-")
    assert body["status"] == "confirmed"
    assert Decimal(body["total"]) == Decimal("149.70")
    assert Decimal(body["tax_total"]) == Decimal("24.95")  # 149.70 - 149.70 / 1.2
    home, pickup = body["lines"]
    assert home["status"] == "allocated"
    # the warehouse 30 km away: deeper stock and cheaper parcels than the Lyon store's shelf
    assert [a["location"] for a in home["allocations"]] == ["WH-NAT"]
    assert home["promised_date"] is not None
    assert pickup["allocations"][0]["location"] == "ST-PARIS"
    assert pickup["allocations"][0]["kind"] == "pickup"
    assert StockLevel.objects.get(sku__code="CHE-OXF-BLE-M", location__code="WH-NAT").reserved == 2
    # and the customer is on file, deduplicated by e-mail and phone
    assert Customer.objects.get().phone == "+33612345678"
    kinds = [event["kind"] for event in body["timeline"]]
    assert kinds[0] == "placed" and kinds.count("allocated") == 2
    assert body["timeline"][0]["channel"] == "integration"


def test_what_no_location_holds_is_backordered(api_as, integration_client, network):
    # given 5 jeans in the whole network, 6 ordered
    payload = order_payload(
        lines=[{"sku": "JEA-SLI-IND-42", "quantity": 6, "delivery": {"method": "ship_to_address"}}]
    )
    body = api_as(integration_client).post(URL, payload, format="json").json()
    # then the fallback strategy allocates the 5 there are and backorders the sixth
    line = body["lines"][0]
    assert line["status"] == "backordered"
    assert (line["quantities"]["allocated"], line["quantities"]["backordered"]) == (5, 1)
    assert [a["location"] for a in line["allocations"]] == ["WH-NAT"]
    assert "backordered" in [event["kind"] for event in body["timeline"]]


def test_pickup_without_stock_in_the_store_is_shipped_to_the_store(api_as, integration_client, network):
    payload = order_payload(
        lines=[{"sku": "JEA-SLI-IND-42", "quantity": 1, "delivery": {"method": "pickup_in_store", "pickup_location": "ST-LYON"}}]
    )  # fmt: skip
    line = api_as(integration_client).post(URL, payload, format="json").json()["lines"][0]
    assert line["allocations"][0]["location"] == "WH-NAT"
    assert line["allocations"][0]["kind"] == "ship_to_store"


def test_same_idempotency_key_and_body_returns_the_same_order(api_as, integration_client, network):
    client = api_as(integration_client)
    first = client.post(URL, order_payload(), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    # the same JSON with keys in another order is the same request
    reordered = json.loads(json.dumps(order_payload(), sort_keys=True))
    again = client.post(URL, reordered, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["number"] == again.json()["number"]
    assert Order.objects.count() == 1
    assert Reservation.objects.count() == 1


def test_same_idempotency_key_with_another_body_is_a_conflict(api_as, integration_client, network):
    client = api_as(integration_client)
    client.post(URL, order_payload(), format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    other = order_payload(
        lines=[{"sku": "CHE-OXF-BLE-M", "quantity": 2, "delivery": {"method": "ship_to_address"}}]
    )
    response = client.post(URL, other, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_key_reused"
    assert Order.objects.count() == 1


def test_keys_belong_to_their_client(api_as, integration_client, call_centre, network):
    api_as(integration_client).post(URL, order_payload(), format="json", HTTP_IDEMPOTENCY_KEY="shared")
    response = api_as(call_centre).post(URL, order_payload(), format="json", HTTP_IDEMPOTENCY_KEY="shared")
    assert response.status_code == 201
    assert IdempotencyKey.objects.count() == 2


@pytest.mark.parametrize(
    ("overrides", "field_path"),
    [
        ({"lines": [{"sku": "NOPE", "quantity": 1, "delivery": {"method": "ship_to_address"}}]}, ("lines", "0", "sku")),
        ({"lines": [{"sku": "CHE-OXF-BLE-M", "quantity": 0, "delivery": {"method": "ship_to_address"}}]}, ("lines", "0", "quantity")),
        ({"lines": [{"sku": "CHE-OXF-BLE-M", "quantity": -2, "delivery": {"method": "ship_to_address"}}]}, ("lines", "0", "quantity")),
        ({"lines": [{"sku": "CHE-OXF-BLE-M", "quantity": "two", "delivery": {"method": "ship_to_address"}}]}, ("lines", "0", "quantity")),
        ({"lines": [{"sku": "CHE-OXF-BLE-M", "quantity": 1, "delivery": {"method": "pickup_in_store", "pickup_location": "WH-NAT"}}]},
         ("lines", "0", "pickup_location")),
        ({"lines": [{"sku": "CHE-OXF-BLE-M", "quantity": 1, "delivery": {"method": "pickup_in_store"}}]}, ("lines", "0", "pickup_location")),
        ({"lines": [{"sku": "CHE-OXF-BLE-M", "quantity": 1, "delivery": {"method": "ship_to_store", "pickup_location": "ST-PARIS"}}]},
         ("lines", "0", "pickup_location")),
        ({"lines": [{"sku": "CHE-OXF-BLE-M", "quantity": 1, "delivery": {"method": "ship_to_relay"}}]}, ("lines", "0", "relay_point")),
        ({"lines": [{"sku": "CHE-OXF-BLE-M", "quantity": 1, "delivery": {"method": "teleport"}}]}, ("lines", "0", "delivery", "method")),
        ({"lines": [{"sku": "CHE-OXF-BLE-M", "quantity": 1,
                     "delivery": {"method": "ship_to_address", "requested_date": "2020-01-01"}}]}, ("lines", "0", "requested_date")),
        ({"lines": []}, ("lines",)),
        ({"shipping_address": None}, ("shipping_address",)),
        ({"shipping_address": {"name": "X", "line1": "1 rue", "city": "Lyon"}}, ("shipping_address", "postcode")),
        ({"customer": {"first_name": "Nobody"}}, ("customer", "email")),
        ({"customer": {"phone": "12"}}, ("customer", "phone")),
        ({"payments": [{"method": "card", "amount": "1.00"}]}, ("payments",)),
        ({"payments": [{"method": "bitcoin", "amount": "100.00"}]}, ("payments", "0", "method")),
        ({"channel": "fax"}, ("channel",)),
    ],
)  # fmt: skip
def test_bad_input_gets_field_errors_and_writes_nothing(
    api_as, integration_client, network, overrides, field_path
):
    response = api_as(integration_client).post(
        URL, order_payload(**overrides), format="json", HTTP_IDEMPOTENCY_KEY="bad"
    )
    assert response.status_code == 400, response.json()
    assert errors_at(response, path_of(*field_path)), response.json()
    assert nothing_written()
    assert not IdempotencyKey.objects.exists()
    assert not Customer.objects.exists()


def test_malformed_json_is_a_400(api_as, integration_client, network):
    response = api_as(integration_client).post(
        URL, '{"channel": "web", "lines": [', content_type="application/json"
    )
    assert response.status_code == 400
    assert nothing_written()


def test_requested_slot_needs_a_start_before_its_end(api_as, integration_client, network):
    line = {"sku": "CHE-OXF-BLE-M", "quantity": 1, "delivery": {"method": "ship_to_address", "requested_date": str(tomorrow()),
            "requested_slot": {"start": "14:00", "end": "12:00"}}}  # fmt: skip
    response = api_as(integration_client).post(URL, order_payload(lines=[line]), format="json")
    assert response.status_code == 400
    assert errors_at(response, "lines[0].requested_slot")


def test_relay_point_delivery(api_as, integration_client, network):
    line = {"sku": "CHE-OXF-BLE-M", "quantity": 1, "delivery": {"method": "ship_to_relay",
            "relay_point": {"id": "MR-0420", "name": "Tabac de la Gare", "postcode": "13001", "carrier": "Mondial Relay"}}}  # fmt: skip
    body = (
        api_as(integration_client)
        .post(URL, order_payload(lines=[line], shipping_address=None), format="json")
        .json()
    )
    assert body["lines"][0]["relay_point"]["id"] == "MR-0420"
    assert body["lines"][0]["status"] == "allocated"


def test_click_and_collect_only_order_needs_no_shipping_address(api_as, integration_client, network):
    line = {
        "sku": "CHE-OXF-BLE-M",
        "quantity": 1,
        "delivery": {"method": "pickup_in_store", "pickup_location": "ST-LYON"},
    }
    response = api_as(integration_client).post(
        URL, order_payload(lines=[line], shipping_address=None), format="json"
    )
    assert response.status_code == 201, response.json()


def test_store_associates_cannot_read_other_stores_orders(api_as, integration_client, network, call_centre):
    from tests.factories import StoreAssociateFactory

    pickup_in_lyon = [{"sku": "CHE-OXF-BLE-M", "quantity": 1, "delivery": {"method": "pickup_in_store", "pickup_location": "ST-LYON"}}]  # fmt: skip
    number = (
        api_as(integration_client)
        .post(URL, order_payload(lines=pickup_in_lyon), format="json")
        .json()["number"]
    )
    marseille_associate = StoreAssociateFactory(username="marc", store=network["marseille"])
    assert api_as(marseille_associate).get(f"{URL}{number}/").status_code == 404
    lyon_associate = StoreAssociateFactory(username="lina", store=network["lyon"])
    assert api_as(lyon_associate).get(f"{URL}{number}/").status_code == 200


def test_anonymous_clients_are_refused(api_client, network):
    assert api_client.post(URL, order_payload(), format="json").status_code in (401, 403)


def test_search_by_phone_in_any_spelling(api_as, integration_client, call_centre, network):
    number = api_as(integration_client).post(URL, order_payload(), format="json").json()["number"]
    found = api_as(call_centre).get(URL, {"q": "+33 6 12 34 56 78"}).json()
    assert [order["number"] for order in found["results"]] == [number] and found["count"] == 1
    assert api_as(call_centre).get(URL, {"q": "07 00 00 00 00"}).json()["results"] == []


def test_every_event_says_who_and_from_where(api_as, call_centre, network):
    api_as(call_centre).post(URL, order_payload(channel="call_centre"), format="json")
    event = OrderEvent.objects.get(kind="placed")
    assert (event.actor, event.channel) == (call_centre, "call_centre")


def test_address_is_remembered_on_the_customer(api_as, integration_client, network):
    api_as(integration_client).post(URL, order_payload(), format="json")
    api_as(integration_client).post(URL, order_payload(), format="json")
    customer = Customer.objects.get()
    assert customer.addresses.count() == 1
    assert customer.addresses.get().line1 == ADDRESS["line1"]


def test_a_tender_without_amount_is_authorised_for_the_total(api_as, integration_client, network):
    payload = order_payload(payments=[{"method": "paypal", "reference": "PP-1"}])
    body = api_as(integration_client).post(URL, payload, format="json").json()
    # The shirt and its home delivery (4.90 € under the free-delivery threshold).
    assert Decimal(body["payments"][0]["amount_authorised"]) == Decimal(body["total"]) == Decimal("54.80")
