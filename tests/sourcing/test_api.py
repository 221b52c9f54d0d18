"""Fulfilment order endpoints for store systems and vendors, and the checkout promise."""

import pytest

from orders.models import FulfilmentOrder
from tests.contract.errors import errors_at
from tests.factories import StoreAssociateFactory, api_client_named

from .conftest import fulfilment_orders, line

pytestmark = pytest.mark.django_db
FO_URL = "/api/v1/fulfilment-orders/"


def test_a_vendor_acknowledges_and_ships_its_drop_ship_order(place, network, towel, vendor, api_as):
    order = place(lines=[line("SER-BAI-BLA", 2)])
    client = api_as(api_client_named("maison", profile="dropship_vendor", location=vendor).user)
    work = client.get(FO_URL, {"location": "DS-MAISON"}).json()["results"]
    assert [fo["number"] for fo in work] == [f"{order.number}-1"]
    assert work[0]["lines"][0]["ean"] and work[0]["shipping_address"]["postcode"] == "69002"
    number = work[0]["number"]
    assert client.post(f"{FO_URL}{number}/acknowledge/").json()["status"] == "acknowledged"
    body = client.post(
        f"{FO_URL}{number}/ship/", {"carrier": "DPD", "tracking_number": "DPD-9"}, format="json"
    )
    assert body.status_code == 200, body.json()
    assert body.json()["status"] == "shipped"
    order.refresh_from_db()
    assert order.lines.get().status == "shipped"


def test_decline_needs_a_reason_and_reroutes(place, network, api_as):
    order = place(lines=[line("CHE-OXF-BLE-M", 1, "pickup_in_store", "ST-LYON")])
    number = fulfilment_orders(order)[0].number
    client = api_as(api_client_named("lyon-till", profile="store_system", location=network["lyon"]).user)
    missing = client.post(f"{FO_URL}{number}/decline/", {}, format="json")
    assert missing.status_code == 400 and errors_at(missing, "reason")
    assert (
        client.post(f"{FO_URL}{number}/decline/", {"reason": "no_capacity"}, format="json").json()["status"]
        == "declined"
    )
    assert [fo.status for fo in fulfilment_orders(order)] == ["declined", "created"]


def test_short_pick_through_the_api(place, network, api_as, head_office):
    order = place(lines=[line("CHE-OXF-BLE-M", 2)])
    number = fulfilment_orders(order)[0].number
    response = api_as(head_office).post(
        f"{FO_URL}{number}/picks/",
        {"lines": [{"line": 1, "picked": 1}], "reason": "damaged", "note": "one torn"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["lines"][0]["qty_short"] == 1
    assert len(fulfilment_orders(order)) == 2


def test_illegal_move_is_a_409(place, network, api_as, head_office):
    order = place(lines=[line("CHE-OXF-BLE-M", 1)])
    number = fulfilment_orders(order)[0].number
    response = api_as(head_office).post(
        f"{FO_URL}{number}/collect/", {"pickup_code": "123456"}, format="json"
    )
    assert response.status_code == 409
    assert FulfilmentOrder.objects.get(number=number).status == "created"


def test_store_associates_act_on_their_own_store_only(place, network, api_as):
    order = place(lines=[line("CHE-OXF-BLE-M", 1, "pickup_in_store", "ST-LYON")])
    number = fulfilment_orders(order)[0].number
    paris = StoreAssociateFactory(username="p2", store=network["paris"])
    assert api_as(paris).post(f"{FO_URL}{number}/acknowledge/").status_code == 404
    lyon = StoreAssociateFactory(username="l2", store=network["lyon"])
    assert api_as(lyon).post(f"{FO_URL}{number}/acknowledge/").status_code == 200


def test_call_centre_cannot_act_on_fulfilment_orders(place, network, api_as, call_centre):
    order = place(lines=[line("CHE-OXF-BLE-M", 1)])
    number = fulfilment_orders(order)[0].number
    assert api_as(call_centre).post(f"{FO_URL}{number}/acknowledge/").status_code == 403


def test_promise_lists_the_options_the_network_can_keep(network, api_as, integration_client):
    network["lyon"].receives_ship_to_store = True
    network["lyon"].save()
    response = api_as(integration_client).post(
        "/api/v1/promise/",
        {"lines": [{"sku": "CHE-OXF-BLE-M", "quantity": 1}, {"sku": "JEA-SLI-IND-42", "quantity": 1}],
         "destination": {"postcode": "69002"}},
        format="json",
    )  # fmt: skip
    assert response.status_code == 200, response.json()
    options = response.json()["options"]
    methods = [o["method"] for o in options]
    assert methods[:2] == ["ship_to_address", "ship_to_relay"]
    home = options[0]
    assert home["sources"] == [{"location": "WH-NAT", "mode": "ship", "units": 2}]
    assert home["price"] == "0.00"  # 128.90 € is above the free-delivery threshold
    # Lyon holds shirts but no jeans: the basket is shipped to the store from the warehouse
    lyon = next(o for o in options if o["store"] and o["store"]["code"] == "ST-LYON")
    assert lyon["method"] == "ship_to_store" and lyon["date"] >= home["date"][:10]


def test_promise_offers_click_and_collect_from_the_shelf(network, api_as, integration_client):
    options = api_as(integration_client).post(
        "/api/v1/promise/", {"lines": [{"sku": "CHE-OXF-BLE-M", "quantity": 1}], "destination": {"postcode": "69001"}},
        format="json",
    ).json()["options"]  # fmt: skip
    lyon = next(o for o in options if o["store"] and o["store"]["code"] == "ST-LYON")
    assert lyon["method"] == "pickup_in_store" and lyon["ready_at"] and lyon["price"] == "0.00"


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"lines": [], "destination": {"postcode": "69002"}}, "lines"),
        ({"lines": [{"sku": "CHE-OXF-BLE-M", "quantity": 0}], "destination": {"postcode": "69002"}}, "lines"),
        ({"lines": [{"sku": "NOPE", "quantity": 1}], "destination": {"postcode": "69002"}}, "lines"),
        (
            {"lines": [{"sku": "CHE-OXF-BLE-M", "quantity": 1}], "destination": {"postcode": "ABCDE"}},
            "destination",
        ),
        ({"lines": [{"sku": "CHE-OXF-BLE-M", "quantity": 1}], "destination": {}}, "destination"),
    ],
)
def test_bad_promise_requests_are_400(network, api_as, integration_client, payload, field):
    response = api_as(integration_client).post("/api/v1/promise/", payload, format="json")
    assert response.status_code == 400
    assert errors_at(response, field), response.json()


def test_the_promised_date_is_recorded_and_honoured(network, api_as, integration_client):
    from tests.orders.conftest import order_payload

    promised = api_as(integration_client).post(
        "/api/v1/promise/", {"lines": [{"sku": "CHE-OXF-BLE-M", "quantity": 1}], "destination": {"postcode": "69002"}},
        format="json",
    ).json()["options"][0]["date"]  # fmt: skip
    payload = order_payload(
        lines=[{"sku": "CHE-OXF-BLE-M", "quantity": 1, "delivery": {"method": "ship_to_address", "promised_date": promised}}]
    )  # fmt: skip
    body = api_as(integration_client).post("/api/v1/orders/", payload, format="json").json()
    assert body["lines"][0]["promised_date"] == promised
    assert "promise_at_risk" not in [e["kind"] for e in body["timeline"]]
