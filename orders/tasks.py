from celery import shared_task

from . import services


@shared_task(bind=True, max_retries=5, default_retry_delay=60, acks_late=True)
def send_order_notification(self, event_id: int) -> None:
    """Idempotent: the service sends each event's e-mail at most once."""
    try:
        services.notification_send(event_id=event_id)
    except OSError as error:  # SMTP down: try again later
        raise self.retry(exc=error) from error


@shared_task(ignore_result=True)
def purge_idempotency_keys() -> None:
    """Beat, hourly: forget order Idempotency-Keys past their lifetime."""
    services.idempotency_keys_purge()


@shared_task(ignore_result=True)
def expire_overdue_fulfilment_orders() -> int:
    """Beat runs it every minute; two copies at once expire and reroute each order once."""
    return services.fulfilment_orders_expire_overdue().expired


@shared_task(ignore_result=True)
def source_backorders() -> int:
    """Beat runs it every minute: backorders get stock that arrived, oldest order first."""
    return services.backorders_source()
