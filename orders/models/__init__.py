"""Orders own an order's whole life: its lines and their quantity buckets, allocations,
tenders, timeline and notifications, and the fulfilment orders that carry it out."""

from .fulfilment import (
    FulfilmentOrder,
    FulfilmentOrderLine,
    IdentityDocument,
    LineFailure,
    NoCodeReason,
    Parcel,
    RejectionReason,
)
from .orders import (
    CENT,
    Allocation,
    DeliveryCharge,
    IdempotencyKey,
    Notification,
    Order,
    OrderEvent,
    OrderLine,
    Payment,
    money,
)

__all__ = [
    "CENT",
    "Allocation",
    "DeliveryCharge",
    "FulfilmentOrder",
    "FulfilmentOrderLine",
    "IdempotencyKey",
    "IdentityDocument",
    "LineFailure",
    "NoCodeReason",
    "Notification",
    "Order",
    "OrderEvent",
    "OrderLine",
    "Parcel",
    "Payment",
    "RejectionReason",
    "money",
]
