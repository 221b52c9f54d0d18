"""An unknown or foreign delivery postcode is refused where it enters, by field, in French and
English, and nothing is written: never an order ranked at 0 km from everything."""

import pytest

from orders.models import Order
from tests.contract.errors import errors_at, field_errors
from tests.orders.conftest import entry_post

from .conftest import ADDRESS, order_payload

pytestmark = pytest.mark.django_db

URL = "/api/v1/orders/"


@pytest.mark.parametrize(
    ("address", "field"),
    [
        ({"postcode": "99999"}, "shipping_address.postcode"),
        ({"postcode": "97133"}, "shipping_address.postcode"),  # Saint-Barthélemy: not a département
        ({"postcode": "10115", "city": "Berlin", "country": "DE"}, "shipping_address.country"),
    ],
)
def test_capture_refuses_a_delivery_address_it_cannot_place(
    api_as, integration_client, network, address, field
):
    payload = order_payload(shipping_address={**ADDRESS, **address})
    response = api_as(integration_client).post(URL, payload, format="json")
    assert response.status_code == 400, response.json()
    assert set(field_errors(response)) == {field}
    assert not Order.objects.exists()


def test_capture_accepts_an_overseas_address(api_as, integration_client, network):
    address = {
        **ADDRESS,
        "line1": "2 rue de Paris",
        "postcode": "97400",
        "city": "Saint-Denis",
        "country": "RE",
    }
    response = api_as(integration_client).post(URL, order_payload(shipping_address=address), format="json")
    assert response.status_code == 201, response.json()


def test_the_error_speaks_the_readers_language(api_as, integration_client, network):
    payload = order_payload(shipping_address={**ADDRESS, "postcode": "99999"})
    client = api_as(integration_client)
    english = client.post(URL, payload, format="json", HTTP_ACCEPT_LANGUAGE="en")
    french = client.post(URL, payload, format="json", HTTP_ACCEPT_LANGUAGE="fr")
    assert errors_at(english, "shipping_address.postcode") == ["Unknown French postcode 99999."]
    assert errors_at(french, "shipping_address.postcode") == ["Code postal français inconnu : 99999."]


def test_a_pickup_order_needs_no_placeable_address(api_as, integration_client, network):
    # the billing address of a click & collect order may be anywhere
    payload = order_payload(
        billing_address={**ADDRESS, "postcode": "10115", "city": "Berlin", "country": "DE"},
        shipping_address=None,
        lines=[{"sku": "CHE-OXF-BLE-M", "quantity": 1,
                "delivery": {"method": "pickup_in_store", "pickup_location": "ST-LYON"}}],
    )  # fmt: skip
    response = api_as(integration_client).post(URL, payload, format="json")
    assert response.status_code == 201, response.json()


def test_capture_refuses_a_relay_point_it_cannot_place(api_as, integration_client, network):
    relay = {"id": "MR-123", "name": "Tabac", "postcode": "99999"}
    payload = order_payload(
        lines=[
            {
                "sku": "CHE-OXF-BLE-M",
                "quantity": 1,
                "delivery": {"method": "ship_to_relay", "relay_point": relay},
            }
        ]
    )
    response = api_as(integration_client).post(URL, payload, format="json")
    assert response.status_code == 400, response.json()
    assert list(field_errors(response)) == ["lines[0].relay_point.postcode"]
    assert not Order.objects.exists()


def test_a_new_shipping_address_must_be_placeable(api_as, call_centre, network):
    client = api_as(call_centre)
    number = client.post(URL, order_payload(), format="json").json()["number"]
    response = client.post(
        f"{URL}{number}/shipping-address/", {**ADDRESS, "postcode": "99999"}, format="json"
    )
    assert response.status_code == 400
    assert list(field_errors(response)) == ["postcode"]
    assert "99999" in response.json()["detail"]
    assert Order.objects.get(number=number).shipping_address["postcode"] == "69002"


@pytest.mark.parametrize(
    ("destination", "field"),
    [({"postcode": "99999"}, "destination.postcode"), ({"postcode": "97150"}, "destination.postcode")],
)
def test_the_promise_refuses_an_unknown_postcode(api_as, integration_client, network, destination, field):
    body = {"lines": [{"sku": "CHE-OXF-BLE-M", "quantity": 1}], "destination": destination}
    response = api_as(integration_client).post("/api/v1/promise/", body, format="json")
    assert response.status_code == 400
    assert list(field_errors(response)) == [field]


def test_the_store_finder_refuses_an_unknown_postcode(api_as, integration_client, network):
    response = api_as(integration_client).get("/api/v1/availability/?skus=CHE-OXF-BLE-M&postcode=99999")
    assert response.status_code == 400
    assert list(field_errors(response)) == ["postcode"]


def test_the_store_finder_ranks_paris_stores_by_arrondissement(api_as, integration_client, network):
    # given the Paris store (1st arrondissement) and a shopper in the 20th, 5 km east
    stores = (
        api_as(integration_client)
        .get("/api/v1/availability/?skus=CHE-OXF-BLE-M&postcode=75020&radius_km=20")
        .json()["stores"]
    )
    paris = next(store for store in stores if store["code"] == "ST-PARIS")
    assert 3 < paris["distance_km"] < 8  # not 0 km, as when all of Paris was one point


def test_the_call_centre_form_shows_an_unknown_postcode_beside_its_field(client, call_centre, network):
    client.force_login(call_centre)
    response = entry_post(client, {
        "confirm": "1", "last_name": "Durand", "email": "durand@example.fr", "language": "fr", "method": "ship_to_address",
        "line1": "12 rue Mercière", "postcode": "99999", "city": "Lyon", "payment_method": "card",
        "payment_reference": "TPE-1",
        "lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "0", "lines-0-sku": "CHE-OXF-BLE-M", "lines-0-quantity": "1",
    }, headers={"Accept-Language": "en"})  # fmt: skip
    assert response.status_code == 400
    assert response.context["form"].errors["postcode"] == ["Unknown French postcode 99999."]
    assert not Order.objects.exists()
