"""The order timeline, and the customer e-mails some of its events call for."""

from __future__ import annotations

from django.db import transaction

from inventory.services import Trace

from ..models import Notification, Order, OrderEvent, OrderLine

NOTIFY = {
    OrderEvent.Kind.PLACED: Notification.Kind.CONFIRMATION,
    OrderEvent.Kind.SHIPPED: Notification.Kind.SHIPMENT,
    OrderEvent.Kind.READY_FOR_PICKUP: Notification.Kind.READY_FOR_PICKUP,
    OrderEvent.Kind.CANCELLED: Notification.Kind.CANCELLATION,
}


def event_record(
    *,
    order: Order,
    kind: str,
    trace: Trace,
    line: OrderLine | None = None,
    summary: str = "",
    data: dict | None = None,
    notify: bool = True,
) -> OrderEvent:
    """Write one timeline row; queue the customer's e-mail after commit when the event calls for one."""
    event = OrderEvent.objects.create(
        order=order,
        line=line,
        kind=kind,
        summary=summary[:500],
        data=data or {},
        reason=trace.note[:300],
        actor=trace.actor if getattr(trace.actor, "pk", None) else None,
        api_client=trace.api_client,
        channel=trace.channel,
    )
    if notify and kind in NOTIFY and order.customer.email:
        from ..tasks import send_order_notification

        transaction.on_commit(lambda: send_order_notification.delay(event.pk))
    return event
