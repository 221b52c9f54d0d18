"""No two sales can claim the same unit, whatever runs at once (real threads, real PostgreSQL)."""

import pytest

from inventory import services
from inventory.models import Reservation, StockLevel
from omni.trace import Trace
from tests.factories import LocationFactory
from tests.race import race

from .conftest import assert_ledger_matches_stock

pytestmark = pytest.mark.django_db(transaction=True)


def test_32_clients_reserving_10_units_over_3_locations(sku, stock):
    # given 10 units spread over three locations
    locations = [LocationFactory(code=f"ST-RACE-{i}") for i in range(3)]
    for location, units in zip(locations, (4, 3, 3), strict=True):
        stock(sku, location, units)

    # when 32 clients each try to reserve one unit at once
    def attempt(i):
        return services.stock_reserve_in_network(
            sku=sku, quantity=1, holder_type="pos_basket", holder_ref=f"basket-{i}", trace=Trace()
        )

    outcomes = race(32, attempt)

    # then exactly 10 succeed, and the others are told there is no stock
    won = [o for o in outcomes if isinstance(o, Reservation)]
    lost = [o for o in outcomes if isinstance(o, services.InsufficientStock)]
    assert len(won) == 10, outcomes
    assert len(lost) == 22, [
        o for o in outcomes if not isinstance(o, Reservation | services.InsufficientStock)
    ]
    for level in StockLevel.objects.filter(sku=sku):
        assert level.reserved == level.on_hand  # every unit claimed once
        assert level.atp == 0 and level.on_hand >= 0
    assert Reservation.objects.filter(status="active").count() == 10
    assert_ledger_matches_stock()


def test_reserving_and_picking_and_counting_at_once_never_breaks_the_rules(sku, stock, head_office):
    store = LocationFactory(code="ST-MIXED")
    stock(sku, store, 20)
    held = [
        services.stock_reserve(
            sku=sku,
            location=store,
            quantity=1,
            holder_type="order_line",
            holder_ref=f"o{i}",
            trace=Trace(),
        )
        for i in range(8)
    ]

    def attempt(i):
        kind = i % 4
        if kind == 0:
            return services.stock_reserve(
                sku=sku,
                location=store,
                quantity=2,
                holder_type="pos_basket",
                holder_ref=f"b{i}",
                trace=Trace(),
            )
        if kind == 1:
            return services.reservation_consume(reservation=held[i // 4], trace=Trace())
        if kind == 2:
            return services.stock_adjust(
                sku=sku, location=store, delta=-3, trace=Trace(actor=head_office, reason="damaged")
            )
        return services.reservation_release(reservation=held[i // 4], trace=Trace())

    outcomes = race(24, attempt)

    unexpected = [
        o for o in outcomes if isinstance(o, Exception) and not isinstance(o, services.InsufficientStock)
    ]
    # a reservation consumed and released at once: one of the two is told it is already closed
    assert all(getattr(o, "code", "") == "reservation_closed" for o in unexpected), unexpected
    level = StockLevel.objects.get(sku=sku, location=store)
    assert 0 <= level.reserved <= level.on_hand
    assert_ledger_matches_stock()


def test_two_expiry_sweeps_at_once_release_each_hold_once(sku, stock):
    import datetime

    from django.utils import timezone

    store = LocationFactory(code="ST-EXPIRY")
    stock(sku, store, 50)
    past = timezone.now() - datetime.timedelta(minutes=1)
    for i in range(40):
        services.stock_reserve(
            sku=sku,
            location=store,
            quantity=1,
            holder_type="pos_basket",
            holder_ref=f"b{i}",
            trace=Trace(),
            expires_at=past,
        )

    outcomes = race(2, lambda i: services.reservations_release_expired(batch_size=7))

    assert sum(outcomes) == 40
    assert StockLevel.objects.get(sku=sku, location=store).reserved == 0
    assert Reservation.objects.filter(status="expired").count() == 40
    assert_ledger_matches_stock()
