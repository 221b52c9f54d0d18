"""Head office's promotion pages: create, schedule, preview, stop, codes; by role."""

import pytest

from promotions.models import Promotion

pytestmark = pytest.mark.django_db

FORM = {
    "name": "Chemises -20 %", "kind": "line_percent", "percent": "20", "target_categories": "Chemises",
    "priority": "10", "stackable": "on",
}  # fmt: skip


@pytest.fixture
def office(client, head_office):
    client.force_login(head_office)
    client.cookies["django_language"] = "en"
    return client


def test_create_schedule_preview_and_stop(office, head_office, catalogue):
    response = office.post("/promotions/new/", FORM)
    promotion = Promotion.objects.get()
    assert (
        response.status_code == 302 and promotion.params == {"percent": "20"} and promotion.status == "draft"
    )
    assert (
        promotion.target_categories == ["Chemises"] and promotion.history.first().history_user == head_office
    )
    # no start date: going live at once needs saying so
    refused = office.post(f"/promotions/{promotion.pk}/activate/", follow=True).content.decode()
    assert "confirm that it starts now" in refused
    assert Promotion.objects.get(pk=promotion.pk).status == "draft"
    office.post(f"/promotions/{promotion.pk}/activate/", {"starts_now": "1"})
    promotion.refresh_from_db()
    assert promotion.status == "active" and promotion.phase == "live"
    page = office.get(f"/promotions/{promotion.pk}/", {"basket": "CHE-OXF-BLE-M 2\nJEA-SLI-IND-42 1", "channel": "web"},
                      headers={"HX-Request": "true"}).content.decode()  # fmt: skip
    assert "106.84" in page and "Chemises -20 %" in page
    office.post(f"/promotions/{promotion.pk}/stop/")
    promotion.refresh_from_db()
    assert promotion.status == "stopped" and promotion.ends_at is not None
    listing = office.get("/promotions/").content.decode()
    assert "Chemises -20 %" in listing and "Stopped" in listing


def test_a_kind_without_its_figures_is_refused_beside_the_field(office):
    page = office.post("/promotions/new/", {**FORM, "kind": "basket_amount", "percent": ""}).content.decode()
    assert "Needed for this kind of promotion." in page and not Promotion.objects.exists()


def test_generated_codes_download_as_csv(office, promotion):
    live = promotion()
    response = office.post(
        f"/promotions/{live.pk}/codes/", {"count": "25", "prefix": "noel", "uses_each": "1"}
    )
    rows = response.content.decode().splitlines()
    assert response["Content-Type"].startswith("text/csv") and len(rows) == 26
    assert rows[1].startswith("NOEL-") and live.coupon_codes.count() == 25
    live.refresh_from_db()
    assert live.requires_code


def test_only_head_office_manages_promotions(client, call_centre, lyon_associate):
    for user in (call_centre, lyon_associate):
        client.force_login(user)
        assert client.get("/promotions/").status_code == 403
        assert client.post("/promotions/new/", FORM).status_code == 403


def test_preview_names_the_bad_basket_lines(office, promotion, catalogue):
    live = promotion()
    page = office.get(f"/promotions/{live.pk}/", {"basket": "NOPE 2\nCHE-OXF-BLE-M deux", "channel": "web"},
                      headers={"HX-Request": "true"}).content.decode()  # fmt: skip
    assert "Line 1: unknown SKU or bad quantity. (NOPE)" in page and "Line 2: write the SKU" in page


def test_unknown_targets_and_dates_out_of_order_are_refused_in_words(office, catalogue):
    page = office.post(
        "/promotions/new/",
        {
            **FORM,
            "target_categories": "Chemises, Chaussettes",
            "target_skus": "NOPE-1",
            "target_products": "NOPE-P",
            "starts_at": "2026-12-10T09:00",
            "ends_at": "2026-12-01T09:00",
        },
    ).content.decode()
    assert "No product is in this category: Chaussettes." in page
    assert "Unknown SKU: NOPE-1." in page and "Unknown product: NOPE-P." in page
    assert "The end must come after the start." in page
    assert "promotion_window_in_order" not in page and not Promotion.objects.exists()


def test_the_phase_says_scheduled_live_or_ended_from_the_dates(office, catalogue):
    import datetime

    from django.utils import timezone

    now = timezone.now()
    future = Promotion.objects.create(
        name="Soldes", kind="line_percent", params={"percent": "10"}, status="active",
        starts_at=now + datetime.timedelta(days=3),
    )  # fmt: skip
    past = Promotion.objects.create(
        name="Rentrée", kind="line_percent", params={"percent": "10"}, status="active",
        starts_at=now - datetime.timedelta(days=30), ends_at=now - datetime.timedelta(days=1),
    )  # fmt: skip
    live = Promotion.objects.create(
        name="Tout", kind="line_percent", params={"percent": "5"}, status="active"
    )
    assert (future.phase, past.phase, live.phase) == ("scheduled", "ended", "live")
    listing = office.get("/promotions/").content.decode()
    assert "Scheduled" in listing and "Ended" in listing and "Live" in listing
    detail = office.get(f"/promotions/{future.pk}/").content.decode()
    assert 'data-testid="promotion-phase">Scheduled<' in detail


def test_a_start_date_already_past_asks_to_confirm_going_live_now(office, catalogue):
    import datetime

    from django.utils import timezone

    promotion = Promotion.objects.create(
        name="Hier",
        kind="line_percent",
        params={"percent": "10"},
        starts_at=timezone.now() - datetime.timedelta(days=1),
    )
    page = office.get(f"/promotions/{promotion.pk}/").content.decode()
    assert "Start now…" in page and "Schedule from" not in page
    office.post(f"/promotions/{promotion.pk}/activate/")
    assert Promotion.objects.get(pk=promotion.pk).status == "draft"
    office.post(f"/promotions/{promotion.pk}/activate/", {"starts_now": "1"})
    assert Promotion.objects.get(pk=promotion.pk).phase == "live"
