"""16 concurrent clients reserving hot SKUs through the service layer, against a raw-SQL
baseline doing the same conditional update, in the same run.

    python bench/reserve.py
    python bench/reserve.py --small    # CI smoke size: 4 clients for 1 s each, tiny network
"""

import os
import random
import subprocess
import sys
import threading
import time

from common import ROOT, SMALL, internals, result, setup_django, sized

setup_django()

from django.db import connection  # noqa: E402

app = internals()
SKU, Location, StockLevel = app.SKU, app.Location, app.StockLevel
CLIENTS = sized("BENCH_CLIENTS", 16, 4)
SECONDS = float(os.environ.get("BENCH_SECONDS", "1" if SMALL else "10"))
HOT_SKUS, HOT_LOCATIONS = 10, 20


def run(worker) -> float:
    """Operations per second of CLIENTS threads running ``worker(i, rng)`` for SECONDS."""
    counts = [0] * CLIENTS
    stop = time.perf_counter() + SECONDS
    barrier = threading.Barrier(CLIENTS)

    errors: list[str] = []

    def loop(i: int) -> None:
        rng = random.Random(i)
        barrier.wait()
        try:
            while time.perf_counter() < stop:
                worker(i, rng)
                counts[i] += 1
        except Exception as exc:  # noqa: BLE001 - a failed reservation fails the run, below
            errors.append(f"{type(exc).__name__}: {exc}")
        finally:
            connection.close()

    threads = [threading.Thread(target=loop, args=(i,)) for i in range(CLIENTS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise SystemExit(f"{len(errors)} of {CLIENTS} clients failed; first: {errors[0]}")
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
        app.stock_reserve(
            sku=sku,
            location=location,
            quantity=1,
            holder_type="pos_basket",
            holder_ref=f"bench-{i}",
            trace=app.Trace(channel="store"),
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
