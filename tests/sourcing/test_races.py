"""Sourcing under concurrency: real threads against real PostgreSQL."""

import datetime
from unittest import mock

import pytest
import time_machine
from django.db.models import F, Sum

from inventory.models import StockLevel
from omni.trace import Trace
from orders import services
from orders import services as orders
from orders.models import FulfilmentOrder, LineFailure, OrderLine
from sourcing.models import LocationDayLoad
from tests.factories import SKUFactory
from tests.orders.conftest import order_payload, service_lines
from tests.race import race

from .conftest import line

pytestmark = pytest.mark.django_db(transaction=True)


def _place(i, lines):
    payload = order_payload(lines=lines, customer={"email": f"c{i}@example.fr"})
    return orders.order_place(
        channel="web",
        customer=payload["customer"],
        shipping_address=payload["shipping_address"],
        lines=service_lines(payload),
        trace=Trace(channel="web"),
    )


def test_many_split_orders_at_once_never_reserve_more_than_exists(network, stock):
    # given 7 bags over three locations and 9 jeans, 12 customers each order 1 bag and 1 jeans
    bag = SKUFactory(code="SAC-CUI-NOI")
    jeans = SKUFactory(code="JEA-SLI-IND-42")
    stock(bag, network["paris"], 3)
    stock(bag, network["lyon"], 2)
    stock(bag, network["warehouse"], 2)
    stock(jeans, network["lyon"], 4)
    outcomes = race(12, lambda i: _place(i, [line("SAC-CUI-NOI"), line("JEA-SLI-IND-42")]))

    assert all(isinstance(o, tuple) for o in outcomes), outcomes
    # then no stock row is over-reserved or negative, and reservations equal allocations
    for level in StockLevel.objects.all():
        assert 0 <= level.reserved <= level.on_hand, level
    allocated = OrderLine.objects.aggregate(a=Sum("qty_allocated"), b=Sum("qty_backordered"))
    reserved = StockLevel.objects.aggregate(r=Sum("reserved"))["r"]
    assert allocated["a"] == reserved
    assert allocated["a"] + allocated["b"] == 24
    # every bag and jeans that could be given was given (stores keep their last unit)
    assert OrderLine.objects.filter(sku=bag).aggregate(s=Sum("qty_allocated"))["s"] >= 5


def test_capacity_is_never_overfilled(network, stock):
    network["warehouse"].daily_capacity = 3
    network["warehouse"].save()
    stock(SKUFactory(code="JEA-SLI-IND-42"), network["warehouse"], 20)
    race(8, lambda i: _place(i, [line("JEA-SLI-IND-42")]))
    assert FulfilmentOrder.objects.filter(location=network["warehouse"]).count() == 3
    assert LocationDayLoad.objects.get(location=network["warehouse"]).fulfilment_orders == 3


def test_two_sweeps_at_once_reroute_each_order_once(network, stock):
    # given 10 orders whose fulfilment orders are all overdue
    stock(SKUFactory(code="JEA-SLI-IND-42"), network["lyon"], 30)
    stock(SKUFactory(code="JEA-SLI-IND-42"), network["paris"], 30)
    for i in range(10):
        _place(i, [line("JEA-SLI-IND-42")])
    first = list(FulfilmentOrder.objects.values_list("pk", flat=True))
    assert len(first) == 10
    FulfilmentOrder.objects.filter(pk__in=first).update(
        due_at=F("created_at") - datetime.timedelta(minutes=1)
    )

    # when two sweeps run at the same instant
    with time_machine.travel(datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=1)):
        outcomes = race(2, lambda i: services.fulfilment_orders_expire_overdue())

    # then each overdue order expired and was rerouted exactly once
    assert all(not isinstance(o, Exception) for o in outcomes), outcomes
    assert sum(o.expired for o in outcomes) == 10
    assert FulfilmentOrder.objects.filter(pk__in=first, status="expired").count() == 10
    assert LineFailure.objects.count() == 10
    assert FulfilmentOrder.objects.exclude(pk__in=first).count() == 10  # one new home for each
    reserved = StockLevel.objects.aggregate(r=Sum("reserved"))["r"]
    assert reserved == 10


def test_a_sweep_cut_short_is_finished_by_the_next_run_each_order_once(network, stock):
    # given 6 orders whose fulfilment orders are all overdue
    stock(SKUFactory(code="JEA-SLI-IND-42"), network["lyon"], 30)
    stock(SKUFactory(code="JEA-SLI-IND-42"), network["paris"], 30)
    for i in range(6):
        _place(i, [line("JEA-SLI-IND-42")])
    first = list(FulfilmentOrder.objects.values_list("pk", flat=True))
    FulfilmentOrder.objects.filter(pk__in=first).update(
        due_at=F("created_at") - datetime.timedelta(minutes=1)
    )
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=1)

    # when the worker running the sweep dies in the middle of its fourth order
    from orders.services import sweeps

    real_reroute, calls = sweeps.fulfilment_order_reroute, []

    def dies_at_the_fourth(*args, **kwargs):
        calls.append(1)
        if len(calls) == 4:
            raise SystemExit("worker killed")
        return real_reroute(*args, **kwargs)

    with (
        time_machine.travel(later),
        mock.patch.object(sweeps, "fulfilment_order_reroute", dies_at_the_fourth),
        pytest.raises(SystemExit),
    ):
        services.fulfilment_orders_expire_overdue(batch_size=2)
    # then: three were rerouted whole, the fourth rolled back whole
    assert FulfilmentOrder.objects.filter(pk__in=first, status="expired").count() == 3
    assert LineFailure.objects.count() == 3

    # when the next run comes
    with time_machine.travel(later):
        result = services.fulfilment_orders_expire_overdue(batch_size=2)
    # then it finishes the other three, and every order was rerouted exactly once
    assert result.expired == 3
    assert FulfilmentOrder.objects.filter(pk__in=first, status="expired").count() == 6
    assert LineFailure.objects.count() == 6
    assert FulfilmentOrder.objects.exclude(pk__in=first).count() == 6
    assert StockLevel.objects.aggregate(r=Sum("reserved"))["r"] == 6
