from decimal import Decimal, InvalidOperation

from babel.numbers import format_currency
from django import template
from django.conf import settings
from django.utils.translation import get_language, to_locale

register = template.Library()


def money(amount, currency: str | None = None) -> str:
    """An amount formatted for the active language: 1 234,50 € in French, €1,234.50 in English."""
    if amount is None or amount == "":
        return ""
    try:
        value = Decimal(str(amount))
    except (InvalidOperation, ValueError):
        return ""
    locale = to_locale(get_language() or settings.LANGUAGE_CODE)
    if "_" not in locale:
        locale = {"fr": "fr_FR", "en": "en_GB"}.get(locale, locale)
    return format_currency(value, currency or settings.OMNI_CURRENCY, locale=locale)


register.filter("money", money)
