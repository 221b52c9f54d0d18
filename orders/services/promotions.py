"""The seam between orders and promotions: uses of a promotion are counted when an order is
placed (inside its transaction) and given back when it is cancelled. Promotions know an
order only by its number."""

from __future__ import annotations

from ..models import Order
from .pricing import BasketPrice


def redemptions_record(*, order: Order, priced: BasketPrice, channel: str) -> None:
    if not priced.applied:
        return
    from promotions.services import redemptions_record as record

    record(order_reference=order.number, customer_id=order.customer_id, quote=priced.quote, channel=channel)


def redemptions_release(*, order: Order) -> None:
    from promotions.services import redemptions_release as release

    release(order_reference=order.number)
