from celery import shared_task

from . import health
from .outages import IDEMPOTENT, RETRY_ON_OUTAGE


@shared_task(ignore_result=True, **IDEMPOTENT)
def record_worker_heartbeat() -> None:
    """Beat schedules it every minute; /healthz reports how long ago a worker ran it. Not
    retried: the next minute's run is the retry (and the cache skips writes while Redis is down)."""
    health.worker_heartbeat_record()


@shared_task(ignore_result=True, **RETRY_ON_OUTAGE, **IDEMPOTENT)
def purge_idempotency_keys() -> None:
    """Beat, hourly: forget Idempotency-Keys older than OMNI_IDEMPOTENCY_KEY_HOURS."""
    from .idempotency import idempotency_keys_purge

    idempotency_keys_purge()
