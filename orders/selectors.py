"""Reads of the orders app, scoped to what the user may see."""

from __future__ import annotations

import copy
import datetime
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.db.models.query import ModelIterable
from django.http import Http404

from customers.services import normalise_email, normalise_phone
from omni.errors import DomainError
from omni.search import Folded, fold

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
        store = user.store_id
        touches_store = Q(
            Exists(OrderLine.objects.filter(order=OuterRef("pk"), pickup_location_id=store))
        ) | Q(Exists(Allocation.objects.filter(line__order=OuterRef("pk"), location_id=store)))
        orders = orders.filter(touches_store | Q(placed_by_id=user.pk))
    elif getattr(user, "is_integration_client", False):
        orders = orders.filter(placed_by_id=user.pk)
    return orders


def order_search(
    *,
    user,
    query: str = "",
    status: str = "",
    channel: str = "",
    placed_from: datetime.date | None = None,
    placed_to: datetime.date | None = None,
    limit: int | None = 50,
) -> QuerySet[Order]:
    """By order number (whole, or its digits: "100025" finds OM-100025), channel reference,
    the customer's e-mail, phone (any spelling) or name (first, last or both, in either order;
    accents and case forgiven: "bernard chloe" finds Chloé Bernard); newest first, the first
    ``limit`` (all, for a caller that pages, with ``limit=None``)."""
    orders = orders_visible_to(user).select_related("customer")
    query = query.strip()
    if query:
        condition = (
            Q(number__iexact=query)
            | Q(external_reference__iexact=query)
            | Q(customer__email=normalise_email(query))
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
    orders = orders.order_by("-placed_at", "-pk")
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
