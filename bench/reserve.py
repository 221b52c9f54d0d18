"""16 concurrent clients reserving hot SKUs through the service layer, against a raw-SQL
baseline doing the same conditional update, in the same run.

    python bench/reserve.py
"""

import os
import random
import subprocess
import sys
import threading
import time

from common import ROOT, result, setup_django

from omni.trace import Trace

setup_django()

from django.db import connection  # noqa: E402

from inventory import services  # noqa: E402
from inventory.models import SKU, Location, StockLevel  # noqa: E402

CLIENTS = int(os.environ.get("BENCH_CLIENTS", "16"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))
HOT_SKUS, HOT_LOCATIONS = 10, 20


def run(worker) -> float:
    """Operations per second of CLIENTS threads running ``worker(i, rng)`` for SECONDS."""
    counts = [0] * CLIENTS
    stop = time.perf_counter() + SECONDS
    barrier = threading.Barrier(CLIENTS)

    def loop(i: int) -> None:
        rng = random.Random(i)
        barrier.wait()
        while time.perf_counter() < stop:
            worker(i, rng)
            counts[i] += 1
        connection.close()

    threads = [threading.Thread(target=loop, args=(i,)) for i in range(CLIENTS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / (time.perf_counter() - started)


def main() -> None:
    subprocess.run([sys.executable, str(ROOT / "bench/generate_network.py")], check=True)
    skus = list(SKU.objects.filter(code__startswith="BN-").order_by("id")[:HOT_SKUS])
    locations = list(
        Location.objects.filter(code__startswith="BN-", kind="store").order_by("id")[:HOT_LOCATIONS]
    )
    pairs = [(s, loc) for s in skus for loc in locations]
    # Plenty of units, so nobody runs out during the run: we measure contention, not refusals.
    StockLevel.objects.filter(sku__in=skus, location__in=locations).update(
        on_hand=10_000_000, reserved=0, safety_stock=0
    )

    def service(i, rng):
        sku, location = rng.choice(pairs)
        services.stock_reserve(
            sku=sku,
            location=location,
            quantity=1,
            holder_type="pos_basket",
            holder_ref=f"bench-{i}",
            trace=Trace(channel="store"),
        )

    def baseline(i, rng):
        sku, location = rng.choice(pairs)
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE inventory_stocklevel SET reserved = reserved + 1 WHERE sku_id = %s AND location_id = %s "
                "AND on_hand - reserved - safety_stock >= 1",
                [sku.pk, location.pk],
            )
            assert cursor.rowcount == 1

    baseline_per_s = run(baseline)
    per_s = run(service)
    result(
        "reserve",
        per_s=round(per_s, 1),
        baseline_per_s=round(baseline_per_s, 1),
        ratio=round(per_s / baseline_per_s, 2),
        clients=CLIENTS,
        hot_rows=len(pairs),
    )


if __name__ == "__main__":
    main()
