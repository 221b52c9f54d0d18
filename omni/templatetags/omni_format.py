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


@register.filter
def get_item(mapping, key):
    """{{ mapping|get_item:key }}: a dict lookup with a variable key."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def phone(number: str) -> str:
    """+33612345678 -> 06 12 34 56 78 (French numbers read the French way, others international)."""
    import phonenumbers

    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return number or ""
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if parsed.country_code == 33
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(parsed, style)
