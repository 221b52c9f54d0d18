"""404, 403 and 500 in the site's frame, in French and English, with a way back."""

from unittest import mock

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["fr", "en"])
def test_404_in_the_frame_with_the_menu_and_a_way_home(client, head_office, language):
    client.force_login(head_office)
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE=language)
    text = response.content.decode()
    assert response.status_code == 404
    assert 'data-testid="nav"' in text and "omni.css" in text and f'lang="{language}"' in text
    assert 'href="/"' in text


@pytest.mark.parametrize("language", ["fr", "en"])
def test_403_in_the_frame_with_the_menu_and_a_way_home(client, lyon_associate, language):
    client.force_login(lyon_associate)
    response = client.get("/promotions/", HTTP_ACCEPT_LANGUAGE=language)
    text = response.content.decode()
    assert response.status_code == 403
    assert 'data-testid="nav"' in text and "omni.css" in text and f'lang="{language}"' in text


def test_the_pages_speak_the_readers_language(client, head_office):
    client.force_login(head_office)
    french = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    english = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Not found" in english and "Back to home" in english
    assert "Not found" not in french and "Back to home" not in french


def test_an_unknown_page_signed_out_is_framed_without_the_menu(client):
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="en")
    text = response.content.decode()
    assert response.status_code == 404 and "omni.css" in text and "Not found" in text
    assert 'data-testid="nav"' not in text


def failing_client(head_office) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(head_office)
    return client


@pytest.mark.parametrize(
    ("language", "words"), [("fr", "Une erreur est survenue"), ("en", "Something went wrong")]
)
def test_500_in_the_frame_in_the_readers_language_with_ways_back(head_office, language, words):
    client = failing_client(head_office)
    with mock.patch("omni.views.network_summary", side_effect=RuntimeError("boom")):
        response = client.get("/", HTTP_ACCEPT_LANGUAGE=language)
    text = response.content.decode()
    assert response.status_code == 500
    assert words in text and "omni.css" in text and f'lang="{language}"' in text
    assert 'href="/"' in text  # try again (this page) and home
    assert "boom" not in text and "Traceback" not in text


def test_500_page_reads_nothing_from_the_database(rf, head_office):
    from omni.outages import server_error

    request = rf.get("/orders/", HTTP_ACCEPT_LANGUAGE="en")
    request.user = head_office
    with CaptureQueriesContext(connection) as queries:
        try:
            raise RuntimeError("boom")
        except RuntimeError:
            response = server_error(request)
    assert response.status_code == 500 and len(queries) == 0
    assert 'href="/orders/"' in response.content.decode()


def test_500_when_even_the_template_fails_is_the_bare_bilingual_page(rf):
    from omni.outages import server_error

    with mock.patch("omni.outages.render_to_string", side_effect=RuntimeError("template gone")):
        try:
            raise RuntimeError("boom")
        except RuntimeError:
            response = server_error(rf.get("/"))
    assert response.status_code == 500 and "Something went wrong" in response.content.decode()
