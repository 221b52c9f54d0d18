"""The order timeline: the one place an event is written and its side effects queued.

Some events call for an e-mail to the customer (the order placed, a parcel shipped, a pickup
ready with its code, a cancellation): the e-mail is queued here, after commit, once per
event; the notification row makes a retried task send it at most once. Webhooks will hang off
the same place.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from omni.outages import enqueue_on_commit
from omni.trace import Trace

from ..models import Notification, Order, OrderEvent, OrderLine

NOTIFY = {
    OrderEvent.Kind.PLACED: Notification.Kind.CONFIRMATION,
    OrderEvent.Kind.SHIPPED: Notification.Kind.SHIPMENT,
    OrderEvent.Kind.READY_FOR_PICKUP: Notification.Kind.READY_FOR_PICKUP,
    OrderEvent.Kind.CANCELLED: Notification.Kind.CANCELLATION,
    OrderEvent.Kind.PICKUP_REMINDER: Notification.Kind.PICKUP_REMINDER,
}


@dataclass
class EventDraft:
    """An event to record with others in one statement (``events_record``)."""

    kind: str
    summary: str = ""
    line: OrderLine | None = None
    data: dict = field(default_factory=dict)
    notify: bool = True


def events_record(*, order: Order, trace: Trace, events: list[EventDraft]) -> list[OrderEvent]:
    """Write timeline rows (one INSERT) and queue, after commit, the e-mail of each event that
    calls for one."""
    if not events:
        return []
    actor = trace.actor if getattr(trace.actor, "pk", None) else None
    rows = OrderEvent.objects.bulk_create(
        OrderEvent(
            order=order,
            line=draft.line,
            kind=draft.kind,
            summary=draft.summary[:500],
            data=draft.data or {},
            reason=trace.note[:300],
            actor=actor,
            api_client=trace.api_client,
            channel=trace.channel,
        )
        for draft in events
    )
    notify = [
        row
        for row, draft in zip(rows, events, strict=True)
        if draft.notify and row.kind in NOTIFY and order.customer.email
    ]
    if notify:
        # The outbox row commits with its event; the task is only a nudge (the beat sweep
        # delivers what a lost nudge left waiting).
        Notification.objects.bulk_create(
            Notification(
                event=row, kind=NOTIFY[row.kind], recipient=order.customer.email, language=order.language
            )
            for row in notify
        )
        from ..tasks import send_order_notification

        for row in notify:  # a broker outage is logged with the event's id; the e-mail waits
            enqueue_on_commit(send_order_notification, row.pk)
    return rows


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
    """Write one timeline row (and queue its e-mail, when it calls for one)."""
    return events_record(
        order=order,
        trace=trace,
        events=[EventDraft(kind=kind, summary=summary, line=line, data=data or {}, notify=notify)],
    )[0]
