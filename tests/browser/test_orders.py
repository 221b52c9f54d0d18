import pytest

from inventory import services as inventory
from omni.trace import Trace
from orders import services
from orders.api import line_request
from tests.browser.conftest import sign_in
from tests.factories import LocationFactory, SKUFactory
from tests.orders.conftest import ADDRESS

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def order(lyon, paris, head_office):
    sku = SKUFactory(code="CHE-OXF-BLE-M", name="Chemise Oxford bleu M")
    marseille = LocationFactory(
        code="ST-MARS",
        name="Marseille Vieux-Port",
        city="Marseille",
        postcode="13001",
        latitude="43.2965",
        longitude="5.3698",
    )
    for location in (lyon, paris, marseille):
        inventory.stock_receive(sku=sku, location=location, quantity=3, trace=Trace(actor=head_office))
    placed, _ = services.order_place(
        channel="web",
        customer={"email": "lea.martin@example.fr", "phone": "06 12 34 56 78", "first_name": "Léa", "last_name": "Martin"},
        shipping_address=ADDRESS,
        lines=[line_request({"sku": sku.code, "quantity": 1, "delivery": {"method": "pickup_in_store", "pickup_location": "ST-LYON"}})],
        trace=Trace(channel="web"),
    )  # fmt: skip
    services.order_place(
        channel="web",
        customer={"email": "other@example.fr", "phone": "07 81 22 33 44", "last_name": "Autre"},
        shipping_address=ADDRESS,
        lines=[line_request({"sku": sku.code, "quantity": 1, "delivery": {"method": "ship_to_address"}})],
        trace=Trace(channel="web"),
    )
    return placed


def test_agent_finds_an_order_by_phone_and_moves_its_pickup(
    page, live_server, call_centre, order, screenshot
):
    # given an agent on the orders page
    sign_in(page, live_server, "karim")
    page.locator("[data-testid=nav]").get_by_text("Commandes").click()

    # when they type the customer's phone number as the customer says it
    with page.expect_response(lambda response: "q=" in response.url and response.ok):
        page.fill("[data-testid=order-search]", "06 12 34 56 78")
    page.locator("[data-testid=pager-count]", has_text="1 résultat").wait_for()  # swapped in
    results = page.inner_text("#results")
    assert order.number in results and "Autre" not in results  # only this customer's orders
    screenshot(page, "order-search-call-centre")
    page.click(f"#results >> text={order.number}")

    # and move the pickup to Marseille
    page.locator("[data-testid=change-line-1] summary").click()
    page.select_option(
        "[data-testid=change-line-1] select[name='delivery-1-pickup_location']",
        label="Marseille · Marseille Vieux-Port",
    )
    page.fill("[data-testid=change-line-1] input[name='delivery-1-reason']", "La cliente déménage")
    page.locator("[data-testid=change-line-1]").get_by_role("button", name="Changer la livraison").click()

    # then the line is collected in Marseille, allocated there, and the timeline says so
    page.wait_for_selector(".messages")
    assert "Marseille Vieux-Port" in page.inner_text("[data-testid=line-1] [data-testid=delivery]")
    timeline = page.inner_text("[data-testid=timeline]")
    assert "Mode de livraison modifié" in timeline
    assert "Marseille Vieux-Port" in timeline and "La cliente déménage" in timeline
    screenshot(page, "order-detail-after-pickup-change")


def test_store_associate_reads_their_stores_orders_on_a_phone(
    phone, live_server, lyon_associate, order, screenshot
):
    sign_in(phone, live_server, "lea")
    phone.goto(f"{live_server.url}/orders/")
    assert order.number in phone.inner_text("[data-testid=orders]")
    phone.click(f"text={order.number}")
    assert phone.locator("[data-testid=change-line-1]").count() == 0  # reading, not changing
    screenshot(phone, "order-detail-store-associate-phone")


def test_agent_takes_an_order_on_the_phone(page, live_server, call_centre, order, screenshot):
    sign_in(page, live_server, "karim")
    page.goto(f"{live_server.url}/orders/new/")
    with page.expect_response(lambda response: "q=" in response.url):
        page.fill("#sku-lookup", "CHE-OXF")
    assert "CHE-OXF-BLE-M" in page.inner_text("#sku-results")
    # Enter in the search adds the article it points at; it never places the order
    page.locator("#sku-lookup").press("ArrowDown")
    page.locator("#sku-lookup").press("Enter")
    assert page.input_value("input[name='lines-0-sku']") == "CHE-OXF-BLE-M"
    assert page.url.endswith("/orders/new/")
    # a click on a result of the same article adds one more; the stepper takes one off
    page.locator("[data-testid=add-CHE-OXF-BLE-M]").click()
    assert page.input_value("input[name='lines-0-quantity']") == "2"
    page.locator("[data-testid=entry-line] [data-step='-1']").first.click()
    assert page.input_value("input[name='lines-0-quantity']") == "1"
    page.fill("input[name=phone]", "07 98 76 54 32")
    page.fill("input[name=last_name]", "Durand")
    page.select_option("select[name=method]", "pickup_in_store")
    page.select_option("select[name=pickup_location]", label="Paris · Paris Rivoli")
    page.fill("input[name=payment_reference]", "TPE-4411")
    # the basket is read back live, with its total
    page.locator("[data-testid=summary-total]").wait_for()
    assert "€" in page.inner_text("[data-testid=summary-total]")
    # any number of lines
    page.locator("[data-testid=add-line]").click()
    assert page.locator("[data-testid=entry-line]").count() == 2
    screenshot(page, "order-entry-call-centre")
    page.get_by_role("button", name="Vérifier la commande").click()
    page.locator("[data-testid=confirm-order]").wait_for()
    assert page.inner_text("[data-testid=entry-summary] h2") == "Relisez-la au client"
    screenshot(page, "order-entry-read-back")
    page.locator("[data-testid=confirm-order]").click()
    page.wait_for_selector("[data-testid=order-status]")
    assert "Confirmée" in page.inner_text("[data-testid=order-status]")
    assert "Paris Rivoli" in page.inner_text("[data-testid=lines]")


def test_back_after_a_live_search_shows_the_whole_page(page, live_server, call_centre, order, screenshot):
    sign_in(page, live_server, call_centre.username)
    page.goto(f"{live_server.url}/orders/")
    page.fill("[data-testid=order-search]", "Martin")
    page.wait_for_url("**/orders/?q=Martin*")
    page.locator("[data-testid=orders] a", has_text=order.number).click()
    page.wait_for_url(f"**/orders/{order.number}/")
    page.go_back()
    page.wait_for_load_state("networkidle")
    # the whole page: its menu and search form, and the results of the search
    assert page.locator("nav").first.is_visible()
    assert page.locator("[data-testid=order-search]").input_value() == "Martin"
    assert page.locator("[data-testid=orders] a", has_text=order.number).is_visible()
    page.reload()  # and a reload of the pushed URL too
    assert page.locator("nav").first.is_visible() and page.locator("[data-testid=orders]").is_visible()
    screenshot(page, "orders-back-after-search")
