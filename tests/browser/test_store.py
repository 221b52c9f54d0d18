"""Store associates on a phone: a click & collect order from acknowledgement to handover, and
a ship-from-store order picked with one unit missing (rerouted) then shipped."""

from decimal import Decimal

import pytest

from inventory import services as inventory
from omni.trace import Trace
from orders import services
from orders import services as sourcing
from orders.api import line_request
from orders.models import FulfilmentOrder
from tests.browser.conftest import sign_in
from tests.factories import LocationFactory, SKUFactory, StoreAssociateFactory
from tests.orders.conftest import ADDRESS

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def lea(lyon):
    return StoreAssociateFactory(username="lea", first_name="Léa", last_name="Moreau", store=lyon)


def place(lines):
    order, _ = services.order_place(
        channel="web",
        customer={"email": "camille.roux@example.fr", "first_name": "Camille", "last_name": "Roux"},
        shipping_address=ADDRESS,
        lines=[line_request(line) for line in lines],
        trace=Trace(channel="web"),
    )
    return order


def test_click_and_collect_from_acknowledgement_to_handover(phone, live_server, lea, lyon, screenshot):
    trace = Trace(note="stock")
    shirt = SKUFactory(
        code="CHE-OXF-BLE-M", name="Chemise Oxford bleu", size="M", colour="Bleu", category="Chemises"
    )
    inventory.stock_receive(sku=shirt, location=lyon, quantity=3, trace=trace)
    order = place(
        [
            {
                "sku": shirt.code,
                "quantity": 1,
                "delivery": {"method": "pickup_in_store", "pickup_location": "ST-LYON"},
            }
        ]
    )
    fo = order.fulfilment_orders.get()

    sign_in(phone, live_server, "lea")
    phone.goto(f"{live_server.url}/store/")
    phone.locator(f"[data-testid=work-{fo.number}]").wait_for()
    screenshot(phone, "store-1-queue")
    phone.click(f"[data-testid=work-{fo.number}]")
    screenshot(phone, "store-2-new-work")
    phone.click("[data-testid=acknowledge]")
    phone.click("[data-testid=pick]")
    phone.fill("[data-testid=ean]", "3000000099999")
    phone.click("[data-testid=scan]")
    phone.locator("[data-testid=scan-error]").wait_for()
    assert "Mauvais article" in phone.inner_text("[data-testid=scan-error]")
    screenshot(phone, "store-3-pick-wrong-item")
    phone.fill("[data-testid=ean]", shirt.ean)
    phone.click("[data-testid=scan]")
    phone.wait_for_function(
        "document.querySelector('[data-testid=pick-progress]').innerText.startsWith('1 / 1')"
    )
    phone.click("[data-testid=finish-picking]")
    phone.click("[data-testid=make-ready]")
    phone.locator("[data-testid=pickup-code-input]").wait_for()
    fo.refresh_from_db()
    code = fo.pickup_code  # the customer's, from their e-mail: never on the associate's screen
    assert len(code) == 6 and code not in phone.content()
    screenshot(phone, "store-4-ready-code-to-type")

    # The customer taps "I'm here" in the web shop: the queue shows it by itself (polling).
    phone.goto(f"{live_server.url}/store/")
    sourcing.order_customer_arrived(order=order, parking_spot="12", trace=Trace(channel="web"))
    phone.locator("[data-testid=waiting-customers]").wait_for(timeout=25_000)
    assert "12" in phone.inner_text("[data-testid=waiting-customers]")
    phone.locator("[data-testid=new-badge]").wait_for()
    screenshot(phone, "store-5-customer-waiting")

    # A wrong code first: refused, with the tries left.
    phone.goto(f"{live_server.url}/store/work/{fo.number}/")
    phone.fill("[data-testid=pickup-code-input]", "000000" if code != "000000" else "111111")
    phone.click("[data-testid=collect]")
    phone.locator("[data-testid=wrong-codes]").wait_for()
    assert "4 essais" in phone.inner_text("[data-testid=wrong-codes]")
    screenshot(phone, "store-6a-wrong-code")
    # The customer's code, scanned into the handover search, opens the order with it typed in.
    phone.goto(f"{live_server.url}/store/handover/")
    phone.fill("[data-testid=handover-search]", code)
    phone.keyboard.press("Enter")
    phone.locator("[data-testid=handover-panel]").wait_for()
    assert phone.input_value("[data-testid=pickup-code-input]") == code
    screenshot(phone, "store-6-handover")
    phone.click("[data-testid=collect]")
    phone.wait_for_load_state("networkidle")
    fo.refresh_from_db()
    assert fo.status == FulfilmentOrder.Status.COLLECTED
    assert order.lines.get().status == "collected"
    names = set(order.events.filter(actor=lea).values_list("kind", flat=True))
    assert {"fo_acknowledged", "fo_picked", "ready_for_pickup", "collected"} <= names


def test_ship_from_store_with_one_short_pick(phone, live_server, lea, lyon, paris, screenshot):
    trace = Trace(note="stock")
    polo = SKUFactory(code="POL-PIQ-ROU-L", name="Polo piqué rouge", size="L", colour="Rouge", category="Hauts",
                      price=Decimal("35.00"))  # fmt: skip
    belt = SKUFactory(
        code="CEI-CUI-MAR", name="Ceinture cuir marron", size="90", colour="Marron", category="Accessoires"
    )
    for sku in (polo, belt):
        inventory.stock_receive(sku=sku, location=lyon, quantity=5, trace=trace)
        inventory.stock_receive(sku=sku, location=paris, quantity=5, trace=trace)
    LocationFactory(code="ST-MARS", name="Marseille Prado", postcode="13008", city="Marseille")
    order = place([{"sku": polo.code, "quantity": 2, "delivery": {"method": "ship_to_address"}},
                   {"sku": belt.code, "quantity": 1, "delivery": {"method": "ship_to_address"}}])  # fmt: skip
    fo = order.fulfilment_orders.get()
    assert fo.location == lyon

    sign_in(phone, live_server, "lea")
    phone.goto(f"{live_server.url}/store/work/{fo.number}/")
    phone.click("[data-testid=acknowledge]")
    phone.click("[data-testid=pick]")
    screenshot(phone, "store-7-pick-list-by-department")
    for ean in (polo.ean, belt.ean):
        phone.fill("[data-testid=ean]", ean)
        phone.click("[data-testid=scan]")
        phone.wait_for_function(
            "document.querySelector('[data-testid=pick-progress]').innerText.startsWith('%s / 3')"
            % (1 if ean == polo.ean else 2)
        )
    phone.select_option("select[name=reason]", index=2)
    screenshot(phone, "store-8-short-pick")
    phone.click("[data-testid=finish-picking]")
    phone.locator("[data-testid=pack]").wait_for()
    assert "manquant" in phone.inner_text("main")
    phone.fill("input[name=weights]", "0,9")
    phone.click("[data-testid=pack]")
    phone.select_option("select[name=carrier]", "Colissimo")
    phone.fill("input[name=tracking_number]", "6A12345678")
    screenshot(phone, "store-9-ship")
    phone.click("[data-testid=ship]")
    phone.wait_for_load_state("networkidle")
    screenshot(phone, "store-10-shipped")
    fo.refresh_from_db()
    assert fo.status == FulfilmentOrder.Status.SHIPPED and fo.tracking_number == "6A12345678"
    rerouted = order.fulfilment_orders.exclude(pk=fo.pk).get()
    assert rerouted.location == paris and rerouted.lines.get().quantity == 1
    assert "short_picked" in order.events.filter(actor=lea).values_list("kind", flat=True)

    phone.goto(f"{live_server.url}/store/dashboard/")
    assert phone.locator("[data-testid=today] .stat").last.inner_text() == "1"  # done today
    screenshot(phone, "store-11-dashboard")
