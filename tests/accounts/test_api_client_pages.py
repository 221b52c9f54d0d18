"""Head office's API client page: create (key shown once), rotate, revoke; nobody else."""

import pytest
from django.urls import reverse

from accounts.models import ApiClient

pytestmark = pytest.mark.django_db
URL = "/accounts/api-clients/"


def test_head_office_creates_rotates_and_revokes_a_client(client, head_office, lyon, api_client):
    client.force_login(head_office)
    refused = client.post(URL, {"name": "Lyon till", "profile": "store_system"})
    assert refused.status_code == 200 and not ApiClient.objects.exists()  # a store system needs its store
    created = client.post(URL, {"name": "Lyon till", "profile": "store_system", "location": lyon.pk})
    page = created.content.decode()
    shop = ApiClient.objects.get(name="Lyon till")
    assert shop.created_by == head_office and shop.location == lyon
    key = page.split("<code>")[1].split("</code>")[0]
    assert key.startswith(shop.key_prefix + ".") and key not in client.get(URL).content.decode()  # shown once

    rotated = client.post(
        reverse("accounts:api_client_rotate", args=[shop.pk]), headers={"HX-Request": "true"}
    )
    new_key = rotated.content.decode().split("<code>")[1].split("</code>")[0]
    assert rotated.content.decode().lstrip().startswith("<tr") and new_key != key
    assert api_client.get("/api/v1/locations/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 401
    assert api_client.get("/api/v1/locations/", HTTP_AUTHORIZATION=f"Token {new_key}").status_code == 200

    revoked = client.post(
        reverse("accounts:api_client_revoke", args=[shop.pk]), headers={"HX-Request": "true"}
    )
    assert "revoked" in revoked.content.decode() or "révoqué" in revoked.content.decode()
    assert api_client.get("/api/v1/locations/", HTTP_AUTHORIZATION=f"Token {new_key}").status_code == 401


def test_only_head_office_manages_clients(client, call_centre, lyon_associate):
    for user in (call_centre, lyon_associate):
        client.force_login(user)
        assert client.get(URL).status_code == 403
