"""A promotion created, previewed and scheduled in head office's pages applies to an order
placed through the API."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from inventory import services as inventory
from omni.trace import Trace
from tests.browser.conftest import sign_in
from tests.factories import LocationFactory, SKUFactory, api_client_named
from tests.orders.conftest import order_payload

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_promotion_from_the_pages_applies_to_an_api_order(page, live_server, head_office, screenshot):
    warehouse = LocationFactory(code="WH-NAT", name="Entrepôt national", kind="warehouse", postcode="69400",
                                latitude="45.989", longitude="4.718", is_pickup_point=False, hours=[])  # fmt: skip
    shirt = SKUFactory(
        code="CHE-OXF-BLE-M", name="Chemise Oxford bleu M", category="Chemises", price=Decimal("29.90")
    )
    SKUFactory(code="JEA-SLI-IND-42", name="Jean slim indigo 42", category="Jeans", price=Decimal("59.00"))
    inventory.stock_receive(sku=shirt, location=warehouse, quantity=10, trace=Trace(note="stock"))

    sign_in(page, live_server, "claire")
    page.goto(f"{live_server.url}/promotions/")
    page.click("[data-testid=new-promotion]")
    page.fill("#id_name", "Chemises -20 %")
    page.select_option("#id_kind", "line_percent")
    # only this kind's figures are shown
    assert page.locator("#id_percent").is_visible() and not page.locator("#id_amount").is_visible()
    assert not page.locator("#id_buy").is_visible()
    page.fill("#id_percent", "20")
    page.fill("#id_target_categories", "Chemises")
    page.check("input[name=channels][value=web]")
    page.fill("#id_code", "chemise20")
    screenshot(page, "promotions-1-form")
    page.click("[data-testid=save]")
    page.locator("[data-testid=promotion-phase]").wait_for()

    page.fill("#id_basket", "CHE-OXF-BLE-M 2\nJEA-SLI-IND-42 1")
    page.fill("#id_codes", "CHEMISE20")
    page.click("[data-testid=preview]")
    page.locator("[data-testid=preview-total]").wait_for()
    assert "106,84" in page.inner_text("[data-testid=preview-total]")  # a draft's preview counts it
    screenshot(page, "promotions-2-preview")
    dialogs = []
    page.once("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
    page.click("[data-testid=activate]")  # no start date: it asks before going live now
    page.locator("[data-testid=promotion-phase]", has_text="En cours").wait_for()
    assert "maintenant" in dialogs[0]
    screenshot(page, "promotions-3-scheduled")

    api = APIClient()
    web_shop = api_client_named("webshop")
    api.force_authenticate(web_shop.user, token=web_shop)
    body = order_payload(coupon_codes=["chemise20"],
                         lines=[{"sku": "CHE-OXF-BLE-M", "quantity": 2, "delivery": {"method": "ship_to_address"}}])  # fmt: skip
    response = api.post("/api/v1/orders/", body, format="json", HTTP_IDEMPOTENCY_KEY="promo-walk-1")
    assert response.status_code == 201, response.json()
    order = response.json()
    # 47.84 € of shirts, under the free-delivery threshold: home delivery adds 4.90 €.
    assert order["discount_total"] == "11.96" and order["total"] == "52.74"
    assert order["delivery_total"] == "4.90"
    assert order["lines"][0]["promotions"][0]["name"] == "Chemises -20 %"

    page.goto(f"{live_server.url}/promotions/")
    assert "11,96" in page.inner_text("[data-testid=promotions]")
    screenshot(page, "promotions-4-list-with-usage")
