"""Writes of the orders app. Import the functions from here."""

from .capture import (
    IdempotencyConflict,
    idempotency_keys_purge,
    order_place,
    order_recalculate,
    request_fingerprint,
)
from .changes import (
    IllegalChange,
    order_cancel,
    order_change_shipping_address,
    order_hold,
    order_line_change_delivery,
    order_line_change_requested_delivery,
    order_release,
)
from .fulfilment import order_line_collect, order_line_make_ready_for_pickup, order_line_ship
from .notifications import notification_send
from .payments import payments_settle
from .pricing import basket_price

__all__ = [
    "IdempotencyConflict",
    "IllegalChange",
    "idempotency_keys_purge",
    "notification_send",
    "order_cancel",
    "order_change_shipping_address",
    "order_hold",
    "order_line_change_delivery",
    "order_line_change_requested_delivery",
    "order_line_collect",
    "order_line_make_ready_for_pickup",
    "order_line_ship",
    "order_place",
    "order_recalculate",
    "order_release",
    "payments_settle",
    "basket_price",
    "request_fingerprint",
]
