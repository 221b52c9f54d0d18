"""Decisions without writes: head office's dry runs and the web shop's delivery promise.

Both read one network snapshot and run the same engine as real sourcing, so what the
checkout promises is what sourcing will do with the same stock.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from inventory.geo import distance_km_sql
from inventory.models import SKU, BackorderPolicy, Location
from inventory.selectors import backorder_policies, network_availability
from omni.vocabulary import DeliveryMethod, FulfilmentMode
from promotions.delivery import delivery_fee, delivery_zone
from promotions.selectors import basket_quote

from .engine import (
    Group,
    GroupDecision,
    LineNeed,
    Request,
    StrategyRule,
    decide,
    decide_group,
    haversine_km,
    shipping_rate,
)
from .models import SourcingProfile
from .selectors import network_snapshot, strategy_rules
from .services.routing import SourcingRequest

NEAREST_PICKUP_STORES = 3


def dry_run(*, request: SourcingRequest, profile: SourcingProfile) -> list[GroupDecision]:
    """What each strategy of the profile would decide for the request, every candidate
    explained; nothing is reserved or recorded (an order's what-if builds the request)."""
    return _decide(request.engine_request(), strategy_rules(profile))


def dry_run_basket(
    *,
    lines: list[tuple[SKU, int]],
    delivery_method: str,
    profile: SourcingProfile,
    postcode: str = "",
    point: tuple[float, float] | None = None,
    pickup_location: Location | None = None,
    channel: str = "web",
) -> list[GroupDecision]:
    group = Group(
        delivery_method=delivery_method,
        lines=[LineNeed(str(i), sku.pk, sku.code, qty) for i, (sku, qty) in enumerate(lines, start=1)],
        pickup_location_id=pickup_location.pk if pickup_location else None,
        point=point,
        postcode=pickup_location.postcode if pickup_location else postcode,
    )
    value = sum((sku.price * qty for sku, qty in lines), Decimal("0"))
    request = Request(channel=channel, order_value=value, moment=timezone.localtime(), groups=[group])
    return _decide(request, strategy_rules(profile))


def _decide(request: Request, rules: list[StrategyRule]) -> list[GroupDecision]:
    sku_ids = {need.sku_id for g in request.groups for need in g.lines}
    pickups = {g.pickup_location_id for g in request.groups if g.pickup_location_id}
    snapshot = network_snapshot(sku_ids=sku_ids, location_ids=pickups, moment=request.moment)
    return decide(request, rules, snapshot, explain_all=True)


@dataclass
class PromiseOption:
    method: str
    date: datetime.date
    price: Decimal
    cost: Decimal
    ready_at: datetime.datetime | None = None
    store: dict | None = None
    shipments: int = 1
    sources: list[dict] | None = None


def _pickup_points_near(point: tuple[float, float], limit: int) -> list[int]:
    sql = f"""
        SELECT id FROM inventory_location
         WHERE is_active AND kind = 'store' AND (is_pickup_point OR receives_ship_to_store)
         ORDER BY {distance_km_sql("latitude", "longitude")}, id
         LIMIT %(limit)s
    """  # noqa: S608 - the interpolation is a constant expression
    with connection.cursor() as cursor:
        cursor.execute(sql, {"lat": point[0], "lon": point[1], "limit": limit})
        return [row[0] for row in cursor.fetchall()]


def promise_options(
    *,
    lines: list[tuple[SKU, int]],
    point: tuple[float, float],
    postcode: str,
    profile: SourcingProfile,
    rules: list[StrategyRule],
    channel: str = "web",
    customer=None,
) -> list[PromiseOption]:
    """Every delivery option Omni can keep for the basket: home, relay point, and for the
    nearest pickup stores click & collect from their shelf or ship to store. One snapshot,
    one engine run per option, nothing reserved."""
    moment = timezone.localtime()
    # The same quote and fee as the order will record (promotions.delivery.delivery_fee).
    quote = basket_quote(
        lines=lines, channel=channel, customer=customer, delivery_methods=DeliveryMethod.values
    ).quote
    value, zone = quote.total, delivery_zone(postcode=postcode)

    def _price(method: str, basket_value: Decimal) -> Decimal:
        return delivery_fee(
            method=method, basket_value=basket_value, zone=zone, waived_delivery=quote.waived_delivery
        ).amount

    stores = _pickup_points_near(point, NEAREST_PICKUP_STORES)
    snapshot = network_snapshot(sku_ids={sku.pk for sku, _ in lines}, location_ids=stores, moment=moment)
    needs = [LineNeed(str(i), sku.pk, sku.code, qty) for i, (sku, qty) in enumerate(lines, start=1)]
    request = Request(channel=channel, order_value=value, moment=moment, groups=[])
    options = []
    home = decide_group(
        request, Group(DeliveryMethod.SHIP_TO_ADDRESS, needs, point=point, postcode=postcode), rules, snapshot
    )
    if home.assignments and not home.unsourced:
        cost = sum(
            (
                shipping_rate(snapshot, a.kind, haversine_km(point, _where(snapshot, a)))[0]
                for a in home.assignments
            ),
            Decimal("0"),
        )
        sources = [
            {"location": a.code, "mode": a.mode, "units": sum(a.lines.values())} for a in home.assignments
        ]
        for method in (DeliveryMethod.SHIP_TO_ADDRESS, DeliveryMethod.SHIP_TO_RELAY):
            options.append(PromiseOption(method, home.date, _price(method, value), cost,
                                         shipments=len(home.assignments), sources=sources))  # fmt: skip
    for store_id in stores:
        facts = snapshot.locations.get(store_id)
        if facts is None:
            continue
        group = Group(
            DeliveryMethod.PICKUP_IN_STORE, needs, pickup_location_id=store_id, postcode=facts.postcode
        )
        decision = decide_group(request, group, rules, snapshot)
        if not decision.assignments or decision.unsourced:
            continue
        own_shelf = all(a.mode == FulfilmentMode.PICKUP_AT_LOCATION for a in decision.assignments)
        method = DeliveryMethod.PICKUP_IN_STORE if own_shelf else DeliveryMethod.SHIP_TO_STORE
        if not own_shelf and not (facts.receives_ship_to_store or facts.receives_transfers):
            continue
        if own_shelf and not facts.is_pickup_point:
            continue
        ready = max(a.ready_at for a in decision.assignments) if own_shelf else None
        options.append(
            PromiseOption(
                method,
                decision.date,
                _price(method, value),
                Decimal("0.00") if own_shelf else sum((_assignment_cost(snapshot, a, facts) for a in decision.assignments), Decimal("0")),
                ready_at=ready,
                store={"code": facts.code, "name": facts.name,
                       "distance_km": round(haversine_km(point, (facts.latitude, facts.longitude)), 1)},
                shipments=len(decision.assignments),
                sources=[{"location": a.code, "mode": a.mode, "units": sum(a.lines.values())} for a in decision.assignments],
            )
        )  # fmt: skip
    return options


def _where(snapshot, assignment) -> tuple[float, float]:
    facts = snapshot.locations[assignment.location_id]
    return facts.latitude, facts.longitude


def _assignment_cost(snapshot, assignment, store) -> Decimal:
    if assignment.mode == FulfilmentMode.PICKUP_AT_LOCATION:
        return Decimal("0")
    km = haversine_km((store.latitude, store.longitude), _where(snapshot, assignment))
    return shipping_rate(snapshot, assignment.kind, km)[0]


def cart_shortfalls(*, lines: list[tuple[SKU, int]], channel: str, closed=()) -> list[dict]:
    """The cart lines the network cannot deliver in full now (counted as availability counts
    them), each with its backorder policy and why, as a code and in the reader's language:
    what capture will do with the missing units."""
    totals = network_availability(sku_codes=[sku.code for sku, _q in lines], channel=channel, closed=closed)
    short = [
        (sku, quantity, totals[sku.code].delivery)
        for sku, quantity in lines
        if totals[sku.code].delivery < quantity
    ]
    policies = backorder_policies(skus=[sku for sku, _q, _a in short])
    answer = []
    for sku, quantity, available in short:
        policy = policies[sku.pk]
        missing = quantity - available
        facts = {"sku": sku.code, "missing": missing, "available": available, "left": policy.preorder_left}
        if policy.mode == BackorderPolicy.Mode.REFUSE:
            reason, message = (
                "refused",
                _("Only %(available)s of %(sku)s can be served now, and it is not backordered."),
            )
        elif policy.mode == BackorderPolicy.Mode.PREORDER and (policy.preorder_left or 0) < missing:
            reason, message = "preorder_full", _("%(sku)s can be pre-ordered for %(left)s more units only.")
        elif policy.mode == BackorderPolicy.Mode.PREORDER:
            reason, message = "preorder", _("%(missing)s × %(sku)s pre-ordered, supply expected %(date)s.")
        elif policy.expected_date:
            reason, message = (
                "backorder_dated",
                _("%(missing)s × %(sku)s backordered, supply expected %(date)s."),
            )
        else:
            reason, message = "backorder", _("%(missing)s × %(sku)s backordered, date not known yet.")
        answer.append({
            "sku": sku.code, "quantity": quantity, "available": available, "policy": policy.mode,
            "expected_date": policy.expected_date, "preorder_left": policy.preorder_left, "reason": reason,
            "message": message % {**facts, "date": formats.date_format(policy.expected_date) if policy.expected_date else ""},
            "accepted": reason not in ("refused", "preorder_full"),
        })  # fmt: skip
    return answer
