"""Writes of the inventory app. Import the functions from here."""

from .backorders import backorder_policy_set, preorder_take
from .batches import BatchRejected, RowErrors
from .catalogue import catalogue_sync
from .counts import WRITE_OFF_REASONS, count_task_raise, count_task_settle, reservation_write_off
from .locations import location_create, location_set_active, location_update
from .stock import (
    InsufficientStock,
    ReservationWanted,
    reservation_consume,
    reservation_hand_over,
    reservation_release,
    reservations_consume,
    reservations_release_expired,
    reservations_send,
    reservations_send_back,
    stock_adjust,
    stock_count,
    stock_receive,
    stock_reserve,
    stock_reserve_in_network,
    stock_reserve_many,
    stock_set_safety_stock,
    transfer_receive,
    transfer_ship,
)
from .sync import inventory_sync, inventory_sync_changes, inventory_sync_preview

__all__ = [
    "BatchRejected",
    "InsufficientStock",
    "RowErrors",
    "WRITE_OFF_REASONS",
    "backorder_policy_set",
    "catalogue_sync",
    "count_task_raise",
    "count_task_settle",
    "preorder_take",
    "inventory_sync",
    "inventory_sync_changes",
    "inventory_sync_preview",
    "location_create",
    "location_set_active",
    "location_update",
    "reservation_consume",
    "reservations_consume",
    "reservation_hand_over",
    "reservation_release",
    "reservation_write_off",
    "reservations_release_expired",
    "stock_adjust",
    "stock_count",
    "stock_receive",
    "ReservationWanted",
    "stock_reserve",
    "stock_reserve_many",
    "stock_reserve_in_network",
    "stock_set_safety_stock",
    "reservations_send",
    "reservations_send_back",
    "transfer_receive",
    "transfer_ship",
]
