"""Interim sourcing: the nearest location that can serve the whole line.

The sourcing issue replaces this module with the rules engine (cost, capacity, cut-offs,
splits). Its contract stays: ``line_source`` allocates or backorders every open unit of a
line that has no active allocation, and returns the allocations it made.
"""

from __future__ import annotations

import datetime

from django.db import connection
from django.utils import timezone

from inventory import services as inventory
from inventory.geo import distance_km_sql, postcode_point
from inventory.models import Location, Reservation

from ..models import Allocation, DeliveryMethod, Order, OrderLine

# Working days from allocation to the customer's door or the pickup shelf.
LEAD_DAYS = {
    Allocation.Kind.SHIP_FROM_LOCATION: 2,
    Allocation.Kind.PICKUP_AT_LOCATION: 0,
    Allocation.Kind.SHIP_TO_STORE: 3,
}


def _destination(order: Order, line: OrderLine) -> tuple[float, float] | None:
    if line.is_pickup:
        return float(line.pickup_location.latitude), float(line.pickup_location.longitude)
    address = (
        line.relay_point if line.delivery_method == DeliveryMethod.SHIP_TO_RELAY else order.shipping_address
    )
    return postcode_point((address or {}).get("postcode", ""))


def _candidates(*, line: OrderLine, quantity: int, point, capability: str, exclude: int | None) -> list[int]:
    """Active locations with the capability and the whole quantity available, nearest first."""
    params = {"sku": line.sku_id, "quantity": quantity, "exclude": exclude or 0}
    if point:
        params["lat"], params["lon"] = point
        distance = distance_km_sql("l.latitude", "l.longitude")
    else:
        distance = "0"
    sql = f"""
        SELECT l.id
          FROM inventory_stocklevel st
          JOIN inventory_location l ON l.id = st.location_id
         WHERE st.sku_id = %(sku)s
           AND st.on_hand - st.reserved - st.safety_stock >= %(quantity)s
           AND l.is_active AND {capability} AND l.id <> %(exclude)s
         ORDER BY {distance}, l.id
         LIMIT 5
    """  # noqa: S608 - interpolations are constants and a parameterised expression
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def _working_days_after(day: datetime.date, days: int) -> datetime.date:
    while days > 0:
        day += datetime.timedelta(days=1)
        if day.weekday() < 6:  # deliveries Monday to Saturday
            days -= 1
    return day


def _promise(location: Location, kind: str) -> datetime.date:
    now = timezone.localtime()
    start = now.date()
    if location.order_cutoff_time and now.time() > location.order_cutoff_time:
        start += datetime.timedelta(days=1)
    return _working_days_after(start, LEAD_DAYS[kind]) if LEAD_DAYS[kind] else start


def line_source(*, order: Order, line: OrderLine, trace: inventory.Trace) -> list[Allocation]:
    """Allocate the line's open units at one location, or backorder them. Caller holds the
    order's lock; the reservation itself is race-safe (a conditional update per location)."""
    quantity = line.quantity - line.qty_cancelled - line.qty_shipped - line.qty_collected
    point = _destination(order, line)
    plans: list[tuple[str, str, int | None]] = []
    if line.delivery_method == DeliveryMethod.PICKUP_IN_STORE:
        plans.append((Allocation.Kind.PICKUP_AT_LOCATION, f"l.id = {int(line.pickup_location_id)}", None))
    if line.is_pickup:
        plans.append(
            (
                Allocation.Kind.SHIP_TO_STORE,
                "(l.ships_to_customers OR l.sends_transfers)",
                line.pickup_location_id,
            )
        )
    else:
        plans.append(
            (
                Allocation.Kind.SHIP_FROM_LOCATION,
                "l.ships_to_customers AND (l.sells_stock_online OR l.kind = 'drop_ship_vendor')",
                None,
            )
        )
    allocations = []
    for kind, capability, exclude in plans:
        ids = _candidates(line=line, quantity=quantity, point=point, capability=capability, exclude=exclude)
        if not ids:
            continue
        by_id = Location.objects.in_bulk(ids)
        try:
            reservation = inventory.stock_reserve_in_network(
                sku=line.sku,
                quantity=quantity,
                holder_type=Reservation.HolderType.ORDER_LINE,
                holder_ref=line.reference,
                trace=trace,
                locations=[by_id[pk] for pk in ids],
            )
        except inventory.InsufficientStock:
            continue  # emptied meanwhile by other sales: try the next plan
        allocations.append(
            Allocation.objects.create(
                line=line,
                location=reservation.location,
                kind=kind,
                quantity=quantity,
                reservation=reservation,
            )
        )
        line.qty_allocated += quantity
        line.promised_date = _promise(reservation.location, kind)
        break
    else:
        line.qty_backordered += quantity
        line.promised_date = None
    line.source()
    line.save(update_fields=["qty_allocated", "qty_backordered", "promised_date", "status"])
    return allocations
