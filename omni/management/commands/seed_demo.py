"""Load the demo retailer: its network and one user per role. Safe to run again."""

import datetime
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import ApiClient, User
from accounts.services import api_client_create
from inventory import services as inventory_services
from inventory.models import SKU, Location
from inventory.opening_hours import parse_day
from omni.demo import catalogue, network, orders
from omni.trace import Trace


def _weekly_hours(days: list[str]) -> dict:
    return {weekday: parse_day(text) for weekday, text in enumerate(days)}


def _cutoff(text: str | None) -> datetime.time | None:
    return datetime.time.fromisoformat(text) if text else None


class Command(BaseCommand):
    help = "Load the demo network and users (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database already holds the demo network and catalogue.",
        )

    def handle(self, *args, if_empty: bool = False, **options):
        if if_empty and Location.objects.exists() and SKU.objects.exists():
            self.stdout.write("Demo data already present.")
            return
        with transaction.atomic():
            count = self._seed_locations()
            self._seed_users()
            keys = self._seed_api_clients()
        self.stdout.write(
            self.style.SUCCESS(f"Demo network ready: {count} locations, {len(network.USERS)} users.")
        )
        skus, stock_rows = self._seed_catalogue_and_stock()
        self.stdout.write(self.style.SUCCESS(f"Demo catalogue ready: {skus} SKUs, {stock_rows} stock rows."))
        created = orders.seed_orders(stdout=self.stdout)
        store_work = orders.seed_store_work()
        self.stdout.write(
            self.style.SUCCESS(f"Demo orders ready ({created} new, {store_work} for the Lyon store).")
        )
        for name, key in keys.items():
            self.stdout.write(f"API key for {name} (shown once, keep it): {key}")
        if not keys:
            self.stdout.write("API clients already exist; rotate a key at /accounts/api-clients/ to see it.")

    def _seed_catalogue_and_stock(self) -> tuple[int, int]:
        """Through the same services as the PIM and ERP syncs, so the ledger explains every unit.
        Each location's snapshot has a fixed batch id: a second run replays instead of re-applying."""
        rows = catalogue.catalogue_rows()
        inventory_services.catalogue_sync(rows=rows)
        locations = list(Location.objects.order_by("code"))
        total = 0
        for done, location in enumerate(locations, 1):
            snapshot = catalogue.stock_snapshot(location.code, location.kind, location.daily_capacity, rows)
            inventory_services.inventory_sync(
                batch_id=f"demo-stock-{location.code}",
                mode="snapshot",
                scope="full_location",
                location=location.code,
                rows=snapshot,
                trace=Trace(note="demo data"),
            )
            total += len(snapshot)
            self.stdout.write(f"\r  stock: {done}/{len(locations)} locations", ending="")
            self.stdout.flush()
        self.stdout.write("")
        return len(rows), total

    def _upsert_location(self, code: str, hours: list[str], **fields) -> None:
        existing = Location.objects.filter(code=code).first()
        if existing is None:
            inventory_services.location_create(
                actor=None, code=code, weekly_hours=_weekly_hours(hours), reason="demo data", **fields
            )
        else:
            inventory_services.location_update(
                location=existing, actor=None, weekly_hours=_weekly_hours(hours), reason="demo data", **fields
            )

    def _seed_locations(self) -> int:
        for code, name, address, postcode, city, lat, lon, hours, capacity, ships, online in network.STORES:
            self._upsert_location(
                code,
                hours,
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
            )
        for kind, rows in (
            (Location.Kind.WAREHOUSE, network.WAREHOUSES),
            (Location.Kind.DROP_SHIP_VENDOR, network.VENDORS),
        ):
            for row in rows:
                row = dict(row)
                row["latitude"], row["longitude"] = (
                    Decimal(str(row["latitude"])),
                    Decimal(str(row["longitude"])),
                )
                self._upsert_location(
                    row.pop("code"),
                    row.pop("hours"),
                    kind=kind,
                    order_cutoff_time=_cutoff(row.pop("order_cutoff")),
                    sends_transfers=kind == Location.Kind.WAREHOUSE,
                    **row,
                )
        return len(network.STORES) + len(network.WAREHOUSES) + len(network.VENDORS)

    def _seed_users(self) -> None:
        for username, first_name, last_name, role, store_code in network.USERS:
            store = Location.objects.get(code=store_code) if store_code else None
            user, created = User.objects.update_or_create(
                username=username,
                defaults={
                    "first_name": first_name,
                    "last_name": last_name,
                    "email": f"{username}@omni-demo.fr",
                    "role": role,
                    "store": store,
                    "is_staff": role == "head_office",
                    "is_superuser": role == "head_office",
                },
            )
            if created or not user.has_usable_password():
                user.set_password(network.DEMO_PASSWORD)
                user.save(update_fields=["password"])

    def _seed_api_clients(self) -> dict[str, str]:
        """The web shop (as api.webshop), the drop-ship vendor and the Lyon store's system.
        Keys are made only for clients that do not exist yet: a key is never stored."""
        keys = {}
        for name, profile, username, location_code in network.API_CLIENTS:
            if ApiClient.objects.filter(name=name).exists():
                continue
            user = User.objects.get(username=username) if username else None
            location = Location.objects.get(code=location_code) if location_code else None
            _client, keys[name] = api_client_create(
                name=name, profile=profile, user=user, location=location, expires_at=None
            )
        return keys
