"""One event, one side effect: e-mails per step, never twice; holds mean hold."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from orders import services
from orders.models import FulfilmentOrder, LineFailure, OrderEvent
from orders.services import notification_send
from sourcing.models import LocationDayLoad
from store.selectors import store_queue

from .conftest import fulfilment_orders, line

pytestmark = pytest.mark.django_db


@pytest.fixture
def both_in_lyon(network, stock, jeans):
    """Jeans on Lyon's shelf too, so a two-line click & collect is one piece of work there."""
    stock(jeans, network["lyon"], 4)
    return network


def test_a_parcel_of_two_lines_sends_one_email(place, network, system, django_capture_on_commit_callbacks):
    # given: two lines from the warehouse, one parcel
    with django_capture_on_commit_callbacks(execute=True):
        order = place(lines=[line("CHE-OXF-BLE-M", 2), line("JEA-SLI-IND-42", 1)])
    [fo] = fulfilment_orders(order)
    assert fo.location.code == "WH-NAT" and fo.lines.count() == 2
    confirmation = len(mail.outbox)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        services.fulfilment_order_ship(
            fulfilment_order=fo, carrier="Colissimo", tracking_number="6A999", trace=system
        )
    # then: one e-mail for the parcel, naming both articles and the tracking number
    sent = mail.outbox[confirmation:]
    assert len(sent) == 1
    assert "6A999" in sent[0].body and "CHE-OXF-BLE-M" in sent[0].body and "JEA-SLI-IND-42" in sent[0].body
    assert order.events.filter(kind=OrderEvent.Kind.SHIPPED).count() == 1


def test_a_click_and_collect_of_two_lines_sends_one_ready_email_with_the_code(
    place, both_in_lyon, system, django_capture_on_commit_callbacks
):
    # given
    with django_capture_on_commit_callbacks(execute=True):
        order = place(
            lines=[
                line("CHE-OXF-BLE-M", 1, "pickup_in_store", "ST-LYON"),
                line("JEA-SLI-IND-42", 1, "pickup_in_store", "ST-LYON"),
            ]
        )
    [fo] = fulfilment_orders(order)
    assert fo.location.code == "ST-LYON" and fo.mode == "pickup"
    confirmation = len(mail.outbox)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        services.fulfilment_order_make_ready(fulfilment_order=fo, trace=system)
    # then
    fo.refresh_from_db()
    sent = mail.outbox[confirmation:]
    assert len(sent) == 1
    assert fo.pickup_code and fo.pickup_code in sent[0].body
    assert "Lyon" in sent[0].subject


def test_a_retried_email_task_still_sends_once(place, network, system, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        order = place(lines=[line("CHE-OXF-BLE-M", 1), line("JEA-SLI-IND-42", 1)])
    [fo] = fulfilment_orders(order)
    with django_capture_on_commit_callbacks(execute=True):
        services.fulfilment_order_ship(fulfilment_order=fo, carrier="DPD", tracking_number="D1", trace=system)
    event = order.events.get(kind=OrderEvent.Kind.SHIPPED)
    sent = len(mail.outbox)
    # when: the broker delivers the task again, twice
    notification_send(event_id=event.pk)
    notification_send(event_id=event.pk)
    # then
    assert len(mail.outbox) == sent
    assert event.notification.sent_at is not None


def test_a_held_order_leaves_the_queue_and_the_sla_clock_until_released(
    place, both_in_lyon, system, head_office
):
    # given: a click & collect for Lyon, due to be acknowledged soon
    order = place(lines=[line("CHE-OXF-BLE-M", 1, "pickup_in_store", "ST-LYON")])
    [fo] = fulfilment_orders(order)
    lyon = both_in_lyon["lyon"]
    assert [w.number for w in store_queue(lyon).to_do] == [fo.number]
    due = fo.due_at
    # when: held (fraud check)
    start = timezone.now()
    services.order_hold(order=order, reason="fraud check", trace=system)
    # then: off the store's queue
    assert store_queue(lyon).to_do == []
    # and a sweep long past the deadline neither expires it nor counts it against the store
    with time_machine.travel(due + datetime.timedelta(days=2), tick=False):
        result = services.fulfilment_orders_expire_overdue()
    fo.refresh_from_db()
    assert result.expired == 0 and fo.status == FulfilmentOrder.Status.CREATED
    assert not LineFailure.objects.exists()
    assert not LocationDayLoad.objects.filter(location=lyon, failures__gt=0).exists()
    # and no one can work on it meanwhile
    with pytest.raises(services.IllegalFulfilmentChange):
        services.fulfilment_order_acknowledge(fulfilment_order=fo, trace=system)
    # when: released three hours later
    with time_machine.travel(start + datetime.timedelta(hours=3), tick=False):
        services.order_release(order=order, trace=system)
    # then: back on the queue, its deadline moved by the time held
    fo.refresh_from_db()
    assert fo.held_since is None
    assert abs((fo.due_at - due) - datetime.timedelta(hours=3)) < datetime.timedelta(minutes=1)
    assert [w.number for w in store_queue(lyon).to_do] == [fo.number]
