"""What a store's associates see: their work queue, one piece of work, the pick walk, the
handover search and the store dashboard. Every read is scoped to one store."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Avg, Count, F, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from inventory.models import Location, UncollectedGoods
from omni.vocabulary import FulfilmentMode
from orders.models import Allocation, FulfilmentOrder, FulfilmentOrderLine, LineFailure

AT_RISK = FulfilmentOrder.AT_RISK
DAY = datetime.timedelta(days=1)


def store_work(store: Location) -> QuerySet[FulfilmentOrder]:
    """Everything the store prepares, and everything that comes to it for pickup (work of an
    order on hold is off the store's screens until the order is released)."""
    return FulfilmentOrder.objects.filter(
        Q(location=store) | Q(destination=store), held_since__isnull=True
    ).select_related("order", "order__customer", "location", "destination")


def store_work_get(*, store: Location, number: str) -> FulfilmentOrder:
    """One piece of the store's work; 404 for anyone else's."""
    try:
        return (
            store_work(store)
            .prefetch_related("lines__order_line__sku__product", "parcels")
            .get(number=number)
        )
    except FulfilmentOrder.DoesNotExist as error:
        raise Http404 from error


def prepared_here(fo: FulfilmentOrder, store: Location) -> bool:
    return fo.location_id == store.pk


def handed_over_here(fo: FulfilmentOrder, store: Location) -> bool:
    return fo.is_pickup and (fo.destination_id or fo.location_id) == store.pk


@dataclass
class Queue:
    waiting_customers: list[FulfilmentOrder]
    to_do: list[FulfilmentOrder]
    incoming: list[FulfilmentOrder]
    ready: list[FulfilmentOrder]
    now: datetime.datetime
    signature: str = ""
    counts: dict = field(default_factory=dict)
    # Pickups nobody collected: due back on the shelf today (cancelled today, or by tonight by
    # the store's policy), and goods waiting to be sent back where they came from.
    back_to_shelf: list[FulfilmentOrder] = field(default_factory=list)
    to_send_back: list[FulfilmentOrder] = field(default_factory=list)


def store_queue(store: Location) -> Queue:
    """The work queue: customers waiting at the counter or the kerb first, then work to do by
    SLA deadline, parcels coming in, and orders waiting on the shelf."""
    work = list(
        store_work(store)
        .filter(
            Q(location=store, status__in=FulfilmentOrder.OPEN)
            | Q(destination=store, status=FulfilmentOrder.Status.SHIPPED, received_at__isnull=True)
            | (Q(status=FulfilmentOrder.Status.READY_FOR_PICKUP) & FulfilmentOrder.handed_over_at(store.pk))
        )
        .annotate(units=Count("lines"))
        .order_by("due_at", "ready_by", "pk")
    )
    ready = [fo for fo in work if fo.status == FulfilmentOrder.Status.READY_FOR_PICKUP]
    queue = Queue(
        waiting_customers=sorted(
            (fo for fo in ready if fo.customer_arrived_at), key=lambda f: f.customer_arrived_at
        ),
        to_do=[fo for fo in work if fo.location_id == store.pk and fo.status in FulfilmentOrder.OPEN],
        incoming=[fo for fo in work if fo.status == FulfilmentOrder.Status.SHIPPED],
        ready=sorted(
            (fo for fo in ready if not fo.customer_arrived_at), key=lambda f: f.ready_at or f.updated_at
        ),
        now=timezone.now(),
    )
    _add_uncollected(queue, store, ready)
    new_work = [fo.number for fo in queue.to_do if fo.status == FulfilmentOrder.Status.CREATED]
    arrivals = [fo.number for fo in queue.waiting_customers]
    # Changes when new work or a new arrival appears: the page beeps and shows a badge.
    queue.signature = ",".join(sorted(new_work + arrivals))
    queue.counts = {"new": len(new_work), "arrived": len(arrivals), "to_do": len(queue.to_do)}
    return queue


def _add_uncollected(queue: Queue, store: Location, ready: list[FulfilmentOrder]) -> None:
    today = timezone.localtime(queue.now).replace(hour=0, minute=0, second=0, microsecond=0)
    tonight = today + DAY
    sends_back = store.uncollected_ship_to_store == UncollectedGoods.SEND_BACK
    expiring = [
        fo
        for fo in ready
        if fo.ready_at
        and fo.ready_at + store.pickup_expiry_days * DAY < tonight
        and not (sends_back and fo.goes_to_store)
    ]
    for fo in expiring:
        fo.back_at = fo.ready_at + store.pickup_expiry_days * DAY
    uncollected = list(
        store_work(store)
        .filter(FulfilmentOrder.handed_over_at(store.pk), status=FulfilmentOrder.Status.CANCELLED)
        .filter(
            Q(uncollected_at__gte=today, send_back=False) | Q(send_back=True, return_transfer__isnull=True)
        )
        .annotate(units=Sum("lines__allocation__quantity"))
        .order_by("uncollected_at", "pk")
    )
    for fo in uncollected:
        fo.back_at = fo.uncollected_at
    queue.back_to_shelf = sorted(
        expiring + [fo for fo in uncollected if not fo.send_back], key=lambda fo: (fo.back_at, fo.pk)
    )
    queue.to_send_back = [fo for fo in uncollected if fo.send_back]


@dataclass
class PickLine:
    fl: FulfilmentOrderLine
    held: int
    picked: int

    @property
    def left(self) -> int:
        return self.held - self.picked


def pick_walk(fo: FulfilmentOrder) -> list[tuple[str, list[PickLine]]]:
    """The lines still held, grouped by department (the product's category) in walking
    order (alphabetical, as the store is laid out by department), then by name and size."""
    departments: dict[str, list[PickLine]] = defaultdict(list)
    for fl in fo.lines.select_related("allocation", "order_line__sku__product").order_by(
        "order_line__line_number"
    ):
        if fl.allocation.status != Allocation.Status.ACTIVE:
            continue
        sku = fl.order_line.sku
        department = sku.category or sku.product.category or "—"
        departments[department].append(PickLine(fl, fl.allocation.quantity, fl.qty_picked))
    return [
        (name, sorted(lines, key=lambda p: (p.fl.order_line.name, p.fl.order_line.sku.size)))
        for name, lines in sorted(departments.items())
    ]


def handover_search(*, store: Location, query: str) -> list[FulfilmentOrder]:
    """Orders waiting at the store, found by pickup code, order number or customer name."""
    waiting = store_work(store).filter(status=FulfilmentOrder.Status.READY_FOR_PICKUP)
    waiting = waiting.filter(FulfilmentOrder.handed_over_at(store.pk))
    query = query.strip()
    if not query:
        return list(waiting.order_by("-customer_arrived_at", "ready_at")[:50])
    terms = Q(pickup_code=query) | Q(order__number__iexact=query) | Q(number__iexact=query)
    for word in query.split():
        terms |= Q(order__customer__last_name__icontains=word) | Q(
            order__customer__first_name__icontains=word
        )
    terms |= Q(order__customer__email__iexact=query)
    return list(waiting.filter(terms).order_by("ready_at")[:50])


@dataclass
class Dashboard:
    today: dict
    at_risk: list[FulfilmentOrder]
    late: list[FulfilmentOrder]
    yesterday: dict
    by_hour: list[HourOfWork]


@dataclass
class HourOfWork:
    """Work the store completed in one hour of the day."""

    hour: int
    shipped: int = 0
    ready: int = 0
    collected: int = 0

    @property
    def total(self) -> int:
        return self.shipped + self.ready + self.collected


def store_dashboard(store: Location, now: datetime.datetime | None = None) -> Dashboard:
    """Today's workload, work at risk of missing its deadline, late work, and how yesterday
    went (on time, declined, short picks, expired, time to acknowledge)."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    today_start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    yesterday_start = today_start - datetime.timedelta(days=1)
    prepared = FulfilmentOrder.objects.filter(location=store)
    open_work = list(
        prepared.filter(status__in=FulfilmentOrder.OPEN)
        .select_related("order")
        .order_by("due_at", "ready_by")
    )
    today = {
        "new": sum(fo.status == FulfilmentOrder.Status.CREATED for fo in open_work),
        "picking": sum(fo.status in (FulfilmentOrder.Status.ACKNOWLEDGED, FulfilmentOrder.Status.PICKING)
                       for fo in open_work),
        "to_ship": sum(fo.status in (FulfilmentOrder.Status.PICKED, FulfilmentOrder.Status.PACKED) for fo in open_work),
        "done": prepared.filter(completed_at__gte=today_start).count(),
        "waiting_pickup": store_work(store).filter(status=FulfilmentOrder.Status.READY_FOR_PICKUP).filter(
            FulfilmentOrder.handed_over_at(store.pk)).count(),
    }  # fmt: skip
    deadline = lambda fo: fo.due_at or fo.ready_by  # noqa: E731
    at_risk = [fo for fo in open_work if now <= deadline(fo) <= now + AT_RISK]
    late = [fo for fo in open_work if deadline(fo) < now]
    late += list(
        store_work(store)
        .filter(
            status=FulfilmentOrder.Status.READY_FOR_PICKUP,
            ready_at__lt=now - store.pickup_reminder_days * DAY,
        )
        .filter(FulfilmentOrder.handed_over_at(store.pk))
    )
    return Dashboard(
        today=today,
        at_risk=at_risk,
        late=late,
        yesterday=_day_performance(store, yesterday_start, today_start),
        by_hour=_done_by_hour(store, today_start, today_start + DAY),
    )


def _day_performance(store: Location, start: datetime.datetime, end: datetime.datetime) -> dict:
    given = FulfilmentOrder.objects.filter(location=store, created_at__gte=start, created_at__lt=end)
    done = given.filter(completed_at__isnull=False)
    on_time = done.filter(completed_at__lte=F("ready_by")).count()
    completed = done.count()
    failures = dict(
        LineFailure.objects.filter(location=store, created_at__gte=start, created_at__lt=end)
        .values("kind")
        .annotate(n=Count("fulfilment_order_id", distinct=True))
        .values_list("kind", "n")
    )
    wait = given.filter(acknowledged_at__isnull=False).aggregate(
        wait=Avg(F("acknowledged_at") - F("created_at"))
    )
    return {
        "received": given.count(),
        "completed": completed,
        "on_time": on_time,
        "on_time_pct": round(100 * on_time / completed) if completed else None,
        "declined": failures.get(LineFailure.Kind.DECLINED, 0),
        "short_picked": failures.get(LineFailure.Kind.SHORT_PICK, 0),
        "expired": failures.get(LineFailure.Kind.EXPIRED, 0),
        "minutes_to_acknowledge": round(wait["wait"].total_seconds() / 60) if wait["wait"] else None,
    }


def _done_by_hour(store: Location, start: datetime.datetime, end: datetime.datetime) -> list[HourOfWork]:
    """Work the store completed per hour between ``start`` and ``end``: parcels it shipped
    (to customers or to a pickup store), orders it put on its pickup shelf, and orders its
    customers collected there. Opening hours 7–21 always show; other hours when work fell in them."""
    hours: dict[int, HourOfWork] = {hour: HourOfWork(hour) for hour in range(7, 22)}

    def add(moments, kind: str) -> None:
        for at in moments:
            hour = timezone.localtime(at).hour
            bar = hours.setdefault(hour, HourOfWork(hour))
            setattr(bar, kind, getattr(bar, kind) + 1)

    add(
        FulfilmentOrder.objects.filter(location=store, completed_at__gte=start, completed_at__lt=end)
        .exclude(mode=FulfilmentMode.PICKUP_AT_LOCATION)
        .values_list("completed_at", flat=True),
        "shipped",
    )
    add(
        FulfilmentOrder.objects.filter(FulfilmentOrder.handed_over_at(store.pk))
        .filter(ready_at__gte=start, ready_at__lt=end)
        .values_list("ready_at", flat=True),
        "ready",
    )
    add(
        FulfilmentOrder.objects.filter(FulfilmentOrder.handed_over_at(store.pk))
        .filter(collected_at__gte=start, collected_at__lt=end)
        .values_list("collected_at", flat=True),
        "collected",
    )
    return [hours[hour] for hour in sorted(hours)]
