"""The sourcing engine: which locations serve a delivery group, under which strategy, and why.

Pure computation over a snapshot of the network (stock, locations, load, reliability) read
by ``selectors.network_snapshot``: it writes nothing, so a dry run, the promise API and a
real sourcing run make the same decision from the same facts. ``services.order_source``
applies a decision (reservations, fulfilment orders) and re-decides if stock moved meanwhile.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import itertools
import math
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from inventory.models import Location
from omni.vocabulary import DeliveryMethod, FulfilmentMode, SalesChannel

from .calendar import Period, add_open_minutes, next_working_start, working_days_after
from .criteria import Candidate, candidate_score

# Minutes of opening time from a new fulfilment order to goods ready to leave or be collected.
PROCESSING_MINUTES = {
    Location.Kind.STORE: 120,
    Location.Kind.WAREHOUSE: 240,
    Location.Kind.DROP_SHIP_VENDOR: 1440,
}
# Only this many best-ranked locations are combined into split plans (pairs, triples).
COMBINATION_POOL = 10
EXPLAINED_CANDIDATES = 20
# Stores are ranked among the nearest this many that hold the goods (every warehouse and
# vendor always is): a store farther than forty others never wins on distance or cost, and
# scoring hundreds of far stores would cost every checkout and reroute its latency.
NEAREST_STORES = 40


@dataclass(frozen=True)
class LineNeed:
    key: str  # the order line's number, or the basket line's index in a dry run
    sku_id: int
    sku_code: str
    quantity: int
    excluded: frozenset[int] = frozenset()  # locations that already failed this line


@dataclass
class Group:
    """Lines that travel to one destination the same way."""

    delivery_method: str
    lines: list[LineNeed]
    pickup_location_id: int | None = None
    point: tuple[float, float] | None = None
    postcode: str = ""
    promised_date: datetime.date | None = None

    @property
    def is_pickup(self) -> bool:
        return self.delivery_method in DeliveryMethod.pickups()


@dataclass
class Request:
    channel: str
    order_value: Decimal
    moment: datetime.datetime
    groups: list[Group]


@dataclass(frozen=True)
class LocationFacts:
    id: int
    code: str
    name: str
    kind: str
    postcode: str
    latitude: float
    longitude: float
    ships_to_customers: bool
    is_pickup_point: bool
    receives_ship_to_store: bool
    sends_transfers: bool
    receives_transfers: bool
    sells_stock_online: bool
    daily_capacity: int | None
    order_cutoff_time: datetime.time | None
    timezone: str
    periods: tuple[Period, ...] = ()


@dataclass
class Snapshot:
    """The facts a decision reads: ATP by (location, SKU), locations, today's load, failure
    rates, shipping rates by origin kind as (up to km, cost, transit days)."""

    atp: dict[tuple[int, int], int]
    locations: dict[int, LocationFacts]
    load_today: dict[int, int]
    failure_rate: dict[int, float]
    rates: dict[str, list[tuple[int, Decimal, int]]]


@dataclass
class StrategyRule:
    """A strategy as the engine reads it (built from a SourcingStrategy row)."""

    id: int | None
    name: str
    priority: int
    is_fallback: bool
    criteria: list[dict]
    channels: list[str] = field(default_factory=list)
    delivery_methods: list[str] = field(default_factory=list)
    postcode_prefixes: list[str] = field(default_factory=list)
    min_order_value: Decimal | None = None
    max_order_value: Decimal | None = None
    weekdays: list[int] = field(default_factory=list)
    time_from: datetime.time | None = None
    time_to: datetime.time | None = None
    allow_split: bool = True
    max_locations: int = 3
    location_kinds: list[str] = field(default_factory=list)
    excluded_location_ids: frozenset[int] = frozenset()
    respect_capacity: bool = True
    respect_promised_date: bool = True

    def why_not(self, request: Request, group: Group) -> str:
        """Why the strategy does not apply ('' when it does)."""
        local = request.moment
        if self.channels and request.channel not in self.channels:
            return _("channel is not %(values)s") % {"values": ", ".join(self.channels)}
        if self.delivery_methods and group.delivery_method not in self.delivery_methods:
            return _("delivery is not %(values)s") % {"values": ", ".join(self.delivery_methods)}
        if self.postcode_prefixes and not any(group.postcode.startswith(p) for p in self.postcode_prefixes):
            return _("destination postcode outside %(values)s") % {
                "values": ", ".join(self.postcode_prefixes)
            }
        if self.min_order_value is not None and request.order_value < self.min_order_value:
            return _("order value below %(value)s €") % {"value": self.min_order_value}
        if self.max_order_value is not None and request.order_value > self.max_order_value:
            return _("order value above %(value)s €") % {"value": self.max_order_value}
        if self.weekdays and local.weekday() not in self.weekdays:
            return _("not on this day")
        if self.time_from and local.time() < self.time_from:
            return _("before %(time)s") % {"time": f"{self.time_from:%H:%M}"}
        if self.time_to and local.time() >= self.time_to:
            return _("after %(time)s") % {"time": f"{self.time_to:%H:%M}"}
        return ""

    @property
    def most_locations(self) -> int:
        return self.max_locations if self.allow_split else 1

    @property
    def fewest_shipments_weight(self) -> float:
        return sum(float(c.get("weight", 1)) for c in self.criteria if c["criterion"] == "fewest_shipments")


@dataclass
class Assignment:
    """Units one location gives to a group: becomes one fulfilment order."""

    location_id: int
    code: str
    name: str
    kind: str
    mode: str
    date: datetime.date | None
    ready_at: datetime.datetime | None
    lines: dict[str, int]


@dataclass
class GroupDecision:
    group: Group
    strategy: StrategyRule | None
    assignments: list[Assignment]
    unsourced: dict[str, int]
    explanation: dict

    @property
    def units(self) -> int:
        return sum(sum(a.lines.values()) for a in self.assignments)

    @property
    def date(self) -> datetime.date | None:
        dates = [a.date for a in self.assignments if a.date]
        return max(dates) if dates else None


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def _far(km: float | None) -> float:
    """A distance for sorting and rating: an unknown one counts as the farthest."""
    return math.inf if km is None else km


def shipping_rate(snapshot: Snapshot, kind: str, km: float) -> tuple[Decimal, int]:
    bands = snapshot.rates.get(kind) or snapshot.rates.get(Location.Kind.WAREHOUSE) or []
    for up_to, cost, days in bands:
        if km <= up_to:
            return cost, days
    return (bands[-1][1], bands[-1][2]) if bands else (Decimal("0"), 2)


def _mode(group: Group, loc: LocationFacts, pickup: LocationFacts | None, channel: str = "") -> str | None:
    """How this location could serve the group, or None when it cannot."""
    if not group.is_pickup:
        if loc.kind == Location.Kind.DROP_SHIP_VENDOR:
            return FulfilmentMode.DROP_SHIP if loc.ships_to_customers else None
        return (
            FulfilmentMode.SHIP_FROM_LOCATION if loc.ships_to_customers and loc.sells_stock_online else None
        )
    if pickup is None:
        return None
    if loc.id == pickup.id:
        # The web shop counts only the shelves of stores whose stock is sold online (as the
        # store finder does); a store's own channels may always sell from its shelf.
        if channel == SalesChannel.WEB and not loc.sells_stock_online:
            return None
        return FulfilmentMode.PICKUP_AT_LOCATION
    if (
        loc.kind == Location.Kind.WAREHOUSE
        and pickup.receives_ship_to_store
        and (loc.ships_to_customers or loc.sends_transfers)
    ):
        return FulfilmentMode.SHIP_TO_STORE
    if loc.kind == Location.Kind.STORE and loc.sends_transfers and pickup.receives_transfers:
        return FulfilmentMode.TRANSFER
    return None


@functools.lru_cache(maxsize=4096)
def _ready(moment: datetime.datetime, kind: str, cutoff, periods: tuple, tz: str) -> datetime.datetime:
    """When a location of these hours starts on work received at ``moment`` and has it ready."""
    start = next_working_start(moment, cutoff, periods, tz)
    return add_open_minutes(start, PROCESSING_MINUTES.get(kind, 120), periods, tz)


def _candidates(request: Request, group: Group, snapshot: Snapshot) -> tuple[list[Candidate], int]:
    """The locations that could serve the group, and how many far stores were set aside."""
    pickup = snapshot.locations.get(group.pickup_location_id) if group.pickup_location_id else None
    origin = (pickup.latitude, pickup.longitude) if pickup else group.point
    sku_ids = {line.sku_id for line in group.lines}
    holders = {loc_id for (loc_id, sku_id) in snapshot.atp if sku_id in sku_ids}
    reachable = []
    for loc_id in holders:
        loc = snapshot.locations.get(loc_id)
        if loc is None or (mode := _mode(group, loc, pickup, request.channel)) is None:
            continue
        available = {
            line.key: 0 if loc_id in line.excluded else snapshot.atp.get((loc_id, line.sku_id), 0)
            for line in group.lines
        }
        if any(available.values()):
            # No destination point (an address from before postcodes were checked): the
            # distance is unknown, not zero, and the farthest shipping band applies.
            km = haversine_km(origin, (loc.latitude, loc.longitude)) if origin else None
            reachable.append((km, loc_id, loc, mode, available))
    stores = sorted(
        (r for r in reachable if r[2].kind == Location.Kind.STORE), key=lambda r: (_far(r[0]), r[1])
    )
    pool = [r for r in reachable if r[2].kind != Location.Kind.STORE] + stores[:NEAREST_STORES]
    moment = request.moment.replace(second=0, microsecond=0)
    candidates = []
    for km, loc_id, loc, mode, available in pool:
        if mode == FulfilmentMode.PICKUP_AT_LOCATION:
            cost, transit = Decimal("0"), 0
        else:
            cost, transit = shipping_rate(snapshot, loc.kind, _far(km))
        ready = _ready(moment, loc.kind, loc.order_cutoff_time, loc.periods, loc.timezone)
        date = working_days_after(ready.date(), transit) if transit else ready.date()
        candidate = Candidate(
            location_id=loc_id,
            code=loc.code,
            name=loc.name,
            kind=loc.kind,
            mode=mode,
            distance_km=None if km is None else round(km, 1),
            available=available,
            needed={line.key: line.quantity for line in group.lines},
            capacity=loc.daily_capacity,
            load_today=snapshot.load_today.get(loc_id, 0),
            failure_rate=snapshot.failure_rate.get(loc_id, 0.0),
            shipping_cost=cost,
            transit_days=transit,
            date=date,
            ready_at=ready,
        )
        candidates.append(candidate)
    return candidates, max(0, len(stores) - NEAREST_STORES)


def _constrain(candidate: Candidate, rule: StrategyRule, group: Group) -> str:
    if rule.location_kinds and candidate.kind not in rule.location_kinds:
        return _("strategy serves only from %(kinds)s") % {"kinds": ", ".join(rule.location_kinds)}
    if candidate.location_id in rule.excluded_location_ids:
        return _("excluded by the strategy")
    if (
        rule.respect_capacity
        and candidate.capacity is not None
        and candidate.load_today >= candidate.capacity
    ):
        return _("daily capacity reached (%(load)s/%(capacity)s)") % {
            "load": candidate.load_today,
            "capacity": candidate.capacity,
        }
    if rule.respect_promised_date and group.promised_date and candidate.date > group.promised_date:
        return _("ready %(date)s, after the promised %(promised)s") % {
            "date": candidate.date.isoformat(),
            "promised": group.promised_date.isoformat(),
        }
    return ""


def _assign(group: Group, combo: tuple[Candidate, ...]) -> tuple[list[Assignment], dict[str, int]]:
    """Fill the group's lines from the combination's locations in order; what is left over."""
    left: dict[tuple[int, int], int] = {}
    taken: list[dict[str, int]] = [{} for _ in combo]
    unsourced: dict[str, int] = {}
    for line in group.lines:
        need = line.quantity
        for index, candidate in enumerate(combo):
            if need <= 0:
                break
            key = (candidate.location_id, line.sku_id)
            atp = left.get(key, candidate.available.get(line.key, 0))
            if line.key in candidate.available and candidate.available[line.key] == 0:
                atp = 0
            give = min(atp, need)
            if give > 0:
                taken[index][line.key] = taken[index].get(line.key, 0) + give
                left[key] = atp - give
                need -= give
        if need > 0:
            unsourced[line.key] = need
    assignments = [
        Assignment(
            location_id=c.location_id,
            code=c.code,
            name=c.name,
            kind=c.kind,
            mode=c.mode,
            date=c.date,
            ready_at=c.ready_at,
            lines=lines,
        )
        for c, lines in zip(combo, taken, strict=True)
        if lines
    ]
    return assignments, unsourced


def _plan_score(combo: tuple[Candidate, ...], assignments: list[Assignment], rule: StrategyRule) -> float:
    units = sum(sum(a.lines.values()) for a in assignments) or 1
    by_id = {c.location_id: c for c in combo}
    mean = sum(by_id[a.location_id].total * sum(a.lines.values()) for a in assignments) / units
    total_weight = sum(float(c.get("weight", 1)) for c in rule.criteria) or 1.0
    return mean - (len(assignments) - 1) * rule.fewest_shipments_weight / total_weight


def _best_full_plan(group: Group, ranked: list[Candidate], rule: StrategyRule):
    """The best plan serving the whole group within the strategy's split limit, or None."""
    best = None
    for size in range(1, rule.most_locations + 1):
        pool = ranked if size == 1 else ranked[:COMBINATION_POOL]
        for combo in itertools.combinations(pool, size):
            assignments, unsourced = _assign(group, combo)
            if unsourced or len(assignments) < size:
                continue
            score = _plan_score(combo, assignments, rule)
            if best is None or score > best[0]:
                best = (score, assignments)
        if best and rule.fewest_shipments_weight:
            break  # fewest shipments first: a larger split never beats a smaller one
    return best[1] if best else None


def _partial_plan(group: Group, ranked: list[Candidate], rule: StrategyRule):
    """Best-ranked locations, as many as the strategy allows, each giving what it has."""
    chosen: list[Candidate] = []
    for candidate in ranked:
        if len(chosen) == rule.most_locations:
            break
        trial = (*chosen, candidate)
        before = _assign(group, tuple(chosen))[0] if chosen else []
        after = _assign(group, trial)[0]
        if sum(sum(a.lines.values()) for a in after) > sum(sum(a.lines.values()) for a in before):
            chosen.append(candidate)
    return (
        _assign(group, tuple(chosen)) if chosen else ([], {line.key: line.quantity for line in group.lines})
    )


def _explain_candidates(candidates: list[Candidate], chosen: set[int]) -> tuple[list[dict], int]:
    ordered = sorted(
        candidates, key=lambda c: (bool(c.excluded), -c.total, _far(c.distance_km), c.location_id)
    )
    shown = [c for c in ordered if c.location_id in chosen]
    shown += [c for c in ordered if c.location_id not in chosen][: max(0, EXPLAINED_CANDIDATES - len(shown))]
    shown.sort(key=lambda c: (c.location_id not in chosen, bool(c.excluded), -c.total, _far(c.distance_km)))
    return [
        {
            "location": c.code,
            "name": c.name,
            "kind": c.kind,
            "mode": c.mode,
            "distance_km": c.distance_km,
            "units": c.units,
            "date": c.date.isoformat() if c.date else None,
            "scores": c.scores,
            "notes": c.notes,
            "total": c.total,
            "excluded": c.excluded,
            "chosen": c.location_id in chosen,
        }
        for c in shown
    ], len(candidates) - len(shown)


def _evaluate(
    request: Request, group: Group, rule: StrategyRule, base: list[Candidate]
) -> tuple[dict, object]:
    """One strategy on one group: (explanation, (assignments, unsourced) or None)."""
    entry = {"strategy": rule.name, "priority": rule.priority, "fallback": rule.is_fallback}
    why_not = rule.why_not(request, group)
    if why_not:
        return {**entry, "applies": False, "why_not": why_not}, None
    candidates = []
    for template in base:
        candidate = dataclasses.replace(template, scores={}, notes={}, total=0.0, excluded="")
        candidate.excluded = _constrain(candidate, rule, group)
        if not candidate.excluded:
            candidate_score(candidate, rule.criteria)
        candidates.append(candidate)
    ranked = sorted(
        (c for c in candidates if not c.excluded),
        key=lambda c: (-c.total, _far(c.distance_km), c.location_id),
    )
    plan = _best_full_plan(group, ranked, rule)
    if plan is not None:
        outcome, result = "served", (plan, {})
    elif rule.is_fallback:
        assignments, unsourced = _partial_plan(group, ranked, rule)
        outcome = "partial" if assignments else "cannot_serve"
        result = (assignments, unsourced) if assignments else None
    else:
        outcome, result = "cannot_serve", None
    chosen = {a.location_id for a in result[0]} if result else set()
    shown, more = _explain_candidates(candidates, chosen)
    entry.update(applies=True, outcome=outcome, candidates=shown, more_candidates=more)
    if result:
        entry["plan"] = [
            {"location": a.code, "name": a.name, "mode": a.mode, "lines": a.lines, "date": _iso(a.date)}
            for a in result[0]
        ]
    return entry, result


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def decide_group(
    request: Request,
    group: Group,
    rules: list[StrategyRule],
    snapshot: Snapshot,
    *,
    explain_all: bool = False,
) -> GroupDecision:
    """The first strategy that serves the whole group wins; otherwise the first fallback that
    serves part of it. With ``explain_all`` (dry runs) every strategy is evaluated."""
    base, far_stores = _candidates(request, group, snapshot)
    evaluations, winner = [], None
    ordered = [r for r in rules if not r.is_fallback] + [r for r in rules if r.is_fallback]
    for rule in ordered:
        if winner is not None and not explain_all:
            break
        if rule.is_fallback and winner is not None:
            evaluations.append({"strategy": rule.name, "priority": rule.priority, "fallback": True,
                                "applies": False, "why_not": _("a strategy above served the request")})  # fmt: skip
            continue
        entry, result = _evaluate(request, group, rule, base)
        evaluations.append(entry)
        if result and winner is None and (entry["outcome"] == "served" or rule.is_fallback):
            winner = (rule, result)
            entry["winner"] = True
    if winner:
        rule, (assignments, unsourced) = winner
    else:
        rule, assignments, unsourced = None, [], {line.key: line.quantity for line in group.lines}
    explanation = {
        "delivery_method": group.delivery_method,
        "pickup_location": (snapshot.locations[group.pickup_location_id].code
                            if group.pickup_location_id in snapshot.locations else None),
        "postcode": group.postcode,
        "promised_date": _iso(group.promised_date),
        "lines": [{"line": ln.key, "sku": ln.sku_code, "quantity": ln.quantity,
                   "excluded": sorted(snapshot.locations[i].code for i in ln.excluded if i in snapshot.locations)}
                  for ln in group.lines],
        "strategies": evaluations,
        "chosen_strategy": rule.name if rule else None,
        "unsourced": unsourced,
        "candidates_considered": len(base),
        "far_stores_set_aside": far_stores,
    }  # fmt: skip
    return GroupDecision(group, rule, assignments, unsourced, explanation)


def decide(
    request: Request, rules: list[StrategyRule], snapshot: Snapshot, *, explain_all: bool = False
) -> list[GroupDecision]:
    return [decide_group(request, g, rules, snapshot, explain_all=explain_all) for g in request.groups]
