"""Customer e-mails, in the customer's language, one per timeline event that calls for one.

The outbox row is written with its event (``timeline.events_record``); ``notification_send``
delivers it once: claimed under a lease, sent, recorded (see there for the single, rare case of
a second transmission, which carries the same Message-ID)."""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from omni.errors import DATABASE_ERRORS
from omni.outages import enqueue_on_commit

from ..locks import notification_lock
from ..models import FulfilmentOrder, Notification, OrderEvent
from .timeline import NOTIFY

logger = logging.getLogger(__name__)


def _backoff(attempts: int) -> datetime.timedelta:
    """1, 2, 4 … minutes between attempts, at most an hour."""
    return datetime.timedelta(minutes=min(60, 2 ** max(0, attempts - 1)))


class SentButNotRecorded(Exception):
    """The e-mail went out but the database refused to record it (an outage): whoever retries
    must only record it, with this time, never send it again."""

    def __init__(self, event_id: int, sent_at: datetime.datetime):
        super().__init__(f"e-mail of event {event_id} sent at {sent_at.isoformat()} but not recorded")
        self.event_id = event_id
        self.sent_at = sent_at


def _lease() -> datetime.timedelta:
    """How long an attempt owns its row: longer than any send (EMAIL_TIMEOUT), after which the
    sweep presumes the attempt died (a killed worker) and tries again."""
    return datetime.timedelta(seconds=settings.OMNI_OUTBOX_LEASE_SECONDS)


def _not_in_flight(now: datetime.datetime) -> Q:
    return Q(claimed_at__isnull=True) | Q(claimed_at__lte=now - _lease())


def notification_send(*, event_id: int) -> Notification | None:
    """Deliver the e-mail an event calls for (its outbox row), at most once.

    1. Claim: under the row's lock, skip a row already delivered, given up, waiting for its
       next attempt, or owned by another attempt (``claimed_at`` within the lease); otherwise
       count the attempt and claim it. Committed before anything is sent, so a second copy of
       the task, the sweep, or "send again" leave the row alone while this attempt runs.
    2. Send, holding no lock and no transaction.
    3. Record: delivered (``sent_at``), or the error with the next attempt after a backoff.

    When the database goes away between 2 and 3, ``SentButNotRecorded`` carries the time of the
    send; the task then queues ``notification_record_sent`` (retried every few seconds), which
    only marks the row delivered, never sends it again. The row stays claimed meanwhile. Only a
    worker killed between 2 and 3, or that record lost with the broker while the database was
    down for longer than the lease, leaves a row that the sweep sends again once the lease runs
    out; it goes out with the same ``Message-ID`` (keyed by the row), which mail servers and
    clients treat as one message."""
    event = OrderEvent.objects.select_related("order__customer").filter(pk=event_id).first()
    if event is None or event.kind not in NOTIFY or not event.order.customer.email:
        return None
    now = timezone.now()
    with transaction.atomic():
        notification = notification_lock(event)
        if notification is None or notification.sent_at:
            return notification
        in_flight = notification.claimed_at and notification.claimed_at > now - _lease()
        waiting = notification.next_attempt_at and notification.next_attempt_at > now
        if notification.attempts >= Notification.MAX_ATTEMPTS or waiting or in_flight:
            return notification
        notification.attempts += 1
        notification.claimed_at = now
        notification.save(update_fields=["attempts", "claimed_at"])

    try:
        message = _message(notification, event)
        message.send()
    except Exception as error:  # noqa: BLE001 - the mail server, or a bug: recorded, tried later
        notification.last_error = f"{type(error).__name__}: {error}"[:500]
        notification.next_attempt_at = timezone.now() + _backoff(notification.attempts)
        notification.claimed_at = None
        notification.save(update_fields=["subject", "last_error", "next_attempt_at", "claimed_at"])
        log = logger.warning if isinstance(error, OSError) else logger.exception
        log("e-mail of event %s not sent (attempt %s): %s", event_id, notification.attempts, error)
        return notification
    sent = timezone.now()
    try:
        _record_sent(notification, sent)
    except DATABASE_ERRORS as error:
        raise SentButNotRecorded(event_id, sent) from error
    return notification


def notification_record_sent(*, event_id: int, sent_at: datetime.datetime) -> Notification | None:
    """Mark delivered an e-mail an attempt sent but could not record (the database was away)."""
    event = OrderEvent.objects.filter(pk=event_id).first()
    if event is None:
        return None
    with transaction.atomic():
        notification = notification_lock(event)
        if notification is None or notification.sent_at:
            return notification
        _record_sent(notification, sent_at)
    return notification


def _record_sent(notification: Notification, sent: datetime.datetime) -> None:
    notification.sent_at, notification.last_error, notification.next_attempt_at = sent, "", None
    notification.claimed_at = None
    notification.save(update_fields=["sent_at", "subject", "last_error", "next_attempt_at", "claimed_at"])


def _message(notification: Notification, event: OrderEvent) -> EmailMultiAlternatives:
    """The e-mail of an outbox row, in the customer's language (its subject kept on the row)."""
    order = event.order
    lines = list(order.lines.select_related("pickup_location").order_by("line_number"))
    context = {"order": order, "event": event, "lines": lines, "customer": order.customer}
    context.update(_parcel(event, lines))
    with translation.override(notification.language):
        subject = render_to_string(f"orders/email/{notification.kind}_subject.txt", context).strip()
        body = render_to_string(f"orders/email/{notification.kind}.txt", context)
        html = render_to_string(f"orders/email/{notification.kind}.html", context)
    notification.subject = subject[:200]
    message = EmailMultiAlternatives(
        subject, body, settings.DEFAULT_FROM_EMAIL, [notification.recipient], headers=_headers(notification)
    )
    message.attach_alternative(html, "text/html")
    return message


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
    (a nudge lost with the broker, a mail server that was down, an attempt whose worker died).
    Safe on any number of workers: each send claims its row. Returns how many were delivered."""
    now = timezone.now()
    due = list(
        Notification.objects.filter(sent_at__isnull=True, attempts__lt=Notification.MAX_ATTEMPTS)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .filter(_not_in_flight(now))
        .order_by("created_at", "pk")
        .values_list("event_id", flat=True)[:limit]
    )
    delivered = 0
    for event_id in due:
        try:
            notification = notification_send(event_id=event_id)
        except SentButNotRecorded as sent:
            from ..tasks import record_order_notification_sent

            # The database went away just after the send: record it when it is back, and stop
            # the sweep here (it runs again in a minute).
            record_order_notification_sent.apply_async((event_id, sent.sent_at.isoformat()), countdown=1)
            break
        delivered += bool(notification and notification.sent_at)
    return delivered


def notification_send_again(*, notification: Notification) -> bool:
    """Head office: try a failed or waiting e-mail again now, by the worker after commit (the
    sweep, should the broker be away). A delivered one is not resent, nor one an attempt is
    sending right now. Its last error stays until an attempt succeeds. Returns whether it was
    queued."""
    from ..tasks import send_order_notification

    queued = (
        Notification.objects.filter(pk=notification.pk, sent_at__isnull=True)
        .filter(_not_in_flight(timezone.now()))
        .update(attempts=0, next_attempt_at=None, claimed_at=None)
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
