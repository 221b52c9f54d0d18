import pytest

from inventory import services
from inventory.models import StockLevel
from omni.trace import Trace
from tests.browser.conftest import sign_in
from tests.factories import LocationFactory, SKUFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def stocked(lyon, paris, head_office):
    sku = SKUFactory(code="CHE-OXF-BLE1-M", name="Chemise Oxford bleu ciel M", colour="Bleu ciel", size="M")
    warehouse = LocationFactory(
        code="WH-NAT", name="Entrepôt national", kind="warehouse", latitude="45.6409", longitude="5.1116"
    )
    for location, units in ((lyon, 4), (paris, 2), (warehouse, 120)):
        services.stock_receive(sku=sku, location=location, quantity=units, trace=Trace(actor=head_office))
    services.stock_reserve(
        sku=sku,
        location=lyon,
        quantity=1,
        holder_type="order_line",
        holder_ref="CMD-1",
        trace=Trace(),
    )
    return sku


def test_head_office_finds_a_sku_and_sees_the_whole_network(
    page, live_server, head_office, stocked, lyon, screenshot
):
    sign_in(page, live_server, "claire")
    page.locator("[data-testid=nav]").get_by_text("Stock").click()
    with page.expect_response(lambda response: "q=" in response.url):
        page.fill("input[name=q]", stocked.ean)
    page.click(f"#results >> text={stocked.code}")
    page.select_option("select[name=from]", lyon.code)
    page.wait_for_url("**from=ST-LYON")
    assert page.inner_text("[data-testid=total-atp]") == "125"
    rows = page.locator("[data-testid=network-stock] tbody tr")
    assert rows.count() == 3
    assert "0 km" in rows.first.inner_text()
    screenshot(page, "sku-network-head-office")


def test_store_associate_receives_stock_on_a_phone(
    phone, live_server, lyon_associate, stocked, lyon, screenshot
):
    sign_in(phone, live_server, "lea")
    phone.goto(f"{live_server.url}/stock/{stocked.code}/at/{lyon.code}/")
    assert phone.inner_text("[data-testid=atp]") == "3"
    form = phone.locator("[data-testid=form-receive]")
    form.locator("input[name=receive-quantity]").fill("5")
    form.locator("input[name=receive-reference]").fill("BL-2026-118")
    form.locator("button[type=submit]").click()
    phone.wait_for_load_state("networkidle")
    assert phone.inner_text("[data-testid=atp]") == "8"
    assert "BL-2026-118" in phone.locator("[data-testid=movements]").text_content()  # column hidden on phones
    screenshot(phone, "stock-level-store-associate-phone")
    phone.goto(f"{live_server.url}/locations/{lyon.code}/stock/")
    screenshot(phone, "location-stock-store-associate-phone")


def test_head_office_import_shows_progress_and_errors(
    page, live_server, head_office, stocked, lyon, screenshot, tmp_path
):
    sign_in(page, live_server, "claire")
    page.goto(f"{live_server.url}/stock/import/")
    bad = tmp_path / "stock.csv"
    bad.write_text(f"sku;on_hand\n{stocked.code};7\nINCONNU;2\n{stocked.code}-X;abc\n", encoding="utf-8")
    page.set_input_files("input[name=file]", str(bad))
    page.select_option("select[name=mode]", "snapshot")
    page.select_option("select[name=location]", str(lyon.pk))
    page.click("main button[type=submit]")
    page.wait_for_selector("[data-testid=import-errors]")
    assert "INCONNU" in page.inner_text("[data-testid=import-errors]")
    screenshot(page, "stock-import-rejected")


def test_head_office_sees_what_an_import_changes_before_confirming_it(
    page, live_server, head_office, stocked, lyon, screenshot, tmp_path
):
    # given Lyon also holds a SKU the file leaves out
    other = SKUFactory(code="PULL-COL-V-L", name="Pull col V marine L")
    services.stock_receive(sku=other, location=lyon, quantity=6, trace=Trace(actor=head_office))
    sign_in(page, live_server, "claire")
    page.goto(f"{live_server.url}/stock/import/")
    snapshot = tmp_path / "inventaire-lyon.csv"
    snapshot.write_text(f"sku;on_hand\n{stocked.code};7\n", encoding="utf-8")
    page.set_input_files("input[name=file]", str(snapshot))
    page.select_option("select[name=mode]", "snapshot")
    page.select_option("select[name=location]", str(lyon.pk))
    # when the file is uploaded
    page.click("main button[type=submit]")
    # then the preview says what it would do, and nothing changed yet
    page.wait_for_selector("[data-testid=import-preview]")
    assert page.inner_text("[data-testid=preview-zeroed]") == "1"
    assert other.code in page.inner_text("[data-testid=preview-zeroed-skus]")
    confirm = page.locator("[data-testid=confirm-import]")
    assert confirm.inner_text() == "Appliquer 1 changement, mettre 1 SKU à zéro"
    assert StockLevel.objects.get(sku=other, location=lyon).on_hand == 6
    screenshot(page, "stock-import-preview")
    # when head office confirms
    confirm.click()
    page.wait_for_selector("[data-testid=import-status]:has-text('Appliqué')")
    levels = dict(StockLevel.objects.filter(location=lyon).values_list("sku__code", "on_hand"))
    assert levels == {stocked.code: 7, other.code: 0}
    screenshot(page, "stock-import-applied")


def test_back_after_a_stock_search_shows_the_whole_page(page, live_server, call_centre, stocked):
    sign_in(page, live_server, call_centre.username)
    page.goto(f"{live_server.url}/stock/")
    page.fill("input[name=q]", "oxford")
    page.wait_for_url("**/stock/?q=oxford*")
    page.click(f"#results >> text={stocked.code}")
    page.wait_for_url(f"**/{stocked.code}/**")
    page.go_back()
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=nav]").is_visible()
    assert page.locator("input[name=q]").input_value() == "oxford"
    assert page.locator("#results", has_text=stocked.code).is_visible()
    page.reload()
    assert page.locator("[data-testid=nav]").is_visible() and page.locator("#results").is_visible()
