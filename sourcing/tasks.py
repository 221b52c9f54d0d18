from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def expire_overdue_fulfilment_orders() -> int:
    """Beat runs it every minute; two copies at once expire and reroute each order once."""
    return services.fulfilment_orders_expire_overdue().expired


@shared_task(ignore_result=True)
def source_backorders() -> int:
    """Beat runs it every minute: backorders get stock that arrived, oldest order first."""
    return services.backorders_source()


@shared_task(ignore_result=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notify_customer(fulfilment_order_id: int, kind: str) -> None:
    """E-mail the customer about their fulfilment order (queued after commit)."""
    from .services.notifications import customer_message_send

    customer_message_send(fulfilment_order_id, kind)
