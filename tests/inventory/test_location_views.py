import pytest
from django.urls import reverse

from inventory.models import Location

pytestmark = pytest.mark.django_db


def _form_data(**overrides):
    data = {
        "code": "ST-CAEN",
        "name": "Caen Saint-Pierre",
        "kind": "store",
        "address_line1": "50 rue Saint-Pierre",
        "postcode": "14000",
        "city": "Caen",
        "country": "FR",
        "latitude": "49.183100",
        "longitude": "-0.365200",
        "timezone": "Europe/Paris",
        "is_pickup_point": "on",
        "ships_to_customers": "on",
        "daily_capacity": "20",
        "order_cutoff_time": "16:00",
        "pickup_reminder_days": "3",
        "pickup_expiry_days": "10",
        "uncollected_ship_to_store": "restock",
        "sells_stock_online": "on",
        "is_active": "on",
        "hours_0": "",
        "hours_1": "09:30-12:30, 14:00-19:00",
        "hours_2": "09:30-12:30, 14:00-19:00",
        "hours_3": "09:30-12:30, 14:00-19:00",
        "hours_4": "09:30-12:30, 14:00-19:00",
        "hours_5": "09:30-19:00",
        "hours_6": "",
        "reason": "new store",
    }
    data.update(overrides)
    return data


def test_head_office_creates_a_location_from_the_form(client, head_office):
    client.force_login(head_office)
    response = client.post(reverse("inventory:location_create"), _form_data())
    assert response.status_code == 302
    location = Location.objects.get(code="ST-CAEN")
    assert location.opening_periods.count() == 9
    assert location.history.latest().history_user == head_office


def test_bad_form_shows_field_errors_and_writes_nothing(client, head_office):
    client.force_login(head_office)
    response = client.post(
        reverse("inventory:location_create"),
        _form_data(latitude="95", hours_1="09:30 to noon", code="lower case"),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "is not a time span" in response.text
    assert not Location.objects.exists()


def test_edit_keeps_code_and_shows_current_hours(client, head_office, lyon):
    client.force_login(head_office)
    page = client.get(reverse("inventory:location_edit", args=[lyon.code]))
    assert 'value="10:00-19:00"' in page.text
    response = client.post(
        reverse("inventory:location_edit", args=[lyon.code]),
        _form_data(code="HACKED", name="Lyon Part-Dieu", reason="renamed"),
    )
    assert response.status_code == 302
    lyon.refresh_from_db()
    assert lyon.code == "ST-LYON" and lyon.name == "Lyon Part-Dieu"


def test_list_search_answers_htmx_with_the_results_partial(client, head_office, lyon, paris):
    client.force_login(head_office)
    response = client.get(reverse("inventory:location_list"), {"q": "lyon"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "<html" not in response.text
    assert 'id="results"' in response.text
    assert lyon.code in response.text and paris.code not in response.text


def test_deactivate_from_the_detail_page(client, head_office, lyon):
    client.force_login(head_office)
    response = client.post(
        reverse("inventory:location_set_active", args=[lyon.code]), {"active": "0", "reason": "refit"}
    )
    assert response.status_code == 302
    lyon.refresh_from_db()
    assert not lyon.is_active
    page = client.get(reverse("inventory:location_detail", args=[lyon.code]))
    assert "refit" in page.text
