import pytest
from django.db import IntegrityError, transaction

from inventory import services
from inventory.models import Reservation, StockLevel, StockMovement, Transfer
from omni.errors import DomainError
from omni.trace import Trace
from tests.factories import LocationFactory

from .conftest import assert_ledger_matches_stock

pytestmark = pytest.mark.django_db


def test_receive_creates_the_row_and_a_ledger_entry(sku, lyon, head_office):
    level = services.stock_receive(
        sku=sku,
        location=lyon,
        quantity=5,
        trace=Trace(actor=head_office, channel="head_office", reference="BL-1"),
    )
    assert (level.on_hand, level.reserved, level.atp) == (5, 0, 5)
    movement = StockMovement.objects.get()
    assert (movement.kind, movement.on_hand_delta, movement.actor, movement.channel, movement.reference) == (
        "receipt",
        5,
        head_office,
        "head_office",
        "BL-1",
    )


def test_reserve_respects_safety_stock_and_holds(sku, lyon, stock):
    stock(sku, lyon, 5)
    services.stock_set_safety_stock(sku=sku, location=lyon, safety_stock=2, trace=Trace())
    services.stock_reserve(
        sku=sku, location=lyon, quantity=3, holder_type="order_line", holder_ref="1", trace=Trace()
    )
    with pytest.raises(services.InsufficientStock) as error:
        services.stock_reserve(
            sku=sku,
            location=lyon,
            quantity=1,
            holder_type="order_line",
            holder_ref="2",
            trace=Trace(),
        )
    assert error.value.details == {"on_hand": 5, "reserved": 3, "atp": 0}
    assert Reservation.objects.count() == 1
    assert_ledger_matches_stock()


@pytest.mark.parametrize("quantity", [0, -1, 1.5, "2", True])
def test_bad_quantities_are_refused_and_change_nothing(sku, lyon, stock, quantity):
    stock(sku, lyon, 5)
    with pytest.raises(DomainError):
        services.stock_reserve(
            sku=sku,
            location=lyon,
            quantity=quantity,
            holder_type="order_line",
            holder_ref="x",
            trace=Trace(),
        )
    assert StockLevel.objects.get().reserved == 0
    assert StockMovement.objects.count() == 1


def test_consume_release_and_partial(sku, lyon, stock):
    stock(sku, lyon, 10)
    hold = services.stock_reserve(
        sku=sku, location=lyon, quantity=4, holder_type="order_line", holder_ref="L1", trace=Trace()
    )
    services.reservation_consume(reservation=hold, quantity=1, trace=Trace(reference="pick"))
    hold.refresh_from_db()
    assert (hold.quantity, hold.status) == (3, "active")
    services.reservation_release(reservation=hold, trace=Trace())
    hold.refresh_from_db()
    assert hold.status == "released"
    level = StockLevel.objects.get()
    assert (level.on_hand, level.reserved) == (9, 0)
    with pytest.raises(DomainError, match="already"):
        services.reservation_release(reservation=hold, trace=Trace())
    assert_ledger_matches_stock()


def test_adjust_needs_a_reason_and_cannot_take_reserved_units(sku, lyon, stock):
    stock(sku, lyon, 3)
    services.stock_reserve(
        sku=sku, location=lyon, quantity=2, holder_type="order_line", holder_ref="1", trace=Trace()
    )
    with pytest.raises(DomainError, match="reason"):
        services.stock_adjust(sku=sku, location=lyon, delta=-1, trace=Trace())
    with pytest.raises(services.InsufficientStock):
        services.stock_adjust(sku=sku, location=lyon, delta=-2, trace=Trace(reason="damaged"))
    services.stock_adjust(sku=sku, location=lyon, delta=-1, trace=Trace(reason="damaged"))
    assert StockLevel.objects.get().on_hand == 2
    assert_ledger_matches_stock()


def test_cycle_count_sets_on_hand_but_not_below_reservations(sku, lyon, stock):
    stock(sku, lyon, 10)
    services.stock_reserve(
        sku=sku, location=lyon, quantity=4, holder_type="order_line", holder_ref="1", trace=Trace()
    )
    level = services.stock_count(sku=sku, location=lyon, counted=7, trace=Trace())
    assert level.on_hand == 7
    assert StockMovement.objects.filter(kind="cycle_count", on_hand_delta=-3, reason="count").exists()
    with pytest.raises(services.InsufficientStock, match="reserved"):
        services.stock_count(sku=sku, location=lyon, counted=3, trace=Trace())
    assert_ledger_matches_stock()


def test_transfer_moves_stock_through_transit(sku, lyon, paris, stock):
    stock(sku, lyon, 6)
    services.stock_reserve(
        sku=sku, location=lyon, quantity=2, holder_type="order_line", holder_ref="1", trace=Trace()
    )
    with pytest.raises(services.InsufficientStock):
        services.transfer_ship(from_location=lyon, to_location=paris, lines=[(sku, 5)], trace=Trace())
    transfer = services.transfer_ship(from_location=lyon, to_location=paris, lines=[(sku, 4)], trace=Trace())
    assert StockLevel.objects.get(location=paris).in_transit == 4
    assert StockLevel.objects.get(location=lyon).on_hand == 2
    services.transfer_receive(transfer=transfer, trace=Trace())
    arrived = StockLevel.objects.get(location=paris)
    assert (arrived.on_hand, arrived.in_transit) == (4, 0)
    assert Transfer.objects.get().status == "received"
    with pytest.raises(DomainError):
        services.transfer_receive(transfer=transfer, trace=Trace())
    assert_ledger_matches_stock()


def test_the_database_refuses_impossible_stock(sku, lyon, stock):
    stock(sku, lyon, 2)
    for change in (
        {"on_hand": -1},
        {"reserved": -1},
        {"reserved": 3},
        {"safety_stock": -1},
        {"in_transit": -1},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            StockLevel.objects.filter(sku=sku, location=lyon).update(**change)


def test_the_ledger_is_append_only(sku, lyon, stock):
    stock(sku, lyon, 2)
    with pytest.raises(IntegrityError), transaction.atomic():
        StockMovement.objects.update(on_hand_delta=99)
    with pytest.raises(IntegrityError), transaction.atomic():
        StockMovement.objects.all().delete()


def test_expired_holds_are_released_by_the_beat_task(sku, lyon, stock):
    import datetime

    from django.utils import timezone

    from inventory.tasks import release_expired_reservations

    stock(sku, lyon, 3)
    services.stock_reserve(
        sku=sku,
        location=lyon,
        quantity=2,
        holder_type="pos_basket",
        holder_ref="B1",
        trace=Trace(),
        expires_at=timezone.now() - datetime.timedelta(seconds=1),
    )
    services.stock_reserve(
        sku=sku,
        location=lyon,
        quantity=1,
        holder_type="pos_basket",
        holder_ref="B2",
        trace=Trace(),
        expires_at=timezone.now() + datetime.timedelta(hours=1),
    )
    release_expired_reservations.apply()
    assert StockLevel.objects.get().reserved == 1
    assert Reservation.objects.get(holder_ref="B1").status == "expired"


def test_network_reservation_takes_the_deepest_location_first(sku, lyon, paris, stock):
    stock(sku, lyon, 2)
    stock(sku, paris, 7)
    hold = services.stock_reserve_in_network(
        sku=sku, quantity=3, holder_type="order_line", holder_ref="1", trace=Trace()
    )
    assert hold.location == paris
    inactive = LocationFactory(code="ST-CLOSED", is_active=False)
    stock(sku, inactive, 50)
    with pytest.raises(services.InsufficientStock):
        services.stock_reserve_in_network(
            sku=sku, quantity=5, holder_type="order_line", holder_ref="2", trace=Trace()
        )
