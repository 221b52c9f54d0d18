from celery import shared_task

from . import health


@shared_task(ignore_result=True)
def record_worker_heartbeat() -> None:
    """Beat schedules it every minute; /healthz reports how long ago a worker ran it."""
    health.worker_heartbeat_record()


@shared_task(ignore_result=True)
def purge_idempotency_keys() -> None:
    """Beat, hourly: forget Idempotency-Keys older than OMNI_IDEMPOTENCY_KEY_HOURS."""
    from .idempotency import idempotency_keys_purge

    idempotency_keys_purge()
