"""Ranking criteria: each scores a candidate location between 0 and 1, or excludes it with a
reason. Pure functions over the candidate's facts, so a dry run and a real run agree.

A strategy lists criteria as ``{"criterion": name, "weight": w, ...params}``. The candidate's
score is the weighted mean of its criteria; ``fewest_shipments`` is weighed on whole plans
(single locations first, then pairs, then triples) rather than on one location.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

Score = tuple[float | None, str]  # (score, note); a None score excludes, the note says why


@dataclass
class Candidate:
    """What sourcing knows about one location for one delivery group."""

    location_id: int
    code: str
    name: str
    kind: str
    mode: str
    distance_km: float | None  # None: the destination could not be placed
    available: dict[int, int]  # sku id → units it can give this group (ATP, minus failures)
    needed: dict[int, int]  # sku id → units the group asks for
    capacity: int | None
    load_today: int
    failure_rate: float
    shipping_cost: Decimal
    transit_days: int
    date: object = None  # the date the customer gets the goods (or can collect them)
    ready_at: object = None  # when the location can have the goods ready
    scores: dict[str, float] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    total: float = 0.0
    excluded: str = ""

    @property
    def units(self) -> int:
        return sum(min(self.available.get(sku, 0), qty) for sku, qty in self.needed.items())


def _distance(c: Candidate, params: dict) -> Score:
    max_km = params.get("max_km")
    if c.distance_km is None:  # the destination could not be placed
        if max_km is not None:
            return None, _("distance unknown, the strategy serves within %(max)s km") % {"max": max_km}
        return 0.0, _("distance unknown")
    if max_km is not None and c.distance_km > max_km:
        return None, _("%(km)s km away, beyond %(max)s km") % {"km": round(c.distance_km), "max": max_km}
    bands = params.get("bands")  # [[km, score], ...] ascending
    if bands:
        for up_to, score in bands:
            if c.distance_km <= up_to:
                return float(score), _("%(km)s km (≤ %(band)s km band)") % {
                    "km": round(c.distance_km),
                    "band": up_to,
                }
        return 0.0, _("%(km)s km, beyond every band") % {"km": round(c.distance_km)}
    scale = float(params.get("scale_km", 1000))
    return max(0.0, 1 - c.distance_km / scale), _("%(km)s km") % {"km": round(c.distance_km)}


def _location_priority(c: Candidate, params: dict) -> Score:
    order = params.get("order") or ["warehouse", "store", "drop_ship_vendor"]
    for rank, key in enumerate(order):
        if key in (c.code, c.kind):
            return 1 - rank / len(order), _("rank %(rank)s of %(count)s") % {
                "rank": rank + 1,
                "count": len(order),
            }
    return 0.0, _("not ranked")


def _shipping_cost(c: Candidate, params: dict) -> Score:
    ceiling = float(params.get("max_cost", 15))
    return max(0.0, 1 - float(c.shipping_cost) / ceiling), _("%(cost)s € per parcel") % {
        "cost": c.shipping_cost
    }


def _stock_depth(c: Candidate, params: dict) -> Score:
    """Protect a store's last units (what a walk-in customer would find), prefer deep stock."""
    protect = int(params.get("protect_store_units", 1))
    target = float(params.get("target_depth", 10))
    left = [c.available.get(sku, 0) - min(c.available.get(sku, 0), qty) for sku, qty in c.needed.items()]
    if (
        c.kind == "store"
        and protect
        and any(
            c.available.get(sku, 0) and c.available.get(sku, 0) - min(c.available.get(sku, 0), qty) < protect
            for sku, qty in c.needed.items()
        )
    ):
        return None, _("would take the store's last %(units)s units") % {"units": protect}
    depth = min(left) if left else 0
    return min(1.0, depth / target) if target else 1.0, _("%(left)s units left after") % {"left": depth}


def _capacity(c: Candidate, params: dict) -> Score:
    if c.capacity is None:
        return 1.0, _("no daily limit")
    left = c.capacity - c.load_today
    return max(0.0, left / c.capacity) if c.capacity else 0.0, _("%(left)s of %(capacity)s left today") % {
        "left": left,
        "capacity": c.capacity,
    }


def _reliability(c: Candidate, params: dict) -> Score:
    max_rate = float(params.get("max_failure_rate", 0.5))
    if c.failure_rate > max_rate:
        return None, _("fails %(rate)s %% of its work") % {"rate": round(c.failure_rate * 100)}
    return 1 - c.failure_rate, _("%(rate)s %% declined or short-picked (30 days)") % {
        "rate": round(c.failure_rate * 100)
    }


def _fewest_shipments(c: Candidate, params: dict) -> Score:
    return 1.0, ""


CRITERIA = {
    "fewest_shipments": (_fewest_shipments, gettext_lazy("Fewest shipments")),
    "distance": (_distance, gettext_lazy("Distance")),
    "location_priority": (_location_priority, gettext_lazy("Location priority")),
    "shipping_cost": (_shipping_cost, gettext_lazy("Shipping cost")),
    "stock_depth": (_stock_depth, gettext_lazy("Stock depth")),
    "capacity": (_capacity, gettext_lazy("Capacity left today")),
    "reliability": (_reliability, gettext_lazy("Reliability")),
}


def criterion_label(name: str) -> str:
    entry = CRITERIA.get(name)
    return str(entry[1]) if entry else name


def candidate_score(candidate: Candidate, criteria: list[dict]) -> None:
    """Fill the candidate's scores, notes, total (weighted mean) or exclusion."""
    weighted, weights = 0.0, 0.0
    for item in criteria:
        name = item["criterion"]
        if name == "fewest_shipments":
            continue
        score, note = CRITERIA[name][0](candidate, item)
        candidate.notes[name] = note
        if score is None:
            candidate.excluded = f"{criterion_label(name)}: {note}"
            candidate.total = 0.0
            return
        candidate.scores[name] = round(score, 3)
        weight = float(item.get("weight", 1))
        weighted += weight * score
        weights += weight
    candidate.total = round(weighted / weights, 4) if weights else 0.0
