"""Pickups nobody collects: the store's policy reminds the customer once, then cancels the
waiting units (payment released or refunded), puts them back on sale or keeps them to be sent
back, all on the timeline; the sweep does each thing once however often it runs."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from inventory import services as inventory
from inventory.models import StockLevel, Transfer
from omni.trace import Trace
from orders import services
from orders.models import FulfilmentOrder, Notification, OrderEvent
from store.selectors import store_queue
from tests.race import race

from .conftest import fulfilment_orders, line

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def stock(sku, location) -> tuple[int, int]:
    level = StockLevel.objects.get(sku=sku, location=location)
    return level.on_hand, level.reserved


def ready_pickup(place, system, sku="POL-PIQ-ROU-L", **overrides):
    order = place(lines=[line(sku, 1, "pickup_in_store", "ST-LYON")], **overrides)
    [fo] = fulfilment_orders(order)
    if fo.goes_to_store:
        services.fulfilment_order_ship(
            fulfilment_order=fo, carrier="Navette magasin", tracking_number="", trace=system
        )
    services.fulfilment_order_make_ready(fulfilment_order=fo, trace=system)
    fo.refresh_from_db()
    assert fo.status == "ready_for_pickup"
    return order, fo


def sweep_at(moment):
    with time_machine.travel(moment, tick=False):
        return services.pickups_uncollected_sweep()


def test_the_customer_is_reminded_once_after_the_stores_reminder_days(
    place, network, polo, system, django_capture_on_commit_callbacks
):
    # given a click & collect order waiting at Lyon (reminder after 3 days by default)
    order, fo = ready_pickup(place, system)
    assert (network["lyon"].pickup_reminder_days, network["lyon"].pickup_expiry_days) == (3, 10)

    # not yet after 2 days
    assert sweep_at(fo.ready_at + 2 * DAY).reminded == 0

    # when the sweep runs after 3 days, then again
    with django_capture_on_commit_callbacks(execute=True):
        first = sweep_at(fo.ready_at + 3 * DAY + datetime.timedelta(minutes=1))
    second = sweep_at(fo.ready_at + 4 * DAY)

    # then one reminder, one e-mail, in the customer's language, with the pickup code
    assert (first.reminded, second.reminded, second.cancelled) == (1, 0, 0)
    [event] = order.events.filter(kind=OrderEvent.Kind.PICKUP_REMINDER)
    assert event.notification.kind == "pickup_reminder"
    [sent] = [m for m in mail.outbox if "Rappel" in m.subject]
    assert fo.pickup_code in sent.body and "Lyon République" in sent.body
    cancel_on = timezone.localtime(fo.ready_at + 10 * DAY).strftime("%d/%m/%Y")
    assert cancel_on in sent.body
    fo.refresh_from_db()
    assert fo.status == "ready_for_pickup" and fo.pickup_reminded_at is not None


def test_at_expiry_the_units_go_back_on_sale_and_the_authorisation_is_released(
    place, network, polo, system, django_capture_on_commit_callbacks
):
    order, fo = ready_pickup(place, system)
    lyon = network["lyon"]
    assert stock(polo, lyon) == (5, 1)

    with django_capture_on_commit_callbacks(execute=True):
        first = sweep_at(fo.ready_at + 10 * DAY)
    second = sweep_at(fo.ready_at + 11 * DAY)

    assert (first.cancelled, second.cancelled, second.reminded) == (1, 0, 0)
    fo.refresh_from_db()
    order.refresh_from_db()
    order_line = order.lines.get()
    assert (fo.status, fo.send_back) == ("cancelled", False) and fo.uncollected_at is not None
    assert order.status == "cancelled" and order.total == 0
    assert (order_line.status, order_line.qty_cancelled, order_line.qty_allocated) == ("cancelled", 1, 0)
    assert stock(polo, lyon) == (5, 0)  # back in the store's sellable stock
    payment = order.payments.get()
    assert payment.amount_captured == 0  # nothing taken: the authorisation lapses
    [summary] = order.events.filter(kind=OrderEvent.Kind.CANCELLED, line__isnull=True)
    assert summary.data["uncollected"] and summary.notification.kind == "cancellation"
    assert order.events.filter(kind=OrderEvent.Kind.UNCOLLECTED).count() == 1
    [sent] = [m for m in mail.outbox if order.number in m.subject and "annulée" in m.subject]
    assert "10" in sent.body and "Lyon République" in sent.body


def test_money_already_taken_is_refunded(place, network, polo, system):
    order, fo = ready_pickup(
        place, system, channel="call_centre",
        payments=[{"method": "cash", "reference": "", "amount": "35.00"}],
    )  # fmt: skip
    assert order.payments.get().amount_captured == order.total > 0
    sweep_at(fo.ready_at + 10 * DAY)
    payment = order.payments.get()
    assert payment.amount_refunded == payment.amount_captured
    assert order.events.filter(kind=OrderEvent.Kind.PAYMENT_REFUNDED).exists()


def test_ship_to_store_goods_are_sent_back_when_the_store_says_so(client, lea, place, network, system):
    lyon, warehouse = network["lyon"], network["warehouse"]
    lyon.uncollected_ship_to_store = "send_back"
    lyon.save()
    order, fo = ready_pickup(place, system, sku="JEA-SLI-IND-42")
    jeans = order.lines.get().sku
    assert fo.goes_to_store and stock(jeans, lyon) == (1, 1)

    sweep_at(fo.ready_at + 10 * DAY)

    # then the jeans stay off sale at Lyon, on the queue's list to send back
    fo.refresh_from_db()
    assert (fo.status, fo.send_back) == ("cancelled", True)
    assert stock(jeans, lyon) == (1, 1)
    assert [f.number for f in store_queue(lyon).to_send_back] == [fo.number]
    client.force_login(lea)
    assert f"send-back-{fo.number}" in client.get("/store/").content.decode()

    # when the associate sends them back, they leave Lyon for the warehouse
    client.post(f"/store/work/{fo.number}/send-back/")
    fo.refresh_from_db()
    assert fo.return_transfer is not None and fo.return_transfer.to_location == warehouse
    assert stock(jeans, lyon) == (0, 0)
    assert StockLevel.objects.get(sku=jeans, location=warehouse).in_transit == 1
    assert order.events.filter(kind=OrderEvent.Kind.SENT_BACK).count() == 1
    assert store_queue(lyon).to_send_back == []
    with pytest.raises(services.IllegalFulfilmentChange.__mro__[1]):  # ConflictError: not twice
        services.fulfilment_order_send_back(fulfilment_order=fo, trace=system)
    assert Transfer.objects.filter(from_location=lyon).count() == 1


def test_ship_to_store_goods_go_on_sale_by_default(place, network, system):
    order, fo = ready_pickup(place, system, sku="JEA-SLI-IND-42")
    jeans = order.lines.get().sku
    sweep_at(fo.ready_at + 10 * DAY)
    assert stock(jeans, network["lyon"]) == (1, 0)  # the store's to sell now


def test_each_store_sets_its_own_policy(place, network, polo, system, head_office):
    lyon = network["lyon"]
    inventory.location_update(
        location=lyon, actor=head_office, pickup_reminder_days=1, pickup_expiry_days=2, reason="small shelf"
    )
    order, fo = ready_pickup(place, system)
    assert sweep_at(fo.ready_at + DAY).reminded == 1
    assert sweep_at(fo.ready_at + 2 * DAY).cancelled == 1
    with pytest.raises(ValidationError):
        inventory.location_update(
            location=lyon, actor=head_office, pickup_reminder_days=5, pickup_expiry_days=4
        )


def test_head_office_edits_the_policy_on_the_location_page(client, head_office, network):
    client.force_login(head_office)
    page = client.get("/locations/ST-LYON/edit/").content.decode()
    assert 'name="pickup_reminder_days"' in page and 'name="uncollected_ship_to_store"' in page


def test_an_order_on_hold_is_left_alone(place, network, polo, system, head_office):
    order, fo = ready_pickup(place, system)
    services.order_hold(order=order, reason="fraud check", trace=Trace(actor=head_office))
    assert sweep_at(fo.ready_at + 10 * DAY).cancelled == 0
    fo.refresh_from_db()
    assert fo.status == "ready_for_pickup"


def test_collected_in_time_nothing_happens(place, network, polo, system):
    order, fo = ready_pickup(place, system)
    services.fulfilment_order_collect(
        fulfilment_order=fo, trace=system, identity_checked="identity document", no_code_reason="message_lost"
    )
    result = sweep_at(fo.ready_at + 10 * DAY)
    assert (result.reminded, result.cancelled) == (0, 0)


def test_the_queue_shows_what_goes_back_to_the_shelf_today(client, lea, place, network, polo, system):
    order, fo = ready_pickup(place, system)
    early_on_the_last_day = timezone.localtime(fo.ready_at + 10 * DAY).replace(hour=0, minute=1)
    with time_machine.travel(early_on_the_last_day, tick=False):
        assert [f.number for f in store_queue(network["lyon"]).back_to_shelf] == [fo.number]  # due today
    sweep_at(fo.ready_at + 10 * DAY)
    with time_machine.travel(fo.ready_at + 10 * DAY + datetime.timedelta(minutes=1), tick=False):
        assert [f.number for f in store_queue(network["lyon"]).back_to_shelf] == [fo.number]  # cancelled
        client.force_login(lea)
        assert f"back-{fo.number}" in client.get("/store/").content.decode()
    with time_machine.travel(fo.ready_at + 12 * DAY, tick=False):
        assert store_queue(network["lyon"]).back_to_shelf == []


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_remind_once_and_cancel_once(place, network, polo, system):
    order, fo = ready_pickup(place, system)

    def twice(moment):
        def attempt(_i):
            return services.pickups_uncollected_sweep(now=moment)

        return race(2, attempt)

    reminders = twice(fo.ready_at + 3 * DAY)
    assert sum(r.reminded for r in reminders) == 1, reminders
    cancellations = twice(fo.ready_at + 10 * DAY)
    assert sum(r.cancelled for r in cancellations) == 1, cancellations
    assert order.events.filter(kind=OrderEvent.Kind.PICKUP_REMINDER).count() == 1
    assert order.events.filter(kind=OrderEvent.Kind.CANCELLED, line__isnull=True).count() == 1
    assert Notification.objects.filter(event__order=order, kind="pickup_reminder").count() == 1
    assert stock(polo, network["lyon"]) == (5, 0)
    assert FulfilmentOrder.objects.get(pk=fo.pk).status == "cancelled"
