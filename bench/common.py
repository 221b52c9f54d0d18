"""Shared by the bench scripts: a separate bench database, Django set up on it, timing helpers.

The large network lives in its own database (``omni_bench``) on the embedded PostgreSQL, or
on the server of ``DATABASE_URL`` when it is set, so benchmarks never touch demo data.
"""

from __future__ import annotations

import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BENCH_DB = os.environ.get("BENCH_DATABASE", "omni_bench")
N_LOCATIONS = int(os.environ.get("BENCH_LOCATIONS", "500"))
N_SKUS = int(os.environ.get("BENCH_SKUS", "20000"))


def setup_django() -> None:
    """Point DATABASE_URL at the bench database (creating it) and set Django up there."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omni.settings.development")
    os.environ["DEBUG"] = "0"
    if os.environ.get("DATABASE_URL"):
        import dj_database_url
        import psycopg

        config = dj_database_url.parse(os.environ["DATABASE_URL"])
        admin = psycopg.connect(
            host=config["HOST"] or None,
            port=config["PORT"] or None,
            user=config["USER"],
            dbname="postgres",
            password=config["PASSWORD"] or None,
            autocommit=True,
        )
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


def gunicorn(port: int, workers: int = 4) -> subprocess.Popen:
    """Omni under gunicorn on the bench database, production-like (no debug)."""
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
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)  # noqa: S310 - loopback
            return process
        except OSError:
            time.sleep(0.3)
    process.terminate()
    raise RuntimeError("gunicorn did not start")


def load_script_run(script: str, port: int, seconds: int = 15, clients: int = 16) -> float:
    """Run wrk with a request script; requests per second, refusing any non-2xx answer."""
    wrk = shutil.which("wrk")
    if wrk is None and os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False, capture_output=True)
        wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("wrk is needed for the load test: apt-get install wrk")
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
