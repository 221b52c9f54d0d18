"""Writes of the orders app. Import the functions from here."""

from .allocations import Sourced
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
from .delivery import delivery_charges_sync, delivery_group, delivery_refund_due
from .fulfilment import (
    PICKUP_CODE_TRIES,
    HandoverLocked,
    HandoverProofRequired,
    IllegalFulfilmentChange,
    PickupCodeMismatch,
    fulfilment_order_acknowledge,
    fulfilment_order_collect,
    fulfilment_order_decline,
    fulfilment_order_make_ready,
    fulfilment_order_pack,
    fulfilment_order_receive,
    fulfilment_order_record_picks,
    fulfilment_order_scan,
    fulfilment_order_scan_reset,
    fulfilment_order_ship,
    fulfilment_order_start_picking,
    order_customer_arrived,
    pickup_code_new,
)
from .notifications import (
    SentButNotRecorded,
    notification_record_sent,
    notification_send,
    notification_send_again,
    notifications_deliver,
)
from .payments import payments_settle
from .pickups import PickupSweepResult, fulfilment_order_send_back, pickups_uncollected_sweep
from .pricing import basket_price
from .sourcing import order_source_again
from .sweeps import SweepResult, backorders_source, fulfilment_orders_expire_overdue

__all__ = [
    "PICKUP_CODE_TRIES",
    "HandoverLocked",
    "HandoverProofRequired",
    "IdempotencyConflict",
    "IllegalChange",
    "delivery_charges_sync",
    "delivery_group",
    "delivery_refund_due",
    "IllegalFulfilmentChange",
    "PickupCodeMismatch",
    "PickupSweepResult",
    "Sourced",
    "SweepResult",
    "backorders_source",
    "basket_price",
    "fulfilment_order_acknowledge",
    "fulfilment_order_collect",
    "fulfilment_order_decline",
    "fulfilment_order_make_ready",
    "fulfilment_order_pack",
    "fulfilment_order_receive",
    "fulfilment_order_record_picks",
    "fulfilment_order_scan",
    "fulfilment_order_send_back",
    "fulfilment_order_scan_reset",
    "fulfilment_order_ship",
    "fulfilment_order_start_picking",
    "fulfilment_orders_expire_overdue",
    "idempotency_keys_purge",
    "SentButNotRecorded",
    "notification_record_sent",
    "notification_send",
    "notification_send_again",
    "notifications_deliver",
    "order_cancel",
    "order_change_shipping_address",
    "order_customer_arrived",
    "order_hold",
    "order_line_change_delivery",
    "order_line_change_requested_delivery",
    "order_place",
    "order_recalculate",
    "order_release",
    "order_source_again",
    "payments_settle",
    "pickup_code_new",
    "pickups_uncollected_sweep",
    "request_fingerprint",
]
