"""Every page a store associate reaches fits a 360 px phone, in French and in English: no
horizontal scrolling of the page (a wide table scrolls inside its own frame), and every item
of the navigation can be reached. Screenshots of each page are kept for review."""

import pytest

from inventory import services as inventory
from omni.trace import Trace
from orders import services
from tests.browser.conftest import sign_in
from tests.browser.test_store import lea, place  # noqa: F401 - the fixture, requested by name
from tests.factories import SKUFactory

pytestmark = pytest.mark.django_db(transaction=True)
WIDTH = 360


@pytest.fixture
def narrow_phone(browser):
    context = browser.new_context(
        viewport={"width": WIDTH, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="fr-FR",
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def _store_with_work(lyon):
    trace = Trace(note="stock")
    shirt = SKUFactory(
        code="CHE-OXF-BLE-M", name="Chemise Oxford manches longues bleu ciel", size="M", colour="Bleu ciel",
        category="Chemises",
    )  # fmt: skip
    polo = SKUFactory(
        code="POL-PIQ-ROU-L", name="Polo piqué rouge", size="L", colour="Rouge", category="Hauts"
    )
    for sku in (shirt, polo):
        inventory.stock_receive(sku=sku, location=lyon, quantity=6, trace=trace)
    pickup = {"method": "pickup_in_store", "pickup_location": "ST-LYON"}
    ready = place([{"sku": shirt.code, "quantity": 1, "delivery": pickup}]).fulfilment_orders.get()
    services.fulfilment_order_make_ready(fulfilment_order=ready, trace=Trace())
    picking = place(
        [{"sku": polo.code, "quantity": 2, "delivery": {"method": "ship_to_address"}},
         {"sku": shirt.code, "quantity": 1, "delivery": {"method": "ship_to_address"}}]
    ).fulfilment_orders.get()  # fmt: skip
    services.fulfilment_order_acknowledge(fulfilment_order=picking, trace=Trace())
    inventory.count_task_raise(sku_id=polo.pk, location_id=lyon.pk, reason="not_found", trace=Trace())
    return ready, picking, shirt


def _overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


@pytest.mark.parametrize("language", ["fr", "en"])
def test_no_store_page_scrolls_sideways_at_360_px(narrow_phone, live_server, lea, lyon, screenshot, language):  # noqa: F811
    phone = narrow_phone
    ready, picking, shirt = _store_with_work(lyon)
    sign_in(phone, live_server, "lea")
    phone.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    pages = {
        "queue": "/store/",
        "handover": "/store/handover/",
        "handover-search": "/store/handover/?q=Roux",
        "dashboard": "/store/dashboard/",
        "work-ready": f"/store/work/{ready.number}/",
        "work-picking": f"/store/work/{picking.number}/",
        "pick": f"/store/work/{picking.number}/pick/",
        "counts": "/store/counts/",
        "my-store": "/locations/ST-LYON/",
        "my-stock": "/locations/ST-LYON/stock/",
        "stock-search": "/stock/",
        "sku-stock": f"/stock/{shirt.code}/",
        "stock-level": f"/stock/{shirt.code}/at/ST-LYON/",
        "orders": "/orders/",
        "order": f"/orders/{ready.order.number}/",
    }
    too_wide = {}
    for name, path in pages.items():
        response = phone.goto(f"{live_server.url}{path}")
        assert response.status == 200, (name, response.status)
        phone.wait_for_load_state("networkidle")
        assert phone.evaluate("document.documentElement.lang") == language
        width = _overflow(phone)
        if width > WIDTH:
            too_wide[name] = width
        screenshot(phone, f"phone360-{language}-{name}")
    assert too_wide == {}, too_wide

    # The handover without a code, opened: its form fits too.
    phone.goto(f"{live_server.url}/store/work/{ready.number}/")
    phone.click("[data-testid=no-code] summary")
    phone.locator("[data-testid=collect-without-code]").wait_for()
    assert _overflow(phone) <= WIDTH
    screenshot(phone, f"phone360-{language}-work-ready-no-code")

    # Every navigation entry can be reached and is visible once scrolled to.
    phone.goto(f"{live_server.url}/store/")
    links = phone.locator("[data-testid=nav] a")
    assert links.count() >= 7
    for index in range(links.count()):
        link = links.nth(index)
        link.scroll_into_view_if_needed()
        box = link.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= WIDTH + 1, link.inner_text()
        assert link.is_visible()
    assert _overflow(phone) <= WIDTH
