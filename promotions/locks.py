"""The only place promotions call ``select_for_update``. Promotion and coupon rows are only
touched inside an order's capture or cancellation, holding the order's lock (see
orders.locks), and always in promotion order, promotion before coupon:

- capture (``redemptions_record``): conditional UPDATEs of each promotion's and coupon's
  counter, after the order's rows and before its inventory and sourcing steps;
- cancellation (``redemptions_lock``, then each promotion's and coupon's counter): after
  the order's inventory steps.

``promotion_lock`` is taken alone, by a change of the promotion's status.
"""

from __future__ import annotations

from .models import Promotion, Redemption


def redemptions_lock(order_reference: str) -> list[Redemption]:
    """Lock the order's active redemptions, in promotion order. Caller holds the order's lock."""
    return list(
        Redemption.objects.select_for_update()
        .filter(order_reference=order_reference, status=Redemption.Status.ACTIVE)
        .order_by("promotion_id")
    )


def promotion_lock(promotion: Promotion) -> Promotion:
    """Lock a promotion and return a fresh copy. Caller is in a transaction and holds no other lock."""
    return Promotion.objects.select_for_update().get(pk=promotion.pk)
