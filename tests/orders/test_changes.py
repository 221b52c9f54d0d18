"""Changes the customer asks for, fulfilment, payments and e-mails, through the API."""

from decimal import Decimal

import pytest
from django.core import mail

from inventory.models import Reservation, StockLevel
from orders.models import FulfilmentOrder, Order, OrderEvent
from tests.contract.errors import errors_at, field_errors

from .conftest import ADDRESS, order_payload, tomorrow

pytestmark = pytest.mark.django_db

URL = "/api/v1/orders/"
TWO_LINES = [
    {"sku": "CHE-OXF-BLE-M", "quantity": 2, "delivery": {"method": "ship_to_address"}},
    {
        "sku": "JEA-SLI-IND-42",
        "quantity": 1,
        "delivery": {"method": "pickup_in_store", "pickup_location": "ST-LYON"},
    },
]


@pytest.fixture
def client(api_as, call_centre):
    return api_as(call_centre)


@pytest.fixture
def order(client, network, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, order_payload(lines=TWO_LINES), format="json")
    assert response.status_code == 201, response.json()
    return response.json()


FO_URL = "/api/v1/fulfilment-orders/"


def work_of(number: str, line: int) -> str:
    """The fulfilment order that holds the line's units (goods move only through it)."""
    return (
        FulfilmentOrder.objects.filter(order__number=number, lines__order_line__line_number=line)
        .exclude(status__in=FulfilmentOrder.CLOSED)
        .get()
        .number
    )


def reserved(sku, location):
    return StockLevel.objects.get(sku__code=sku, location__code=location).reserved


def test_cancel_the_whole_order_releases_every_reservation(client, order, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{URL}{order['number']}/cancel/", {"reason": "customer changed their mind"}, format="json"
        )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "cancelled"
    assert Decimal(body["total"]) == 0
    assert all(line["status"] == "cancelled" for line in body["lines"])
    assert not Reservation.objects.filter(status="active").exists()
    assert reserved("CHE-OXF-BLE-M", "WH-NAT") == 0
    event = [e for e in body["timeline"] if e["kind"] == "cancelled"][-1]
    assert event["reason"] == "customer changed their mind"
    assert event["actor"] == "karim"
    assert mail.outbox[-1].subject.endswith("est annulée")  # the customer reads French


def test_cancel_some_units_of_a_line(client, order):
    response = client.post(
        f"{URL}{order['number']}/cancel/", {"lines": [{"line": 1, "quantity": 1}]}, format="json"
    )
    body = response.json()
    line = body["lines"][0]
    assert (line["status"], line["quantities"]["allocated"], line["quantities"]["cancelled"]) == (
        "allocated",
        1,
        1,
    )
    assert body["status"] == "confirmed"
    assert Decimal(body["total"]) == Decimal("49.90") + Decimal("79.00")
    assert reserved("CHE-OXF-BLE-M", "WH-NAT") == 1


def test_cancelling_more_than_is_open_changes_nothing(client, order):
    response = client.post(
        f"{URL}{order['number']}/cancel/", {"lines": [{"line": 1, "quantity": 3}]}, format="json"
    )
    assert response.status_code == 409
    assert reserved("CHE-OXF-BLE-M", "WH-NAT") == 2


def test_shipped_units_cannot_be_cancelled(client, order, api_as, head_office):
    api_as(head_office).post(
        f"{FO_URL}{work_of(order['number'], 1)}/ship/",
        {"carrier": "Colissimo", "tracking_number": "6A123"},
        format="json",
    )
    response = client.post(f"{URL}{order['number']}/cancel/", {"lines": [{"line": 1}]}, format="json")
    assert response.status_code == 409
    assert "shipped" in response.json()["detail"]


def test_change_shipping_address_before_shipment(client, order):
    new = dict(ADDRESS, line1="3 place Bellecour", postcode="69002")
    body = client.post(f"{URL}{order['number']}/shipping-address/", new, format="json").json()
    assert body["shipping_address"]["line1"] == "3 place Bellecour"
    event = body["timeline"][-1]
    assert event["kind"] == "address_changed"
    assert event["data"]["before"]["line1"] == ADDRESS["line1"]


def test_address_change_after_shipment_is_refused(client, order, api_as, head_office):
    api_as(head_office).post(
        f"{FO_URL}{work_of(order['number'], 1)}/ship/", {"carrier": "Colissimo"}, format="json"
    )
    response = client.post(f"{URL}{order['number']}/shipping-address/", ADDRESS, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "illegal_change"


def test_incomplete_address_gets_field_errors(client, order):
    response = client.post(f"{URL}{order['number']}/shipping-address/", {"name": "X"}, format="json")
    assert response.status_code == 400
    assert {"line1", "postcode", "city"} <= set(field_errors(response))


def test_change_requested_date_and_slot(client, order):
    payload = {"requested_date": str(tomorrow()), "requested_slot": {"start": "09:00", "end": "12:00"}}
    body = client.post(f"{URL}{order['number']}/lines/1/requested-delivery/", payload, format="json").json()
    line = body["lines"][0]
    assert (line["requested_date"], line["requested_slot_start"]) == (str(tomorrow()), "09:00:00")
    assert body["timeline"][-1]["kind"] == "date_changed"


def test_move_pickup_to_another_store_re_sources_the_line(client, order):
    response = client.post(
        f"{URL}{order['number']}/lines/2/delivery/",
        {"method": "pickup_in_store", "pickup_location": "ST-MARS", "reason": "customer moved"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    line = response.json()["lines"][1]
    assert line["pickup_location"] == "ST-MARS"
    active = [a for a in line["allocations"] if a["status"] == "active"]
    assert [(a["location"], a["kind"]) for a in active] == [("WH-NAT", "ship_to_store")]
    assert Reservation.objects.filter(holder_ref=f"{order['number']}/2", status="active").count() == 1
    event = response.json()["timeline"][-1]
    assert event["kind"] == "delivery_changed" and "Marseille" in event["summary"]


def test_switch_home_delivery_to_click_and_collect(client, order):
    body = client.post(
        f"{URL}{order['number']}/lines/1/delivery/",
        {"method": "pickup_in_store", "pickup_location": "ST-LYON"},
        format="json",
    ).json()
    line = body["lines"][0]
    assert line["delivery_method"] == "pickup_in_store"
    assert [a["location"] for a in line["allocations"] if a["status"] == "active"] == ["ST-LYON"]
    assert reserved("CHE-OXF-BLE-M", "ST-LYON") == 2  # released and reserved again, never twice


def test_pickup_at_a_store_that_is_not_a_pickup_point_is_refused(client, order):
    response = client.post(
        f"{URL}{order['number']}/lines/2/delivery/",
        {"method": "pickup_in_store", "pickup_location": "WH-NAT"},
        format="json",
    )
    assert response.status_code == 400
    assert errors_at(response, "pickup_location")


def test_hold_stops_fulfilment_until_released(client, order, api_as, head_office):
    number = order["number"]
    assert (
        client.post(f"{URL}{number}/hold/", {"reason": "fraud check"}, format="json").json()["status"]
        == "on_hold"
    )
    refused = api_as(head_office).post(
        f"{FO_URL}{work_of(number, 1)}/ship/", {"carrier": "DPD"}, format="json"
    )
    assert refused.status_code == 409 and "fraud check" in refused.json()["detail"]
    assert client.post(f"{URL}{number}/hold/", {"reason": "again"}, format="json").status_code == 409
    assert client.post(f"{URL}{number}/release/", format="json").json()["status"] == "confirmed"
    assert client.post(f"{URL}{number}/release/", format="json").status_code == 409


def test_ship_captures_payment_and_tells_the_customer(
    order, api_as, head_office, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        body = (
            api_as(head_office)
            .post(
                f"{FO_URL}{work_of(order['number'], 1)}/ship/",
                {"carrier": "Colissimo", "tracking_number": "6A123"},
                format="json",
            )
            .json()
        )
    assert body["status"] == "shipped"
    body = api_as(head_office).get(f"{URL}{order['number']}/").json()
    assert body["lines"][0]["status"] == "shipped"
    assert body["status"] == "in_progress"
    assert Decimal(body["payments"][0]["amount_captured"]) == Decimal("99.80")
    assert StockLevel.objects.get(sku__code="CHE-OXF-BLE-M", location__code="WH-NAT").on_hand == 18
    assert "6A123" in mail.outbox[-1].body
    tracking = api_as(head_office).get(f"{URL}{order['number']}/status/").json()
    assert tracking["lines"][0]["status"] == "shipped"
    assert tracking["lines"][0]["shipments"][0]["tracking"] == "6A123"


def test_ready_for_pickup_then_collected_completes_the_order(
    order, api_as, head_office, django_capture_on_commit_callbacks
):
    staff = api_as(head_office)
    number = order["number"]
    staff.post(f"{FO_URL}{work_of(number, 1)}/ship/", {"carrier": "Colissimo"}, format="json")
    pickup = work_of(number, 2)
    assert (
        staff.post(f"{FO_URL}{pickup}/collect/", {"pickup_code": "000000"}, format="json").status_code == 409
    )  # not ready yet
    # jeans come from the warehouse: the parcel travels to Lyon, which receives it
    staff.post(f"{FO_URL}{pickup}/ship/", {"carrier": "Navette magasin"}, format="json")
    with django_capture_on_commit_callbacks(execute=True):
        received = staff.post(f"{FO_URL}{pickup}/receive/", format="json")
    assert received.json()["status"] == "ready_for_pickup"
    assert "prête" in mail.outbox[-1].subject
    code = FulfilmentOrder.objects.get(number=pickup).pickup_code
    assert code in mail.outbox[-1].body  # the one "ready" e-mail carries the pickup code
    staff.post(f"{FO_URL}{pickup}/collect/", {"pickup_code": code}, format="json")
    body = staff.get(f"{URL}{number}/").json()
    assert body["status"] == "completed"
    assert body["lines"][1]["status"] == "collected"
    assert Decimal(body["payments"][0]["amount_captured"]) == Decimal(body["total"])


def test_cash_paid_at_the_till_is_refunded_when_cancelled(api_as, call_centre, network):
    # The shirt and its home delivery (4.90 €): the fee goes back with the whole group.
    payload = order_payload(channel="store", payments=[{"method": "cash", "amount": "54.80"}])
    client = api_as(call_centre)
    order = client.post(URL, payload, format="json").json()
    assert Decimal(order["payments"][0]["amount_captured"]) == Decimal("54.80")
    body = client.post(f"{URL}{order['number']}/cancel/", {}, format="json").json()
    assert Decimal(body["payments"][0]["amount_refunded"]) == Decimal("54.80")
    assert "payment_refunded" in [e["kind"] for e in body["timeline"]]


def test_completed_order_cannot_change(order, api_as, head_office, client):
    number = order["number"]
    client.post(f"{URL}{number}/cancel/", {}, format="json")
    assert Order.objects.get(number=number).status == "cancelled"
    assert client.post(f"{URL}{number}/cancel/", {}, format="json").status_code == 409
    assert client.post(f"{URL}{number}/hold/", {"reason": "x"}, format="json").status_code == 409


def test_confirmation_email_in_the_customers_language(
    network, api_as, integration_client, django_capture_on_commit_callbacks
):
    payload = order_payload(customer={"email": "john@example.com", "language": "en"})
    with django_capture_on_commit_callbacks(execute=True):
        number = api_as(integration_client).post(URL, payload, format="json").json()["number"]
    message = mail.outbox[-1]
    assert message.subject == f"Your order {number} is confirmed"
    assert message.to == ["john@example.com"]


def test_each_email_is_sent_once_even_when_the_task_runs_twice(order):
    from orders.services import notification_send

    event = OrderEvent.objects.get(order__number=order["number"], kind="placed")
    sent = len(mail.outbox)
    notification_send(event_id=event.pk)
    notification_send(event_id=event.pk)
    assert len(mail.outbox) == sent


def test_unknown_order_is_a_404(client, network):
    assert client.get(f"{URL}OM-999999/").status_code == 404
