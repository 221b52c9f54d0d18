"""The only place customers take row locks. A customer row is locked on its own, by
``customer_identify``, which an order's capture calls before it holds any row (only the
idempotency key's advisory lock comes earlier); the customer row then stays locked until
the capture commits. No path locks a customer while holding an order, inventory, sourcing
or promotions row, so customers come first in the lock order of orders.locks and can never
close a cycle."""

from __future__ import annotations

from .models import Customer


def customer_lock_by_email(email: str) -> Customer | None:
    """Lock the customer with this e-mail, if any. Caller is inside a transaction."""
    return Customer.objects.select_for_update().filter(email=email).first()


def customer_lock_by_phone(phone: str) -> Customer | None:
    """Lock the customer with this phone number, if any. Caller is inside a transaction."""
    return Customer.objects.select_for_update().filter(phone=phone).first()
