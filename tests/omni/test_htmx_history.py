"""Back to a live search shows the whole page, never the bare results fragment."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_live_search_fragment_and_the_page_vary_on_hx_request(client, call_centre):
    client.force_login(call_centre)
    fragment = client.get("/orders/?q=dupont", HTTP_HX_REQUEST="true")
    page = client.get("/orders/?q=dupont")
    assert "<html" not in fragment.content.decode() and "<html" in page.content.decode()
    for response in (fragment, page):
        assert "HX-Request" in response["Vary"]


def test_htmx_restoring_history_gets_the_whole_page(client, call_centre):
    client.force_login(call_centre)
    restored = client.get("/orders/?q=dupont", HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    text = restored.content.decode()
    assert "<html" in text and 'data-testid="order-search"' in text
