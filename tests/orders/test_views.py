"""The call-centre pages, through Django's test client."""

import pytest

from orders.models import Order, OrderEvent
from tests.factories import StoreAssociateFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent(client, call_centre):
    client.force_login(call_centre)
    return client


@pytest.fixture
def order(place, network):
    return place(
        lines=[{"sku": "CHE-OXF-BLE-M", "quantity": 1, "delivery": {"method": "pickup_in_store", "pickup_location": "ST-LYON"}}]
    )  # fmt: skip


def test_search_by_phone_finds_the_order(agent, order):
    response = agent.get("/orders/", {"q": "06 12 34 56 78"}, HTTP_HX_REQUEST="true")
    assert order.number in response.content.decode()
    assert "<html" not in response.content.decode()  # the results partial only


def test_moving_the_pickup_is_recorded_with_the_agent_and_reason(agent, order, call_centre, network):
    response = agent.post(
        f"/orders/{order.number}/lines/1/delivery/",
        {"delivery-1-method": "pickup_in_store", "delivery-1-pickup_location": network["marseille"].pk, "delivery-1-reason": "déménagement"},
    )  # fmt: skip
    assert response.status_code == 302
    event = OrderEvent.objects.filter(order=order, kind="delivery_changed").get()
    assert (event.actor, event.channel, event.reason) == (call_centre, "call_centre", "déménagement")


def test_hold_without_a_reason_is_refused_beside_the_field(agent, order):
    response = agent.post(f"/orders/{order.number}/hold/", {"hold-reason": ""})
    assert response.status_code == 400
    assert Order.objects.get(pk=order.pk).status == "confirmed"


def test_order_entry_shows_an_unknown_sku_on_its_line(agent, network):
    response = agent.post(
        "/orders/new/",
        {
            "last_name": "Durand", "phone": "07 98 76 54 32", "language": "fr", "method": "pickup_in_store",
            "pickup_location": network["lyon"].pk, "payment_method": "card", "payment_reference": "TPE-1",
            "lines-TOTAL_FORMS": "2", "lines-INITIAL_FORMS": "0", "lines-0-sku": "NOPE", "lines-0-quantity": "1",
            "lines-1-sku": "", "lines-1-quantity": "1",
        },
    )  # fmt: skip
    assert response.status_code == 400
    assert "NOPE" in response.context["lines"].forms[0].errors["sku"][0]
    assert not Order.objects.exists()


def test_order_entry_places_a_click_and_collect_order(agent, network):
    response = agent.post(
        "/orders/new/",
        {
            "last_name": "Durand", "phone": "07 98 76 54 32", "language": "fr", "method": "pickup_in_store",
            "pickup_location": network["lyon"].pk, "payment_method": "card", "payment_reference": "TPE-1",
            "lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "0", "lines-0-sku": "che-oxf-ble-m", "lines-0-quantity": "2",
        },
    )  # fmt: skip
    order = Order.objects.get()
    assert response.status_code == 302 and response.url == order.get_absolute_url()
    assert order.channel == "call_centre" and order.payments.get().amount_authorised == order.total
    assert order.lines.get().qty_allocated == 2


def test_store_associate_cannot_open_another_stores_order(client, order, network):
    client.force_login(StoreAssociateFactory(username="marc", store=network["marseille"]))
    assert client.get(f"/orders/{order.number}/").status_code == 404


def test_store_associate_cannot_change_orders(client, order, network):
    client.force_login(StoreAssociateFactory(username="lina", store=network["lyon"]))
    assert client.get(f"/orders/{order.number}/").status_code == 200
    assert client.post(f"/orders/{order.number}/hold/", {"hold-reason": "x"}).status_code == 403
