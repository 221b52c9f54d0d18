"""A relay-point order from capture to the store's pick list (issue 15): the call centre takes
it on the phone with the relay point, the requested date and slot and the instructions; the
order shows its delivery fee; the Lyon store's work page and pick list show the relay point,
never the customer's home."""

import datetime

import pytest

from inventory import services as inventory
from omni.trace import Trace
from orders.models import Order
from tests.browser.conftest import place_order, sign_in
from tests.factories import SKUFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_relay_point_order_from_capture_to_the_pick_list(
    page, phone, live_server, call_centre, lyon_associate, lyon, screenshot
):
    polo = SKUFactory(code="POL-PIQ-ROU-L", name="Polo piqué rouge", size="L", colour="Rouge", category="Polos",
                      price="35.00")  # fmt: skip
    inventory.stock_receive(sku=polo, location=lyon, quantity=4, trace=Trace(note="stock"))
    day = datetime.date.today() + datetime.timedelta(days=3)

    # the call centre takes the order on the phone
    sign_in(page, live_server, "karim")
    page.goto(f"{live_server.url}/orders/new/")
    page.fill("input[name=email]", "camille.roux@example.fr")
    page.fill("input[name=last_name]", "Roux")
    page.fill("input[name='lines-0-sku']", polo.code)
    page.select_option("select[name=method]", "ship_to_relay")
    for field, value in (("relay_id", "MR-069123"), ("relay_name", "Tabac de la Place"),
                         ("relay_carrier", "Mondial Relay"), ("relay_line1", "4 place des Terreaux"),
                         ("relay_postcode", "69001"), ("relay_city", "Lyon")):  # fmt: skip
        page.fill(f"input[name={field}]", value)
    page.fill("input[name=requested_date]", day.isoformat())
    page.fill("input[name=slot_start]", "09:00")
    page.fill("input[name=slot_end]", "12:00")
    page.fill("input[name=instructions]", "Fragile, merci")
    page.fill("input[name=line1]", "8 cours Gambetta")
    page.fill("input[name=postcode]", "69003")
    page.fill("input[name=city]", "Lyon")
    page.fill("input[name=payment_reference]", "TPE-4412")
    screenshot(page, "relay-1-order-entry")
    place_order(page)
    page.wait_for_selector("[data-testid=order-status]")
    assert "Tabac de la Place" in page.inner_text("[data-testid=relay-point-1]")
    # 35.00 under the free-delivery threshold: the relay point costs 2.90 €, in the total.
    assert "2,90" in page.inner_text("[data-testid=delivery-charges]")
    assert "37,90" in page.inner_text(".stat")
    screenshot(page, "relay-2-order-detail")
    order = Order.objects.get()
    fo = order.fulfilment_orders.get()
    assert fo.location == lyon

    # the Lyon store prepares it: the relay point, never the home address
    sign_in(phone, live_server, "lea")
    phone.goto(f"{live_server.url}/store/")
    phone.click(f"[data-testid=work-{fo.number}]")
    relay = phone.inner_text("[data-testid=relay-point]")
    assert "Tabac de la Place" in relay and "4 place des Terreaux" in relay and "Mondial Relay" in relay
    assert "8 cours Gambetta" not in phone.content()
    assert "09:00–12:00" in phone.inner_text("[data-testid=requested-delivery]")
    screenshot(phone, "relay-3-store-work")
    phone.click("[data-testid=acknowledge]")
    phone.click("[data-testid=pick]")
    phone.wait_for_selector("[data-testid=pick-list]")
    delivery = phone.inner_text("[data-testid=pick-delivery]")
    assert "Tabac de la Place" in delivery and "Fragile, merci" in delivery
    screenshot(phone, "relay-4-pick-list")
