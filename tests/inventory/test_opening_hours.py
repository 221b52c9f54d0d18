import datetime

import pytest
from django.core.exceptions import ValidationError

from inventory.opening_hours import format_day, is_open, parse_day
from tests.factories import LocationFactory

T = datetime.time


@pytest.mark.parametrize(
    ("text", "spans"),
    [
        ("09:30-12:30, 14:00-19:00", [(T(9, 30), T(12, 30)), (T(14), T(19))]),
        ("14h00–19h00, 9h30-12h30", [(T(9, 30), T(12, 30)), (T(14), T(19))]),
        ("", []),
        ("Fermé", []),
        ("closed", []),
    ],
)
def test_parse_day(text, spans):
    assert parse_day(text) == spans


@pytest.mark.parametrize("text", ["9-12", "19:00-09:00", "25:00-26:00", "09:00-13:00, 12:00-18:00", "lunch"])
def test_parse_day_rejects_nonsense(text):
    with pytest.raises(ValidationError):
        parse_day(text)


def test_format_day_round_trips():
    spans = parse_day("09:30-12:30, 14:00-19:00")
    assert parse_day(format_day(spans)) == spans


@pytest.mark.django_db
def test_is_open_follows_local_periods_with_a_lunch_break():
    store = LocationFactory(hours=[(1, T(9, 30), T(12, 30)), (1, T(14), T(19))])
    periods = list(store.opening_periods.all())
    tuesday = datetime.datetime(2026, 11, 24)
    assert is_open(periods, tuesday.replace(hour=10))
    assert not is_open(periods, tuesday.replace(hour=13))
    assert is_open(periods, tuesday.replace(hour=18, minute=59))
    assert not is_open(periods, tuesday.replace(hour=19))
    assert not is_open(periods, tuesday.replace(day=23, hour=10))  # Monday: closed
