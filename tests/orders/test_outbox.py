"""The outbox of customer e-mails: written with its event, delivered once, whatever fails."""

import datetime
from unittest import mock

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerDown

from orders import services
from orders.models import Notification, OrderEvent

from .conftest import line

pytestmark = pytest.mark.django_db


def test_a_committed_order_has_its_email_waiting_even_when_the_broker_is_down(
    place, network, django_capture_on_commit_callbacks
):
    # given: the broker refuses the nudge after commit
    broker_down = mock.patch("orders.tasks.send_order_notification.delay", side_effect=BrokerDown("down"))
    with broker_down, django_capture_on_commit_callbacks(execute=True):
        order = place(lines=[line("CHE-OXF-BLE-M", 1)])
    # then: the order stands and its e-mail waits in the outbox, nothing sent yet
    waiting = Notification.objects.get(event__order=order, event__kind=OrderEvent.Kind.PLACED)
    assert waiting.state == "pending" and not mail.outbox
    # when: the sweep runs, twice (two workers, or a retry)
    assert services.notifications_deliver() == 1
    assert services.notifications_deliver() == 0
    # then: exactly one e-mail, named after its outbox row (the same Message-ID on any attempt)
    assert len(mail.outbox) == 1 and order.number in mail.outbox[0].subject
    assert mail.outbox[0].extra_headers == {
        "Message-ID": f"<notification-{waiting.pk}@omni.example>",
        "X-Omni-Notification": str(waiting.pk),
    }
    assert Notification.objects.get(pk=waiting.pk).state == "delivered"


def test_a_mail_server_down_is_retried_later_with_the_error_shown(
    place, network, django_capture_on_commit_callbacks
):
    # given: the mail server is down when the order is placed
    smtp_down = mock.patch.object(
        EmailMultiAlternatives, "send", side_effect=ConnectionRefusedError("smtp down")
    )
    with smtp_down, django_capture_on_commit_callbacks(execute=True):
        order = place(lines=[line("CHE-OXF-BLE-M", 1)])
    notification = Notification.objects.get(event__order=order)
    assert notification.attempts == 1 and "smtp down" in notification.last_error
    assert notification.next_attempt_at > timezone.now() and not mail.outbox
    # when: the sweep runs before the next attempt is due, nothing is tried
    assert services.notifications_deliver() == 0
    # when: after the backoff, the server is back
    with time_machine.travel(notification.next_attempt_at + datetime.timedelta(seconds=1)):
        assert services.notifications_deliver() == 1
    # then: one e-mail, the row says delivered after two attempts
    notification.refresh_from_db()
    assert len(mail.outbox) == 1 and notification.state == "delivered" and notification.attempts == 2


def test_head_office_can_send_a_failed_email_again(place, network, django_capture_on_commit_callbacks):
    smtp_down = mock.patch.object(EmailMultiAlternatives, "send", side_effect=OSError("smtp down"))
    with smtp_down, django_capture_on_commit_callbacks(execute=True):
        order = place(lines=[line("CHE-OXF-BLE-M", 1)])
    notification = Notification.objects.get(event__order=order)
    Notification.objects.filter(pk=notification.pk).update(attempts=Notification.MAX_ATTEMPTS)
    assert Notification.objects.get(pk=notification.pk).state == "failed"
    assert services.notifications_deliver() == 0  # given up
    services.notification_send_again(notification=notification)
    assert services.notifications_deliver() == 1 and len(mail.outbox) == 1


def _outbox_with_one_of_each(place):
    """Four orders whose confirmations are waiting, being retried, given up and delivered."""
    rows = []
    for _ in range(4):
        order = place(lines=[line("CHE-OXF-BLE-M", 1)])
        rows.append(Notification.objects.get(event__order=order, event__kind=OrderEvent.Kind.PLACED))
    waiting, retrying, failed, delivered = rows
    Notification.objects.filter(pk=retrying.pk).update(
        attempts=2, last_error="ConnectionRefusedError: smtp down", next_attempt_at=timezone.now()
    )
    Notification.objects.filter(pk=failed.pk).update(
        attempts=Notification.MAX_ATTEMPTS, last_error="SMTPRecipientsRefused: mailbox unavailable"
    )
    Notification.objects.filter(pk=delivered.pk).update(attempts=1, sent_at=timezone.now())
    return waiting, retrying, failed, delivered


def test_head_office_sees_the_outbox_by_state_with_errors(client, head_office, place, network):
    waiting, retrying, failed, delivered = _outbox_with_one_of_each(place)
    client.force_login(head_office)

    # Something given up on: the page opens on it.
    page = client.get("/orders/outbox/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    text = page.content.decode()
    assert [row.pk for row in page.context["page"]] == [failed.pk]
    assert "SMTPRecipientsRefused: mailbox unavailable" in text and "Given up" in text
    assert [(key, count) for key, _label, count in page.context["states"]] == [
        ("pending", 1),
        ("retrying", 1),
        ("failed", 1),
        ("delivered", 1),
    ]
    every = client.get("/orders/outbox/?state=", HTTP_ACCEPT_LANGUAGE="en").context["page"]
    assert {row.pk for row in every} == {waiting.pk, retrying.pk, failed.pk, delivered.pk}
    retried = client.get("/orders/outbox/?state=retrying", HTTP_ACCEPT_LANGUAGE="en")
    assert [row.pk for row in retried.context["page"]] == [retrying.pk]
    assert "smtp down" in retried.content.decode()


def test_send_again_queues_a_given_up_email_once_and_never_resends_a_delivered_one(
    client, head_office, place, network, django_capture_on_commit_callbacks
):
    _waiting, _retrying, failed, delivered = _outbox_with_one_of_each(place)
    mail.outbox.clear()
    client.force_login(head_office)
    with django_capture_on_commit_callbacks(execute=True):  # the worker runs the queued send
        row = client.post(f"/orders/outbox/{failed.pk}/send-again/", HTTP_HX_REQUEST="true")
    assert row.status_code == 200 and 'data-testid="queued"' in row.content.decode()
    assert Notification.objects.get(pk=failed.pk).state == "delivered" and len(mail.outbox) == 1

    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(
            f"/orders/outbox/{delivered.pk}/send-again/", follow=True, HTTP_ACCEPT_LANGUAGE="en"
        )
    assert "already delivered" in again.content.decode() and len(mail.outbox) == 1


@pytest.mark.parametrize("who", ["call_centre", "lyon_associate"])
def test_only_head_office_sees_the_outbox(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get("/orders/outbox/").status_code == 403
    assert client.post("/orders/outbox/1/send-again/").status_code == 403


def test_an_email_sent_while_the_database_goes_away_is_recorded_by_the_retry_never_sent_again(
    place, network, django_capture_on_commit_callbacks
):
    from django.db import OperationalError

    from orders import tasks
    from orders.services import notifications

    with django_capture_on_commit_callbacks(execute=False):  # the nudge is not run: we run the task
        order = place(lines=[line("CHE-OXF-BLE-M", 1)])
    notification = Notification.objects.get(event__order=order)
    gone = OperationalError("terminating connection due to administrator command")
    real, calls = notifications._record_sent, []

    def restarting_once(*args):
        calls.append(args)
        if len(calls) == 1:
            raise gone
        return real(*args)

    # the recording of "sent" meets the database restarting; the record task, once it is back
    with mock.patch.object(notifications, "_record_sent", side_effect=restarting_once) as record:
        tasks.send_order_notification.apply(args=[notification.event_id])  # the record runs eagerly here
    assert record.call_count == 2  # tried with the send, then by the record task: sent only once
    notification.refresh_from_db()
    assert len(mail.outbox) == 1  # sent once: the retry only recorded it
    assert notification.state == "delivered" and notification.attempts == 1


def test_an_attempt_in_flight_owns_its_row_until_its_lease_ends(
    place, network, django_capture_on_commit_callbacks
):
    # given: an attempt claimed the row, then its worker was killed before sending
    with django_capture_on_commit_callbacks(execute=False):
        order = place(lines=[line("CHE-OXF-BLE-M", 1)])
    notification = Notification.objects.get(event__order=order)
    killed = mock.patch.object(EmailMultiAlternatives, "send", side_effect=SystemExit("worker killed"))
    with killed, pytest.raises(SystemExit):
        services.notification_send(event_id=notification.event_id)
    notification.refresh_from_db()
    assert notification.attempts == 1 and notification.claimed_at is not None
    # when: the nudge, the sweep and head office's "send again" come meanwhile, they leave it alone
    services.notification_send(event_id=notification.event_id)
    assert services.notifications_deliver() == 0 and not mail.outbox
    assert services.notification_send_again(notification=notification) is False
    # then: once the lease is over, the sweep sends it
    lease = datetime.timedelta(seconds=settings.OMNI_OUTBOX_LEASE_SECONDS)
    with time_machine.travel(notification.claimed_at + lease + datetime.timedelta(seconds=1)):
        assert services.notifications_deliver() == 1
    assert len(mail.outbox) == 1 and Notification.objects.get(pk=notification.pk).attempts == 2


def test_a_bug_in_one_email_is_recorded_and_does_not_stop_the_sweep(
    place, network, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        first = place(lines=[line("CHE-OXF-BLE-M", 1)])
        second = place(lines=[line("CHE-OXF-BLE-M", 1)])
    broken = Notification.objects.get(event__order=first)
    real_message = services.notifications._message

    def template_bug(notification, event):
        if notification.pk == broken.pk:
            raise KeyError("a template bug")
        return real_message(notification, event)

    with mock.patch.object(services.notifications, "_message", side_effect=template_bug):
        assert services.notifications_deliver() == 1  # the other one went
    broken.refresh_from_db()
    assert "KeyError" in broken.last_error and broken.claimed_at is None and broken.state == "retrying"
    assert Notification.objects.get(event__order=second).state == "delivered"
