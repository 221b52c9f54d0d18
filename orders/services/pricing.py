"""The one pricing function every channel goes through: catalogue prices (tax included, EUR)
under the promotions engine (``promotions.selectors.basket_quote``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings

from inventory.models import SKU


@dataclass(frozen=True)
class LinePrice:
    unit_price: Decimal
    unit_discount: Decimal
    tax_rate: Decimal
    line_discount: Decimal = Decimal("0.00")
    promotions: tuple = ()


@dataclass
class BasketPrice:
    lines: list[LinePrice]
    applied: list[dict] = field(default_factory=list)
    refused_codes: dict[str, str] = field(default_factory=dict)
    quote: object = None  # the engine's Quote, for redemptions

    @property
    def total(self) -> Decimal:
        return self.quote.total


def basket_price(
    *, channel: str, customer, skus: list[tuple[SKU, int]], store: str = "", codes=(), delivery_methods=()
) -> BasketPrice:
    """One price per (SKU, quantity), in the order given, with every promotion the sale earns."""
    from promotions.selectors import basket_quote

    rate = Decimal(str(settings.OMNI_DEFAULT_VAT_RATE))
    result = basket_quote(
        lines=skus,
        channel=channel,
        customer=customer,
        store=store,
        codes=codes,
        delivery_methods=delivery_methods,
    )
    names = {a["id"]: a for a in result.quote.applied}
    lines = [
        LinePrice(
            unit_price=priced.unit_price,
            unit_discount=Decimal("0.00"),
            tax_rate=rate,
            line_discount=priced.discount,
            promotions=tuple(
                {"id": pid, "name": names[pid]["name"], "amount": str(amount), "code": names[pid].get("code")}
                for pid, amount in sorted(priced.discounts.items())
            ),
        )
        for priced in result.quote.lines
    ]
    return BasketPrice(
        lines=lines, applied=result.quote.applied, refused_codes=result.refused_codes, quote=result.quote
    )
