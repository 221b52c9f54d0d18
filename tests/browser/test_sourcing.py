"""The decision behind a split order, readable on its page; head office's dry run."""

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
def split_order(lyon, paris, head_office):
    warehouse = LocationFactory(
        code="WH-NAT", name="Entrepôt national", kind="warehouse", postcode="69400", city="Villefranche",
        latitude="45.989", longitude="4.718", is_pickup_point=False, hours=[],
    )  # fmt: skip
    trace = Trace(actor=head_office)
    jeans = SKUFactory(code="JEA-SLI-IND-42", name="Jean slim indigo 42")
    bag = SKUFactory(code="SAC-CUI-NOI", name="Sac cuir noir")
    inventory.stock_receive(sku=jeans, location=warehouse, quantity=12, trace=trace)
    inventory.stock_receive(sku=jeans, location=lyon, quantity=1, trace=trace)
    inventory.stock_receive(sku=bag, location=paris, quantity=4, trace=trace)
    order, _ = services.order_place(
        channel="web",
        customer={"email": "lea.martin@example.fr", "first_name": "Léa", "last_name": "Martin"},
        shipping_address=ADDRESS,
        lines=[line_request({"sku": "JEA-SLI-IND-42", "quantity": 1, "delivery": {"method": "ship_to_address"}}),
               line_request({"sku": "SAC-CUI-NOI", "quantity": 1, "delivery": {"method": "ship_to_address"}})],
        trace=Trace(channel="web"),
    )  # fmt: skip
    return order


def test_the_decision_behind_a_split_order_is_readable_on_its_page(
    page, live_server, call_centre, split_order, screenshot
):
    sign_in(page, live_server, "karim")
    page.goto(f"{live_server.url}/orders/{split_order.number}/")
    run = page.locator("[data-testid=sourcing-run]").first
    run.wait_for()
    text = run.inner_text()
    # two fulfilment orders: jeans from the warehouse, the bag from Paris, chosen by the standard strategy
    fulfilment = page.inner_text("[data-testid=fulfilment-orders]")
    assert f"{split_order.number}-1" in fulfilment and f"{split_order.number}-2" in fulfilment
    assert "Entrepôt national" in fulfilment and "Paris" in fulfilment
    assert "Décidé par" in text and "Standard" in text
    # the Lyon store's single pair of jeans is protected, and says so (reasons are recorded in
    # the language of the request that placed the order: English here)
    assert "last 1 units" in text
    assert "Distance" in text and "Coût d'expédition" in text
    page.locator("[data-testid=sourcing-run]").first.scroll_into_view_if_needed()
    screenshot(page, "sourcing-split-order-decision")


def test_head_office_simulates_a_basket(page, live_server, head_office, split_order, screenshot):
    sign_in(page, live_server, "claire")
    page.locator("[data-testid=nav]").get_by_text("Sourcing").click()
    page.fill("#id_basket", "JEA-SLI-IND-42 2\nSAC-CUI-NOI 1")
    page.fill("#id_postcode", "75001")
    with page.expect_response(lambda response: "dry-run" in response.url and response.ok):
        page.click("form.card button[type=submit]")
    results = page.locator("#results")
    results.locator("[data-testid=explanation]").wait_for()
    assert "sert tout" in results.inner_text()
    screenshot(page, "sourcing-dry-run")
