"""The web shop's "I'm here" and the store systems' pack/receive through the API."""

import pytest

from omni.trace import Trace
from orders import services
from tests.contract.errors import errors_at

from .conftest import fulfilment_orders, line

pytestmark = pytest.mark.django_db


def test_arrival_before_anything_is_ready_is_a_409(place, network, api_as, integration_client):
    order = place(
        lines=[line("CHE-OXF-BLE-M", 1, "pickup_in_store", "ST-LYON")], trace=Trace.of(integration_client)
    )
    response = api_as(integration_client).post(f"/api/v1/orders/{order.number}/arrival/", {}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "nothing_ready"


def test_arrival_is_on_the_timeline_and_needs_a_client(
    place, network, api_as, integration_client, system, api_client
):
    order = place(
        lines=[line("CHE-OXF-BLE-M", 1, "pickup_in_store", "ST-LYON")], trace=Trace.of(integration_client)
    )
    [fo] = fulfilment_orders(order)
    services.fulfilment_order_make_ready(fulfilment_order=fo, trace=system)
    assert api_client.post(f"/api/v1/orders/{order.number}/arrival/", {}, format="json").status_code in (
        401,
        403,
    )
    too_long = api_as(integration_client).post(
        f"/api/v1/orders/{order.number}/arrival/", {"parking_spot": "x" * 41}, format="json"
    )
    assert too_long.status_code == 400 and errors_at(too_long, "parking_spot")
    ok = api_as(integration_client).post(f"/api/v1/orders/{order.number}/arrival/", {}, format="json")
    assert ok.status_code == 200 and ok.json()["parking_spot"] == ""
    event = order.events.get(kind="customer_arrived")
    assert "at the counter" in event.summary and event.actor == integration_client


def test_pack_with_weights_through_the_api(place, network, api_as, lyon_associate, polo):
    order = place(lines=[line("POL-PIQ-ROU-L", 1)])
    [fo] = fulfilment_orders(order)
    client = api_as(lyon_associate)
    client.post(
        f"/api/v1/fulfilment-orders/{fo.number}/picks/", {"lines": [{"line": 1, "picked": 1}]}, format="json"
    )
    mismatch = client.post(
        f"/api/v1/fulfilment-orders/{fo.number}/pack/", {"parcels": 2, "weights_kg": ["1.2"]}, format="json"
    )
    assert mismatch.status_code == 400 and errors_at(mismatch, "weights_kg")
    packed = client.post(
        f"/api/v1/fulfilment-orders/{fo.number}/pack/",
        {"parcels": 2, "weights_kg": ["1.2", "0.8"]},
        format="json",
    )
    assert packed.status_code == 200 and packed.json()["status"] == "packed"
    assert [str(p.weight_kg) for p in fo.parcels.all()] == ["1.200", "0.800"]
