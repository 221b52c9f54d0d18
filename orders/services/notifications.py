"""Customer e-mails, in the customer's language, sent at most once per timeline event."""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from omni.outages import enqueue_on_commit

from ..locks import notification_lock
from ..models import FulfilmentOrder, Notification, OrderEvent
from .timeline import NOTIFY

logger = logging.getLogger(__name__)


def _backoff(attempts: int) -> datetime.timedelta:
    """1, 2, 4 … minutes between attempts, at most an hour."""
    return datetime.timedelta(minutes=min(60, 2 ** max(0, attempts - 1)))


def notification_send(*, event_id: int) -> Notification | None:
    """Deliver the e-mail an event calls for (its outbox row). Running twice, or twice at once,
    sends it once: the row is locked while the mail goes out and marked sent in the same
    transaction (a crash after sending and before commit may, rarely, send a duplicate). A
    failed send is recorded on the row (attempts, error, next attempt) for the sweep."""
    event = OrderEvent.objects.select_related("order__customer").filter(pk=event_id).first()
    if event is None or event.kind not in NOTIFY or not event.order.customer.email:
        return None
    order = event.order
    with transaction.atomic():
        notification = notification_lock(event)
        if notification is None or notification.sent_at or notification.attempts >= Notification.MAX_ATTEMPTS:
            return notification
        lines = list(order.lines.select_related("pickup_location").order_by("line_number"))
        context = {"order": order, "event": event, "lines": lines, "customer": order.customer}
        context.update(_parcel(event, lines))
        with translation.override(notification.language):
            subject = render_to_string(f"orders/email/{notification.kind}_subject.txt", context).strip()
            body = render_to_string(f"orders/email/{notification.kind}.txt", context)
            html = render_to_string(f"orders/email/{notification.kind}.html", context)
        message = EmailMultiAlternatives(
            subject,
            body,
            settings.DEFAULT_FROM_EMAIL,
            [notification.recipient],
            headers=_headers(notification),
        )
        message.attach_alternative(html, "text/html")
        notification.attempts += 1
        notification.subject = subject[:200]
        try:
            message.send()
        except OSError as error:  # the mail server: try again later (the sweep)
            notification.last_error = f"{type(error).__name__}: {error}"[:500]
            notification.next_attempt_at = timezone.now() + _backoff(notification.attempts)
            notification.save(update_fields=["attempts", "subject", "last_error", "next_attempt_at"])
            logger.warning(
                "e-mail of event %s not sent (attempt %s): %s", event_id, notification.attempts, error
            )
            return notification
        notification.sent_at = timezone.now()
        notification.last_error = ""
        notification.save(update_fields=["attempts", "subject", "sent_at", "last_error"])
    return notification


def _headers(notification: Notification) -> dict[str, str]:
    """The same Message-ID on every attempt of one outbox row: should a rare crash between the
    send and the commit deliver a row twice, mail servers and clients see one message."""
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].rstrip(">").strip() or "omni.example"
    return {
        "Message-ID": f"<notification-{notification.pk}@{domain}>",
        "X-Omni-Notification": str(notification.pk),
    }


def notifications_deliver(*, limit: int = 200) -> int:
    """Beat, every minute: deliver every e-mail waiting in the outbox whose next attempt is due
    (a nudge lost with the broker, a mail server that was down). Safe on any number of
    workers: each send locks its row. Returns how many were delivered."""
    now = timezone.now()
    due = list(
        Notification.objects.filter(sent_at__isnull=True, attempts__lt=Notification.MAX_ATTEMPTS)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .order_by("created_at", "pk")
        .values_list("event_id", flat=True)[:limit]
    )
    delivered = 0
    for event_id in due:
        notification = notification_send(event_id=event_id)
        delivered += bool(notification and notification.sent_at)
    return delivered


def notification_send_again(*, notification: Notification) -> bool:
    """Head office: try a failed or waiting e-mail again now, by the worker after commit (the
    sweep, should the broker be away); a delivered one is not resent. Its last error stays
    until an attempt succeeds. Returns whether it was queued."""
    from ..tasks import send_order_notification

    queued = Notification.objects.filter(pk=notification.pk, sent_at__isnull=True).update(
        attempts=0, next_attempt_at=None
    )
    if queued:
        enqueue_on_commit(send_order_notification, notification.event_id)
    return bool(queued)


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
