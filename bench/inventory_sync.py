"""A 1,000,000-row snapshot import: 50 locations × 20,000 SKUs through inventory_sync
(validation, COPY, set-based apply, one ledger row per changed stock row).

    python bench/inventory_sync.py
"""

import random
import subprocess
import sys
import time
import uuid

from common import N_SKUS, ROOT, progress, result, setup_django

from omni.trace import Trace

setup_django()

from inventory import services  # noqa: E402
from inventory.models import Location  # noqa: E402

LOCATIONS = 1_000_000 // N_SKUS


def main() -> None:
    subprocess.run([sys.executable, str(ROOT / "bench/generate_network.py")], check=True)
    codes = list(
        Location.objects.filter(code__startswith="BN-", kind="store")
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
    outcome = services.inventory_sync(
        batch_id=f"bench-{uuid.uuid4()}",
        mode="snapshot",
        scope="full_location",
        rows=rows,
        trace=Trace(channel="integration"),
        progress=lambda done: progress("rows", done, len(rows)),
    )
    seconds = round(time.perf_counter() - started, 1)
    result(
        "inventory_sync",
        seconds=seconds,
        rows=outcome["rows"],
        changed=outcome["changed"],
        zeroed=outcome["zeroed"],
        rows_per_s=round(outcome["rows"] / seconds),
    )


if __name__ == "__main__":
    main()
