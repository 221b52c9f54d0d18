"""What the customer pays for delivery: the one function the checkout promise, the pricing
quote, order capture and the call-centre form all call, so one basket gets one fee.

The fee depends on the delivery method, the zone of the destination (mainland France,
overseas départements, abroad), the value of the basket after promotions (from
``OMNI_FREE_DELIVERY_FROM`` it is free, in mainland France) and on the promotions that waive
the method's fee (the engine's ``waived_delivery``). Fees are tax included (French B2C
prices), with the VAT rate stored beside them.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

CENT = Decimal("0.01")
ZERO = Decimal("0.00")

MAINLAND, OVERSEAS, ABROAD = "mainland", "overseas", "abroad"
ZONES = (MAINLAND, OVERSEAS, ABROAD)

# Why the fee is what it is (a code the reader's language renders).
STANDARD, FREE_FROM_THRESHOLD, WAIVED_BY_PROMOTION, NO_FEE = "standard", "free_from", "promotion", "no_fee"


def delivery_zone(*, postcode: str = "", country: str = "FR") -> str:
    """Mainland France (Corsica included), the overseas départements and collectivities
    (postcodes 97…/98…), or abroad."""
    if (country or "FR").upper() not in ("FR", ""):
        return ABROAD
    return OVERSEAS if (postcode or "").strip().startswith(("97", "98")) else MAINLAND


@dataclass(frozen=True)
class DeliveryFee:
    method: str
    zone: str
    list_amount: Decimal  # the method's price in the zone, before any threshold or promotion
    amount: Decimal  # what the customer pays
    tax_rate: Decimal
    rule: str  # STANDARD, FREE_FROM_THRESHOLD, WAIVED_BY_PROMOTION or NO_FEE
    basket_value: Decimal
    free_from: Decimal | None
    waived_by: int | None = None  # the promotion that made it free

    @property
    def tax_amount(self) -> Decimal:
        return vat_included(self.amount, self.tax_rate)


def vat_included(amount: Decimal, rate: Decimal) -> Decimal:
    return (amount * rate / (100 + rate)).quantize(CENT, rounding=ROUND_HALF_UP)


def _prices(zone: str) -> dict[str, str]:
    prices = settings.OMNI_DELIVERY_PRICES
    return prices.get(zone) or prices[MAINLAND]


def free_from(zone: str) -> Decimal | None:
    """The basket value from which delivery is free in the zone (None: never)."""
    value = settings.OMNI_FREE_DELIVERY_FROM_BY_ZONE.get(zone)
    return Decimal(value) if value not in (None, "") else None


def delivery_fee(
    *,
    method: str,
    basket_value: Decimal,
    zone: str = MAINLAND,
    waived_delivery: dict[str, int] | None = None,
) -> DeliveryFee:
    """The fee for delivering a basket worth ``basket_value`` (after promotions, tax included)
    by ``method`` into ``zone``; ``waived_delivery`` is the pricing engine's answer for the
    basket (delivery method → promotion id). Free from the zone's threshold, or when a
    promotion waives the method; the promotion is named when it is what made it free."""
    list_amount = Decimal(_prices(zone).get(method, "0.00")).quantize(CENT)
    rate = Decimal(str(settings.OMNI_DEFAULT_VAT_RATE))
    threshold = free_from(zone)
    waiver = (waived_delivery or {}).get(method)
    common = {"method": method, "zone": zone, "list_amount": list_amount, "tax_rate": rate,
              "basket_value": basket_value, "free_from": threshold}  # fmt: skip
    if list_amount == ZERO:
        return DeliveryFee(**common, amount=ZERO, rule=NO_FEE)
    if waiver is not None:
        return DeliveryFee(**common, amount=ZERO, rule=WAIVED_BY_PROMOTION, waived_by=waiver)
    if threshold is not None and basket_value >= threshold:
        return DeliveryFee(**common, amount=ZERO, rule=FREE_FROM_THRESHOLD)
    return DeliveryFee(**common, amount=list_amount, rule=STANDARD)
