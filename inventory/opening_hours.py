"""Opening hours as text ("09:30-12:30, 14:00-19:00") and back, and whether a place is open."""

import datetime
import re
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_SPAN = re.compile(r"^\s*(\d{1,2})[:h](\d{2})\s*[-–]\s*(\d{1,2})[:h](\d{2})\s*$")
CLOSED_WORDS = {"", "closed", "fermé", "ferme", "-"}

Span = tuple[datetime.time, datetime.time]


def parse_day(text: str) -> list[Span]:
    """Parse one day's opening hours: "09:30-12:30, 14:00-19:00", "10h00-19h00" or "closed"."""
    if text.strip().lower() in CLOSED_WORDS:
        return []
    spans: list[Span] = []
    for part in text.split(","):
        match = _SPAN.match(part)
        if not match:
            raise ValidationError(
                _("“%(part)s” is not a time span; write it like 09:30-12:30, 14:00-19:00."),
                params={"part": part.strip()},
            )
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        try:
            opens, closes = datetime.time(h1, m1), datetime.time(h2, m2)
        except ValueError as exc:
            raise ValidationError(
                _("“%(part)s” holds an impossible time."), params={"part": part.strip()}
            ) from exc
        if closes <= opens:
            raise ValidationError(
                _("In “%(part)s” closing comes before opening."), params={"part": part.strip()}
            )
        spans.append((opens, closes))
    spans.sort()
    for (_o1, c1), (o2, _c2) in zip(spans, spans[1:], strict=False):
        if o2 < c1:
            raise ValidationError(_("Opening periods overlap."))
    return spans


def format_day(spans: Iterable[Span]) -> str:
    spans = list(spans)
    if not spans:
        return _("Closed")
    return ", ".join(f"{o:%H:%M}–{c:%H:%M}" for o, c in spans)


def is_open(periods: Iterable, local_moment: datetime.datetime) -> bool:
    """Whether any opening period (objects with weekday/opens_at/closes_at) covers a local time."""
    weekday, moment = local_moment.weekday(), local_moment.time()
    return any(p.weekday == weekday and p.opens_at <= moment < p.closes_at for p in periods)
