"""A 1,000,000-row snapshot import: 50 locations × 20,000 SKUs through inventory_sync
(validation, COPY, set-based apply, one ledger row per changed stock row).

    python bench/inventory_sync.py
    python bench/inventory_sync.py --small    # CI smoke size: 2,000 rows (10 stores × 200 SKUs)
"""

import random
import subprocess
import sys
import time
import uuid

from common import N_SKUS, ROOT, internals, progress, result, setup_django, sized

setup_django()

app = internals()
LOCATIONS = sized("BENCH_SYNC_ROWS", 1_000_000, 2_000) // N_SKUS


def main() -> None:
    subprocess.run([sys.executable, str(ROOT / "bench/generate_network.py")], check=True)
    codes = list(
        app.Location.objects.filter(code__startswith="BN-", kind="store")
        .order_by("code")
        .values_list("code", flat=True)[:LOCATIONS]
    )
    rng = random.Random()
    rows = [
        {"sku": f"BN-{n:06d}", "location": code, "on_hand": rng.randrange(0, 30)}
        for code in codes
        for n in range(N_SKUS)
    ]
    started = time.perf_counter()
    outcome = app.inventory_sync(
        batch_id=f"bench-{uuid.uuid4()}",
        mode="snapshot",
        scope="full_location",
        rows=rows,
        trace=app.Trace(channel="integration"),
        progress=lambda done: progress("rows", done, len(rows)),
    )
    seconds = time.perf_counter() - started
    result(
        "inventory_sync",
        seconds=round(seconds, 1),
        rows=outcome["rows"],
        changed=outcome["changed"],
        zeroed=outcome["zeroed"],
        rows_per_s=round(outcome["rows"] / seconds),
    )


if __name__ == "__main__":
    main()
