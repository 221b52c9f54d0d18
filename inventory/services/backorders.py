"""Pre-orders taken against a backorder policy's quota."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import F

from ..models import SKU, BackorderPolicy


@transaction.atomic
def backorder_policy_set(
    *,
    mode: str,
    sku: SKU | None = None,
    category: str = "",
    expected_date: datetime.date | None = None,
    preorder_limit: int | None = None,
) -> BackorderPolicy:
    """Set the policy of a SKU, or the default of a category (what head office does in the
    admin): created or replaced, the pre-orders already taken kept. Validated as the admin
    validates it (ValidationError)."""
    policy = (
        BackorderPolicy.objects.filter(sku=sku)
        if sku
        else BackorderPolicy.objects.filter(sku__isnull=True, category=category)
    )
    policy = policy.first() or BackorderPolicy(sku=sku, category="" if sku else category)
    policy.mode, policy.expected_date, policy.preorder_limit = mode, expected_date, preorder_limit
    policy.full_clean()
    policy.save()
    return policy


def preorder_take(*, policy_id: int, quantity: int) -> bool:
    """Count ``quantity`` more pre-ordered units on the policy, only if that keeps within its
    limit: one conditional UPDATE, so concurrent captures cannot overshoot. False when the
    limit would be passed (nothing changed). Runs in the caller's transaction."""
    return bool(
        BackorderPolicy.objects.filter(
            pk=policy_id,
            mode=BackorderPolicy.Mode.PREORDER,
            preordered__lte=F("preorder_limit") - quantity,
        ).update(preordered=F("preordered") + quantity)
    )
