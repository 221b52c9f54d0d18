"""The outbox of customer e-mails: written with its event, delivered once, whatever fails."""

import datetime
from unittest import mock

import pytest
import time_machine
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
