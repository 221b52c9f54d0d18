"""Time in a location's opening hours: SLA deadlines, when work is ready, when it arrives.

A location without opening periods (a warehouse, a vendor) works round the clock. Deliveries
travel Monday to Saturday.
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Iterable

Period = tuple[int, datetime.time, datetime.time]  # weekday, opens, closes (local time)


def _spans_on(periods: list[Period], day: datetime.date) -> list[tuple[datetime.time, datetime.time]]:
    return sorted((o, c) for weekday, o, c in periods if weekday == day.weekday())


def add_open_minutes(
    start: datetime.datetime, minutes: float, periods: Iterable[Period], tz: str
) -> datetime.datetime:
    """The moment ``minutes`` of opening time after ``start`` (an aware datetime)."""
    periods = list(periods)
    if not periods:
        return start + datetime.timedelta(minutes=minutes)
    zone = zoneinfo.ZoneInfo(tz)
    local = start.astimezone(zone)
    remaining = datetime.timedelta(minutes=minutes)
    day = local.date()
    for _ in range(370):  # a year of closed days would be a configuration error
        for opens, closes in _spans_on(periods, day):
            span_start = datetime.datetime.combine(day, opens, zone)
            span_end = datetime.datetime.combine(day, closes, zone)
            if span_end <= local:
                continue
            begin = max(span_start, local)
            if begin + remaining <= span_end:
                return begin + remaining
            remaining -= span_end - begin
        day += datetime.timedelta(days=1)
        local = datetime.datetime.combine(day, datetime.time(0), zone)
    raise ValueError("no opening time within a year")


def next_working_start(
    now: datetime.datetime, cutoff: datetime.time | None, periods: Iterable[Period], tz: str
) -> datetime.datetime:
    """When new work can start: now, or the next day once the location's cut-off has passed."""
    local = now.astimezone(zoneinfo.ZoneInfo(tz))
    if cutoff and local.time() > cutoff:
        local = datetime.datetime.combine(
            local.date() + datetime.timedelta(days=1), datetime.time(0), local.tzinfo
        )
    return add_open_minutes(local, 0, periods, tz) if list(periods) else local


def working_days_after(day: datetime.date, days: int) -> datetime.date:
    """The date ``days`` delivery days (Monday to Saturday) after ``day``."""
    while days > 0:
        day += datetime.timedelta(days=1)
        if day.weekday() < 6:
            days -= 1
    return day
