"""The demo, seeded in parts that each know whether they are complete.

Every part answers ``missing()`` (what it lacks, empty when complete, a few cheap queries)
and ``fill()`` (adds only what is missing, each piece in its own transaction). A start
interrupted halfway leaves whole pieces behind, never half of one, and the next start fills
the rest; a complete demo is left as is. Parts run in order: each needs the ones before it.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.utils.text import slugify

from accounts.models import ApiClient, User
from accounts.services import api_client_create
from inventory import services as inventory_services
from inventory.models import SKU, Location, SyncBatch
from inventory.opening_hours import parse_day
from omni.trace import Trace
from orders.models import IdempotencyKey

from . import catalogue, network, orders

Write = Callable[[str], None]


def _quiet(_text: str) -> None:
    pass


@dataclass(frozen=True)
class Part:
    name: str
    missing: Callable[[], list[str]]
    fill: Callable[[Write], None]


# --- network --------------------------------------------------------------------------------


def _weekly_hours(days: list[str]) -> dict:
    return {weekday: parse_day(text) for weekday, text in enumerate(days)}


def _location_rows() -> dict[str, tuple[list[str], dict]]:
    """Every demo location: code → (weekly hours as text, fields for location_create)."""
    rows = {}
    for code, name, address, postcode, city, lat, lon, hours, capacity, ships, online in network.STORES:
        rows[code] = (
            hours,
            dict(
                name=name,
                kind=Location.Kind.STORE,
                address_line1=address,
                postcode=postcode,
                city=city,
                latitude=Decimal(str(lat)),
                longitude=Decimal(str(lon)),
                daily_capacity=capacity,
                order_cutoff_time=datetime.time(16, 0),
                ships_to_customers=ships,
                is_pickup_point=True,
                receives_ship_to_store=True,
                sends_transfers=True,
                receives_transfers=True,
                sells_stock_online=online,
            ),
        )
    for kind, locations in (
        (Location.Kind.WAREHOUSE, network.WAREHOUSES),
        (Location.Kind.DROP_SHIP_VENDOR, network.VENDORS),
    ):
        for row in locations:
            row = dict(row)
            code, hours, cutoff = row.pop("code"), row.pop("hours"), row.pop("order_cutoff")
            row["latitude"], row["longitude"] = Decimal(str(row["latitude"])), Decimal(str(row["longitude"]))
            rows[code] = (
                hours,
                dict(
                    kind=kind,
                    order_cutoff_time=datetime.time.fromisoformat(cutoff) if cutoff else None,
                    sends_transfers=kind == Location.Kind.WAREHOUSE,
                    **row,
                ),
            )
    return rows


def demo_location_codes() -> list[str]:
    return [row[0] for row in network.STORES] + [
        row["code"] for row in (*network.WAREHOUSES, *network.VENDORS)
    ]


def _missing_locations() -> list[str]:
    codes = demo_location_codes()
    present = set(Location.objects.filter(code__in=codes).values_list("code", flat=True))
    return [code for code in codes if code not in present]


def _fill_locations(write: Write) -> None:
    rows = _location_rows()
    for code in _missing_locations():
        hours, fields = rows[code]
        inventory_services.location_create(
            actor=None, code=code, weekly_hours=_weekly_hours(hours), reason="demo data", **fields
        )  # atomic: a location comes with its opening hours or not at all
    write(f"Demo network ready: {len(rows)} locations.")


# --- users ----------------------------------------------------------------------------------


def _missing_users() -> list[str]:
    usernames = [row[0] for row in network.USERS]
    users = User.objects.filter(username__in=usernames)
    present = {user.username: bool(user.password) and user.has_usable_password() for user in users}
    return [username for username in usernames if not present.get(username)]


@transaction.atomic
def _fill_users(write: Write) -> None:
    for username, first_name, last_name, role, store_code in network.USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(
                username=username,
                first_name=first_name,
                last_name=last_name,
                email=f"{username}@omni-demo.fr",
                role=role,
                store=Location.objects.get(code=store_code) if store_code else None,
                is_staff=role == "head_office",
                is_superuser=role == "head_office",
            )
            user.set_password(network.DEMO_PASSWORD)
            user.save()
        elif not user.password or not user.has_usable_password():
            user.set_password(network.DEMO_PASSWORD)
            user.save(update_fields=["password"])
    write(f"Demo users ready: {len(network.USERS)} users.")


# --- API clients ----------------------------------------------------------------------------


def _missing_api_clients() -> list[str]:
    names = [row[0] for row in network.API_CLIENTS]
    present = set(ApiClient.objects.filter(name__in=names).values_list("name", flat=True))
    return [name for name in names if name not in present]


def _fill_api_clients(write: Write) -> None:
    """The web shop (as api.webshop), the drop-ship vendor and the Lyon store's system. A key is
    made only for a client that does not exist yet, and shown once: it is never stored."""
    missing = set(_missing_api_clients())
    for name, profile, username, location_code in network.API_CLIENTS:
        if name not in missing:
            continue
        # The client's own user stays when a client goes (its history keeps naming it).
        user = User.objects.filter(username=username or f"api.{slugify(name)}").first()
        location = Location.objects.get(code=location_code) if location_code else None
        _client, key = api_client_create(
            name=name, profile=profile, user=user, location=location, expires_at=None
        )
        write(f"API key for {name} (shown once, keep it): {key}")


# --- catalogue and stock --------------------------------------------------------------------


def _missing_skus() -> list[str]:
    codes = [row["sku"] for row in catalogue.catalogue_rows()]
    present = SKU.objects.filter(code__in=codes).count()
    return [f"{len(codes) - present} of {len(codes)} SKUs"] if present < len(codes) else []


def _fill_catalogue(write: Write) -> None:
    """Through the same service as the PIM sync (one transaction for the whole catalogue)."""
    rows = catalogue.catalogue_rows()
    inventory_services.catalogue_sync(rows=rows)
    write(f"Demo catalogue ready: {len(rows)} SKUs.")


def _stock_batch_id(code: str) -> str:
    return f"demo-stock-{code}"


def _missing_stock() -> list[str]:
    codes = demo_location_codes()
    applied = set(
        SyncBatch.objects.filter(batch_id__in=[_stock_batch_id(code) for code in codes]).values_list(
            "batch_id", flat=True
        )
    )
    return [code for code in codes if _stock_batch_id(code) not in applied]


def _fill_stock(write: Write) -> None:
    """Through the same service as the ERP sync, so the ledger explains every unit. One snapshot
    per location, each all or nothing under a fixed batch id: never applied twice."""
    rows = catalogue.catalogue_rows()
    missing = _missing_stock()
    locations = Location.objects.in_bulk(missing, field_name="code")
    for done, code in enumerate(missing, 1):
        location = locations[code]
        inventory_services.inventory_sync(
            batch_id=_stock_batch_id(code),
            mode="snapshot",
            scope="full_location",
            location=code,
            rows=catalogue.stock_snapshot(code, location.kind, location.daily_capacity, rows),
            trace=Trace(note="demo data"),
        )
        if done in (1, 2, 4) or done % 5 == 0:
            # The table grows from nothing: without fresh statistics PostgreSQL plans each next
            # snapshot as if it were empty (nested loops over every stock row, seconds apiece).
            _analyze_stock()
        if done % 10 == 0 or done == len(missing):
            write(f"  stock: {done}/{len(missing)} locations")
    write("Demo stock ready.")


# --- orders ---------------------------------------------------------------------------------


def _analyze_stock() -> None:
    """Fresh planner statistics after the bulk load: with the empty-table estimates PostgreSQL
    joins 60,000 stock rows by nested loops and the order queries below take minutes."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE inventory_location, inventory_sku, inventory_stocklevel")


def _missing_keys(keys: list[str]) -> list[str]:
    present = set(IdempotencyKey.objects.filter(key__in=keys).values_list("key", flat=True))
    return [key for key in keys if key not in present]


def _missing_orders() -> list[str]:
    return _missing_keys(orders.order_keys())


def _fill_orders(write: Write) -> None:
    _analyze_stock()
    placed = orders.seed_orders(keys=set(_missing_orders()), write=write)
    write(f"Demo orders ready ({placed} new).")


def _missing_store_work() -> list[str]:
    return _missing_keys(orders.store_work_keys())


def _fill_store_work(write: Write) -> None:
    _analyze_stock()
    placed = orders.seed_store_work(keys=set(_missing_store_work()))
    write(f"Demo store work ready ({placed} new for {orders.STORE_WORK_LOCATION}).")


# --- backorder policies ---------------------------------------------------------------------

DEMO_PREORDER_MODEL = "CHE-LIN"  # the linen shirt: pre-ordered up to 40 units for next season


def _missing_backorder_policies() -> list[str]:
    from inventory.models import BackorderPolicy

    return [] if BackorderPolicy.objects.filter(category="Pulls").exists() else ["backorder policies"]


def _fill_backorder_policies(write: Write) -> None:
    """Sweaters wait for a supply due in three weeks; one linen shirt is taken as pre-orders."""
    today = datetime.date.today()
    preorder = SKU.objects.filter(code__startswith=f"{DEMO_PREORDER_MODEL}-").order_by("code").first()
    with transaction.atomic():
        if preorder is not None:
            inventory_services.backorder_policy_set(
                sku=preorder,
                mode="preorder",
                preorder_limit=40,
                expected_date=today + datetime.timedelta(days=45),
            )
        inventory_services.backorder_policy_set(
            category="Pulls", mode="backorder", expected_date=today + datetime.timedelta(days=21)
        )
    write("Demo backorder policies ready.")


PARTS = [
    Part("network", _missing_locations, _fill_locations),
    Part("users", _missing_users, _fill_users),
    Part("API clients", _missing_api_clients, _fill_api_clients),
    Part("catalogue", _missing_skus, _fill_catalogue),
    Part("stock", _missing_stock, _fill_stock),
    Part("orders", _missing_orders, _fill_orders),
    Part("store work", _missing_store_work, _fill_store_work),
    # After the orders: the demo's own orders were placed under the default policy.
    Part("backorder policies", _missing_backorder_policies, _fill_backorder_policies),
]


def demo_missing() -> dict[str, list[str]]:
    """What each incomplete part lacks (an empty dict: the demo is complete)."""
    return {part.name: missing for part in PARTS if (missing := part.missing())}


def demo_seed(*, write: Write = _quiet) -> list[str]:
    """Fill every incomplete part, in order. Returns the names of the parts it filled."""
    filled = []
    for part in PARTS:
        if part.missing():
            part.fill(write)
            filled.append(part.name)
    return filled


def holds_other_data() -> bool:
    """The database has locations but none of the demo's: someone's own data, not a demo."""
    return Location.objects.exists() and not Location.objects.filter(code__in=demo_location_codes()).exists()
