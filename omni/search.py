"""Search that forgives accents and case, without PostgreSQL's unaccent extension.

``fold("Chloé")`` and ``Folded("customer__first_name")`` give the same text ("chloe") for the
same input: the one table below, applied by Python's ``str.translate`` and by PostgreSQL's
built-in ``translate(lower(…))`` (immutable, so an expression index can serve it).
"""

from __future__ import annotations

from django.db.models import CharField, Func, Value
from django.db.models.functions import Lower

_GROUPS = {
    "a": "àáâãäåā",
    "c": "çćč",
    "e": "èéêëēėę",
    "i": "ìíîïī",
    "l": "ł",
    "n": "ñń",
    "o": "òóôõöøō",
    "s": "śš",
    "u": "ùúûüū",
    "y": "ýÿ",
    "z": "žźż",
}
ACCENTED = "".join(_GROUPS.values())
PLAIN = "".join(plain * len(accented) for plain, accented in _GROUPS.items())
_TABLE = str.maketrans(ACCENTED, PLAIN)


def fold(text: str) -> str:
    """Lower case, accents removed (the characters of French and its neighbours)."""
    return text.lower().translate(_TABLE)


class Folded(Func):
    """``fold`` in SQL, for a column or expression."""

    function = "translate"
    output_field = CharField()

    def __init__(self, expression, **extra):
        super().__init__(Lower(expression), Value(ACCENTED), Value(PLAIN), **extra)
