"""API clients see and do only what their profile and location allow (the issue's cases)."""

import datetime

import pytest
from django.utils import timezone

from accounts.services import api_client_create, api_client_revoke, api_client_rotate
from inventory.models import StockMovement
from omni.trace import Trace
from orders import services
from orders.models import FulfilmentOrder, Order, OrderEvent
from tests.factories import StoreAssociateFactory, api_client_named
from tests.orders.conftest import ADDRESS, order_payload

from .conftest import fulfilment_orders, line

pytestmark = pytest.mark.django_db
FO_URL = "/api/v1/fulfilment-orders/"


@pytest.fixture
def lyon_till(network):
    return api_client_named("lyon-till", profile="store_system", location=network["lyon"])


@pytest.fixture
def maison(vendor):
    return api_client_named("maison", profile="dropship_vendor", location=vendor)


def _ready_click_and_collect(place, system):
    order = place(lines=[line("CHE-OXF-BLE-M", 1, "pickup_in_store", "ST-LYON")])
    [fo] = fulfilment_orders(order)
    services.fulfilment_order_make_ready(fulfilment_order=fo, trace=system)
    fo.refresh_from_db()
    return order, fo


def test_a_vendor_sees_its_own_work_only_and_no_email_or_phone(place, network, towel, maison, api_as):
    # given a drop-ship order with a phone in the address, and a Lyon store order
    address = {**ADDRESS, "phone": "06 12 34 56 78"}
    drop_ship = place(lines=[line("SER-BAI-BLA", 1)], shipping_address=address)
    store_order = place(lines=[line("CHE-OXF-BLE-M", 1, "pickup_in_store", "ST-LYON")])
    api = api_as(maison.user)
    # when the vendor lists work, even asking for Lyon's
    listed = api.get(FO_URL).json()["results"]
    asked_for_lyon = api.get(FO_URL, {"location": "ST-LYON"}).json()["results"]
    # then only its own fulfilment order, with name and address but no phone or e-mail
    assert [fo["number"] for fo in listed] == [f"{drop_ship.number}-1"]
    assert asked_for_lyon == []
    assert listed[0]["shipping_address"] == {**ADDRESS, "line2": ""}
    detail = api.get(f"{FO_URL}{drop_ship.number}-1/")
    assert "06 12" not in detail.text and "lea.martin@example.fr" not in detail.text
    assert (
        Order.objects.get(pk=drop_ship.pk).shipping_address["phone"] == "06 12 34 56 78"
    )  # stored untouched
    lyon_fo = fulfilment_orders(store_order)[0].number
    assert api.get(f"{FO_URL}{lyon_fo}/").status_code == 404
    assert api.post(f"{FO_URL}{lyon_fo}/acknowledge/").status_code == 404
    assert api.post(f"{FO_URL}{drop_ship.number}-1/ready-for-pickup/").status_code == 403
    assert api.get("/api/v1/orders/").status_code == 403


def test_the_web_shop_cannot_hand_over_or_prepare_a_stores_order(
    place, network, system, api_as, integration_client
):
    order, fo = _ready_click_and_collect(place, system)
    api = api_as(integration_client)
    for action in ("collect", "ready-for-pickup", "acknowledge", "receive"):
        assert (
            api.post(
                f"{FO_URL}{fo.number}/{action}/", {"pickup_code": fo.pickup_code}, format="json"
            ).status_code
            == 403
        )
    assert api.get(FO_URL).status_code == 403
    assert FulfilmentOrder.objects.get(pk=fo.pk).status == "ready_for_pickup"


def test_collect_needs_proof(place, network, system, lyon_till, api_as):
    order, fo = _ready_click_and_collect(place, system)
    api = api_as(lyon_till.user)
    detail = api.get(f"{FO_URL}{fo.number}/").json()
    assert detail["pickup_code"] == ""  # the customer's proof is not handed to systems
    # without proof, or with a wrong code: refused, nothing changed
    none = api.post(f"{FO_URL}{fo.number}/collect/", {}, format="json")
    assert none.status_code == 400 and none.json()["code"] == "handover_proof_required"
    wrong_code = "000000" if fo.pickup_code != "000000" else "111111"
    wrong = api.post(f"{FO_URL}{fo.number}/collect/", {"pickup_code": wrong_code}, format="json")
    assert wrong.status_code == 400 and wrong.json()["code"] == "pickup_code_mismatch"
    bad_document = api.post(
        f"{FO_URL}{fo.number}/collect/",
        {"identity_check": {"document": "library_card", "reference_last4": "1234"}},
        format="json",
    )
    assert bad_document.status_code == 400
    assert FulfilmentOrder.objects.get(pk=fo.pk).status == "ready_for_pickup"
    assert order.lines.get().status == "ready_for_pickup"
    # with the right code: collected, on the timeline with the store system's name
    ok = api.post(f"{FO_URL}{fo.number}/collect/", {"pickup_code": fo.pickup_code}, format="json")
    assert ok.status_code == 200 and ok.json()["status"] == "collected"
    handover = order.events.get(kind=OrderEvent.Kind.COLLECTED)
    assert handover.data["identity_checked"] == "pickup code" and handover.api_client == lyon_till
    assert "identity checked: pickup code" in handover.summary


def test_collect_with_a_recorded_identity_check(place, network, system, lyon_till, api_as):
    order, fo = _ready_click_and_collect(place, system)
    response = api_as(lyon_till.user).post(
        f"{FO_URL}{fo.number}/collect/",
        {
            "identity_check": {
                "document": "passport",
                "reference_last4": "7K2Q",
                "reason": "phone_unavailable",
            }
        },
        format="json",
    )
    assert response.status_code == 200 and response.json()["status"] == "collected"
    handover = order.events.get(kind=OrderEvent.Kind.COLLECTED)
    assert handover.data["identity_checked"] == "passport …7K2Q"
    assert handover.data["no_code_reason"] == "phone_unavailable" and handover.api_client == lyon_till


def test_a_store_system_works_on_its_own_store_only(place, network, system, lyon_till, api_as):
    order = place(lines=[line("CHE-OXF-BLE-M", 1, "pickup_in_store", "ST-PARIS")])
    paris_fo = fulfilment_orders(order)[0].number
    api = api_as(lyon_till.user)
    assert api.post(f"{FO_URL}{paris_fo}/acknowledge/").status_code == 404
    assert [row["code"] for row in api.get("/api/v1/locations/").json()["results"]] == ["ST-LYON"]
    assert api.get("/api/v1/locations/ST-PARIS/").status_code == 404


def test_a_store_associate_reads_back_the_home_delivery_they_placed_from_the_warehouse(network, api_as):
    associate = StoreAssociateFactory(username="lea2", store=network["lyon"])
    api = api_as(associate)
    payload = {
        "channel": "store", "customer": {"email": "client@example.fr"}, "shipping_address": ADDRESS,
        "lines": [{"sku": "JEA-SLI-IND-42", "quantity": 1, "delivery": {"method": "ship_to_address"}}],
    }  # fmt: skip
    created = api.post("/api/v1/orders/", payload, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["lines"][0]["allocations"][0]["location"] == "WH-NAT"
    assert api.get(f"/api/v1/orders/{body['number']}/").status_code == 200
    assert [o["number"] for o in api.get("/api/v1/orders/").json()["results"]] == [body["number"]]
    # another Lyon associate, who did not place it, still does not see it
    other = StoreAssociateFactory(username="lea3", store=network["lyon"])
    assert api_as(other).get(f"/api/v1/orders/{body['number']}/").status_code == 404


def test_the_web_shop_reads_its_own_orders_only(place, network, api_as, integration_client):
    other_shop = api_client_named("marketplace")
    theirs = place(trace=Trace.of(other_shop.user))
    by_call_centre = place()
    api = api_as(integration_client)
    mine = api.post("/api/v1/orders/", order_payload(), format="json")
    assert mine.status_code == 201
    number = mine.json()["number"]
    assert Order.objects.get(number=number).placed_via == integration_client.acting_client
    assert api.get(f"/api/v1/orders/{number}/").status_code == 200
    assert api.get(f"/api/v1/orders/{number}/status/").status_code == 200
    for order in (theirs, by_call_centre):
        assert api.get(f"/api/v1/orders/{order.number}/").status_code == 404
        assert api.post(f"/api/v1/orders/{order.number}/cancel/", {}, format="json").status_code == 404
        assert api.post(f"/api/v1/orders/{order.number}/arrival/", {}, format="json").status_code == 404
    assert [o["number"] for o in api.get("/api/v1/orders/").json()["results"]] == [number]


def test_rotate_revoke_and_expiry_answer_401(network, api_client, head_office):
    client, key = api_client_create(name="Shop", profile="web_shop", created_by=head_office, expires_at=None)

    def status(k):
        return api_client.get("/api/v1/locations/", HTTP_AUTHORIZATION=f"Token {k}").status_code

    assert status(key) == 200
    client.refresh_from_db()
    assert client.last_used_at is not None
    new_key = api_client_rotate(client=client, by=head_office)
    assert status(key) == 401 and status(new_key) == 200
    assert (
        "Invalid API key"
        in api_client.get("/api/v1/locations/", HTTP_AUTHORIZATION=f"Token {key}").json()["detail"]
    )
    client.expires_at = timezone.now() - datetime.timedelta(minutes=1)
    client.save(update_fields=["expires_at"])
    expired = api_client.get("/api/v1/locations/", HTTP_AUTHORIZATION=f"Token {new_key}")
    assert expired.status_code == 401 and "expired" in expired.json()["detail"]
    client.expires_at = None
    client.save(update_fields=["expires_at"])
    api_client_revoke(client=client, by=head_office)
    revoked = api_client.get("/api/v1/locations/", HTTP_AUTHORIZATION=f"Token {new_key}")
    assert revoked.status_code == 401 and "revoked" in revoked.json()["detail"]
    assert status("nonsense") == 401 and status(key.split(".")[0] + ".forged") == 401


def test_default_expiry_follows_the_setting(settings, network):
    settings.OMNI_API_TOKEN_DAYS = 30
    client, _key = api_client_create(name="Shop", profile="web_shop")
    assert datetime.timedelta(days=29) < client.expires_at - timezone.now() <= datetime.timedelta(days=30)
    settings.OMNI_API_TOKEN_DAYS = None
    assert api_client_create(name="ERP", profile="erp_pim")[0].expires_at is None


def test_the_timeline_and_the_ledger_name_the_client(network, api_as, integration_client, erp_client, lyon):
    number = (
        api_as(integration_client).post("/api/v1/orders/", order_payload(), format="json").json()["number"]
    )
    order = Order.objects.get(number=number)
    placed = order.events.get(kind=OrderEvent.Kind.PLACED)
    assert placed.api_client == integration_client.acting_client and placed.actor == integration_client
    reserved = StockMovement.objects.filter(reference__contains=number, kind="reservation")
    assert reserved and all(m.api_client == integration_client.acting_client for m in reserved)
    sync = api_as(erp_client).post(
        "/api/v1/inventory/sync/",
        {
            "batch_id": "erp-1",
            "mode": "delta",
            "rows": [{"sku": "CHE-OXF-BLE-M", "location": lyon.code, "delta": 2}],
        },
        format="json",
    )
    assert sync.status_code == 200, sync.json()
    assert StockMovement.objects.get(reference="sync:erp-1").api_client == erp_client.acting_client
    # and the order page shows it
    from django.test import Client

    from tests.factories import HeadOfficeFactory

    page = Client()
    page.force_login(HeadOfficeFactory(username="boss"))
    assert integration_client.acting_client.name in page.get(f"/orders/{number}/").content.decode()
