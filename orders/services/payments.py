"""Tenders follow the goods: captured as units ship or are collected, refunded when the
customer ends up owing less than was taken."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from omni.trace import Trace

from ..locks import payments_lock
from ..models import DeliveryCharge, Order, OrderEvent, Payment
from .delivery import delivery_group
from .timeline import event_record

ZERO = Decimal("0.00")


def _delivered_value(order: Order) -> Decimal:
    """What the customer owes for what has left: the goods, and the delivery fee of each
    group from its first parcel on."""
    lines = list(order.lines.all())
    goods = sum((line.value_of(line.qty_shipped + line.qty_collected) for line in lines), ZERO)
    started = {delivery_group(line) for line in lines if line.qty_shipped or line.qty_collected}
    if not started or not order.delivery_total:
        return goods
    charges = order.delivery_charges.filter(status=DeliveryCharge.Status.CHARGED, group__in=started)
    return goods + sum((charge.amount for charge in charges), ZERO)


def payments_settle(*, order: Order, trace: Trace) -> None:
    """Capture what has been delivered (cash and cheques are taken in full at once); refund
    what was taken beyond the order's total. Caller holds the order's lock."""
    payments = payments_lock(order)
    if not payments:
        return
    taken = sum((p.amount_captured - p.amount_refunded for p in payments), ZERO)
    for payment in payments:
        if payment.method in Payment.CAPTURED_AT_ONCE and payment.amount_captured < payment.amount_authorised:
            amount = min(payment.amount_authorised - payment.amount_captured, max(order.total - taken, ZERO))
            if amount > 0:
                _capture(order, payment, amount, trace)
                taken += amount
    due = min(_delivered_value(order), order.total)
    for payment in payments:
        if taken >= due:
            break
        amount = min(payment.amount_authorised - payment.amount_captured, due - taken)
        if amount > 0:
            _capture(order, payment, amount, trace)
            taken += amount
    excess = taken - order.total
    for payment in reversed(payments):
        if excess <= 0:
            break
        amount = min(payment.amount_captured - payment.amount_refunded, excess)
        if amount > 0:
            payment.amount_refunded += amount
            payment.save(update_fields=["amount_refunded"])
            excess -= amount
            event_record(
                order=order,
                kind=OrderEvent.Kind.PAYMENT_REFUNDED,
                trace=trace,
                summary=_("%(amount)s € refunded to %(method)s")
                % {"amount": amount, "method": payment.get_method_display()},
                data={"payment": payment.pk, "amount": str(amount)},
            )


def _capture(order: Order, payment: Payment, amount: Decimal, trace: Trace) -> None:
    payment.amount_captured += amount
    payment.save(update_fields=["amount_captured"])
    event_record(
        order=order,
        kind=OrderEvent.Kind.PAYMENT_CAPTURED,
        trace=trace,
        summary=_("%(amount)s € captured on %(method)s")
        % {"amount": amount, "method": payment.get_method_display()},
        data={"payment": payment.pk, "amount": str(amount)},
    )
