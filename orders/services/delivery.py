"""Delivery fees on the order: one charge per delivery group, as the promise quoted it.

A delivery group is the lines of an order that go one way to one place: home, one relay
point, one pickup store. Its fee comes from ``promotions.delivery.delivery_fee`` (the one
function the promise, the quote and the call-centre form use too) for the basket's value
after promotions, the destination's zone and the promotions that waive the method. The fee
is charged with the group's first parcel (``payments``) and refunded by one rule
(``delivery_refund_due``) that cancellations, delivery changes and returns all use.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from omni.trace import Trace
from omni.vocabulary import DeliveryMethod
from promotions import delivery as fees

from ..models import DeliveryCharge, Order, OrderEvent, OrderLine
from .timeline import EventDraft, events_record

ZERO = Decimal("0.00")

# Why a charge was refunded (codes; the pages render them).
CANCELLED, RETURNED, MOVED = "group_cancelled", "group_returned", "group_moved"


def delivery_group(line: OrderLine) -> str:
    """The key of the line's delivery group: its method and where it goes."""
    if line.delivery_method in DeliveryMethod.pickups():
        return f"{line.delivery_method}:store-{line.pickup_location_id}"
    if line.delivery_method == DeliveryMethod.SHIP_TO_RELAY:
        return f"{line.delivery_method}:{(line.relay_point or {}).get('id', '')}"
    return f"{line.delivery_method}:home"


def _zone(order: Order, line: OrderLine) -> str:
    if line.delivery_method == DeliveryMethod.SHIP_TO_RELAY:
        return fees.delivery_zone(postcode=(line.relay_point or {}).get("postcode", ""))
    if line.delivery_method == DeliveryMethod.SHIP_TO_ADDRESS and order.shipping_address:
        address = order.shipping_address
        return fees.delivery_zone(postcode=address.get("postcode", ""), country=address.get("country", "FR"))
    return fees.MAINLAND


def delivery_charges_price(
    *, order: Order, lines: list[OrderLine], basket_value: Decimal, waived: dict[str, int], names: dict
) -> list[DeliveryCharge]:
    """One unsaved charge per delivery group of the lines (in line order): what the promise
    quoted for the basket. ``waived``: the pricing engine's ``waived_delivery``; ``names``:
    promotion id → name."""
    charges: dict[str, DeliveryCharge] = {}
    for line in lines:
        key = delivery_group(line)
        if key in charges:
            continue
        fee = fees.delivery_fee(
            method=line.delivery_method,
            basket_value=basket_value,
            zone=_zone(order, line),
            waived_delivery=waived,
        )
        charges[key] = DeliveryCharge(
            order=order,
            group=key,
            method=fee.method,
            zone=fee.zone,
            basket_value=fee.basket_value,
            list_amount=fee.list_amount,
            amount=fee.amount,
            tax_rate=fee.tax_rate,
            rule=fee.rule,
            waived_by={"id": fee.waived_by, "name": names.get(fee.waived_by, "")} if fee.waived_by else None,
        )
    return list(charges.values())


def _totals_follow(order: Order, charges) -> None:
    live = [charge for charge in charges if charge.is_charged]
    order.delivery_total = sum((charge.amount for charge in live), ZERO)
    order.delivery_tax = sum((charge.tax_amount for charge in live), ZERO)


def delivery_charges_record(*, order: Order, charges: list[DeliveryCharge]) -> list[DeliveryCharge]:
    """Capture: write the charges priced for the new order; its delivery totals follow (saved
    by ``order_recalculate``)."""
    for charge in charges:
        charge.order = order
    made = DeliveryCharge.objects.bulk_create(charges)
    _totals_follow(order, made)
    return made


def delivery_refund_due(charge: DeliveryCharge, group_lines: list[OrderLine]) -> str | None:
    """The refund rule for a delivery fee (cancellations, delivery changes and returns use
    it): the fee is given back when the customer keeps nothing of its delivery group —

    - every unit was cancelled before any left (``group_cancelled``);
    - every unit delivered came back and the rest was cancelled: the whole group withdrawn
      (``group_returned``, the French right of withdrawal refunds the standard delivery);
    - no line goes that way any more: the lines moved to another delivery (``group_moved``).

    Otherwise (something of the group is kept, or still on its way) it stays charged. Returns
    the reason's code, or None."""
    if not charge.is_charged:
        return None
    if not group_lines:
        return MOVED
    kept = sum(line.quantity - line.qty_cancelled - line.qty_returned for line in group_lines)
    if kept > 0:
        return None
    delivered = sum(line.qty_shipped + line.qty_collected for line in group_lines)
    return RETURNED if delivered else CANCELLED


def delivery_charges_sync(*, order: Order, lines: list[OrderLine], trace: Trace) -> None:
    """After a cancellation, a delivery change or a return: refund the charges the rule says
    are due, and charge a delivery group the order did not have (a line moved to another
    delivery), at the fee the same basket gets now. The order's delivery totals follow (the
    caller then runs ``order_recalculate`` and settles payments). Caller holds the order's
    lock; one timeline event per fee charged or refunded."""
    charges = list(order.delivery_charges.order_by("pk"))
    groups: dict[str, list[OrderLine]] = {}
    for line in lines:
        groups.setdefault(delivery_group(line), []).append(line)
    events, now = [], timezone.now()
    for charge in charges:
        reason = delivery_refund_due(charge, groups.get(charge.group, []))
        if reason is None:
            continue
        charge.status, charge.refund_reason, charge.refunded_at = DeliveryCharge.Status.REFUNDED, reason, now
        charge.save(update_fields=["status", "refund_reason", "refunded_at"])
        if charge.amount:
            events.append(
                EventDraft(
                    kind=OrderEvent.Kind.DELIVERY_FEE_REFUNDED,
                    summary=_("%(amount)s € (%(method)s)")
                    % {"amount": charge.amount, "method": DeliveryMethod(charge.method).label},
                    data={"group": charge.group, "amount": str(charge.amount), "reason": reason},
                    notify=False,
                )
            )
    charged = {charge.group for charge in charges if charge.is_charged}
    wanted = [
        group_lines[0]
        for key, group_lines in groups.items()
        if key not in charged and any(line.open_quantity for line in group_lines)
    ]
    if wanted:
        active = [line for line in lines if line.active_quantity]
        quote = _quote(order, active, methods=sorted({line.delivery_method for line in wanted}))
        made = DeliveryCharge.objects.bulk_create(
            delivery_charges_price(
                order=order,
                lines=wanted,
                basket_value=sum((line.line_total for line in active), ZERO),
                waived=quote.waived_delivery,
                names={a["id"]: a["name"] for a in quote.applied},
            )
        )
        charges.extend(made)
        events.extend(
            EventDraft(
                kind=OrderEvent.Kind.DELIVERY_FEE_CHARGED,
                summary=_("%(amount)s € (%(method)s)")
                % {"amount": charge.amount, "method": DeliveryMethod(charge.method).label},
                data={"group": charge.group, "amount": str(charge.amount), "rule": charge.rule},
                notify=False,
            )
            for charge in made
            if charge.amount
        )
    _totals_follow(order, charges)
    if events:
        events_record(order=order, trace=trace, events=events)


def delivery_charge_move(*, order: Order, lines: list[OrderLine], before: str, after: str) -> None:
    """A line's parcel goes to another place by the same method (another relay point): when
    no other line goes the old way and the new way has no fee yet, the fee moves with it."""
    if before == after or any(delivery_group(line) == before for line in lines):
        return
    live = order.delivery_charges.filter(status=DeliveryCharge.Status.CHARGED)
    if not live.filter(group=after).exists():
        live.filter(group=before).update(group=after)


def _quote(order: Order, lines: list[OrderLine], *, methods: list[str]):
    """The pricing engine's answer for the order's basket now (which methods it waives)."""
    from promotions.selectors import basket_quote

    return basket_quote(
        lines=[(line.sku, line.active_quantity) for line in lines],
        channel=order.channel,
        customer=order.customer,
        delivery_methods=methods,
    ).quote
