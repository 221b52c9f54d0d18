"""Shipping one 2-line parcel through the fulfilment-order services: SQL statements and time of
the ship step alone (p50/p95 over N repetitions). Each repetition places a 2-line home-delivery
order through the API in-process, then acknowledges, picks and packs its fulfilment order
outside the measure; only ``fulfilment_order_ship`` is counted (lines shipped, stock taken out,
payment captured, timeline, customer e-mail queued after commit).

    python bench/ship_parcel.py            # 50 repetitions on the large network
    python bench/ship_parcel.py --small    # CI smoke size: 5 repetitions on the tiny network
"""

import json
import statistics
import subprocess
import sys
import time
import uuid
from decimal import Decimal

from common import (
    N_SKUS,
    ROOT,
    api_test_client,
    internals,
    percentile,
    result,
    setup_django,
    sized,
    statement_kinds,
    web_shop_key,
)

setup_django()

from django.db import connection  # noqa: E402
from django.db.models import F  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

app = internals()
REPETITIONS = sized("BENCH_REPETITIONS", 50, 5)
# Two SKUs of the network, held in plenty wherever goods ship from, with the day's capacity
# counters cleared first (as sla_sweep does): one location can always serve the whole order
# (sourcing prefers a single shipment), so the parcel holds both lines.
SKUS = [f"BN-{N_SKUS - 1:06d}", f"BN-{N_SKUS - 2:06d}"]


def order_body(n: int, run_id: str) -> dict:
    address = {"name": f"Parcel {n}", "line1": f"{n} rue du Colis", "postcode": "69002", "city": "Lyon"}
    return {
        "channel": "web",
        "external_reference": f"PARCEL-{run_id}-{n}",
        "customer": {
            "email": f"bench.parcel{n % 50}@example.fr",
            "first_name": "Bench",
            "last_name": "Parcel",
        },
        "shipping_address": address,
        "lines": [{"sku": sku, "quantity": 1, "delivery": {"method": "ship_to_address"}} for sku in SKUS],
        "payments": [{"method": "card", "reference": f"AUTH-{run_id}-{n}"}],
    }


def packed_parcel(client, n: int, run_id: str):
    """A placed 2-line order whose fulfilment order is acknowledged, picked and packed (one
    parcel), loaded as the API's fulfilment-order views load it."""
    response = client.post(
        "/api/v1/orders/",
        data=json.dumps(order_body(n, run_id)),
        content_type="application/json",
        headers={"Idempotency-Key": f"parcel-{run_id}-{n}"},
    )
    if response.status_code != 201:
        raise SystemExit(f"placing the order: HTTP {response.status_code}: {response.content[:300]!r}")
    number = response.json()["number"]
    fos = list(app.FulfilmentOrder.objects.filter(order__number=number).prefetch_related("lines"))
    if len(fos) != 1 or len(fos[0].lines.all()) != 2:
        raise SystemExit(
            f"order {number} was not sourced to one location: {[(f.number, len(f.lines.all())) for f in fos]}"
        )
    trace = app.Trace(channel="store", note="bench")
    fo = fos[0]
    app.fulfilment_order_acknowledge(fulfilment_order=fo, trace=trace)
    app.fulfilment_order_record_picks(fulfilment_order=fo, picked={1: 1, 2: 1}, trace=trace)
    app.fulfilment_order_pack(fulfilment_order=fo, parcels=[Decimal("1.250")], trace=trace)
    return app.FulfilmentOrder.objects.select_related("order", "location", "destination").get(pk=fo.pk)


def main() -> None:
    if subprocess.run([sys.executable, str(ROOT / "bench/generate_network.py")], check=False).returncode:
        raise SystemExit("could not generate the network")
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {app.tables.location_day_load}")
    app.StockLevel.objects.filter(
        sku__code__in=SKUS, location__code__startswith="BN-", location__ships_to_customers=True
    ).update(on_hand=F("on_hand") + 10 * (REPETITIONS + 1))
    client = api_test_client(web_shop_key())
    run_id = uuid.uuid4().hex[:8]
    counts, timings = [], []
    for n in range(REPETITIONS + 1):
        fo = packed_parcel(client, n, run_id)
        trace = app.Trace(channel="store", note="bench")
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            app.fulfilment_order_ship(
                fulfilment_order=fo, carrier="Colissimo", tracking_number=f"BENCH{run_id}{n}", trace=trace
            )
            elapsed = (time.perf_counter() - started) * 1000
        fo.refresh_from_db()
        if fo.status != app.FulfilmentOrder.Status.SHIPPED:
            raise SystemExit(f"{fo.number} is {fo.status}, not shipped")
        if n:  # the first one warms the process
            counts.append(len(captured))
            timings.append(elapsed)
    print(
        f"statements per ship: {sorted(counts)}; the last by kind: {statement_kinds(captured)}",
        file=sys.stderr,
    )
    result(
        "ship_parcel",
        queries=round(statistics.median(counts)),
        queries_max=max(counts),
        p50_ms=round(percentile(timings, 50), 2),
        p95_ms=round(percentile(timings, 95), 2),
        lines=2,
        parcels=1,
        repetitions=REPETITIONS,
    )


if __name__ == "__main__":
    main()
