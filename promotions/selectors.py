"""Reads of the promotions app: the rules snapshot the engine evaluates, coupon codes checked
against their limits, and a quote for a basket — the one function every channel prices with."""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import dataclass, field

from django.db.models import Count, Q, Sum
from django.utils import timezone

from inventory import selectors as inventory

from . import engine
from .models import CouponCode, Promotion, Redemption


def _promotion_rule(p: Promotion) -> dict:
    target = {
        key: values
        for key, values in (("skus", p.target_skus), ("products", p.target_products),
                            ("categories", p.target_categories), ("collections", p.target_collections))
        if values
    }  # fmt: skip
    local = timezone.localtime
    conditions = {
        "channels": p.channels, "stores": p.stores, "segments": p.segments, "tiers": p.tiers,
        "starts_at": local(p.starts_at).replace(tzinfo=None).isoformat() if p.starts_at else None,
        "ends_at": local(p.ends_at).replace(tzinfo=None).isoformat() if p.ends_at else None,
        "weekdays": p.weekdays,
        "time_from": p.time_from.strftime("%H:%M") if p.time_from else None,
        "time_to": p.time_to.strftime("%H:%M") if p.time_to else None,
        "min_quantity": p.min_quantity,
        "min_amount": str(p.min_amount) if p.min_amount is not None else None,
    }  # fmt: skip
    return {
        "id": p.pk, "name": p.name, "kind": p.kind, "priority": p.priority, "params": p.params,
        "target": target or None, "conditions": {k: v for k, v in conditions.items() if v not in (None, [], "")},
        "stackable": p.stackable, "exclusive": p.exclusive, "requires_code": p.requires_code,
        "code": p.code or None,
    }  # fmt: skip


def rules_snapshot(*, moment: datetime.datetime | None = None) -> dict:
    """Every active promotion not yet ended, as the engine (and the offline POS) reads it.
    Times are the retailer's local wall-clock times. ``version`` changes whenever a rule does."""
    moment = moment or timezone.now()
    live = Promotion.objects.filter(status=Promotion.Status.ACTIVE).filter(
        Q(ends_at__isnull=True) | Q(ends_at__gt=moment)
    )
    rules = [_promotion_rule(p) for p in live.order_by("priority", "pk")]
    version = hashlib.sha256(json.dumps(rules, sort_keys=True, default=str).encode()).hexdigest()[:16]
    return {"version": version, "generated_at": moment.isoformat(), "currency": "EUR", "promotions": rules}


@dataclass
class CodeCheck:
    unlocked: dict[int, str] = field(default_factory=dict)  # promotion id → code (generated codes)
    typed: tuple[str, ...] = ()  # codes passed on to the engine (single codes)
    refused: dict[str, str] = field(default_factory=dict)  # code → reason code


def codes_check(codes, *, customer=None, moment: datetime.datetime | None = None, preview=None) -> CodeCheck:
    """Which typed codes can be used now: a generated code unlocks its promotion unless it is
    expired or used up; a single code goes to the engine; any promotion at its total or
    per-customer limit refuses its code."""
    moment = moment or timezone.now()
    wanted = {c.strip().upper() for c in codes if c and c.strip()}
    check = CodeCheck()
    if not wanted:
        return check
    generated = {c.code: c for c in CouponCode.objects.filter(code__in=wanted).select_related("promotion")}
    singles = {p.code: p for p in Promotion.objects.filter(code__in=wanted)}
    typed = []
    for code in sorted(wanted):
        promotion = generated[code].promotion if code in generated else singles.get(code)
        if promotion is None:
            check.refused[code] = "unknown"
            continue
        coupon = generated.get(code)
        if not promotion.is_live and promotion != preview:
            check.refused[code] = "not_active"
        elif coupon and coupon.expires_at and coupon.expires_at <= moment:
            check.refused[code] = "expired"
        elif (
            coupon
            and coupon.uses >= coupon.max_uses
            or promotion.max_uses is not None
            and promotion.uses >= promotion.max_uses
        ):
            check.refused[code] = "used_up"
        elif (
            customer is not None
            and promotion.max_uses_per_customer is not None
            and _customer_uses(promotion, customer) >= promotion.max_uses_per_customer
        ):
            check.refused[code] = "used_by_customer"
        elif coupon:
            check.unlocked[promotion.pk] = code
        else:
            typed.append(code)
    check.typed = tuple(typed)
    return check


def _customer_uses(promotion: Promotion, customer) -> int:
    return Redemption.objects.filter(
        promotion=promotion, customer=customer, status=Redemption.Status.ACTIVE
    ).count()


@dataclass
class BasketQuote:
    quote: engine.Quote
    refused_codes: dict[str, str]
    snapshot_version: str
    skus: list


def basket_quote(
    *,
    lines: list[tuple[object, int]],  # (inventory SKU, quantity)
    channel: str,
    customer=None,
    store: str = "",
    codes=(),
    delivery_methods=(),
    moment: datetime.datetime | None = None,
    preview: Promotion | None = None,
) -> BasketQuote:
    """Price a basket for a sale: the function the quote API, order capture and the
    call-centre form all call. Catalogue prices are tax included, in EUR. ``preview`` (head
    office's preview) counts that promotion as running even while it is a draft."""
    moment = moment or timezone.now()
    check = codes_check(codes, customer=customer, moment=moment, preview=preview)
    snapshot = rules_snapshot(moment=moment)
    if preview is not None and all(rule["id"] != preview.pk for rule in snapshot["promotions"]):
        snapshot["promotions"].append(_promotion_rule(preview))
    # Product codes only matter to promotions that target products: read them then, at once.
    products = {}
    if any((rule.get("target") or {}).get("products") for rule in snapshot["promotions"]):
        products = inventory.product_codes_of(s.pk for s, _q in lines)
    basket = [
        engine.BasketLine(key=str(n), sku=sku.code, quantity=quantity, unit_price=sku.price,
                          product=products.get(sku.pk, ""), category=sku.category)
        for n, (sku, quantity) in enumerate(lines, start=1)
    ]  # fmt: skip
    context = engine.Context(
        channel=channel,
        moment=timezone.localtime(moment).replace(tzinfo=None),
        store=store,
        customer=engine.Customer(id=str(customer.pk) if customer is not None else ""),
        codes=check.typed,
        unlocked=check.unlocked,
        delivery_methods=tuple(delivery_methods),
    )
    return BasketQuote(
        engine.price_basket(basket, snapshot, context),
        check.refused,
        snapshot["version"],
        [s for s, _ in lines],
    )


def promotion_usage(queryset):
    """Uses and the discount and revenue they carried, per promotion (for head office's list)."""
    return queryset.annotate(
        redeemed=Count("redemptions", filter=Q(redemptions__status=Redemption.Status.ACTIVE)),
        discount_given=Sum("redemptions__amount", filter=Q(redemptions__status=Redemption.Status.ACTIVE)),
        revenue=Sum("redemptions__revenue", filter=Q(redemptions__status=Redemption.Status.ACTIVE)),
    )
