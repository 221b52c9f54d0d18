"""Writes to the network's locations. Every change is recorded with who made it and why."""

import datetime
from collections.abc import Mapping, Sequence

from django.db import transaction

from ..locks import location_lock
from ..models import Location, OpeningPeriod

Span = tuple[datetime.time, datetime.time]
WeeklyHours = Mapping[int, Sequence[Span]]

_EDITABLE_FIELDS = (
    "pickup_reminder_days",
    "pickup_expiry_days",
    "uncollected_ship_to_store",
    "name",
    "kind",
    "address_line1",
    "address_line2",
    "postcode",
    "city",
    "country",
    "latitude",
    "longitude",
    "timezone",
    "ships_to_customers",
    "is_pickup_point",
    "receives_ship_to_store",
    "sends_transfers",
    "receives_transfers",
    "daily_capacity",
    "order_cutoff_time",
    "sells_stock_online",
    "is_active",
)


def _save_with_trace(location: Location, *, actor, reason: str) -> None:
    location._history_user = actor  # read by django-simple-history
    location._change_reason = reason
    location.full_clean()
    location.save()


def _replace_opening_hours(location: Location, weekly_hours: WeeklyHours) -> None:
    location.opening_periods.all().delete()
    OpeningPeriod.objects.bulk_create(
        OpeningPeriod(location=location, weekday=weekday, opens_at=opens, closes_at=closes)
        for weekday, spans in sorted(weekly_hours.items())
        for opens, closes in spans
    )


@transaction.atomic
def location_create(
    *, actor, code: str, weekly_hours: WeeklyHours | None = None, reason: str = "", **fields
) -> Location:
    """Create a location and its opening hours. Raises ValidationError on bad data (nothing written)."""
    unknown = set(fields) - set(_EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"location_create() got unknown fields: {sorted(unknown)}")
    location = Location(code=code, **fields)
    _save_with_trace(location, actor=actor, reason=reason or "created")
    _replace_opening_hours(location, weekly_hours or {})
    return location


@transaction.atomic
def location_update(
    *, location: Location, actor, reason: str = "", weekly_hours: WeeklyHours | None = None, **fields
) -> Location:
    """Change a location's attributes (and, if given, replace its opening hours)."""
    unknown = set(fields) - set(_EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"location_update() got unknown fields: {sorted(unknown)}")
    location = location_lock(location)
    for name, value in fields.items():
        setattr(location, name, value)
    _save_with_trace(location, actor=actor, reason=reason or "updated")
    if weekly_hours is not None:
        _replace_opening_hours(location, weekly_hours)
    return location


def location_set_active(*, location: Location, actor, active: bool, reason: str = "") -> Location:
    """Open or close a location to new work; its history keeps who did it and why."""
    return location_update(
        location=location,
        actor=actor,
        is_active=active,
        reason=reason or ("reactivated" if active else "deactivated"),
    )
