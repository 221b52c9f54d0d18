"""Deciding where units come from, and reserving them there.

Sourcing takes a request (lines to source, where they go, the locations each must avoid)
and returns a plan: for each delivery group, the locations that serve it with the units
they now hold for the caller (inventory reservations), each part's SLA deadlines, what
could not be served, and the recorded decision with its explanation. It never writes
orders: the caller (``orders``) turns the plan into fulfilment orders and allocations in the
same transaction.

Reservations are conditional updates taken in (SKU, location) order; if stock or capacity
moved between the decision and the writes, the attempt is rolled back to its savepoint and
decided again on fresh facts.
"""

from __future__ import annotations

import datetime
import time
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from inventory import services as inventory
from inventory.models import SKU, Reservation
from omni.errors import ConflictError
from omni.trace import Trace
from omni.vocabulary import FulfilmentMode

from ..calendar import add_open_minutes
from ..engine import Group, GroupDecision, LineNeed, Request, decide
from ..locks import location_day_fail, location_days_take
from ..models import SourcingProfile, SourcingRun
from ..selectors import network_snapshot, strategy_rules
from .profiles import profile_current

ATTEMPTS = 3


class CapacityTaken(ConflictError):
    code = "capacity_taken"


_rules_cache: dict[int, list] = {}


def profile_rules(profile: SourcingProfile):
    """Published profiles never change, so their rules are read once per process."""
    if profile.pk not in _rules_cache:
        _rules_cache[profile.pk] = strategy_rules(profile)
    return _rules_cache[profile.pk]


@dataclass(frozen=True)
class SourcingLine:
    """Units of one line to source, and where and how they go."""

    key: str  # the caller's name for the line (an order line's number)
    sku: SKU
    quantity: int
    delivery_method: str
    holder_ref: str = ""  # whose units the reservation holds (an order line's reference)
    pickup_location_id: int | None = None
    postcode: str = ""  # the destination's, or the pickup store's
    point: tuple[float, float] | None = None
    promised_date: datetime.date | None = None
    excluded: frozenset[int] = frozenset()  # locations that already failed this line
    # Lines with different destinations at one postcode (two relay points) are never one parcel.
    destination: str = ""


@dataclass
class SourcingRequest:
    reference: str  # what is sourced (an order's number), recorded on the decision
    channel: str
    order_value: Decimal
    lines: list[SourcingLine]
    trigger: str = SourcingRun.Trigger.CAPTURE
    reason: str = ""
    moment: datetime.datetime = field(default_factory=timezone.localtime)

    def engine_request(self) -> Request:
        """The engine's view: one group per delivery (method, pickup store or destination)."""
        groups: dict[tuple, Group] = {}
        for line in self.lines:
            key = (line.delivery_method, line.pickup_location_id, line.postcode, line.point, line.destination)
            group = groups.get(key)
            if group is None:
                group = groups[key] = Group(
                    delivery_method=line.delivery_method,
                    lines=[],
                    pickup_location_id=line.pickup_location_id,
                    point=line.point,
                    postcode=line.postcode,
                    promised_date=line.promised_date,
                )
            elif line.promised_date and (
                group.promised_date is None or line.promised_date < group.promised_date
            ):
                group.promised_date = line.promised_date
            group.lines.append(
                LineNeed(line.key, line.sku.pk, line.sku.code, line.quantity, excluded=line.excluded)
            )
        return Request(
            channel=self.channel,
            order_value=self.order_value,
            moment=self.moment,
            groups=list(groups.values()),
        )


@dataclass
class PlannedWork:
    """What one location does for one delivery group: it becomes one fulfilment order."""

    location_id: int
    location_code: str
    location_name: str
    kind: str  # the location's kind
    mode: str  # FulfilmentMode
    destination_id: int | None  # the pickup store goods travel to (ship to store, transfer)
    date: datetime.date | None
    acknowledge_by: datetime.datetime
    ready_by: datetime.datetime
    strategy: str | None
    lines: dict[str, tuple[int, Reservation]]  # line key → (units, the reservation holding them)


@dataclass
class SourcingPlan:
    run: SourcingRun | None
    work: list[PlannedWork] = field(default_factory=list)
    unsourced: dict[str, int] = field(default_factory=dict)  # line key → units nobody can serve now

    @property
    def profile(self) -> SourcingProfile | None:
        return self.run.profile if self.run else None

    def latest_date(self, key: str) -> datetime.date | None:
        dates = [work.date for work in self.work if key in work.lines and work.date]
        return max(dates) if dates else None


def sourcing_plan_reserve(
    *, request: SourcingRequest, trace: Trace, profile: SourcingProfile | None = None
) -> SourcingPlan:
    """Decide with the current profile (or ``profile``) and reserve what the decision takes,
    in one savepoint (decided again, up to three times, when stock or capacity moved
    meanwhile; after that, nothing is reserved and everything is unsourced). Records the
    decision (SourcingRun). A backorder sweep whose request can be served no better than
    before gets ``run=None`` and nothing is written. Caller holds a transaction."""
    started = time.perf_counter()
    engine_request = request.engine_request()
    if not engine_request.groups:
        return SourcingPlan(None)
    profile = profile or profile_current()
    rules = profile_rules(profile)
    sku_ids = {line.sku.pk for line in request.lines}
    pickups = {g.pickup_location_id for g in engine_request.groups if g.pickup_location_id}
    by_key = {line.key: line for line in request.lines}
    for _attempt in range(ATTEMPTS):
        snapshot = network_snapshot(sku_ids=sku_ids, location_ids=pickups, moment=engine_request.moment)
        decisions = decide(engine_request, rules, snapshot)
        if request.trigger == SourcingRun.Trigger.BACKORDER and not any(d.units for d in decisions):
            return SourcingPlan(None)
        try:
            with transaction.atomic():
                return _reserve(request, decisions, snapshot, profile, by_key, trace, started)
        except (inventory.InsufficientStock, CapacityTaken):
            continue  # stock or capacity moved since the decision: decide again
    # Still racing after every attempt: nothing now, the backorder sweep retries.
    return _reserve(request, [], snapshot, profile, by_key, trace, started)


def _reserve(
    request, decisions: list[GroupDecision], snapshot, profile, by_key, trace, started
) -> SourcingPlan:
    planned = [(decision, assignment) for decision in decisions for assignment in decision.assignments]
    wanted = [
        inventory.ReservationWanted(
            sku=by_key[key].sku,
            location_id=assignment.location_id,
            quantity=quantity,
            holder_type=Reservation.HolderType.ORDER_LINE,
            holder_ref=by_key[key].holder_ref,
        )
        for _decision, assignment in planned
        for key, quantity in assignment.lines.items()
    ]
    # One statement each: the holds (stock rows locked in (SKU, location) order), then the
    # locations' load for today (in location order), so concurrent runs never deadlock.
    held = iter(inventory.stock_reserve_many(wanted=wanted, trace=trace))
    today = timezone.localdate()
    load: dict[int, tuple[int, int | None]] = {}
    for _decision, assignment in planned:
        facts = snapshot.locations[assignment.location_id]
        count = load.get(facts.id, (0, facts.daily_capacity))[0]
        load[facts.id] = (count + 1, facts.daily_capacity)
    if not location_days_take(day=today, wanted=load):
        raise CapacityTaken(_("A location is full today."))
    run = SourcingRun.objects.create(
        reference=request.reference,
        profile=profile,
        trigger=request.trigger,
        reason=request.reason[:300],
        units_requested=sum(line.quantity for line in request.lines),
        units_sourced=sum(d.units for d in decisions),
        explanation={"profile": profile.version, "groups": [d.explanation for d in decisions]},
        duration_ms=round((time.perf_counter() - started) * 1000, 2),
    )
    now = timezone.now()
    work = []
    for decision, assignment in planned:
        facts = snapshot.locations[assignment.location_id]
        acknowledge_minutes, ready_minutes = profile.sla_minutes(facts.kind)
        goes_to_store = assignment.mode in (FulfilmentMode.SHIP_TO_STORE, FulfilmentMode.TRANSFER)
        work.append(
            PlannedWork(
                location_id=assignment.location_id,
                location_code=assignment.code,
                location_name=assignment.name,
                kind=facts.kind,
                mode=assignment.mode,
                destination_id=decision.group.pickup_location_id if goes_to_store else None,
                date=assignment.date,
                acknowledge_by=add_open_minutes(now, acknowledge_minutes, facts.periods, facts.timezone),
                ready_by=add_open_minutes(now, ready_minutes, facts.periods, facts.timezone),
                strategy=decision.strategy.name if decision.strategy else None,
                lines={key: (quantity, next(held)) for key, quantity in assignment.lines.items()},
            )
        )
    served: dict[str, int] = {}
    for item in work:
        for key, (quantity, _reservation) in item.lines.items():
            served[key] = served.get(key, 0) + quantity
    unsourced = {
        line.key: line.quantity - served.get(line.key, 0)
        for line in request.lines
        if line.quantity > served.get(line.key, 0)
    }
    return SourcingPlan(run=run, work=work, unsourced=unsourced)


def location_failure_record(*, location_id: int, day: datetime.date | None = None) -> None:
    """A location failed work it was given (declined, short-picked, missed its SLA): counted
    in its reliability, which the engine weighs."""
    location_day_fail(location_id=location_id, day=day or timezone.localdate())
