"""The one pricing function every channel goes through. The promotions issue extends it
(discounts, coupons, loyalty); today it takes the catalogue price, tax-included."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

from inventory.models import SKU


@dataclass(frozen=True)
class LinePrice:
    unit_price: Decimal
    unit_discount: Decimal
    tax_rate: Decimal


def price_lines(*, channel: str, customer, skus: list[tuple[SKU, int]]) -> list[LinePrice]:
    """One price per (SKU, quantity), in the order given. Prices are in EUR, VAT included."""
    rate = Decimal(str(settings.OMNI_DEFAULT_VAT_RATE))
    return [LinePrice(unit_price=sku.price, unit_discount=Decimal("0.00"), tax_rate=rate) for sku, _ in skus]
