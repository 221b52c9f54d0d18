"""Backorder policies as capture and the promise read them: a SKU's own, else its
category's, else the default (backorder, date unknown)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q

from ..models import SKU, BackorderPolicy


@dataclass(frozen=True)
class PolicyFacts:
    mode: str
    expected_date: datetime.date | None = None
    preorder_left: int | None = None  # for pre-orders: units that may still be taken
    policy_id: int | None = None  # None: the default, no row
    source: str = "default"  # "sku", "category" or "default"

    @property
    def takes_backorders(self) -> bool:
        return self.mode != BackorderPolicy.Mode.REFUSE


DEFAULT_POLICY = PolicyFacts(mode=BackorderPolicy.Mode.BACKORDER)


def backorder_policies(*, skus: list[SKU]) -> dict[int, PolicyFacts]:
    """{SKU id: the policy that applies}, in one query."""
    categories = {sku.category for sku in skus if sku.category}
    rows = BackorderPolicy.objects.filter(Q(sku__in=skus) | Q(sku__isnull=True, category__in=categories))
    by_sku, by_category = {}, {}
    for row in rows:
        if row.sku_id:
            by_sku[row.sku_id] = row
        else:
            by_category[row.category] = row
    facts = {}
    for sku in skus:
        row = by_sku.get(sku.pk) or by_category.get(sku.category)
        if row is None:
            facts[sku.pk] = DEFAULT_POLICY
            continue
        facts[sku.pk] = PolicyFacts(
            mode=row.mode,
            expected_date=row.expected_date,
            preorder_left=max(0, row.preorder_limit - row.preordered)
            if row.preorder_limit is not None
            else None,
            policy_id=row.pk,
            source="sku" if row.sku_id else "category",
        )
    return facts
