"""Where orders hand over to the sourcing app.

Sourcing builds on orders (its models point at orders and lines), so orders reaches it only
through these two functions, imported when called rather than at load time to keep the
dependency one-way at import.
"""

from __future__ import annotations

from inventory.services import Trace

from ..models import Allocation, Order, OrderLine


def lines_source(*, order: Order, lines: list[OrderLine], trace: Trace, trigger: str) -> list[Allocation]:
    """Allocate or backorder every open unit of the lines not yet allocated, with the current
    sourcing profile; returns the allocations made. Caller holds the order's lock."""
    from sourcing.services import order_source

    return order_source(order=order, lines=lines, trace=trace, trigger=trigger).allocations


def fulfilment_orders_settle(*, order: Order, trace: Trace) -> None:
    """Bring the order's fulfilment orders in line after its allocations changed outside
    them (cancellation, new delivery, goods shipped line by line)."""
    from sourcing.services import fulfilment_orders_settle as settle

    settle(order=order, trace=trace)
