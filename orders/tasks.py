import datetime

from celery import shared_task
from django.conf import settings

from omni.errors import DATABASE_ERRORS
from omni.outages import IDEMPOTENT, RETRY_ON_OUTAGE

from . import services

# Retries of "record it", every 2 s: at least ten minutes, five times the outbox's lease.
RECORD_RETRIES = max(300, settings.OMNI_OUTBOX_LEASE_SECONDS * 5)


# A mail server that is down is recorded on the outbox row (the sweep tries again); database and
# broker outages retry the task (RETRY_ON_OUTAGE).
@shared_task(**RETRY_ON_OUTAGE, **IDEMPOTENT)
def send_order_notification(event_id: int) -> None:
    """Idempotent: the service sends each event's e-mail at most once. An e-mail sent while the
    database went away is handed to ``record_order_notification_sent``: recorded, never resent."""
    try:
        services.notification_send(event_id=event_id)
    except services.SentButNotRecorded as sent:
        record_order_notification_sent.apply_async((event_id, sent.sent_at.isoformat()), countdown=1)


# Every couple of seconds for as long as it takes (within the outbox's lease, in practice: the
# database is back by then or the sweep takes the row for a lost attempt).
@shared_task(bind=True, max_retries=RECORD_RETRIES, acks_late=True, reject_on_worker_lost=True)
def record_order_notification_sent(self, event_id: int, sent_at: str) -> None:
    """Mark an e-mail delivered that an attempt sent but could not record."""
    try:
        services.notification_record_sent(event_id=event_id, sent_at=datetime.datetime.fromisoformat(sent_at))
    except DATABASE_ERRORS as error:
        raise self.retry(exc=error, countdown=2) from error


@shared_task(ignore_result=True, **RETRY_ON_OUTAGE, **IDEMPOTENT)
def purge_idempotency_keys() -> None:
    """Beat, hourly: forget order Idempotency-Keys past their lifetime."""
    services.idempotency_keys_purge()


@shared_task(ignore_result=True, **RETRY_ON_OUTAGE, **IDEMPOTENT)
def expire_overdue_fulfilment_orders() -> int:
    """Beat runs it every minute; two copies at once expire and reroute each order once."""
    return services.fulfilment_orders_expire_overdue().expired


@shared_task(ignore_result=True, **RETRY_ON_OUTAGE, **IDEMPOTENT)
def source_backorders() -> int:
    """Beat runs it every minute: backorders get stock that arrived, oldest order first."""
    return services.backorders_source()


@shared_task(ignore_result=True, **RETRY_ON_OUTAGE, **IDEMPOTENT)
def deliver_pending_notifications() -> int:
    """Beat, every minute: the outbox's e-mails still waiting (a lost nudge, a mail server that
    was down) are delivered, each at most once."""
    return services.notifications_deliver()


@shared_task(ignore_result=True, **RETRY_ON_OUTAGE, **IDEMPOTENT)
def settle_uncollected_pickups() -> int:
    """Beat, every 15 minutes: remind customers whose pickup waits too long, cancel what waits
    past the store's limit. Two copies at once remind and cancel each order once."""
    result = services.pickups_uncollected_sweep()
    return result.reminded + result.cancelled
