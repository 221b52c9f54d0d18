import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from inventory import services
from inventory.models import Location
from inventory.selectors import location_is_open_now, network_summary

pytestmark = pytest.mark.django_db

T = datetime.time


def _store_fields(**overrides):
    fields = dict(
        name="Bordeaux Sainte-Catherine",
        kind=Location.Kind.STORE,
        address_line1="90 rue Sainte-Catherine",
        postcode="33000",
        city="Bordeaux",
        latitude=Decimal("44.838300"),
        longitude=Decimal("-0.573700"),
        is_pickup_point=True,
        daily_capacity=40,
        order_cutoff_time=T(16),
    )
    fields.update(overrides)
    return fields


def test_create_location_with_opening_hours_records_who_and_why(head_office):
    # when
    location = services.location_create(
        actor=head_office,
        code="ST-BORDEAUX",
        weekly_hours={0: [(T(10), T(19))], 5: [(T(9, 30), T(12, 30)), (T(14), T(19))]},
        reason="new store opening",
        **_store_fields(),
    )
    # then
    assert location.opening_periods.count() == 3
    record = location.history.latest()
    assert record.history_user == head_office
    assert record.history_change_reason == "new store opening"
    assert record.history_type == "+"


def test_invalid_location_writes_nothing(head_office):
    with pytest.raises(ValidationError) as error:
        services.location_create(
            actor=head_office,
            code="bad code",
            weekly_hours={0: [(T(10), T(19))]},
            **_store_fields(latitude=Decimal("91"), timezone="Mars/Olympus"),
        )
    assert {"code", "latitude", "timezone"} <= set(error.value.error_dict)
    assert not Location.objects.exists()


def test_update_replaces_hours_and_keeps_history(head_office):
    location = services.location_create(
        actor=head_office, code="ST-BDX", weekly_hours={0: [(T(10), T(19))]}, **_store_fields()
    )
    services.location_update(
        location=location,
        actor=head_office,
        reason="winter hours",
        weekly_hours={0: [(T(11), T(18))]},
        daily_capacity=25,
    )
    location.refresh_from_db()
    assert location.daily_capacity == 25
    assert [(p.opens_at, p.closes_at) for p in location.opening_periods.all()] == [(T(11), T(18))]
    assert [h.history_change_reason for h in location.history.order_by("history_date")] == [
        "created",
        "winter hours",
    ]


def test_deactivate_and_reactivate(head_office):
    location = services.location_create(actor=head_office, code="ST-BDX", **_store_fields())
    services.location_set_active(location=location, actor=head_office, active=False, reason="works")
    location.refresh_from_db()
    assert not location.is_active
    assert network_summary()[0]["inactive"] == 1
    services.location_set_active(location=location, actor=head_office, active=True)
    location.refresh_from_db()
    assert location.is_active


def test_open_now_uses_the_locations_time_zone(head_office):
    location = services.location_create(
        actor=head_office,
        code="ST-NOUMEA",
        weekly_hours={day: [(T(8), T(17))] for day in range(7)},
        **_store_fields(timezone="Pacific/Noumea"),
    )
    # 22:00 UTC is 09:00 the next morning in Nouméa (UTC+11).
    assert location_is_open_now(location, now=datetime.datetime(2026, 11, 22, 22, 0, tzinfo=datetime.UTC))
    assert not location_is_open_now(location, now=datetime.datetime(2026, 11, 22, 8, 0, tzinfo=datetime.UTC))


def test_database_refuses_impossible_rows(lyon):
    from django.db import IntegrityError, transaction

    from inventory.models import OpeningPeriod

    with pytest.raises(IntegrityError), transaction.atomic():
        OpeningPeriod.objects.create(location=lyon, weekday=2, opens_at=T(19), closes_at=T(9))
    with pytest.raises(IntegrityError), transaction.atomic():
        Location.objects.filter(pk=lyon.pk).update(latitude=Decimal("123"))
