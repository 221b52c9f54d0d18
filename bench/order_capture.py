"""Orders per second through HTTP (gunicorn, 16 concurrent clients, 1-5 line orders), against a
raw-SQL baseline writing the same rows (customer, order, its delivery charge, lines, reservation with its conditional
stock update and ledger row, allocation, timeline) in the same run; and the SQL statements one
3-line order costs through the real API path, in-process (``queries``).

    python bench/order_capture.py            # 800 orders on the large network
    python bench/order_capture.py --small    # CI smoke size: 40 orders, 4 clients, tiny network
"""

import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
import uuid

from common import (
    N_SKUS,
    ROOT,
    api_test_client,
    gunicorn,
    percentile,
    result,
    setup_django,
    sized,
    statement_kinds,
    web_shop_key,
)

setup_django()

from django.db import connection  # noqa: E402

ORDERS = sized("BENCH_ORDERS", 800, 40)
CLIENTS = sized("BENCH_CLIENTS", 16, 4)
QUERY_SAMPLES = sized("BENCH_QUERY_SAMPLES", 5, 3)
PORT = int(os.environ.get("BENCH_PORT", "8766"))
CITIES = [
    ("75011", "Paris"),
    ("69002", "Lyon"),
    ("13001", "Marseille"),
    ("59000", "Lille"),
    ("33000", "Bordeaux"),
]


def order_body(rng: random.Random, n: int, lines: int | None = None) -> dict:
    postcode, city = rng.choice(CITIES)
    address = {"name": f"Client {n}", "line1": f"{n} rue de la Paix", "postcode": postcode, "city": city}
    return {
        "channel": "web",
        "external_reference": f"BENCH-{n}",
        "customer": {
            "email": f"bench{n % 5000}@example.fr",
            "first_name": "Bench",
            "last_name": f"Client{n}",
        },
        "shipping_address": address,
        "lines": [
            {
                "sku": f"BN-{rng.randrange(N_SKUS):06d}",
                "quantity": 1,
                "delivery": {"method": "ship_to_address"},
            }
            for _ in range(lines or rng.randint(1, 5))
        ],
        "payments": [{"method": "card", "reference": f"AUTH-{n}"}],
    }


def run_clients(bodies: list[dict], send, label: str) -> tuple[float, list[float]]:
    """Send every body from CLIENTS threads; (seconds, latencies in ms). Any failed order (an
    exception in a thread, or an answer other than 201) stops the script after the run."""
    queue = list(enumerate(bodies))
    lock = threading.Lock()
    latencies: list[float] = []
    errors: list[str] = []

    def worker():
        state = {}
        while True:
            with lock:
                if not queue:
                    return
                n, body = queue.pop()
            started = time.perf_counter()
            try:
                error = send(state, n, body)
            except Exception as exc:  # noqa: BLE001 - reported below, the run fails
                error = f"{type(exc).__name__}: {exc}"
                state.clear()  # a broken connection is not reused
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                if error:
                    errors.append(error)
                else:
                    latencies.append(elapsed)

    threads = [threading.Thread(target=worker) for _ in range(CLIENTS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    if errors:
        raise SystemExit(f"{label}: {len(errors)} of {len(bodies)} orders failed; first: {errors[0]}")
    return seconds, latencies


def http_sender(token: str, run_id: str):
    def send(state, n, body) -> bool:
        conn = state.get("conn") or http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
        state["conn"] = conn
        conn.request(
            "POST",
            "/api/v1/orders/",
            body=json.dumps(body),
            headers={
                "Authorization": f"Token {token}",
                "Content-Type": "application/json",
                "Idempotency-Key": f"{run_id}-{n}",
            },
        )
        response = conn.getresponse()
        answer = response.read()
        if response.status != 201:
            return f"HTTP {response.status}: {answer[:300]!r}"
        return None

    return send


BASELINE_SQL = {
    "customer": """INSERT INTO customers_customer (email, phone, first_name, last_name, language, created_at, updated_at)
                   VALUES (%s, '', 'Bench', %s, 'fr', now(), now())
                   ON CONFLICT (email) WHERE email <> '' DO UPDATE SET updated_at = now() RETURNING id""",
    "order": """INSERT INTO orders_order (number, channel, external_reference, customer_id, status, status_before_hold,
                   hold_reason, billing_address, shipping_address, language, currency, subtotal, discount_total,
                   tax_total, total, delivery_total, delivery_tax, notes, placed_at, updated_at)
                VALUES ('B-' || nextval('orders_order_number'), 'web', %s, %s, 'confirmed', '', '', %s, %s, 'fr', 'EUR',
                   0, 0, 0, 0, 0, 0, '', now(), now()) RETURNING id, number""",
    "sku": "SELECT id, price FROM inventory_sku WHERE code = %s",
    "line": """INSERT INTO orders_orderline (order_id, line_number, sku_id, sku_code, name, quantity, unit_price,
                   unit_discount, line_discount, promotions, tax_rate, delivery_method, status, qty_allocated,
                   qty_backordered, qty_shipped, qty_collected, qty_cancelled, qty_returned, delivery_instructions,
                   backorder_mode)
               VALUES (%s, %s, %s, %s, 'x', 1, %s, 0, 0, '[]', 20, 'ship_to_address', 'allocated', 1, 0, 0, 0, 0, 0, '', '')
               RETURNING id""",
    "candidate": """SELECT l.id FROM inventory_stocklevel st JOIN inventory_location l ON l.id = st.location_id
                    WHERE st.sku_id = %s AND st.on_hand - st.reserved - st.safety_stock >= 1
                      AND l.is_active AND l.ships_to_customers
                    ORDER BY abs(l.latitude - 46.0) + abs(l.longitude - 3.0) LIMIT 5""",
    "reserve": """UPDATE inventory_stocklevel SET reserved = reserved + 1, updated_at = now()
                  WHERE sku_id = %s AND location_id = %s AND on_hand - reserved - safety_stock >= 1 RETURNING id""",
    "ledger": """INSERT INTO inventory_stockmovement (sku_id, location_id, kind, on_hand_delta, reserved_delta,
                    in_transit_delta, safety_stock_delta, reason, note, reference, channel, created_at)
                 VALUES (%s, %s, 'reservation', 0, 1, 0, 0, '', '', %s, 'integration', now())""",
    "reservation": """INSERT INTO inventory_reservation (sku_id, location_id, quantity, holder_type, holder_ref, status,
                         channel, created_at) VALUES (%s, %s, 1, 'order_line', %s, 'active', 'integration', now()) RETURNING id""",
    "allocation": """INSERT INTO orders_allocation (line_id, location_id, kind, quantity, reservation_id, status, created_at)
                     VALUES (%s, %s, 'ship', 1, %s, 'active', now())""",
    "event": """INSERT INTO orders_orderevent (order_id, kind, summary, data, reason, channel, created_at)
                VALUES (%s, %s, '', '{}', '', 'integration', now())""",
    "charge": """INSERT INTO orders_deliverycharge (order_id, "group", method, zone, basket_value, list_amount, amount,
                    tax_rate, rule, status, refund_reason, created_at)
                 VALUES (%s, 'ship_to_address:home', 'ship_to_address', 'mainland', 0, 4.90, 4.90, 20, 'standard',
                    'charged', '', now())""",
    "total": """UPDATE orders_order SET total = %s, subtotal = %s, tax_total = round(%s / 6, 2) WHERE id = %s""",
}


def baseline_sender():
    import psycopg

    settings = connection.settings_dict

    def send(state, n, body) -> bool:
        conn = state.get("conn")
        if conn is None:
            conn = state["conn"] = psycopg.connect(
                host=settings["HOST"] or None, port=settings["PORT"] or None, user=settings["USER"],
                password=settings["PASSWORD"] or None, dbname=settings["NAME"],
            )  # fmt: skip
        with conn.transaction(), conn.cursor() as cur:
            customer_id = cur.execute(
                BASELINE_SQL["customer"], [body["customer"]["email"], f"Client{n}"]
            ).fetchone()[0]
            address = json.dumps(body["shipping_address"])
            order_id, number = cur.execute(
                BASELINE_SQL["order"], [body["external_reference"], customer_id, address, address]
            ).fetchone()
            cur.execute(BASELINE_SQL["event"], [order_id, "placed"])
            cur.execute(BASELINE_SQL["charge"], [order_id])
            total = 0
            # Stock rows in one order (SKU, then candidate), as the services lock them: no deadlocks.
            for i, line in sorted(enumerate(body["lines"], 1), key=lambda item: item[1]["sku"]):
                sku_id, price = cur.execute(BASELINE_SQL["sku"], [line["sku"]]).fetchone()
                total += price
                line_id = cur.execute(
                    BASELINE_SQL["line"], [order_id, i, sku_id, line["sku"], price]
                ).fetchone()[0]
                for (location_id,) in cur.execute(BASELINE_SQL["candidate"], [sku_id]).fetchall():
                    if cur.execute(BASELINE_SQL["reserve"], [sku_id, location_id]).fetchone():
                        cur.execute(BASELINE_SQL["ledger"], [sku_id, location_id, f"{number}/{i}"])
                        reservation_id = cur.execute(
                            BASELINE_SQL["reservation"], [sku_id, location_id, f"{number}/{i}"]
                        ).fetchone()[0]
                        cur.execute(BASELINE_SQL["allocation"], [line_id, location_id, reservation_id])
                        cur.execute(BASELINE_SQL["event"], [order_id, "allocated"])
                        break
            cur.execute(BASELINE_SQL["total"], [total, total, total, order_id])
        return None

    return send


def queries_per_order(token: str, run_id: str) -> int:
    """SQL statements of one 3-line order through the real API path (URL routing, client-key
    authentication, DRF, capture service, response), in-process: the median of a few orders,
    after one that warms the process. Savepoints count: the database runs them."""
    from django.test.utils import CaptureQueriesContext

    client = api_test_client(token)
    rng = random.Random(3)
    counts = []
    for n in range(QUERY_SAMPLES + 1):
        body = order_body(rng, 900_000 + n, lines=3)
        body["customer"]["email"] = f"bench.queries.{run_id}.{n}@example.fr"
        with CaptureQueriesContext(connection) as captured:
            response = client.post(
                "/api/v1/orders/",
                data=json.dumps(body),
                content_type="application/json",
                headers={"Idempotency-Key": f"queries-{run_id}-{n}"},
            )
        if response.status_code != 201:
            raise SystemExit(f"in-process order: HTTP {response.status_code}: {response.content[:300]!r}")
        if n:  # the first one warms the process (URL conf, schema, caches)
            counts.append(len(captured))
    print(
        f"statements per 3-line order: {counts}; the last by kind: {statement_kinds(captured)}",
        file=sys.stderr,
    )
    return round(statistics.median(counts))


def main() -> None:
    if subprocess.run([sys.executable, str(ROOT / "bench/generate_network.py")], check=False).returncode:
        raise SystemExit("could not generate the network")
    token = web_shop_key()
    rng = random.Random()
    run_id = uuid.uuid4().hex[:8]
    bodies = [order_body(rng, n) for n in range(ORDERS)]

    queries = queries_per_order(token, run_id)
    connection.close()
    baseline_s, baseline_ms = run_clients(bodies, baseline_sender(), "raw-SQL baseline")
    server = gunicorn(PORT)
    try:
        run_clients(bodies[:50], http_sender(token, f"warm-{run_id}"), "warm-up")  # warm the workers
        http_s, http_ms = run_clients(bodies, http_sender(token, run_id), "API")
    finally:
        server.terminate()
        server.wait()
    per_s = round(ORDERS / http_s, 1)
    baseline_per_s = round(ORDERS / baseline_s, 1)
    result(
        "order_capture",
        per_s=per_s,
        baseline_per_s=baseline_per_s,
        ratio=round(per_s / baseline_per_s, 3),
        p95_ms=round(percentile(http_ms, 95), 1),
        p50_ms=round(percentile(http_ms, 50), 1),
        baseline_p95_ms=round(percentile(baseline_ms, 95), 1),
        queries=queries,
        orders=ORDERS,
        clients=CLIENTS,
        lines=sum(len(b["lines"]) for b in bodies),
    )


if __name__ == "__main__":
    main()
