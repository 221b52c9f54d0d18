"""Request parsers of the API (kept apart from ``omni.api``: DRF reads this setting while
its views module is being imported)."""

from collections.abc import Mapping

from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers


def contains_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, Mapping):
        return any(contains_nul(k) or contains_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(contains_nul(item) for item in value)
    return False


class JSONParser(parsers.JSONParser):
    """JSON bodies only, never with a NUL character (PostgreSQL cannot store one)."""

    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        if contains_nul(data):
            raise exceptions.ParseError(_("The request body contains a NUL character."))
        return data
