import pytest

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def _nav_labels(page) -> list[str]:
    return [label.strip() for label in page.locator("[data-testid=nav] a").all_inner_texts()]


def test_sign_in_page(page, live_server, screenshot):
    page.goto(f"{live_server.url}/")
    assert "/accounts/sign-in/" in page.url
    assert page.get_by_role("heading", name="Se connecter").is_visible()
    screenshot(page, "sign-in")


def test_head_office_sees_the_network_and_admin(page, live_server, head_office, lyon, paris, screenshot):
    sign_in(page, live_server, "claire")
    assert _nav_labels(page) == [
        "Accueil",
        "Commandes",
        "Stock",
        "Reliquats",
        "Sourcing",
        "Promotions",
        "Sites",
        "API",
        "Clients d’API",
        "E-mails clients",
        "Administration",
    ]
    assert page.locator("[data-testid=count-store]").inner_text() == "2"
    screenshot(page, "home-head-office")
    page.locator("[data-testid=nav]").get_by_text("Sites").click()
    page.wait_for_url("**/locations/")
    with page.expect_response(lambda response: "q=lyon" in response.url):
        page.fill("input[name=q]", "lyon")
    page.wait_for_function("document.querySelectorAll('#results tbody tr').length === 1")
    assert "q=lyon" in page.url  # the filter is in the address, so it can be shared
    screenshot(page, "locations-head-office")
    page.click("#results >> text=ST-LYON")
    page.get_by_role("link", name="Modifier").click()
    page.fill("#id_hours_6", "11:00-18:00")
    page.fill("#id_reason", "ouverture dominicale")
    page.click("text=Enregistrer")
    assert "Site Lyon République enregistré." in page.inner_text(".messages")
    assert "11:00–18:00" in page.inner_text("[data-testid=opening-hours]")
    assert "ouverture dominicale" in page.inner_text("[data-testid=history]")
    screenshot(page, "location-detail-head-office")


def test_call_centre_sees_the_store_directory(page, live_server, call_centre, lyon, paris, screenshot):
    sign_in(page, live_server, "karim")
    assert _nav_labels(page) == ["Accueil", "Commandes", "Stock", "Reliquats", "Annuaire des magasins"]
    page.fill("input[name=q]", "Paris")
    page.click("main button[type=submit]")
    page.wait_for_url("**/locations/?*")
    assert page.locator("#results tbody tr").count() == 1
    screenshot(page, "store-directory-call-centre")


def test_store_associate_on_a_phone_sees_their_store_only(
    phone, live_server, lyon_associate, paris, screenshot
):
    sign_in(phone, live_server, "lea")
    assert _nav_labels(phone) == [
        "Accueil", "File de travail", "Remise", "Tableau de bord magasin", "Mon magasin", "Mon stock", "Commandes", "Stock"
    ]  # fmt: skip
    assert "Lyon République" in phone.inner_text("main")
    screenshot(phone, "home-store-associate-phone")
    # No horizontal scrolling on a phone.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    response = phone.goto(f"{live_server.url}/locations/{paris.code}/")
    assert response.status == 404


def test_language_switch(page, live_server, head_office, screenshot):
    sign_in(page, live_server, "claire")
    with page.expect_navigation():
        page.select_option("#language", "en")
    assert _nav_labels(page) == [
        "Home",
        "Orders",
        "Stock",
        "Backorders",
        "Sourcing",
        "Promotions",
        "Locations",
        "API",
        "API clients",
        "Customer e-mails",
        "Administration",
    ]
    screenshot(page, "home-head-office-en")
