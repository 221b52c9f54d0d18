from decimal import Decimal
from pathlib import Path

import polib
import pytest
from django.urls import reverse
from django.utils import translation

from omni.templatetags.omni_format import money

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_sign_in_page_is_french_by_default_and_english_on_request(client):
    assert "Se connecter" in client.get(reverse("accounts:login")).text
    assert "Sign in" in client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en").text


@pytest.mark.django_db
def test_language_switch_is_remembered(client, head_office):
    client.force_login(head_office)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "Sign out" in client.get(reverse("home")).text
    client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    assert "Se déconnecter" in client.get(reverse("home")).text


def test_french_catalogue_is_complete_and_compiled():
    po = polib.pofile(ROOT / "locale/fr/LC_MESSAGES/django.po")
    untranslated = [entry.msgid for entry in po if not entry.translated() and not entry.obsolete]
    assert untranslated == []
    mo = polib.mofile(ROOT / "locale/fr/LC_MESSAGES/django.mo")
    compiled = {(entry.msgctxt, entry.msgid): entry.msgstr for entry in mo}
    for entry in po.translated_entries():
        if not entry.msgid_plural:
            assert compiled.get((entry.msgctxt, entry.msgid)) == entry.msgstr, (
                f"django.mo is stale for {entry.msgid!r}"
            )


def test_every_source_string_is_in_the_catalogue():
    """A string added to code or templates without `bin/translations` fails here."""
    from omni.i18n import extract_messages

    po = polib.pofile(ROOT / "locale/fr/LC_MESSAGES/django.po")
    known = {entry.msgid for entry in po if not entry.obsolete}
    missing = sorted(set(extract_messages()) - known)
    assert missing == [], f"run manage.py update_translations, then translate: {missing[:10]}"


def test_money_is_formatted_per_locale():
    with translation.override("fr"):
        assert money(Decimal("1234.5")).replace("\u202f", " ").replace("\xa0", " ") == "1 234,50 €"
    with translation.override("en"):
        assert money(Decimal("1234.5")) == "€1,234.50"
    assert money(None) == ""
