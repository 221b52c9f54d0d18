"""The pricing engine: a pure function of (basket, rules snapshot, customer, codes).

No database, no Django, no clock: everything it reads is in its arguments, so the web shop's
quote, order capture, the call-centre form and the offline POS (from the same JSON snapshot)
price a basket identically. ``tests/promotions/vectors.json`` holds shared cases any other
evaluator must reproduce.

Money rule (documented once, used everywhere): amounts are Decimals in euros with two places.
A promotion's discount is computed exactly, capped by what its lines still cost, then
rounded half-up to the cent once; it is then allocated to its lines in proportion to what
each line still costs, by largest remainder (cents left over go to the largest fractional
parts, ties to the earlier line) — so the allocations sum exactly to the promotion's
discount, and no line ever goes below zero.

Order and stacking: promotions are tried by priority (lower first), then id. An *exclusive*
promotion that applies is the only one applied (the first exclusive one that applies wins,
before any other). A promotion that does not *stack* skips lines an earlier promotion already
discounted (and a basket-level one skips a basket that already has a discount); later
promotions then skip the lines it discounted. Stacking promotions apply to what lines still
cost after the earlier ones.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")

LINE_PERCENT = "line_percent"  # params: percent
LINE_AMOUNT = "line_amount"  # params: amount (off each matching unit)
BASKET_AMOUNT = "basket_amount"  # params: threshold, amount
BASKET_PERCENT = "basket_percent"  # params: threshold, percent
BUY_X_GET_Y = "buy_x_get_y"  # params: buy, get, percent (100 = cheapest free), repeats per multiple
BUNDLE = "bundle"  # params: items [{target, quantity}], price
FREE_DELIVERY = "free_delivery"  # params: methods (delivery methods whose fee is waived)
KINDS = (LINE_PERCENT, LINE_AMOUNT, BASKET_AMOUNT, BASKET_PERCENT, BUY_X_GET_Y, BUNDLE, FREE_DELIVERY)


def money(value) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class BasketLine:
    key: str
    sku: str
    quantity: int
    unit_price: Decimal
    product: str = ""
    category: str = ""
    collections: tuple[str, ...] = ()


@dataclass(frozen=True)
class Customer:
    id: str = ""
    segments: tuple[str, ...] = ()
    tier: str = ""


@dataclass(frozen=True)
class Context:
    channel: str
    moment: datetime.datetime  # local time of the sale
    store: str = ""
    customer: Customer = field(default_factory=Customer)
    # Codes typed at checkout (single codes are in the snapshot), and the promotions unlocked by
    # generated codes the caller checked in the database (usage limits, expiry): id → code.
    codes: tuple[str, ...] = ()
    unlocked: dict[int, str] = field(default_factory=dict)
    delivery_methods: tuple[str, ...] = ()


@dataclass
class PricedLine:
    key: str
    sku: str
    quantity: int
    unit_price: Decimal
    subtotal: Decimal
    discounts: dict[int, Decimal] = field(default_factory=dict)  # promotion id → amount

    @property
    def discount(self) -> Decimal:
        return sum(self.discounts.values(), ZERO)

    @property
    def total(self) -> Decimal:
        return self.subtotal - self.discount

    def as_dict(self) -> dict:
        return {
            "key": self.key, "sku": self.sku, "quantity": self.quantity, "unit_price": str(self.unit_price),
            "subtotal": str(self.subtotal), "discount": str(self.discount), "total": str(self.total),
            "discounts": {str(k): str(v) for k, v in sorted(self.discounts.items())},
        }  # fmt: skip


@dataclass
class Quote:
    lines: list[PricedLine]
    applied: list[dict]
    not_applied: list[dict]
    waived_delivery: dict[str, int]  # delivery method → promotion id

    @property
    def subtotal(self) -> Decimal:
        return sum((line.subtotal for line in self.lines), ZERO)

    @property
    def discount(self) -> Decimal:
        return sum((line.discount for line in self.lines), ZERO)

    @property
    def total(self) -> Decimal:
        return self.subtotal - self.discount

    def as_dict(self) -> dict:
        return {
            "lines": [line.as_dict() for line in self.lines],
            "applied": self.applied,
            "not_applied": self.not_applied,
            "waived_delivery": dict(sorted(self.waived_delivery.items())),
            "subtotal": str(self.subtotal),
            "discount": str(self.discount),
            "total": str(self.total),
        }


# ---------------------------------------------------------------- conditions


def _matches(line: BasketLine, target: dict | None) -> bool:
    """An empty or missing target matches every line."""
    if not target or not any(target.get(k) for k in ("skus", "products", "categories", "collections")):
        return True
    return (
        line.sku in target.get("skus", ())
        or (line.product and line.product in target.get("products", ()))
        or (line.category and line.category in target.get("categories", ()))
        or bool(set(line.collections) & set(target.get("collections", ())))
    )


def _parse_time(value: str) -> datetime.time:
    hours, minutes = value.split(":")
    return datetime.time(int(hours), int(minutes))


def _why_not(promotion: dict, context: Context) -> dict | None:
    """The first condition the sale fails (as a stable code and its details), or None."""
    c = promotion.get("conditions", {})
    if c.get("channels") and context.channel not in c["channels"]:
        return {"code": "channel", "channels": c["channels"]}
    if c.get("stores") and context.store not in c["stores"]:
        return {"code": "store", "stores": c["stores"]}
    if c.get("segments") and not set(context.customer.segments) & set(c["segments"]):
        return {"code": "segment", "segments": c["segments"]}
    if c.get("tiers") and context.customer.tier not in c["tiers"]:
        return {"code": "tier", "tiers": c["tiers"]}
    moment = context.moment.replace(tzinfo=None)
    if c.get("starts_at") and moment < datetime.datetime.fromisoformat(c["starts_at"]).replace(tzinfo=None):
        return {"code": "not_started", "starts_at": c["starts_at"]}
    if c.get("ends_at") and moment >= datetime.datetime.fromisoformat(c["ends_at"]).replace(tzinfo=None):
        return {"code": "ended", "ends_at": c["ends_at"]}
    if c.get("weekdays") and moment.weekday() not in c["weekdays"]:
        return {"code": "weekday", "weekdays": c["weekdays"]}
    if c.get("time_from") and moment.time() < _parse_time(c["time_from"]):
        return {"code": "time", "time_from": c["time_from"], "time_to": c.get("time_to")}
    if c.get("time_to") and moment.time() >= _parse_time(c["time_to"]):
        return {"code": "time", "time_from": c.get("time_from"), "time_to": c["time_to"]}
    if promotion.get("requires_code") and _code(promotion, context) is None:
        return {"code": "needs_code"}
    return None


def _code(promotion: dict, context: Context) -> str | None:
    """The code that unlocks the promotion in this sale, if any."""
    if promotion["id"] in context.unlocked:
        return context.unlocked[promotion["id"]]
    single = (promotion.get("code") or "").upper()
    return single if single and single in {c.strip().upper() for c in context.codes} else None


# ---------------------------------------------------------------- money


def allocate(amount: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """Split ``amount`` (cents) in proportion to ``weights`` (cents, each ≥ its share): largest
    remainder, ties to the earlier weight. The parts sum exactly to ``amount``."""
    total = sum(weights, ZERO)
    if amount <= 0 or total <= 0:
        return [ZERO for _ in weights]
    exact = [amount * w / total for w in weights]
    parts = [e.quantize(CENT, rounding=ROUND_FLOOR) for e in exact]
    left = int((amount - sum(parts, ZERO)) / CENT)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in order[:left]:
        parts[i] += CENT
    return parts


@dataclass(frozen=True)
class _Unit:
    line: int
    n: int  # the unit's place in its line: (line, n) names one physical unit
    price: Decimal  # what the unit still costs


class _Basket:
    """What each line still costs while promotions apply one after another."""

    def __init__(self, lines: list[BasketLine]):
        self.lines = lines
        self.priced = [
            PricedLine(line.key, line.sku, line.quantity, money(line.unit_price), money(line.unit_price) * line.quantity)
            for line in lines
        ]  # fmt: skip
        self.touched: set[int] = set()

    def remaining(self, i: int) -> Decimal:
        return self.priced[i].total

    def units(self, eligible: Iterable[int]) -> list[_Unit]:
        """Each unit with what it still costs (a line's remaining amount spread over its units,
        cent by cent, so the units of a line add up to the line)."""
        units = []
        for i in eligible:
            line = self.priced[i]
            for n, price in enumerate(allocate(line.total, [line.unit_price] * line.quantity)):
                units.append(_Unit(i, n, price))
        return units

    def give(self, promotion_id: int, by_line: dict[int, Decimal]) -> Decimal:
        given = ZERO
        for i, amount in by_line.items():
            if amount > 0:
                self.priced[i].discounts[promotion_id] = (
                    self.priced[i].discounts.get(promotion_id, ZERO) + amount
                )
                self.touched.add(i)
                given += amount
        return given


def _spread(basket: _Basket, lines: list[int], amount: Decimal) -> dict[int, Decimal]:
    capped = min(money(amount), sum((basket.remaining(i) for i in lines), ZERO))
    return dict(zip(lines, allocate(capped, [basket.remaining(i) for i in lines]), strict=True))


# ---------------------------------------------------------------- kinds


def _discount(
    promotion: dict, basket: _Basket, eligible: list[int]
) -> tuple[dict[int, Decimal], dict | None]:
    """The discount per line, or why it does not apply."""
    kind, p = promotion["kind"], promotion.get("params", {})
    quantity = sum(basket.priced[i].quantity for i in eligible)
    amount = sum((basket.remaining(i) for i in eligible), ZERO)
    c = promotion.get("conditions", {})
    if c.get("min_quantity") and quantity < int(c["min_quantity"]):
        return {}, {"code": "min_quantity", "needed": int(c["min_quantity"]), "has": quantity}
    if c.get("min_amount") and amount < Decimal(c["min_amount"]):
        return {}, {"code": "min_amount", "missing": str(Decimal(c["min_amount"]) - amount)}
    if kind == LINE_PERCENT:
        return _spread(basket, eligible, amount * Decimal(p["percent"]) / 100), None
    if kind == LINE_AMOUNT:
        return {
            i: min(money(Decimal(p["amount"]) * basket.priced[i].quantity), basket.remaining(i))
            for i in eligible
        }, None
    if kind in (BASKET_AMOUNT, BASKET_PERCENT):
        threshold = Decimal(p.get("threshold", "0"))
        if amount < threshold:
            return {}, {"code": "min_amount", "missing": str(threshold - amount)}
        off = Decimal(p["amount"]) if kind == BASKET_AMOUNT else amount * Decimal(p["percent"]) / 100
        return _spread(basket, eligible, off), None
    if kind == BUY_X_GET_Y:
        buy, get = int(p["buy"]), int(p["get"])
        units = sorted(basket.units(eligible), key=lambda u: (-u.price, u.line))
        groups = len(units) // (buy + get)
        if groups == 0:
            return {}, {"code": "min_quantity", "needed": buy + get, "has": len(units)}
        cheapest = units[len(units) - groups * get :]
        off = money(sum((u.price for u in cheapest), ZERO) * Decimal(p.get("percent", 100)) / 100)
        by_line: dict[int, Decimal] = {}
        for unit, share in zip(cheapest, allocate(off, [u.price for u in cheapest]), strict=True):
            by_line[unit.line] = by_line.get(unit.line, ZERO) + share
        return by_line, None
    if kind == BUNDLE:
        pools = []
        for item in p["items"]:
            wanted = [i for i in eligible if _matches(basket.lines[i], item.get("target"))]
            pools.append(
                (int(item["quantity"]), sorted(basket.units(wanted), key=lambda u: (-u.price, u.line)))
            )
        taken: list[list[_Unit]] = []
        used: set[int] = set()
        while True:  # one more bundle while every item can still be filled, dearest units first
            bundle = []
            for quantity, pool in pools:
                free = [u for u in pool if id(u) not in used and id(u) not in {id(b) for b in bundle}][
                    :quantity
                ]
                if len(free) < quantity:
                    break
                bundle += free
            else:
                taken.append(bundle)
                used |= {id(u) for u in bundle}
                continue
            break
        if not taken:
            return {}, {"code": "incomplete_bundle"}
        by_line = {}
        price = Decimal(p["price"])
        for bundle in taken:
            worth = sum((u.price for u in bundle), ZERO)
            if worth <= price:
                continue
            shares = allocate(money(worth - price), [u.price for u in bundle])
            for unit, share in zip(bundle, shares, strict=True):
                by_line[unit.line] = by_line.get(unit.line, ZERO) + share
        return by_line, (None if by_line else {"code": "no_saving"})
    raise ValueError(f"unknown promotion kind {kind!r}")


# ---------------------------------------------------------------- evaluation


def price_basket(lines: list[BasketLine], snapshot: dict, context: Context) -> Quote:
    """Price the basket under the snapshot's promotions for this sale."""
    basket = _Basket(lines)
    applied, not_applied, waived = [], [], {}
    promotions = sorted(
        snapshot.get("promotions", []), key=lambda p: (not p.get("exclusive"), p["priority"], p["id"])
    )
    exclusive_won = False
    for promotion in promotions:
        entry = {"id": promotion["id"], "name": promotion["name"]}
        if exclusive_won:
            not_applied.append({**entry, "reason": {"code": "exclusive_applied"}})
            continue
        if promotion["kind"] not in KINDS:
            not_applied.append({**entry, "reason": {"code": "unknown_kind"}})
            continue
        reason = _why_not(promotion, context)
        if reason:
            not_applied.append({**entry, "reason": reason})
            continue
        stacks = promotion.get("stackable", True)
        eligible = [
            i for i, line in enumerate(lines)
            if _matches(line, promotion.get("target")) and basket.remaining(i) > 0 and (stacks or i not in basket.touched)
        ]  # fmt: skip
        if promotion["kind"] == FREE_DELIVERY:
            result = _free_delivery(promotion, basket, eligible, context)
            if isinstance(result, dict):
                not_applied.append({**entry, "reason": result})
                continue
            for method in result:
                waived.setdefault(method, promotion["id"])
            applied.append(
                {**entry, "amount": "0.00", "waived_delivery": result, "code": _code(promotion, context)}
            )
            exclusive_won = bool(promotion.get("exclusive"))
            continue
        if not eligible:
            code = "no_matching_items" if stacks or not basket.touched else "does_not_stack"
            not_applied.append({**entry, "reason": {"code": code}})
            continue
        if promotion["kind"] in (BASKET_AMOUNT, BASKET_PERCENT) and not stacks and basket.touched:
            not_applied.append({**entry, "reason": {"code": "does_not_stack"}})
            continue
        by_line, reason = _discount(promotion, basket, eligible)
        if reason or not any(v > 0 for v in by_line.values()):
            not_applied.append({**entry, "reason": reason or {"code": "no_saving"}})
            continue
        amount = basket.give(promotion["id"], by_line)
        applied.append({**entry, "amount": str(amount), "code": _code(promotion, context)})
        exclusive_won = bool(promotion.get("exclusive"))
    return Quote(basket.priced, applied, not_applied, waived)


def _free_delivery(
    promotion: dict, basket: _Basket, eligible: list[int], context: Context
) -> list[str] | dict:
    methods = [m for m in promotion.get("params", {}).get("methods", []) if m in context.delivery_methods]
    if not methods:
        return {"code": "delivery_method", "methods": promotion.get("params", {}).get("methods", [])}
    c = promotion.get("conditions", {})
    amount = sum((basket.remaining(i) for i in eligible), ZERO)
    if c.get("min_amount") and amount < Decimal(c["min_amount"]):
        return {"code": "min_amount", "missing": str(Decimal(c["min_amount"]) - amount)}
    return methods
