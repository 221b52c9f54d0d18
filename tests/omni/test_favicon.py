"""The site's icon."""

import pytest

pytestmark = pytest.mark.django_db


def test_pages_name_their_icon_and_favicon_ico_leads_to_it(client, call_centre):
    client.force_login(call_centre)
    assert 'rel="icon" href="/static/favicon.svg"' in client.get("/orders/").content.decode()
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"] == "/static/favicon.svg"
