"""Customer e-mails, in the customer's language, sent at most once per timeline event."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from ..locks import notification_lock
from ..models import FulfilmentOrder, Notification, OrderEvent
from .timeline import NOTIFY


def notification_send(*, event_id: int) -> Notification | None:
    """Send the e-mail an event calls for. Running twice, or twice at once, sends it once:
    the notification row is locked while the mail goes out and marked sent in the same
    transaction (a crash after sending and before commit may, rarely, send a duplicate)."""
    event = OrderEvent.objects.select_related("order__customer").filter(pk=event_id).first()
    if event is None or event.kind not in NOTIFY or not event.order.customer.email:
        return None
    order = event.order
    Notification.objects.get_or_create(
        event=event,
        defaults={"kind": NOTIFY[event.kind], "recipient": order.customer.email, "language": order.language},
    )
    with transaction.atomic():
        notification = notification_lock(event)
        if notification.sent_at:
            return notification
        lines = list(order.lines.select_related("pickup_location").order_by("line_number"))
        context = {"order": order, "event": event, "lines": lines, "customer": order.customer}
        context.update(_parcel(event, lines))
        with translation.override(notification.language):
            subject = render_to_string(f"orders/email/{notification.kind}_subject.txt", context).strip()
            body = render_to_string(f"orders/email/{notification.kind}.txt", context)
            html = render_to_string(f"orders/email/{notification.kind}.html", context)
        message = EmailMultiAlternatives(subject, body, settings.DEFAULT_FROM_EMAIL, [notification.recipient])
        message.attach_alternative(html, "text/html")
        message.send()
        notification.subject = subject[:200]
        notification.sent_at = timezone.now()
        notification.save(update_fields=["subject", "sent_at"])
    return notification


def _parcel(event: OrderEvent, lines) -> dict:
    """For a parcel shipped or a pickup made ready: the fulfilment order, its store, and what
    it holds ({line: units}), so one e-mail says everything about that parcel."""
    number = event.data.get("fulfilment_order")
    if not number:
        return {}
    fo = FulfilmentOrder.objects.select_related("location", "destination").filter(number=number).first()
    if fo is None:
        return {}
    by_number = {line.line_number: line for line in lines}
    units = event.data.get("lines") or {
        fl.order_line.line_number: fl.qty_picked or fl.quantity
        for fl in fo.lines.select_related("order_line")
    }
    parcel = [(by_number[int(n)], quantity) for n, quantity in units.items() if int(n) in by_number]
    return {"fo": fo, "store": fo.destination or fo.location, "parcel": parcel}
