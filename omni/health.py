"""Health of the servers Omni depends on (served at /healthz)."""

import time

from django.core.cache import cache
from django.db import connection
from django.utils import timezone

HEARTBEAT_KEY = "omni:worker-heartbeat"


def _timed(check) -> dict:
    started = time.perf_counter()
    try:
        detail = check()
    except Exception as exc:  # noqa: BLE001 - any failure means "down", reported as text
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
    result = {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}
    if detail:
        result.update(detail)
    return result


def _check_postgres() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('server_version')")
        return {"version": cursor.fetchone()[0]}


def _check_redis() -> dict:
    client = cache._cache.get_client(write=True)  # the redis-py client behind Django's cache
    client.ping()
    return {}


def worker_heartbeat_record() -> None:
    cache.set(HEARTBEAT_KEY, timezone.now().isoformat(), timeout=None)


def worker_heartbeat_age_seconds() -> float | None:
    try:
        value = cache.get(HEARTBEAT_KEY)
    except Exception:  # noqa: BLE001 - redis down is reported by its own check
        return None
    if not value:
        return None
    return round((timezone.now() - timezone.datetime.fromisoformat(value)).total_seconds(), 1)


def system_health() -> dict:
    """PostgreSQL and Redis are required (``ok`` is false when either is down);
    the worker heartbeat is informational."""
    postgres = _timed(_check_postgres)
    redis = _timed(_check_redis)
    return {
        "ok": postgres["ok"] and redis["ok"],
        "postgres": postgres,
        "redis": redis,
        "worker_heartbeat_age_s": worker_heartbeat_age_seconds() if redis["ok"] else None,
    }
