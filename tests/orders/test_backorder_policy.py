"""Backorder policy per SKU and per category: refuse, backorder (with the date supply is
expected) or pre-order up to a quantity; capture and the promise respect it and say why."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from inventory.models import BackorderPolicy
from orders.models import Order, OrderLine
from tests.contract.errors import errors_at
from tests.factories import SKUFactory

from .conftest import order_payload

pytestmark = pytest.mark.django_db

URL = "/api/v1/orders/"
SUPPLY = datetime.date(2031, 3, 2)


def jeans_order(quantity: int) -> dict:
    # 5 jeans in the whole network (the warehouse)
    return order_payload(
        lines=[{"sku": "JEA-SLI-IND-42", "quantity": quantity, "delivery": {"method": "ship_to_address"}}],
        payments=[{"method": "card", "reference": "AUTH-43", "amount": "2000.00"}],
    )


def test_without_a_policy_units_are_backordered_without_a_date(api_as, integration_client, network):
    line = api_as(integration_client).post(URL, jeans_order(6), format="json").json()["lines"][0]
    assert line["quantities"]["backordered"] == 1
    assert (line["backorder_mode"], line["expected_date"]) == ("backorder", None)


def test_a_sku_that_is_not_backordered_is_refused_by_field(api_as, integration_client, network, jeans):
    BackorderPolicy.objects.create(sku=jeans, mode="refuse")
    client = api_as(integration_client)

    response = client.post(URL, jeans_order(6), format="json", HTTP_ACCEPT_LANGUAGE="fr")

    assert response.status_code == 400
    assert response.json()["code"] == "not_available"
    assert errors_at(response, "lines[0].quantity") == [
        "Seulement 5 × JEA-SLI-IND-42 peuvent être servis maintenant, et cet article n'est pas commandé en reliquat."
    ]
    assert not Order.objects.exists() and not OrderLine.objects.exists()
    # what the network holds is still sold
    assert client.post(URL, jeans_order(5), format="json").status_code == 201


def test_the_category_default_gives_the_supply_date_and_a_skus_own_policy_wins(
    api_as, integration_client, network, jeans, stock, warehouse
):
    jeans.category = "Jeans"
    jeans.save()
    straight = SKUFactory(code="JEA-DRO-NOI-40", category="Jeans")
    stock(straight, warehouse, 1)
    BackorderPolicy.objects.create(category="Jeans", mode="backorder", expected_date=SUPPLY)
    BackorderPolicy.objects.create(sku=straight, mode="refuse")
    client = api_as(integration_client)

    line = client.post(URL, jeans_order(6), format="json").json()["lines"][0]
    assert (line["backorder_mode"], line["expected_date"]) == ("backorder", SUPPLY.isoformat())

    refused = client.post(URL, order_payload(
        lines=[{"sku": "JEA-DRO-NOI-40", "quantity": 2, "delivery": {"method": "ship_to_address"}}]
    ), format="json")  # fmt: skip
    assert refused.status_code == 400 and errors_at(refused, "lines[0].quantity")


def test_pre_orders_are_taken_up_to_the_quota(api_as, integration_client, network, jeans):
    policy = BackorderPolicy.objects.create(
        sku=jeans, mode="preorder", preorder_limit=3, expected_date=SUPPLY
    )
    client = api_as(integration_client)

    first = client.post(URL, jeans_order(7), format="json")  # 5 served, 2 pre-ordered
    assert first.status_code == 201, first.json()
    assert first.json()["lines"][0]["backorder_mode"] == "preorder"
    too_many = client.post(URL, jeans_order(2), format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert too_many.status_code == 400
    assert errors_at(too_many, "lines[0].quantity") == [
        "JEA-SLI-IND-42 can be pre-ordered for 1 more units only."
    ]
    assert client.post(URL, jeans_order(1), format="json").status_code == 201
    policy.refresh_from_db()
    assert policy.preordered == 3


def test_the_promise_says_what_happens_to_the_missing_units(
    api_as, integration_client, network, jeans, shirt
):
    BackorderPolicy.objects.create(sku=jeans, mode="preorder", preorder_limit=2, expected_date=SUPPLY)
    BackorderPolicy.objects.create(sku=shirt, mode="refuse")
    client = api_as(integration_client)

    def short(cart, language="en"):
        body = {"lines": [{"sku": s, "quantity": q} for s, q in cart], "destination": {"postcode": "69002"}}
        return client.post("/api/v1/promise/", body, format="json", HTTP_ACCEPT_LANGUAGE=language).json()[
            "short"
        ]

    assert short([("JEA-SLI-IND-42", 5)]) == []
    (preorder,) = short([("JEA-SLI-IND-42", 6)])
    assert (
        preorder["reason"] == "preorder"
        and preorder["accepted"]
        and preorder["expected_date"] == "2031-03-02"
    )
    assert preorder["message"] == "1 × JEA-SLI-IND-42 pre-ordered, supply expected March 2, 2031."
    (full,) = short([("JEA-SLI-IND-42", 8)], "fr")
    assert (full["reason"], full["accepted"], full["preorder_left"]) == ("preorder_full", False, 2)
    assert full["message"] == "JEA-SLI-IND-42 ne peut être précommandé que pour 2 unités de plus."
    (refused,) = short([("CHE-OXF-BLE-M", 30)])
    assert (refused["reason"], refused["accepted"], refused["available"]) == ("refused", False, 24)


def test_the_call_centre_sees_backorders_with_their_expected_dates(
    api_as, integration_client, call_centre, client, network, jeans
):
    BackorderPolicy.objects.create(sku=jeans, mode="backorder", expected_date=SUPPLY)
    number = api_as(integration_client).post(URL, jeans_order(6), format="json").json()["number"]
    client.force_login(call_centre)

    queue = client.get("/orders/backorders/", headers={"Accept-Language": "en"}).content.decode()
    detail = client.get(f"/orders/{number}/", headers={"Accept-Language": "en"}).content.decode()

    assert number in queue and "03/02/2031" in queue
    assert "1 backordered" in detail and "supply expected 03/02/2031" in detail


def test_a_pre_order_policy_needs_its_quota():
    with pytest.raises(ValidationError) as refused:
        BackorderPolicy(category="Jeans", mode="preorder").full_clean()
    assert "preorder_limit" in refused.value.error_dict
    with pytest.raises(ValidationError):
        BackorderPolicy(mode="backorder").full_clean()  # neither a SKU nor a category
