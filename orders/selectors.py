"""Reads of the orders app, scoped to what the user may see."""

from __future__ import annotations

import copy
import datetime
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.db.models.query import ModelIterable
from django.http import Http404
from django.utils import timezone

from customers.services import normalise_email, normalise_phone
from omni.errors import DomainError
from omni.search import Folded, fold
from omni.vocabulary import DeliveryMethod, SalesChannel

from .models import (
    Allocation,
    DeliveryCharge,
    FulfilmentOrder,
    Notification,
    Order,
    OrderEvent,
    OrderLine,
    Payment,
)


def orders_visible_to(user) -> QuerySet[Order]:
    """Head office and call centre see every order; a store associate sees the orders their
    store fulfils or hands over, and those they placed themselves (a home delivery from a
    warehouse included); an API client (an integration user) sees only the orders it placed."""
    orders = Order.objects.all()
    if getattr(user, "is_store_associate", False):
        orders = orders.filter(_touches_store(user.store_id) | Q(placed_by_id=user.pk))
    elif getattr(user, "is_integration_client", False):
        orders = orders.filter(placed_by_id=user.pk)
    return orders


def _touches_store(store_id: int) -> Q:
    """Orders with work at the store (stock held there) or picked up there."""
    return Q(Exists(OrderLine.objects.filter(order=OuterRef("pk"), pickup_location_id=store_id))) | Q(
        Exists(Allocation.objects.filter(line__order=OuterRef("pk"), location_id=store_id))
    )


# The work a list can single out: open fulfilment orders (not on hold) past their SLA deadline,
# or due within the at-risk window. The deadline is the one of the current status (``due_at``),
# else the ready-or-shipped-by time.
WORK_LATE, WORK_AT_RISK = "late", "at_risk"
AT_RISK_WINDOW = FulfilmentOrder.AT_RISK


def _open_work() -> QuerySet[FulfilmentOrder]:
    return FulfilmentOrder.objects.filter(status__in=FulfilmentOrder.OPEN, held_since__isnull=True).alias(
        deadline=Coalesce("due_at", "ready_by")
    )


def _work_filter(work: str, now: datetime.datetime) -> Q:
    return {
        WORK_LATE: Q(deadline__lt=now),
        WORK_AT_RISK: Q(deadline__gte=now, deadline__lte=now + FulfilmentOrder.AT_RISK),
    }[work]


# The orders a list may be sorted by (``sort`` parameter; "-" first for the reverse order).
ORDER_SORTS = {"placed": ("placed_at", "pk"), "total": ("total", "pk"), "status": ("status_rank", "pk")}
DEFAULT_SORT = "-placed"


def order_sort_of(value: str | None) -> str:
    """The ``sort`` parameter if it names a sort the list offers, else the default."""
    return value if value and value.lstrip("-") in ORDER_SORTS and value.count("-") <= 1 else DEFAULT_SORT


def _sorted(orders: QuerySet[Order], sort: str) -> QuerySet[Order]:
    sort = order_sort_of(sort)
    key = sort.lstrip("-")
    if key == "status":
        # The statuses in their life's order (confirmed … completed, cancelled), not A to Z.
        orders = orders.alias(
            status_rank=Case(
                *(When(status=value, then=Value(rank)) for rank, value in enumerate(Order.Status.values)),
                output_field=IntegerField(),
            )
        )
    fields = ORDER_SORTS[key]
    return orders.order_by(*(f"-{field}" if sort.startswith("-") else field for field in fields))


def order_search(
    *,
    user,
    query: str = "",
    status: str = "",
    channel: str = "",
    placed_from: datetime.date | None = None,
    placed_to: datetime.date | None = None,
    store=None,
    work: str = "",
    sort: str = DEFAULT_SORT,
    limit: int | None = 50,
) -> QuerySet[Order]:
    """By order number (whole, or its digits: "100025" finds OM-100025), channel reference,
    the customer's e-mail, phone (any spelling), name (first, last or both, in either order;
    accents and case forgiven: "bernard chloe" finds Chloé Bernard) or the shipping address's
    postcode. ``store`` (a location) keeps the orders with work or a pickup there; ``work``
    (WORK_LATE, WORK_AT_RISK) the orders with open work late or at risk (at that store, when
    given). Sorted by ``sort`` (a key of ORDER_SORTS, "-" for descending; anything else is
    newest first); the first ``limit`` (all, for a caller that pages, with ``limit=None``)."""
    orders = orders_visible_to(user).select_related("customer")
    query = query.strip()
    if query:
        condition = (
            Q(number__iexact=query)
            | Q(external_reference__iexact=query)
            | Q(customer__email=normalise_email(query))
            | Q(shipping_address__postcode=query)
        )
        if query.isdigit() and len(query) >= 3:
            condition |= Q(number__endswith=query)
        words = fold(query).split()
        if words:
            orders = orders.alias(
                first_name=Folded("customer__first_name"), last_name=Folded("customer__last_name")
            )
            if len(words) == 1:
                condition |= Q(last_name__startswith=words[0]) | Q(first_name__startswith=words[0])
            else:
                first, rest = words[0], " ".join(words[1:])
                condition |= Q(first_name__startswith=first, last_name__startswith=rest) | Q(
                    first_name__startswith=rest, last_name__startswith=first
                )
        try:
            if phone := normalise_phone(query):
                condition |= Q(customer__phone=phone)
        except DomainError:
            pass
        orders = orders.filter(condition)
    if status:
        orders = orders.filter(status=status)
    if channel:
        orders = orders.filter(channel=channel)
    if placed_from:
        orders = orders.filter(placed_at__date__gte=placed_from)
    if placed_to:
        orders = orders.filter(placed_at__date__lte=placed_to)
    if store is not None and not work:
        orders = orders.filter(_touches_store(store.pk))
    if work:
        late_or_at_risk = _open_work().filter(_work_filter(work, timezone.now()))
        if store is not None:
            late_or_at_risk = late_or_at_risk.filter(location_id=store.pk)
        orders = orders.filter(Exists(late_or_at_risk.filter(order=OuterRef("pk"))))
    orders = _sorted(orders, sort)
    return orders if limit is None else orders[:limit]


def order_get(*, user, number: str) -> Order:
    """The order with everything its detail shows, or 404 when the user may not see it."""
    order = (
        orders_visible_to(user)
        .select_related("customer", "placed_by")
        .prefetch_related(
            Prefetch(
                "lines",
                OrderLine.objects.select_related("pickup_location", "sku").prefetch_related(
                    Prefetch("allocations", Allocation.objects.select_related("location"))
                ),
            ),
            "payments",
            "delivery_charges",
            Prefetch("events", OrderEvent.objects.select_related("actor", "api_client", "line")),
        )
        .filter(number=number)
        .first()
    )
    if order is None:
        raise Http404(number)
    return order


def _as_prefetched(queryset: QuerySet, items: list) -> QuerySet:
    queryset._result_cache = list(items)
    queryset._prefetch_done = True
    return queryset


def order_as_placed(order: Order) -> Order:
    """A copy of the order capture just made, ready for its answer: lines, allocations and
    tenders are the ones capture has in hand (``written_at_capture``); only the timeline, the
    allocations' locations and, for tenders settled at once, the payments are read. The
    caller's order is left as it was."""
    from inventory.models import Location

    written = order.written_at_capture
    answer = copy.copy(order)
    held: dict[int, list] = {}
    for allocation in written["allocations"]:
        held.setdefault(allocation.line_id, []).append(allocation)
    places = Location.objects.in_bulk({a.location_id for a in written["allocations"]})
    for allocation in written["allocations"]:
        allocation.location = places[allocation.location_id]
    lines = []
    for line in written["lines"]:
        line = copy.copy(line)
        line._prefetched_objects_cache = {
            "allocations": _as_prefetched(Allocation.objects.none(), held.get(line.pk, []))
        }
        lines.append(line)
    answer._prefetched_objects_cache = {
        "lines": _as_prefetched(OrderLine.objects.none(), lines),
        "events": _as_prefetched(
            OrderEvent.objects.none(),
            order.events.select_related("actor", "api_client", "line").order_by("created_at", "pk"),
        ),
        "payments": _as_prefetched(
            Payment.objects.none(),
            written["payments"] if written["payments"] is not None else order.payments.order_by("pk"),
        ),
        "delivery_charges": _as_prefetched(DeliveryCharge.objects.none(), written["delivery_charges"]),
    }
    for charge in written["delivery_charges"]:
        charge.order = answer  # whose lines the answer lists per delivery group
    return answer


CUSTOMER_STATUS = {
    OrderLine.Status.PENDING: "processing",
    OrderLine.Status.ALLOCATED: "preparing",
    OrderLine.Status.BACKORDERED: "awaiting_stock",
    OrderLine.Status.READY_FOR_PICKUP: "ready_for_pickup",
    OrderLine.Status.PARTIALLY_FULFILLED: "partially_shipped",
    OrderLine.Status.SHIPPED: "shipped",
    OrderLine.Status.COLLECTED: "collected",
    OrderLine.Status.CANCELLED: "cancelled",
}


def order_tracking(order: Order) -> dict:
    """What the web shop shows the customer: "where is my order", without internal detail."""
    shipments = {}
    numbers = {line.line_number: line.pk for line in order.lines.all()}
    for event in order.events.all():
        if event.kind != OrderEvent.Kind.SHIPPED:
            continue
        # One event per parcel: {line number: units} in its data.
        for number, quantity in (event.data.get("lines") or {}).items():
            shipments.setdefault(numbers.get(int(number)), []).append(
                {
                    "carrier": event.data.get("carrier", ""),
                    "tracking": event.data.get("tracking", ""),
                    "quantity": quantity,
                    "at": event.created_at,
                }
            )
    return {
        "number": order.number,
        "status": order.status,
        "status_label": order.get_status_display(),
        "placed_at": order.placed_at,
        "delivery_total": order.delivery_total,
        "total": order.total,
        "lines": [
            {
                "line": line.line_number,
                "sku": line.sku_code,
                "name": line.name,
                "quantity": line.active_quantity,
                "status": CUSTOMER_STATUS[line.status],
                "status_label": line.get_status_display(),
                "delivery_method": line.delivery_method,
                "pickup_store": (
                    {
                        "code": line.pickup_location.code,
                        "name": line.pickup_location.name,
                        "address": f"{line.pickup_location.address_line1}, {line.pickup_location.postcode} {line.pickup_location.city}",
                    }
                    if line.pickup_location_id
                    else None
                ),
                "promised_date": line.promised_date,
                "shipments": shipments.get(line.pk, []),
            }
            for line in order.lines.all()
        ],
    }


def fulfilment_orders_visible_to(user) -> QuerySet[FulfilmentOrder]:
    """Head office sees everything; a store associate or a store system its store's work (and
    parcels coming to it); a drop-ship vendor its own location's work, with the customer
    reduced to what shipping needs (see ``_ShippingOnly``); other API clients nothing."""
    queryset = FulfilmentOrder.objects.select_related("order", "location", "destination")
    if not (getattr(user, "is_store_associate", False) or getattr(user, "is_integration_client", False)):
        return queryset
    location = user.bound_location_id
    if location is None:
        return queryset.none()
    queryset = queryset.filter(Q(location_id=location) | Q(destination_id=location))
    queryset._iterable_class = _ShippingOnly if user.is_integration_client else _WithoutPickupCode
    return queryset


SHIPPING_ADDRESS_KEYS = ("name", "line1", "line2", "postcode", "city", "country")


class _WithoutPickupCode(ModelIterable):
    """Fulfilment orders as a store associate reads them: the pickup code, the customer's
    proof at the counter, is typed from what the customer presents, never read from Omni."""

    def __iter__(self):
        for fo in super().__iter__():
            fo.pickup_code = ""
            yield fo


class _ShippingOnly(ModelIterable):
    """Fulfilment orders as an API client (vendor, store system) receives them: the order's
    shipping address keeps the name and the address (no phone), and the pickup code, the
    customer's proof at the counter, is not given out. Only the loaded copies are trimmed;
    a queryset of this kind is never saved from."""

    def __iter__(self):
        for fo in super().__iter__():
            order = fo.order
            if order.shipping_address:
                address = order.shipping_address
                order.shipping_address = {
                    key: address[key] for key in SHIPPING_ADDRESS_KEYS if key in address
                }
            fo.pickup_code = ""
            yield fo


def fulfilment_order_get(*, user, number: str) -> FulfilmentOrder:
    """The fulfilment order if the user may see it; 404 otherwise (another location's work is
    not revealed)."""
    try:
        return fulfilment_orders_visible_to(user).prefetch_related("lines__order_line").get(number=number)
    except FulfilmentOrder.DoesNotExist as exc:
        raise Http404(number) from exc


def backorder_queue() -> QuerySet[OrderLine]:
    """Lines waiting for stock or for someone to decide, oldest order first."""
    return (
        OrderLine.objects.filter(qty_backordered__gt=0, order__status__in=Order.OPEN_STATUSES)
        .select_related("order", "order__customer", "pickup_location")
        .annotate(failures=Count("sourcing_failures"))
        .order_by("order__placed_at", "order_id", "line_number")
    )


OUTBOX_STATES = ("pending", "retrying", "failed", "delivered")


def _outbox_state_filter(state: str) -> Q:
    waiting = Q(sent_at__isnull=True)
    return {
        "pending": waiting & Q(attempts=0),
        "retrying": waiting & Q(attempts__gt=0, attempts__lt=Notification.MAX_ATTEMPTS),
        "failed": waiting & Q(attempts__gte=Notification.MAX_ATTEMPTS),
        "delivered": Q(sent_at__isnull=False),
    }[state]


def outbox_counts() -> dict[str, int]:
    """How many customer e-mails are in each state of the outbox."""
    return Notification.objects.aggregate(
        **{state: Count("pk", filter=_outbox_state_filter(state)) for state in OUTBOX_STATES}
    )


def outbox_list(*, state: str | None = None) -> QuerySet[Notification]:
    """The outbox, newest first; ``state`` one of OUTBOX_STATES, or every row."""
    rows = Notification.objects.select_related("event__order")
    if state:
        rows = rows.filter(_outbox_state_filter(state))
    return rows.order_by("-created_at", "-pk")


def cancellation_preview(*, order: Order, units: dict[int, int]) -> dict:
    """What cancelling ``units`` ({line number: units}) would give back, changing nothing: per
    line (line, units, amount, to the cent as the cancellation computes it), the delivery fees
    the refund rule would return with it (charge, reason), and the total."""
    from .services.delivery import delivery_group, delivery_refund_due

    lines = list(order.lines.all())
    plan = []
    after = []
    for line in lines:
        going = units.get(line.line_number, 0)
        if going:
            plan.append(
                (
                    line,
                    going,
                    line.value_of(line.active_quantity) - line.value_of(line.active_quantity - going),
                )
            )
        projected = copy.copy(line)
        projected.qty_cancelled += going
        after.append(projected)
    groups: dict[str, list[OrderLine]] = {}
    for line in after:
        groups.setdefault(delivery_group(line), []).append(line)
    fees = [
        (charge, reason)
        for charge in DeliveryCharge.objects.filter(order=order).order_by("pk")
        if (reason := delivery_refund_due(charge, groups.get(charge.group, []))) and charge.amount
    ]
    total = sum((amount for _line, _units, amount in plan), Decimal("0.00")) + sum(
        (charge.amount for charge, _reason in fees), Decimal("0.00")
    )
    return {"plan": plan, "fees": fees, "refund": total}


def entry_summary(
    *,
    lines: list[tuple[str, int]],
    channel: str,
    method: str,
    postcode: str = "",
    fee_postcode: str = "",
    codes=(),
) -> dict:
    """What the call centre reads back to the customer before placing an order: each line
    priced with the promotions it earns (and the codes behind them), codes refused and why, the
    delivery fee the order would record, the total, and the delivery options the network can
    keep for the basket (dates, prices, nearest stores). Reads only; the same functions as
    capture (``promotions.selectors.basket_quote``, ``promotions.delivery.delivery_fee``) and the
    promise (``sourcing.planning.promise_options``), so what is read back is what is placed."""
    from inventory.geo import postcode_point
    from inventory.selectors import skus_by_code
    from promotions import delivery
    from promotions.api import quote_payload
    from promotions.selectors import basket_quote
    from sourcing import services as sourcing
    from sourcing.planning import promise_options

    wanted = [(code.strip().upper(), quantity) for code, quantity in lines if code and code.strip()]
    skus = skus_by_code(code for code, _quantity in wanted)
    known = [(skus[code], quantity) for code, quantity in wanted if code in skus]
    summary = {
        "unknown": [code for code, _quantity in wanted if code not in skus],
        "quote": None,
        "options": [],
    }
    if not known:
        return summary
    result = basket_quote(
        lines=known, channel=channel, codes=codes, delivery_methods=[method] if method else []
    )
    fee = None
    if method:
        fee = delivery.delivery_fee(
            method=method,
            basket_value=result.quote.total,
            # a relay point's own postcode sets the zone, as the order will record it
            zone=delivery.delivery_zone(postcode=fee_postcode or postcode),
            waived_delivery=result.quote.waived_delivery,
        )
    payload = quote_payload(result, fee)
    names = {sku.code: sku.name for sku, _quantity in known}
    for line in payload["lines"]:
        line["name"] = names.get(line["sku"], "")
    codes_of = {a["promotion"]: a.get("code") for a in payload["applied"]}
    for line in payload["lines"]:
        for discount in line["discounts"]:
            discount["code"] = codes_of.get(discount["promotion"])
    summary["quote"] = payload
    point = postcode_point(postcode) if postcode else None
    if point is not None:
        profile = sourcing.profile_current()
        options = promise_options(
            lines=known,
            point=point,
            postcode=postcode,
            profile=profile,
            rules=sourcing.profile_rules(profile),
            channel=channel,
        )
        summary["options"] = [
            {"label": DeliveryMethod(option.method).label, "date": option.date, "price": option.price,
             "store": option.store}
            for option in sorted(options, key=lambda option: (option.date, option.price))
        ]  # fmt: skip
    return summary


def orders_placed_by_channel(*, day: datetime.date) -> list[dict]:
    """Orders placed on ``day`` (the local date) per sales channel, every channel listed (none
    placed: zero): {"channel", "label", "count", "value"} (value: the orders' totals, cancelled
    ones included, as the list filtered by channel and day shows them)."""
    placed = {
        channel: (count, value)
        for channel, count, value in Order.objects.filter(placed_at__date=day)
        .values("channel")
        .annotate(count=Count("pk"), value=Sum("total"))
        .values_list("channel", "count", "value")
    }
    return [
        {
            "channel": channel,
            "label": label,
            "count": placed.get(channel, (0, None))[0],
            "value": placed.get(channel, (0, None))[1] or Decimal("0.00"),
        }
        for channel, label in SalesChannel.choices
    ]


def work_late_and_at_risk_by_location() -> list[dict]:
    """Per location with any, the orders whose open work there is late or at risk (the counts
    the orders list gives with ``work`` and ``store``): {"location", "late", "at_risk"}, the
    most late first."""
    from inventory.models import Location

    now = timezone.now()
    rows = (
        _open_work()
        .values("location")
        .annotate(
            late=Count("order", distinct=True, filter=_work_filter(WORK_LATE, now)),
            at_risk=Count("order", distinct=True, filter=_work_filter(WORK_AT_RISK, now)),
        )
        .filter(Q(late__gt=0) | Q(at_risk__gt=0))
        .values_list("location", "late", "at_risk")
    )
    rows = list(rows)
    places = Location.objects.in_bulk([location for location, _late, _at_risk in rows])
    found = [{"location": places[pk], "late": late, "at_risk": at_risk} for pk, late, at_risk in rows]
    return sorted(found, key=lambda row: (-row["late"], -row["at_risk"], row["location"].name))


def backorders_waiting() -> dict:
    """Lines waiting for stock (the backorder queue): how many, in how many orders, and when the
    oldest of their orders was placed (None when the queue is empty)."""
    waiting = OrderLine.objects.filter(qty_backordered__gt=0, order__status__in=Order.OPEN_STATUSES)
    return waiting.aggregate(
        lines=Count("pk"), orders=Count("order", distinct=True), oldest=Min("order__placed_at")
    )
