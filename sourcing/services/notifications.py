"""Telling the customer where their goods are: an e-mail in their language, sent by a Celery
task once the change is committed, and a line on the order's timeline."""

from __future__ import annotations

from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from inventory.services import Trace
from orders.models import Order, OrderEvent
from orders.services.timeline import event_record

from ..models import FulfilmentOrder

NOTIFY_SHIPPED = "shipped"
NOTIFY_READY = "ready_for_pickup"
_SUMMARIES = {
    NOTIFY_SHIPPED: lambda fo: (
        _("e-mail: parcel shipped, %(carrier)s %(tracking)s")
        % {"carrier": fo.carrier, "tracking": fo.tracking_number}
    ),
    NOTIFY_READY: lambda fo: (
        _("e-mail: ready for pickup at %(store)s, code %(code)s")
        % {"store": (fo.destination or fo.location).name, "code": fo.pickup_code}
    ),
}


def customer_notify(fo: FulfilmentOrder, order: Order, kind: str, trace: Trace) -> None:
    """Note the message on the timeline and send it after commit (nothing if no e-mail)."""
    customer = order.customer
    if customer is None or not customer.email:
        return
    event_record(
        order=order,
        kind=OrderEvent.Kind.CUSTOMER_NOTIFIED,
        trace=trace,
        summary=f"{fo.number}: {_SUMMARIES[kind](fo)}",
        data={"fulfilment_order": fo.number, "message": kind, "to": customer.email},
    )
    from ..tasks import notify_customer

    transaction.on_commit(lambda: notify_customer.delay(fo.pk, kind))


def customer_message_send(fulfilment_order_id: int, kind: str) -> None:
    fo = FulfilmentOrder.objects.select_related("order__customer", "location", "destination").get(
        pk=fulfilment_order_id
    )
    customer = fo.order.customer
    context = {"fo": fo, "order": fo.order, "customer": customer, "store": fo.destination or fo.location}
    with translation.override(customer.language or "fr"):
        subject = render_to_string(f"sourcing/email/{kind}_subject.txt", context).strip()
        body = render_to_string(f"sourcing/email/{kind}.txt", context)
    send_mail(subject, body, None, [customer.email])
