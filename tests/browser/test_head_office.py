"""Head office at a desk (1440×900), in French and in English: today's figures on the home
page lead to the lists that show them; the orders list sorts, filters by store and exports;
an unknown page stays in the site's frame."""

import datetime
from unittest import mock

import pytest
from django.utils import timezone

from inventory import services as inventory
from omni.trace import Trace
from orders import services
from orders.api import line_request
from orders.models import FulfilmentOrder
from tests.browser.conftest import sign_in
from tests.factories import SKUFactory
from tests.orders.conftest import ADDRESS

pytestmark = pytest.mark.django_db(transaction=True)

WORDS = {
    "fr": {
        "late": "En retard",
        "export": "Exporter en CSV",
        "not_found": "Retour à l’accueil",
        "server_error": "Une erreur est survenue",
    },
    "en": {
        "late": "Late",
        "export": "Export CSV",
        "not_found": "Back to home",
        "server_error": "Something went wrong",
    },
}


@pytest.fixture
def today(lyon, head_office):
    """Three web orders and one by phone today; one of the web orders is late at Lyon."""
    sku = SKUFactory(code="CHE-OXF-BLE-M", name="Chemise Oxford bleu M", price="49.90")
    inventory.stock_receive(sku=sku, location=lyon, quantity=20, trace=Trace(actor=head_office))
    placed = []
    for channel, quantity in (("web", 1), ("web", 3), ("web", 2), ("call_centre", 1)):
        order, _ = services.order_place(
            channel=channel,
            customer={"email": f"client{len(placed)}@example.fr", "first_name": "Léa", "last_name": "Martin"},
            shipping_address=ADDRESS,
            lines=[line_request({"sku": sku.code, "quantity": quantity,
                                 "delivery": {"method": "pickup_in_store", "pickup_location": lyon.code}})],
            trace=Trace(channel=channel),
        )  # fmt: skip
        placed.append(order)
    FulfilmentOrder.objects.filter(order=placed[1]).update(
        due_at=timezone.now() - datetime.timedelta(hours=1)
    )
    return placed


@pytest.fixture
def desk(browser, request):
    language = request.param

    def _open():
        context = browser.new_context(
            viewport={"width": 1440, "height": 900}, locale="fr-FR" if language == "fr" else "en-GB",
            accept_downloads=True,
        )  # fmt: skip
        page = context.new_page()
        page.set_default_timeout(15_000)
        errors = []
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        return context, page, errors

    context, page, errors = _open()
    yield language, page, errors
    context.close()


@pytest.mark.parametrize("desk", ["fr", "en"], indirect=True)
def test_head_office_goes_from_todays_figures_to_the_lists(desk, live_server, today, screenshot):
    language, page, errors = desk
    words = WORDS[language]
    sign_in(page, live_server, "claire")
    page.goto(f"{live_server.url}/")
    web = page.inner_text("[data-testid=channel-web]")
    assert "3" in web
    assert words["late"] in page.inner_text("[data-testid=work-by-location]")
    screenshot(page, f"head-office-home-{language}")

    # the late figure of Lyon opens the orders late there
    page.click("[data-testid=work-ST-LYON] a.bad")
    page.wait_for_load_state("networkidle")
    assert "work=late" in page.url and "store=ST-LYON" in page.url
    assert page.locator("[data-testid=orders] tbody tr").count() == 1
    assert today[1].number in page.inner_text("[data-testid=orders]")
    assert page.input_value("select[name=store]") == "ST-LYON"

    # every order of the day at Lyon, dearest first (a click on Total, then another)
    page.select_option("select[name=work]", "")
    page.wait_for_function("document.querySelectorAll('[data-testid=orders] tbody tr').length == 4")
    page.click("[data-testid=sort-total] a")
    page.wait_for_function("location.search.includes('sort=-total')")
    page.click("[data-testid=sort-total] a")
    page.wait_for_function(
        "location.search.includes('sort=total') && !location.search.includes('sort=-total')"
    )
    first = page.locator("[data-testid=orders] tbody tr").first.inner_text()
    assert today[0].number in first or today[3].number in first  # one of the one-shirt orders
    page.reload()
    assert page.locator("[data-testid=nav]").count() == 1  # the whole page again, not a fragment
    assert page.get_attribute("[data-testid=sort-total]", "aria-sort") == "ascending"
    screenshot(page, f"orders-list-sorted-by-store-{language}")

    with page.expect_download() as download:
        page.click(f"text={words['export']}")
    body = open(download.value.path(), encoding="utf-8").read()  # noqa: PTH123, SIM115
    assert body.startswith("\ufeff") and body.count("\n") == 5 and ";" in body

    page.goto(f"{live_server.url}/no-such-page/")
    assert words["not_found"] in page.inner_text("main") and page.locator("[data-testid=nav]").count() == 1
    screenshot(page, f"not-found-{language}")

    with mock.patch("omni.views.network_summary", side_effect=RuntimeError("boom")):
        page.goto(f"{live_server.url}/")
    assert words["server_error"] in page.inner_text("main") and "boom" not in page.content()
    screenshot(page, f"server-error-{language}")
    page.click(f"text={words['not_found']}")  # the way back (the home page answers again)
    assert words["export"] not in page.inner_text("main") and page.locator("[data-testid=nav]").count() == 1
    # the 404 and 500 answers themselves are the only console errors
    assert [e for e in errors if "404" not in e and "500" not in e] == []
