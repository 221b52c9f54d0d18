from celery import shared_task

from omni.outages import IDEMPOTENT, RETRY_ON_OUTAGE

from . import services


# OSError: the SMTP server is down; database and broker outages retry too (RETRY_ON_OUTAGE).
@shared_task(**RETRY_ON_OUTAGE, **IDEMPOTENT)
def send_order_notification(event_id: int) -> None:
    """Idempotent: the service sends each event's e-mail at most once."""
    services.notification_send(event_id=event_id)


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
