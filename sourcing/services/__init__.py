"""Writes of the sourcing app. Import the functions from here."""

from .fulfilment import (
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
    fulfilment_orders_settle,
    order_customer_arrived,
    pickup_code_new,
)
from .profiles import profile_current, profile_draft_from, profile_publish
from .routing import SourcingResult, order_source, order_source_again, profile_rules
from .sweeps import SweepResult, backorders_source, fulfilment_orders_expire_overdue

__all__ = [
    "HandoverProofRequired",
    "IllegalFulfilmentChange",
    "PickupCodeMismatch",
    "SourcingResult",
    "SweepResult",
    "backorders_source",
    "fulfilment_order_acknowledge",
    "fulfilment_order_collect",
    "fulfilment_order_decline",
    "fulfilment_order_make_ready",
    "fulfilment_order_pack",
    "fulfilment_order_receive",
    "fulfilment_order_record_picks",
    "fulfilment_order_scan",
    "fulfilment_order_scan_reset",
    "fulfilment_order_ship",
    "fulfilment_order_start_picking",
    "fulfilment_orders_expire_overdue",
    "fulfilment_orders_settle",
    "order_customer_arrived",
    "order_source",
    "pickup_code_new",
    "order_source_again",
    "profile_rules",
    "profile_current",
    "profile_draft_from",
    "profile_publish",
]
