import datetime

from celery import shared_task
from django.conf import settings

from omni.errors import DATABASE_ERRORS
from omni.outages import IDEMPOTENT, RETRY_ON_OUTAGE

from . import services


# A mail server that is down is recorded on the outbox row (the sweep tries again); database and
# broker outages retry the task (RETRY_ON_OUTAGE).
@shared_task(bind=True, **RETRY_ON_OUTAGE, **IDEMPOTENT)
def send_order_notification(self, event_id: int, sent_at: str | None = None) -> None:
    """Idempotent: the service sends each event's e-mail at most once. An e-mail sent while the
    database went away is retried as "record it", never as "send it again", every second (not
    with the backoff) so that it is recorded as soon as the database is back, well before the
    attempt's lease ends and the sweep would take the row for a lost attempt."""
    try:
        services.notification_send(
            event_id=event_id, sent_at=datetime.datetime.fromisoformat(sent_at) if sent_at else None
        )
    except services.SentButNotRecorded as sent:
        raise self.retry(
            kwargs={"event_id": event_id, "sent_at": sent.sent_at.isoformat()},
            exc=sent.__cause__,
            countdown=1,
            max_retries=RECORD_RETRIES,
        ) from sent
    except DATABASE_ERRORS as error:
        if sent_at is None:
            raise  # RETRY_ON_OUTAGE's backoff
        raise self.retry(exc=error, countdown=1, max_retries=RECORD_RETRIES) from error


# Retries of "record it", one a second: as long as the outbox's lease.
RECORD_RETRIES = settings.OMNI_OUTBOX_LEASE_SECONDS


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
