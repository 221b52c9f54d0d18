"""The only place orders are locked. Every change to an order takes its row first, then its
lines in line order, then (through inventory services) reservations and stock rows."""

from __future__ import annotations

from .models import Order, OrderLine


def order_lock(order: Order) -> tuple[Order, list[OrderLine]]:
    """Lock the order and its lines (in that order) and return fresh copies.
    Caller must be inside a transaction."""
    locked = Order.objects.select_for_update().select_related("customer").get(pk=order.pk)
    lines = list(
        OrderLine.objects.select_for_update(of=("self",))
        .filter(order=locked)
        .select_related("sku", "pickup_location")
        .order_by("line_number")
    )
    for line in lines:
        line.order = locked
    return locked, lines


def order_try_lock(order_id: int) -> tuple[Order, list[OrderLine]] | None:
    """Like ``order_lock``, but give up at once (None) when another transaction holds the
    order: sweeps leave it to whoever is working on it and come back next time."""
    locked = Order.objects.select_for_update(skip_locked=True).filter(pk=order_id).first()
    if locked is None:
        return None
    return order_lock(locked)
