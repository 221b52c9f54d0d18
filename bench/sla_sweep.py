"""The SLA sweep over 100,000 open fulfilment orders of which 5 % are past their deadline:
two sweeps started at the same instant (as two beat-triggered workers would), time until
both finish, units rerouted, and proof that no fulfilment order was rerouted twice.

The open work is written with set-based SQL on the bench network (orders, lines,
reservations with their stock counters, allocations, fulfilment orders); each run first
removes the previous run's work.

    python bench/sla_sweep.py
    python bench/sla_sweep.py --small    # CI smoke size: 400 fulfilment orders on the tiny network
"""

import multiprocessing
import subprocess
import sys
import time

from common import N_LOCATIONS, N_SKUS, ROOT, internals, progress, result, setup_django, sized

setup_django()

from django.db import connection, transaction  # noqa: E402

T = internals().tables  # fulfilment order tables, named by their models
TOTAL = sized("BENCH_FULFILMENT_ORDERS", 100000, 400)
EXPIRED_SHARE = 0.05
PREFIX = "SLA-"


def wipe() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            CREATE TEMP TABLE bench_orders AS SELECT id FROM orders_order WHERE number LIKE 'SLA-%%';
            UPDATE inventory_stocklevel st SET reserved = st.reserved - r.q
              FROM (SELECT sku_id, location_id, sum(quantity) q FROM inventory_reservation
                     WHERE holder_ref LIKE 'SLA-%%' AND status = 'active' GROUP BY 1, 2) r
             WHERE st.sku_id = r.sku_id AND st.location_id = r.location_id;
            DELETE FROM {T.line_failure} WHERE order_line_id IN
              (SELECT l.id FROM orders_orderline l JOIN bench_orders b ON b.id = l.order_id);
            DELETE FROM {T.fulfilment_order_line} WHERE fulfilment_order_id IN
              (SELECT f.id FROM {T.fulfilment_order} f JOIN bench_orders b ON b.id = f.order_id);
            DELETE FROM {T.fulfilment_order} WHERE order_id IN (SELECT id FROM bench_orders);
            DELETE FROM {T.sourcing_run} WHERE reference LIKE 'SLA-%%';
            DELETE FROM orders_allocation WHERE line_id IN
              (SELECT l.id FROM orders_orderline l JOIN bench_orders b ON b.id = l.order_id);
            DELETE FROM inventory_reservation WHERE holder_ref LIKE 'SLA-%%';
            DELETE FROM orders_orderevent WHERE order_id IN (SELECT id FROM bench_orders);
            DELETE FROM orders_orderline WHERE order_id IN (SELECT id FROM bench_orders);
            DELETE FROM orders_order WHERE id IN (SELECT id FROM bench_orders);
            DELETE FROM {T.location_day_load};
            DROP TABLE bench_orders;
            """
        )


TOUCHED = (
    T.fulfilment_order, T.fulfilment_order_line, T.sourcing_run, T.line_failure,
    "orders_order", "orders_orderline", "orders_allocation", "orders_orderevent", "inventory_reservation",
    "inventory_stockmovement",
)  # fmt: skip


def vacuum() -> None:
    """Clear the previous run's deleted rows, as autovacuum would in steady state: the planner
    otherwise walks their dead index entries on every query (seconds over a sweep)."""
    with connection.cursor() as cursor:
        for table in TOUCHED:
            cursor.execute(f"VACUUM (ANALYZE) {table}")


def build() -> None:
    """One order, line, reservation, allocation and fulfilment order per i; i < 5 % overdue."""
    profile = internals().profile_current()
    expired = int(TOTAL * EXPIRED_SHARE)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO customers_customer (email, phone, first_name, last_name, language, created_at, updated_at)"
            " VALUES ('sla.bench@example.fr', '', 'Bench', 'SLA', 'fr', now(), now())"
            " ON CONFLICT DO NOTHING"
        )
        cursor.execute("SELECT id FROM customers_customer WHERE email = 'sla.bench@example.fr'")
        customer = cursor.fetchone()[0]
        cursor.execute(
            "SELECT array_agg(id ORDER BY id) FROM inventory_location WHERE code LIKE 'BN-%%' AND ships_to_customers AND kind <> 'drop_ship_vendor'"
        )
        locations = cursor.fetchone()[0]
        cursor.execute("SELECT array_agg(id ORDER BY id) FROM inventory_sku WHERE code LIKE 'BN-%%'")
        skus = cursor.fetchone()[0]
        params = {"n": TOTAL, "customer": customer, "locations": locations, "skus": skus, "expired": expired,
                  "profile": profile.pk}  # fmt: skip
        statements = [
            # The id arrays are bound once; each row picks from them (never copied per row).
            """CREATE TEMP TABLE plan AS
               SELECT i, s.a[1 + (i::bigint * 7919) %% cardinality(s.a)] AS sku, l.a[1 + (i::bigint * 104729) %% cardinality(l.a)] AS loc
                 FROM generate_series(1, %(n)s) i,
                      (SELECT %(skus)s::bigint[] AS a) s, (SELECT %(locations)s::bigint[] AS a) l""",
            # Make room: one more unit on hand and reserved where each unit is held.
            """INSERT INTO inventory_stocklevel (sku_id, location_id, on_hand, reserved, safety_stock, in_transit, updated_at)
               SELECT sku, loc, count(*), count(*), 0, 0, now() FROM plan GROUP BY sku, loc
               ON CONFLICT (sku_id, location_id) DO UPDATE
                 SET on_hand = inventory_stocklevel.on_hand + EXCLUDED.on_hand,
                     reserved = inventory_stocklevel.reserved + EXCLUDED.reserved""",
            """INSERT INTO orders_order (number, channel, external_reference, customer_id, status, status_before_hold,
                 hold_reason, shipping_address, billing_address, language, currency, subtotal, discount_total, tax_total,
                 total, delivery_total, delivery_tax, notes, placed_at, updated_at)
               SELECT 'SLA-' || i, 'web', '', %(customer)s, 'confirmed', '', '',
                 jsonb_build_object('name', 'Bench', 'line1', '1 rue', 'postcode', (ARRAY['75011','69002','13001','59000','33000'])[1 + i %% 5], 'city', 'X', 'country', 'FR'),
                 NULL, 'fr', 'EUR', 10, 0, 1.67, 10, 0, 0, '', now() - interval '1 hour', now() FROM plan""",
            """CREATE TEMP TABLE plan_ids AS SELECT p.i, p.sku, p.loc, o.id AS order_id FROM plan p
                 JOIN orders_order o ON o.number = 'SLA-' || p.i""",
            """INSERT INTO orders_orderline (order_id, line_number, sku_id, sku_code, name, quantity, unit_price, unit_discount,
                 line_discount, promotions, tax_rate, delivery_method, status, qty_allocated, qty_backordered, qty_shipped,
                 qty_collected, qty_cancelled, qty_returned, delivery_instructions, backorder_mode)
               SELECT order_id, 1, sku, 'BN', 'bench', 1, 10, 0, 0, '[]', 20, 'ship_to_address', 'allocated', 1, 0, 0, 0, 0, 0,
                 '', '' FROM plan_ids""",
            """INSERT INTO inventory_reservation (sku_id, location_id, quantity, holder_type, holder_ref, status, channel, created_at)
               SELECT sku, loc, 1, 'order_line', 'SLA-' || i || '/1', 'active', 'web', now() FROM plan_ids""",
            """INSERT INTO orders_allocation (line_id, location_id, kind, quantity, reservation_id, status, created_at)
               SELECT l.id, p.loc, 'ship', 1, r.id, 'active', now() FROM plan_ids p
                 JOIN orders_orderline l ON l.order_id = p.order_id
                 JOIN inventory_reservation r ON r.holder_ref = 'SLA-' || p.i || '/1' AND r.status = 'active'""",
            f"""INSERT INTO {T.sourcing_run} (reference, profile_id, trigger, reason, explanation, units_requested,
                 units_sourced, duration_ms, created_at)
               SELECT 'SLA-' || i, %(profile)s, 'capture', '', '{{}}'::jsonb, 1, 1, 0, now() FROM plan_ids""",
            f"""INSERT INTO {T.fulfilment_order} (number, order_id, location_id, mode, status, sourcing_run_id,
                 acknowledge_by, ready_by, due_at, carrier, tracking_number, failure_reason, pickup_code, parking_spot,
                 delivery_method, delivery_instructions, failure_code, send_back, pickup_code_failures,
                 created_at, updated_at)
               SELECT 'SLA-' || p.i || '-1', p.order_id, p.loc, 'ship', 'created', r.id,
                 CASE WHEN p.i <= %(expired)s THEN now() - interval '1 minute' ELSE now() + interval '1 day' END,
                 now() + interval '2 days',
                 CASE WHEN p.i <= %(expired)s THEN now() - interval '1 minute' ELSE now() + interval '1 day' END,
                 '', '', '', '', '', 'ship_to_address', '', '', false, 0, now(), now()
               FROM plan_ids p JOIN {T.sourcing_run} r ON r.reference = 'SLA-' || p.i""",
            f"""INSERT INTO {T.fulfilment_order_line} (fulfilment_order_id, order_line_id, allocation_id, quantity, qty_picked, qty_short)
               SELECT f.id, a.line_id, a.id, 1, 0, 0 FROM plan_ids p
                 JOIN {T.fulfilment_order} f ON f.order_id = p.order_id
                 JOIN orders_orderline l ON l.order_id = p.order_id
                 JOIN orders_allocation a ON a.line_id = l.id""",
            "DROP TABLE plan, plan_ids",
            # Statistics as autovacuum would have them in steady state (no seq scans on stale ones).
            f"""ANALYZE {T.fulfilment_order}, {T.fulfilment_order_line}, {T.sourcing_run},
               orders_order, orders_orderline, orders_allocation, inventory_reservation, inventory_stocklevel""",
        ]
        for step, sql in enumerate(statements, start=1):
            cursor.execute(sql, params)
            progress("open fulfilment orders", step, len(statements))


def sweep(_index: int) -> tuple[int, int, float]:
    import django

    django.setup()
    from django.db import connection as own

    own.close()
    started = time.perf_counter()
    outcome = internals().fulfilment_orders_expire_overdue()
    return outcome.expired, outcome.rerouted_units, time.perf_counter() - started


def main() -> None:
    if subprocess.run([sys.executable, str(ROOT / "bench/generate_network.py")], check=False).returncode:
        raise SystemExit("could not generate the network")
    wipe()
    vacuum()
    build()
    connection.close()
    started = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(2) as pool:
        outcomes = pool.map(sweep, [0, 1])
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT count(*) FILTER (WHERE n > 1), count(*) FROM (
                 SELECT f.id, count(lf.id) n FROM {T.fulfilment_order} f
                   JOIN {T.line_failure} lf ON lf.fulfilment_order_id = f.id
                  WHERE f.number LIKE 'SLA-%%' GROUP BY f.id) x"""
        )
        doubles, failed = cursor.fetchone()
        cursor.execute(
            f"SELECT count(*) FROM {T.fulfilment_order} WHERE number LIKE 'SLA-%%' AND status = 'expired'"
        )
        expired = cursor.fetchone()[0]
    for index, (n, units, took) in enumerate(outcomes):
        print(f"sweep {index}: expired {n}, rerouted {units} units, {took:.1f} s", file=sys.stderr)
    result(
        "sla_sweep",
        seconds=round(seconds, 1),
        rerouted=sum(units for _n, units, _t in outcomes),
        double_reroutes=doubles,
        expired=expired,
        failures_recorded=failed,
        open_fulfilment_orders=TOTAL,
        locations=N_LOCATIONS,
        skus=N_SKUS,
    )
    overdue = int(TOTAL * EXPIRED_SHARE)
    if doubles or expired != overdue:
        raise SystemExit(f"wrong sweep: {expired} of {overdue} overdue expired, {doubles} rerouted twice")


if __name__ == "__main__":
    main()
