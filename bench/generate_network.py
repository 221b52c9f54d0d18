"""Generate the large network: 500 locations × 20,000 SKUs = 10 million stock rows, loaded with COPY.

python bench/generate_network.py            # reuses the network when it is already there
python bench/generate_network.py --force    # rebuilds it
python bench/generate_network.py --small    # the CI smoke network: 20 locations × 200 SKUs
"""

import argparse
import random
import sys
import time

from common import N_LOCATIONS, N_SKUS, internals, progress, result, setup_django

setup_django()

from django.db import connection  # noqa: E402

SKU, Location, Product = internals().SKU, internals().Location, internals().Product
ean13_check_digit = internals().ean13_check_digit
# 20 warehouses and 10 drop-ship vendors on the 500-location network, the rest stores; a
# smaller network keeps the same shares (at least one of each).
WAREHOUSES = max(1, round(N_LOCATIONS * 20 / 500))
VENDORS = WAREHOUSES + max(1, round(N_LOCATIONS * 10 / 500))

# Points spread over metropolitan France (lat, lon) to place locations around.
CITIES = [
    (48.857, 2.352), (45.764, 4.836), (43.297, 5.370), (43.605, 1.444), (43.710, 7.262), (47.218, -1.554),
    (43.611, 3.877), (48.573, 7.752), (44.838, -0.579), (50.629, 3.057), (48.117, -1.678), (49.258, 4.032),
    (45.189, 5.725), (47.322, 5.041), (47.394, 0.685), (45.777, 3.087), (49.443, 1.100), (49.119, 6.176),
    (46.580, 0.340), (45.834, 1.261), (42.699, 2.895), (47.478, -0.563), (49.183, -0.371), (48.692, 6.184),
]  # fmt: skip


def network_present() -> bool:
    locations = Location.objects.filter(code__startswith="BN-").count()
    skus = SKU.objects.filter(code__startswith="BN-").count()
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = 'inventory_stocklevel'")
        rows = cursor.fetchone()[0]
    return locations >= N_LOCATIONS and skus >= N_SKUS and rows >= 0.95 * N_LOCATIONS * N_SKUS


def wipe() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE inventory_stockmovement, inventory_reservation, inventory_stocklevel, inventory_syncbatch, "
            "inventory_transferline, inventory_transfer CASCADE"
        )
    SKU.objects.filter(code__startswith="BN-").delete()
    Product.objects.filter(code__startswith="BN-").delete()
    Location.objects.filter(code__startswith="BN-").delete()


def create_locations(rng: random.Random) -> list[int]:
    locations = []
    for i in range(N_LOCATIONS):
        lat, lon = rng.choice(CITIES)
        kind = "warehouse" if i < WAREHOUSES else "drop_ship_vendor" if i < VENDORS else "store"
        locations.append(
            Location(
                code=f"BN-{i:04d}",
                name=f"Bench {kind} {i}",
                kind=kind,
                address_line1="1 rue du Banc",
                postcode="75001",
                city="Bench",
                latitude=round(lat + rng.uniform(-0.4, 0.4), 6),
                longitude=round(lon + rng.uniform(-0.6, 0.6), 6),
                ships_to_customers=kind != "store" or i % 3 == 0,
                is_pickup_point=kind == "store",
                receives_ship_to_store=kind == "store",
                sells_stock_online=i % 10 != 0,
                daily_capacity=50,
            )
        )
    Location.objects.bulk_create(locations, batch_size=500)
    return list(Location.objects.filter(code__startswith="BN-").order_by("code").values_list("id", flat=True))


def create_skus() -> list[int]:
    with connection.cursor() as cursor:
        with cursor.copy("COPY inventory_product (code, name, category, brand) FROM STDIN") as copy:
            for m in range(N_SKUS // 10):
                copy.write_row((f"BN-M{m:05d}", f"Bench model {m}", f"Cat {m % 40}", "Bench"))
        cursor.execute("SELECT code, id FROM inventory_product WHERE code LIKE 'BN-M%%'")
        products = dict(cursor.fetchall())
        with cursor.copy(
            "COPY inventory_sku (code, ean, product_id, name, colour, size, category, price, image_url, is_active, updated_at) FROM STDIN"
        ) as copy:
            for n in range(N_SKUS):
                first12 = f"399{n:09d}"
                copy.write_row(
                    (
                        f"BN-{n:06d}",
                        first12 + str(ean13_check_digit(first12)),
                        products[f"BN-M{n // 10:05d}"],
                        f"Bench SKU {n}",
                        f"C{n % 5}",
                        f"S{n % 10}",
                        f"Cat {(n // 10) % 40}",
                        "29.90",
                        "",
                        True,
                        "now",
                    )
                )
    return list(SKU.objects.filter(code__startswith="BN-").order_by("id").values_list("id", flat=True))


def load_stock(rng: random.Random, location_ids: list[int], sku_ids: list[int]) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
        cursor.execute("SET maintenance_work_mem = '512MB'")
        # Indexes are built once after the load: much faster than keeping them up to date row by row.
        cursor.execute(
            "ALTER TABLE inventory_stocklevel DROP CONSTRAINT IF EXISTS stock_one_row_per_sku_and_location"
        )
        # Django builds a unique constraint with INCLUDE as a unique index, not a table constraint.
        cursor.execute("DROP INDEX IF EXISTS stock_one_row_per_sku_and_location")
        cursor.execute("DROP INDEX IF EXISTS stock_location_sku")
        weights = [0] * 4 + [1, 2, 3, 5, 8, 13, 40]
        for done, location_id in enumerate(location_ids, 1):
            lines = []
            for sku_id in sku_ids:
                on_hand = rng.choice(weights)
                lines.append(f"{sku_id}\t{location_id}\t{on_hand}\t0\t{1 if on_hand > 3 else 0}\t0\tnow\n")
            with cursor.copy(
                "COPY inventory_stocklevel (sku_id, location_id, on_hand, reserved, safety_stock, in_transit, updated_at) FROM STDIN"
            ) as copy:
                copy.write("".join(lines))
            progress("stock rows", done * len(sku_ids), len(location_ids) * len(sku_ids))
        sys.stderr.write("building indexes…\n")
        cursor.execute(
            "CREATE UNIQUE INDEX stock_one_row_per_sku_and_location ON inventory_stocklevel "
            "(sku_id, location_id) INCLUDE (on_hand, reserved, safety_stock)"
        )
        cursor.execute("CREATE INDEX stock_location_sku ON inventory_stocklevel (location_id, sku_id)")
        cursor.execute("VACUUM ANALYZE inventory_stocklevel")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--force", action="store_true")
    args = parser.parse_args()
    if network_present() and not args.force:
        print("large network already present: reusing it", file=sys.stderr)
        result(
            "generate_network",
            locations=N_LOCATIONS,
            skus=N_SKUS,
            rows=N_LOCATIONS * N_SKUS,
            seconds=0,
            reused=1,
        )
        return
    started = time.perf_counter()
    rng = random.Random(500_20000)
    wipe()
    location_ids = create_locations(rng)
    sku_ids = create_skus()
    load_stock(rng, location_ids, sku_ids)
    seconds = round(time.perf_counter() - started, 1)
    result(
        "generate_network",
        locations=len(location_ids),
        skus=len(sku_ids),
        rows=len(location_ids) * len(sku_ids),
        seconds=seconds,
        reused=0,
    )


if __name__ == "__main__":
    main()
