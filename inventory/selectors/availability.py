"""Available-to-promise: what can be promised, where, for which channel.

ATP of a stock row = on hand − reserved − safety stock, never below zero. What counts:

* ``network``: every active location (for the web channel, only those whose stock is sold online);
* ``delivery``: the locations the sourcing engine may ship to a customer from: those that ship
  to customers and sell their stock online, drop-ship vendors that ship;
* ``pickup`` at a store: that store's own ATP, if it is a pickup point (never a vendor's stock).

A location ``closed`` for orders today (sourcing passes those that reached their daily
capacity) counts for neither home delivery nor pickup: the engine would not give it the work.

A basket of many SKUs is answered with one query for the totals and, when the customer's
position is known, one query for the nearest stores: never one query per SKU.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection
from dataclasses import dataclass, field

from django.db import connection
from django.utils import timezone

from ..geo import bounding_box, distance_km_sql
from ..models import Location, OpeningPeriod
from ..opening_hours import format_day, is_open
from .atp import atp_sql

WEB = "web"


@dataclass
class SkuAvailability:
    sku: str
    network: int = 0
    delivery: int = 0


@dataclass
class StoreAvailability:
    code: str
    name: str
    city: str
    postcode: str
    address: str
    latitude: float
    longitude: float
    distance_km: float
    atp: dict[str, int] = field(default_factory=dict)
    open_now: bool = False
    hours_today: str = ""
    taking_orders: bool = True  # False: no capacity left today, its units are not counted

    def has_all(self, wanted: dict[str, int]) -> bool:
        return all(self.atp.get(sku, 0) >= quantity for sku, quantity in wanted.items())


def _channel_filter(channel: str) -> str:
    return "l.is_active AND l.sells_stock_online" if channel == WEB else "l.is_active"


# The sourcing engine's rule for shipping to a customer (sourcing.engine._mode).
SHIPS_TO_CUSTOMERS_SQL = (
    "l.is_active AND l.ships_to_customers AND (l.kind = 'drop_ship_vendor' OR l.sells_stock_online)"
)


def network_availability(
    *, sku_codes: list[str], channel: str = WEB, closed: Collection[int] = ()
) -> dict[str, SkuAvailability]:
    """Network and home-delivery ATP for each SKU, in one query. Unknown SKUs are absent.
    Locations in ``closed`` are not counted for home delivery."""
    sql = f"""
        SELECT s.code,
               coalesce(sum(greatest({atp_sql()}, 0)) FILTER (WHERE {_channel_filter(channel)}), 0) AS network,
               coalesce(sum(greatest({atp_sql()}, 0))
                        FILTER (WHERE {SHIPS_TO_CUSTOMERS_SQL} AND l.id <> ALL(%(closed)s)), 0) AS delivery
          FROM inventory_sku s
          LEFT JOIN inventory_stocklevel st ON st.sku_id = s.id
          LEFT JOIN inventory_location l ON l.id = st.location_id AND l.is_active
         WHERE s.code = ANY(%(codes)s) AND s.is_active
           AND (l.id IS NOT NULL OR st.sku_id IS NULL)
         GROUP BY s.code
    """  # noqa: S608 - the interpolated filters are constants
    with connection.cursor() as cursor:
        cursor.execute(sql, {"codes": list(sku_codes), "closed": list(closed)})
        found = {
            code: SkuAvailability(code, int(network), int(delivery)) for code, network, delivery in cursor
        }
    # SKUs whose every stock row sits at excluded locations still exist, with zero ATP.
    missing = set(sku_codes) - set(found)
    if missing:
        from ..models import SKU

        for code in SKU.objects.filter(code__in=missing, is_active=True).values_list("code", flat=True):
            found[code] = SkuAvailability(code)
    return found


def stores_near(
    *,
    sku_codes: list[str],
    lat: float,
    lon: float,
    radius_km: float = 50,
    channel: str = WEB,
    limit: int = 10,
    now: datetime.datetime | None = None,
    closed: Collection[int] = (),
) -> list[StoreAvailability]:
    """Pickup stores within ``radius_km``, nearest first, with each basket SKU's ATP there
    and today's opening hours. Two queries whatever the basket size. A store in ``closed``
    is listed as not taking orders, its ATP counted as zero."""
    min_lat, max_lat, min_lon, max_lon = bounding_box(lat, lon, radius_km)
    distance = distance_km_sql("l.latitude", "l.longitude")
    sql = f"""
        WITH near AS (
            SELECT l.id, l.code, l.name, l.city, l.postcode, l.address_line1, l.latitude, l.longitude, l.timezone,
                   {distance} AS distance_km
              FROM inventory_location l
             WHERE {_channel_filter(channel)} AND l.is_pickup_point AND l.kind = 'store'
               AND l.latitude BETWEEN %(min_lat)s AND %(max_lat)s
               AND l.longitude BETWEEN %(min_lon)s AND %(max_lon)s
        ), ranked AS (
            SELECT * FROM near WHERE distance_km <= %(radius)s ORDER BY distance_km LIMIT %(limit)s
        )
        SELECT r.id, r.code, r.name, r.city, r.postcode, r.address_line1, r.latitude, r.longitude, r.timezone,
               r.distance_km, s.code, greatest({atp_sql()}, 0)
          FROM ranked r
          LEFT JOIN inventory_stocklevel st
                 ON st.location_id = r.id
                AND st.sku_id IN (SELECT id FROM inventory_sku WHERE code = ANY(%(codes)s) AND is_active)
          LEFT JOIN inventory_sku s ON s.id = st.sku_id
         ORDER BY r.distance_km, r.code
    """  # noqa: S608 - interpolations are constants and a parameterised expression
    params = {
        "lat": lat,
        "lon": lon,
        "radius": radius_km,
        "limit": limit,
        "codes": list(sku_codes),
        "min_lat": min_lat,
        "max_lat": max_lat,
        "min_lon": min_lon,
        "max_lon": max_lon,
    }
    stores: dict[int, StoreAvailability] = {}
    zones: dict[int, str] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for pk, code, name, city, postcode, address, s_lat, s_lon, tz, distance_km, sku, atp in cursor:
            store = stores.get(pk)
            if store is None:
                store = stores[pk] = StoreAvailability(
                    code=code,
                    name=name,
                    city=city,
                    postcode=postcode,
                    address=address,
                    latitude=float(s_lat),
                    longitude=float(s_lon),
                    distance_km=round(float(distance_km), 1),
                    atp=dict.fromkeys(sku_codes, 0),
                )
                zones[pk] = tz
                store.taking_orders = pk not in closed
            if sku is not None and store.taking_orders:
                store.atp[sku] = int(atp)
    _add_opening(stores, zones, now or timezone.now())
    return list(stores.values())


def _add_opening(stores: dict[int, StoreAvailability], zones: dict[int, str], now: datetime.datetime) -> None:
    if not stores:
        return
    periods: dict[int, list[OpeningPeriod]] = {pk: [] for pk in stores}
    for period in OpeningPeriod.objects.filter(location_id__in=list(stores)).order_by("opens_at"):
        periods[period.location_id].append(period)
    for pk, store in stores.items():
        local = now.astimezone(Location(timezone=zones[pk]).tzinfo)
        store.open_now = is_open(periods[pk], local)
        today = [(p.opens_at, p.closes_at) for p in periods[pk] if p.weekday == local.weekday()]
        store.hours_today = format_day(today)
