"""Each role sees what is theirs; a store associate nothing of another store."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_anonymous_api_call_is_refused(api_client):
    assert api_client.get("/api/v1/locations/").status_code == 401


def test_store_associate_sees_own_store_page(client, lyon_associate, lyon):
    client.force_login(lyon_associate)
    response = client.get(reverse("inventory:location_detail", args=[lyon.code]))
    assert response.status_code == 200
    assert "Lyon République" in response.text


def test_store_associate_gets_404_on_another_stores_page(client, lyon_associate, paris):
    client.force_login(lyon_associate)
    response = client.get(reverse("inventory:location_detail", args=[paris.code]))
    assert response.status_code == 404


def test_store_associate_list_shows_only_their_store(client, lyon_associate, lyon, paris):
    client.force_login(lyon_associate)
    response = client.get(reverse("inventory:location_list"))
    assert response.status_code == 200
    assert lyon.code in response.text
    assert paris.code not in response.text


def test_store_associate_cannot_edit_even_their_own_store(client, lyon_associate, lyon):
    client.force_login(lyon_associate)
    assert client.get(reverse("inventory:location_edit", args=[lyon.code])).status_code == 403
    response = client.post(reverse("inventory:location_set_active", args=[lyon.code]), {"active": "0"})
    assert response.status_code == 403
    lyon.refresh_from_db()
    assert lyon.is_active


def test_store_associate_api_sees_own_store_only(api_as, lyon_associate, lyon, paris):
    api = api_as(lyon_associate)
    listed = api.get("/api/v1/locations/").json()
    assert [row["code"] for row in listed["results"]] == [lyon.code]
    assert api.get(f"/api/v1/locations/{lyon.code}/").status_code == 200
    assert api.get(f"/api/v1/locations/{paris.code}/").status_code == 404


def test_call_centre_sees_every_store_but_cannot_manage(client, call_centre, lyon, paris):
    client.force_login(call_centre)
    page = client.get(reverse("inventory:location_list"))
    assert lyon.code in page.text and paris.code in page.text
    assert client.get(reverse("inventory:location_detail", args=[paris.code])).status_code == 200
    assert client.get(reverse("inventory:location_create")).status_code == 403
    assert client.get(reverse("admin:index")).status_code == 302  # admin sends non-head-office to its sign-in


def test_head_office_reaches_admin(client, head_office):
    client.force_login(head_office)
    assert client.get(reverse("admin:index")).status_code == 200


def test_staff_flag_alone_does_not_open_admin(client, call_centre):
    call_centre.is_staff = True
    call_centre.save()
    client.force_login(call_centre)
    assert client.get(reverse("admin:index")).status_code == 302


def test_integration_client_cannot_sign_in_to_pages(client, integration_client):
    response = client.post(
        reverse("accounts:login"),
        {"username": "webshop", "password": "s3cret-pass!"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "uses the REST API with a token" in response.text
    assert "_auth_user_id" not in client.session


def test_integration_client_with_a_session_gets_403_on_pages(client, integration_client):
    client.force_login(integration_client)
    assert client.get(reverse("home")).status_code == 403


def test_integration_client_uses_the_api_with_a_token(api_as, integration_client, lyon, paris):
    response = api_as(integration_client).get("/api/v1/locations/")
    assert response.status_code == 200
    assert response.json()["count"] == 2


def test_sign_in_and_sign_out(client, head_office):
    response = client.post(reverse("accounts:login"), {"username": "claire", "password": "s3cret-pass!"})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("home")).status_code == 302


def test_store_associate_must_have_a_store(lyon):
    from django.db import IntegrityError, transaction

    from accounts.models import Role, User

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="nostore", role=Role.STORE_ASSOCIATE)
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="callwithstore", role=Role.CALL_CENTRE, store=lyon)


@pytest.mark.parametrize(
    ("role_fixture", "expected", "absent"),
    [
        ("head_office", ["Locations", "API", "Administration"], ["My store"]),
        ("call_centre", ["Store directory"], ["Administration", "My store"]),
        ("lyon_associate", ["My store"], ["Locations", "Administration", "API"]),
    ],
)
def test_navigation_per_role(request, client, role_fixture, expected, absent):
    user = request.getfixturevalue(role_fixture)
    client.force_login(user)
    page = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en")
    nav = page.text.split('data-testid="nav"', 1)[1].split("</nav>", 1)[0]
    for label in expected:
        assert f">{label}</a>" in nav
    for label in absent:
        assert f">{label}</a>" not in nav
