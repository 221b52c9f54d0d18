import datetime

import pytest

from inventory import services as inventory
from inventory.models import BackorderPolicy
from omni.trace import Trace
from orders import services
from orders.api import line_request
from tests.browser.conftest import place_order, sign_in
from tests.factories import SKUFactory
from tests.orders.conftest import ADDRESS

pytestmark = pytest.mark.django_db(transaction=True)

SUPPLY = datetime.date(2031, 3, 2)


@pytest.fixture
def backordered(lyon, head_office):
    sku = SKUFactory(code="PUL-MER-GRI-M", name="Pull mérinos gris M", category="Pulls")
    inventory.stock_receive(sku=sku, location=lyon, quantity=1, trace=Trace(actor=head_office))
    inventory.backorder_policy_set(
        category="Pulls", mode=BackorderPolicy.Mode.BACKORDER, expected_date=SUPPLY
    )
    order, _ = services.order_place(
        channel="web",
        customer={"email": "lea.martin@example.fr", "first_name": "Léa", "last_name": "Martin"},
        shipping_address=ADDRESS,
        lines=[line_request({"sku": sku.code, "quantity": 3, "delivery": {"method": "ship_to_address"}})],
        trace=Trace(channel="web"),
    )
    return order


def test_agent_sees_backorders_with_their_supply_dates(
    page, live_server, call_centre, backordered, screenshot
):
    sign_in(page, live_server, "karim")
    page.goto(f"{live_server.url}/orders/backorders/")
    row = page.inner_text("[data-testid=backorders] tbody")
    assert backordered.number in row and "02/03/2031" in row
    screenshot(page, "backorder-queue-supply-dates")
    page.click(f"text={backordered.number}")
    waiting = page.inner_text("[data-testid=backordered]")
    assert "en reliquat" in waiting and "approvisionnement attendu le 02/03/2031" in waiting
    screenshot(page, "order-detail-backorder-supply-date")


def test_agent_is_told_an_unknown_postcode_beside_its_field(page, live_server, call_centre, lyon, screenshot):
    SKUFactory(code="CHE-OXF-BLE-M", name="Chemise Oxford bleu M")
    sign_in(page, live_server, "karim")
    page.goto(f"{live_server.url}/orders/new/")
    page.fill("input[name=phone]", "07 98 76 54 32")
    page.fill("input[name=last_name]", "Durand")
    page.fill("input[name='lines-0-sku']", "CHE-OXF-BLE-M")
    page.select_option("select[name=method]", "ship_to_address")
    page.fill("input[name=line1]", "12 rue Mercière")
    page.fill("input[name=postcode]", "99999")
    page.fill("input[name=city]", "Lyon")
    page.fill("input[name=payment_reference]", "TPE-4411")
    place_order(page)
    page.wait_for_selector("text=Code postal français inconnu : 99999.")
    screenshot(page, "order-entry-unknown-postcode")
