"""Shared by the bench scripts: a separate bench database, Django set up on it, timing helpers,
the small (CI smoke) size, and the one place where the scripts reach app internals.

The large network lives in its own database (``omni_bench``) on the embedded PostgreSQL, or
on the server of ``DATABASE_URL`` when it is set, so benchmarks never touch demo data.

Small size (``BENCH_SMALL=1`` or ``--small`` on any script): a tiny network (20 locations ×
200 SKUs) in its own database (``omni_bench_small``), few rounds and a short load, so every
script runs in seconds. CI runs them all that way (``bench/smoke.sh``) so none can rot; the
figures it prints are smoke figures, not comparable with the targets. Without the switch,
every size is the full one, as before.
"""

from __future__ import annotations

import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

if "--small" in sys.argv:
    sys.argv.remove("--small")
    os.environ["BENCH_SMALL"] = "1"  # inherited by bench/generate_network.py run as a subprocess
SMALL = os.environ.get("BENCH_SMALL", "") not in ("", "0")


def sized(env: str, full: int, small: int) -> int:
    """A size: the environment variable ``env`` when set, else the full or the small default."""
    return int(os.environ.get(env, small if SMALL else full))


BENCH_DB = os.environ.get("BENCH_DATABASE", "omni_bench_small" if SMALL else "omni_bench")
N_LOCATIONS = sized("BENCH_LOCATIONS", 500, 20)
N_SKUS = sized("BENCH_SKUS", 20000, 200)


def _admin_connection():
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(os.environ["DATABASE_URL"])
    return psycopg.connect(
        host=config["HOST"] or None,
        port=config["PORT"] or None,
        user=config["USER"],
        dbname="postgres",
        password=config["PASSWORD"] or None,
        autocommit=True,
    )


def drop_bench_database() -> None:
    """Start the next run from an empty bench database (CI's smoke runs: stock taken by one run
    must not change the next). Only on the server of DATABASE_URL."""
    admin = _admin_connection()
    admin.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
    admin.close()


def setup_django() -> None:
    """Point DATABASE_URL at the bench database (creating it) and set Django up there."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omni.settings.development")
    os.environ["DEBUG"] = "0"
    # WhiteNoise looks for collected static files, which the bench does not need (nor serve).
    os.environ["PYTHONWARNINGS"] = "ignore:No directory at:UserWarning"
    warnings.filterwarnings("ignore", "No directory at", UserWarning)
    if os.environ.get("DATABASE_URL"):
        admin = _admin_connection()
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DB]).fetchone():
            admin.execute(f'CREATE DATABASE "{BENCH_DB}"')
        admin.close()
        base = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
        os.environ["DATABASE_URL"] = f"{base}/{BENCH_DB}"
    else:
        os.environ["OMNI_EMBEDDED_DATABASE"] = BENCH_DB
        from omni import embedded

        embedded.export_missing_urls()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def percentile(values: list[float], pct: float) -> float:
    if not values:
        raise SystemExit("no measurements to take a percentile of: every attempt failed")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def summary(values_ms: list[float]) -> dict:
    return {
        "p50_ms": round(percentile(values_ms, 50), 2),
        "p95_ms": round(percentile(values_ms, 95), 2),
        "mean_ms": round(statistics.fmean(values_ms), 2),
    }


def timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def machine() -> str:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{platform.node()} {os.cpu_count()} cores {cpu} Python {platform.python_version()}"


def progress(label: str, done: int, total: int) -> None:
    width = 30
    filled = int(width * done / max(total, 1))
    sys.stderr.write(f"\r{label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
    if done >= total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def result(name: str, **values) -> None:
    print(f"RESULT {name} " + " ".join(f"{key}={value}" for key, value in values.items()), flush=True)


def gunicorn(port: int, workers: int | None = None) -> subprocess.Popen:
    """Omni under gunicorn on the bench database, production-like (no debug); 4 workers × 4
    threads (1 worker at small size, ``BENCH_WORKERS`` to change)."""
    workers = workers or sized("BENCH_WORKERS", 4, 1)
    import socket

    with socket.socket() as probe:  # another server on the port would answer our health check
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            raise SystemExit(f"port {port} is taken: set BENCH_PORT to a free one")
    env = {
        **os.environ,
        "DEBUG": "0",
        "DJANGO_SETTINGS_MODULE": "omni.settings.development",
        "ALLOWED_HOSTS": "*",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "omni.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            "gthread",
            "--threads",
            "4",
            "--log-level",
            "warning",
            "--env",
            "DJANGO_SETTINGS_MODULE=omni.settings.development",
        ],
        cwd=ROOT,
        env=env,
    )
    import urllib.request

    for _ in range(100):
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited with {process.returncode}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)  # noqa: S310 - loopback
            return process
        except OSError:
            time.sleep(0.3)
    process.terminate()
    raise RuntimeError("gunicorn did not start")


def wrk_path() -> str:
    """Debian's wrk, installed when missing and we are root (as on CI)."""
    wrk = shutil.which("wrk")
    if wrk is None and os.geteuid() == 0 and shutil.which("apt-get"):
        install = ["apt-get", "install", "-y", "-qq", "wrk"]
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        if subprocess.run(install, check=False, capture_output=True, env=env).returncode:
            subprocess.run(["apt-get", "update", "-qq"], check=False, capture_output=True, env=env)
            subprocess.run(install, check=False, capture_output=True, env=env)
        wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("wrk is needed for the load test: apt-get install wrk")
    return wrk


def load_script_run(script: str, port: int, seconds: int | None = None, clients: int | None = None) -> float:
    """Run wrk with a request script for 15 s with 16 clients (2 s with 4 at small size);
    requests per second, refusing any non-2xx answer."""
    seconds = seconds or sized("BENCH_LOAD_SECONDS", 15, 2)
    clients = clients or sized("BENCH_LOAD_CLIENTS", 16, 4)
    wrk = wrk_path()
    output = subprocess.run(
        [
            wrk,
            "-t",
            "4",
            "-c",
            str(clients),
            "-d",
            f"{seconds}s",
            "-s",
            script,
            f"http://127.0.0.1:{port}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    print(output, file=sys.stderr)
    non_2xx = [line for line in output.splitlines() if "Non-2xx" in line]
    if non_2xx:
        raise SystemExit(f"errors under load: {non_2xx}")
    return round(
        float(next(line.split()[1] for line in output.splitlines() if line.startswith("Requests/sec"))), 1
    )


def web_shop_key(username: str = "bench.api") -> str:
    """A working key of the bench's web-shop API client (created once, rotated on each run:
    keys are stored hashed, so a run can only learn a fresh one)."""
    from accounts.models import ApiClient, Role, User
    from accounts.services import api_client_create, api_client_rotate

    client = ApiClient.objects.filter(user__username=username).first()
    if client is None:
        user, _ = User.objects.get_or_create(username=username, defaults={"role": Role.INTEGRATION})
        return api_client_create(name="Bench web shop", profile="web_shop", user=user, expires_at=None)[1]
    return api_client_rotate(client=client)


def statement_kinds(captured) -> str:
    """What a CaptureQueriesContext saw, by first word: 'SELECT 20, INSERT 9, …'."""
    from collections import Counter

    kinds = Counter(query["sql"].split(None, 1)[0].upper() for query in captured.captured_queries)
    return ", ".join(f"{kind} {n}" for kind, n in kinds.most_common())


def api_test_client(token: str):
    """Django's test client calling the API in-process as the bench's web shop (the real path:
    URL routing, client-key authentication, DRF, services), for counting statements."""
    from django.test import Client

    return Client(HTTP_HOST="localhost", HTTP_AUTHORIZATION=f"Token {token}")


# --- App internals -------------------------------------------------------------------------
# Every model, service and selector the bench scripts use is imported here and nowhere else,
# so that moving one (fulfilment orders from sourcing into orders, the trace into the omni
# kernel) means adjusting one import in this file. Call after setup_django().


def internals():
    """The app internals the scripts use, as one namespace (imported on first call)."""
    global _INTERNALS
    if _INTERNALS is None:
        from inventory import services as inventory_services
        from inventory.geo import postcode_point
        from inventory.models import SKU, Location, Product, StockLevel, ean13_check_digit
        from inventory.selectors import network_availability, stores_near
        from inventory.selectors.atp import _POSITIVE_SQL
        from omni.trace import Trace
        from orders import services as order_services
        from orders.models import FulfilmentOrder, FulfilmentOrderLine, LineFailure
        from sourcing import services as sourcing_services
        from sourcing.models import LocationDayLoad, SourcingRun
        from sourcing.planning import dry_run_basket, promise_options
        from sourcing.selectors import network_facts_recent

        _INTERNALS = SimpleNamespace(
            # inventory
            SKU=SKU,
            Location=Location,
            Product=Product,
            StockLevel=StockLevel,
            ean13_check_digit=ean13_check_digit,
            postcode_point=postcode_point,
            network_availability=network_availability,
            stores_near=stores_near,
            inventory_sync=inventory_services.inventory_sync,
            stock_reserve=inventory_services.stock_reserve,
            # the actor/channel/reason trace written on every change
            Trace=Trace,
            # sourcing: profiles, decisions, the promise
            profile_current=sourcing_services.profile_current,
            profile_rules=sourcing_services.profile_rules,
            dry_run_basket=dry_run_basket,
            promise_options=promise_options,
            network_facts_recent=network_facts_recent,
            atp_sql=_POSITIVE_SQL,
            # fulfilment orders and their services
            FulfilmentOrder=FulfilmentOrder,
            fulfilment_order_acknowledge=order_services.fulfilment_order_acknowledge,
            fulfilment_order_record_picks=order_services.fulfilment_order_record_picks,
            fulfilment_order_pack=order_services.fulfilment_order_pack,
            fulfilment_order_ship=order_services.fulfilment_order_ship,
            fulfilment_orders_expire_overdue=order_services.fulfilment_orders_expire_overdue,
            # table names for the scripts' raw SQL, from the models (they follow a move)
            tables=SimpleNamespace(
                fulfilment_order=FulfilmentOrder._meta.db_table,
                fulfilment_order_line=FulfilmentOrderLine._meta.db_table,
                line_failure=LineFailure._meta.db_table,
                sourcing_run=SourcingRun._meta.db_table,
                location_day_load=LocationDayLoad._meta.db_table,
            ),
        )
    return _INTERNALS


_INTERNALS = None


def pricing_engine():
    """The pure promotion engine (standard library only: no Django set-up needed)."""
    from promotions import engine

    return engine
