"""The only place orders take row locks, always in this order:

1. the order row, then its lines in line order (``order_lock``);
2. then the order's fulfilment orders, by id (``fulfilment_order_lock``);
3. then, through inventory's services, reservations in id order and stock rows in (SKU,
   location) order (see inventory.locks);
4. last, sourcing's per-location daily load rows (one conditional statement each).

The order's payments (``payments_lock``, by id) are only ever locked by a caller holding the
order's lock, which serialises them: settling may come after the inventory steps without
risking a cycle. Promotion rows are counted inside the order's capture or cancellation (see
promotions.locks). A notification row (``notification_lock``) is locked alone, in its own
short transaction, never while any of the above is held.

Every path that changes an order takes the locks it needs in that order, so two of them can
wait on each other but never in a cycle.
"""

from __future__ import annotations

from .models import FulfilmentOrder, Notification, Order, OrderEvent, OrderLine, Payment


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


def fulfilment_order_lock(fulfilment_order_id: int) -> FulfilmentOrder:
    """Caller holds the order's lock."""
    return (
        FulfilmentOrder.objects.select_for_update(of=("self",))
        .select_related("order", "location", "destination")
        .get(pk=fulfilment_order_id)
    )


def payments_lock(order: Order) -> list[Payment]:
    """Lock the order's payments, by id. Caller holds the order's lock."""
    return list(Payment.objects.select_for_update().filter(order=order).order_by("pk"))


def notification_lock(event: OrderEvent) -> Notification:
    """Lock the event's notification row (None when the event has none). Caller is in a
    transaction and holds no other lock."""
    return Notification.objects.select_for_update().filter(event=event).first()
