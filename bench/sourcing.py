"""Sourcing decision latency for 1-5 line home-delivery orders on the 500 × 20,000 network:
network snapshot (stock, locations, load, reliability) plus the engine, as a real sourcing
run decides before it writes. Baseline in the same run: the bare ATP query for the same SKUs.

    python bench/sourcing.py
    python bench/sourcing.py --small    # CI smoke size: 30 rounds on the tiny network
"""

import random
import subprocess
import sys
import time

from common import N_SKUS, ROOT, internals, percentile, result, setup_django, sized, summary, timed

setup_django()

from django.db import connection  # noqa: E402

app = internals()
ROUNDS = sized("BENCH_ROUNDS", 300, 30)
POSTCODES = ["75011", "69002", "13001", "59000", "33000", "31000", "67000", "44000"]


def main() -> None:
    if subprocess.run([sys.executable, str(ROOT / "bench/generate_network.py")], check=False).returncode:
        raise SystemExit("could not generate the network")
    rng = random.Random(11)
    profile = app.profile_current()
    picked = rng.sample(range(N_SKUS), min(2000, N_SKUS))
    skus = list(app.SKU.objects.filter(code__in=[f"BN-{i:06d}" for i in picked]))

    def basket(n):
        return [(sku, rng.randint(1, 3)) for sku in rng.sample(skus, n)]

    def decide(lines, postcode):
        return app.dry_run_basket(lines=lines, delivery_method="ship_to_address", profile=profile,
                                  postcode=postcode, point=app.postcode_point(postcode))  # fmt: skip

    for _ in range(20):
        decide(basket(3), rng.choice(POSTCODES))
    by_size: dict[int, list[float]] = {n: [] for n in range(1, 6)}
    baseline: list[float] = []
    for i in range(ROUNDS):
        size = i % 5 + 1
        lines = basket(size)
        postcode = rng.choice(POSTCODES)
        by_size[size].append(timed(lambda lines=lines, postcode=postcode: decide(lines, postcode)))

        def atp(lines=lines):
            with connection.cursor() as cursor:
                cursor.execute(app.atp_sql, [[sku.pk for sku, _ in lines]])
                cursor.fetchall()

        baseline.append(timed(atp))
    everything = [ms for values in by_size.values() for ms in values]
    for size, values in by_size.items():
        print(f"{size} lines: {summary(values)}", file=sys.stderr)
    overall = summary(everything)
    result(
        "sourcing",
        p50_ms=overall["p50_ms"],
        p95_ms=overall["p95_ms"],
        p95_5_lines_ms=round(percentile(by_size[5], 95), 2),
        baseline_atp_query_p95_ms=summary(baseline)["p95_ms"],
        rounds=ROUNDS,
    )


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    print(f"took {time.perf_counter() - started:.0f} s", file=sys.stderr)
