"""Orders captured at once never claim the same unit, and a replayed key creates one order."""

import pytest

from inventory.models import StockLevel
from omni.trace import Trace
from orders import services
from orders.models import Order, OrderLine
from tests.race import race

from .conftest import order_payload, service_lines

pytestmark = pytest.mark.django_db(transaction=True)


def _place(payload, trace, **kwargs):
    return services.order_place(
        channel=payload["channel"],
        customer=payload["customer"],
        shipping_address=payload["shipping_address"],
        lines=service_lines(payload),
        trace=trace,
        **kwargs,
    )


def test_16_orders_for_the_last_units_allocate_each_unit_once(network, jeans):
    # given 5 jeans in the whole network (warehouse), 16 customers order one each at once
    payload = order_payload(
        lines=[{"sku": jeans.code, "quantity": 1, "delivery": {"method": "ship_to_address"}}]
    )
    outcomes = race(
        16, lambda i: _place(dict(payload, customer={"email": f"c{i}@example.fr"}), Trace(channel="web"))
    )

    # then every order is taken, 5 lines are allocated and 11 backordered, and stock holds
    assert all(isinstance(o, tuple) for o in outcomes), outcomes
    lines = OrderLine.objects.filter(sku=jeans)
    assert lines.filter(status="allocated").count() == 5
    assert lines.filter(status="backordered").count() == 11
    level = StockLevel.objects.get(sku=jeans, location__code="WH-NAT")
    assert (level.on_hand, level.reserved) == (5, 5)


def test_concurrent_replays_of_one_key_create_one_order(network, integration_client):
    payload = order_payload()
    trace = Trace(actor=integration_client, channel="integration")
    outcomes = race(8, lambda i: _place(payload, trace, idempotency_key="same", request_hash="h"))
    assert all(isinstance(o, tuple) for o in outcomes), outcomes
    assert len({order.number for order, _ in outcomes}) == 1
    assert sum(created for _, created in outcomes) == 1
    assert Order.objects.count() == 1


def test_concurrent_pre_orders_never_pass_the_quota(network):
    # given a SKU nobody holds yet, pre-ordered up to 3 units, and 6 customers at once
    from decimal import Decimal

    from inventory.models import BackorderPolicy
    from omni.errors import DomainError
    from tests.factories import SKUFactory

    sku = SKUFactory(code="PRE-ORDER-1", price=Decimal("10.00"))
    policy = BackorderPolicy.objects.create(sku=sku, mode="preorder", preorder_limit=3)
    payload = order_payload(
        lines=[{"sku": sku.code, "quantity": 1, "delivery": {"method": "ship_to_address"}}]
    )
    outcomes = race(
        6, lambda i: _place(dict(payload, customer={"email": f"p{i}@example.fr"}), Trace(channel="web"))
    )

    # then exactly three are taken as pre-orders and three refused, and the quota holds
    taken = [o for o in outcomes if isinstance(o, tuple)]
    refused = [o for o in outcomes if isinstance(o, DomainError)]
    assert (len(taken), len(refused)) == (3, 3), outcomes
    assert all(o.code == "not_available" for o in refused)
    policy.refresh_from_db()
    assert policy.preordered == 3
    assert OrderLine.objects.filter(sku=sku, backorder_mode="preorder").count() == 3
