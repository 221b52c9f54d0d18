"""Order capture: validate, price, create, source, record; idempotent on the client's key."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from customers import services as customers
from inventory import services as inventory
from inventory.geo import destination_errors
from inventory.models import SKU, BackorderPolicy, Location
from inventory.selectors import backorder_policies
from omni.errors import DomainError
from omni.idempotency import IdempotencyKeyReused, key_lifetime, lock_key, request_fingerprint
from omni.trace import Trace
from omni.vocabulary import DeliveryMethod
from promotions.reasons import code_refusal_text

from ..models import IdempotencyKey, Order, OrderEvent, OrderLine, Payment, money
from .delivery import delivery_charges_price, delivery_charges_record
from .payments import payments_settle
from .pricing import basket_price
from .promotions import redemptions_record
from .sourcing import lines_source
from .timeline import event_record

ADDRESS_REQUIRED = ("name", "line1", "postcode", "city")


IdempotencyConflict = IdempotencyKeyReused
__all__ = [
    "IdempotencyConflict",
    "idempotency_keys_purge",
    "order_place",
    "order_recalculate",
    "request_fingerprint",
]


def idempotency_keys_purge() -> int:
    """Forget order keys older than OMNI_IDEMPOTENCY_KEY_HOURS (beat, hourly); the orders stay."""
    deleted, _rows = IdempotencyKey.objects.filter(created_at__lt=timezone.now() - key_lifetime()).delete()
    return deleted


def _next_number() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval('orders_order_number')")
        return f"OM-{cursor.fetchone()[0]}"


def _address_errors(address: dict | None) -> list[str] | dict:
    if not address:
        return [_("An address is required for home delivery.")]
    missing = {field: [_("This field is required.")] for field in ADDRESS_REQUIRED if not address.get(field)}
    return missing


def shipping_address_errors(address: dict | None) -> list[str] | dict:
    """A delivery address must be complete and placeable: its postcode is a known French one
    (the sourcing engine ranks locations by their distance to it)."""
    errors = _address_errors(address)
    if not errors:
        errors = destination_errors(address["postcode"], address.get("country") or "FR")
    return errors


def _clean_address(address: dict | None) -> dict | None:
    if not address:
        return None
    cleaned = {key: str(address.get(key) or "").strip() for key in (*ADDRESS_REQUIRED, "line2", "phone")}
    cleaned["country"] = (address.get("country") or "FR").upper()
    return cleaned


RELAY_POINT_FIELDS = ("id", "name", "carrier", "line1", "postcode", "city")


def clean_relay_point(relay_point: dict | None) -> dict | None:
    """The relay point or locker as the carrier knows it: its id, name, carrier and address."""
    if not relay_point:
        return None
    return {key: str(relay_point.get(key) or "").strip() for key in RELAY_POINT_FIELDS}


MAX_INSTRUCTIONS = 300


def validate_delivery(
    *,
    method: str,
    pickup_location: Location | None,
    relay_point: dict | None,
    requested_date,
    slot,
    instructions: str = "",
) -> dict:
    """Field errors for one line's delivery choice (empty when it makes sense)."""
    errors: dict[str, list[str]] = {}
    if len(instructions or "") > MAX_INSTRUCTIONS:
        errors["delivery_instructions"] = [
            _("Delivery instructions take at most %(n)s characters.") % {"n": MAX_INSTRUCTIONS}
        ]
    if method in DeliveryMethod.pickups():
        if pickup_location is None:
            errors["pickup_location"] = [_("Choose the store where the customer will collect.")]
        elif not pickup_location.is_active:
            errors["pickup_location"] = [
                _("%(store)s is closed for business.") % {"store": pickup_location.name}
            ]
        elif method == DeliveryMethod.PICKUP_IN_STORE and not pickup_location.is_pickup_point:
            errors["pickup_location"] = [
                _("%(store)s is not a click & collect point.") % {"store": pickup_location.name}
            ]
        elif method == DeliveryMethod.SHIP_TO_STORE and not pickup_location.receives_ship_to_store:
            errors["pickup_location"] = [
                _("%(store)s does not receive ship-to-store parcels.") % {"store": pickup_location.name}
            ]
    elif pickup_location is not None:
        errors["pickup_location"] = [_("Only pickup deliveries name a store.")]
    if method == DeliveryMethod.SHIP_TO_RELAY and (
        not relay_point or not relay_point.get("id") or not relay_point.get("postcode")
    ):
        errors["relay_point"] = [_("Give the relay point's id and postcode.")]
    elif method == DeliveryMethod.SHIP_TO_RELAY and (where := destination_errors(relay_point["postcode"])):
        errors["relay_point"] = where
    if requested_date and requested_date < timezone.localdate():
        errors["requested_date"] = [_("The requested date is in the past.")]
    start, end = slot or (None, None)
    if (start is None) != (end is None) or (start and end and start >= end):
        errors["requested_slot"] = [_("A time slot needs a start before its end.")]
    elif start and not requested_date:
        errors["requested_slot"] = [_("A time slot needs a requested date.")]
    return errors


def _line_errors(line: dict, skus: dict[str, SKU], locations: dict[str, Location]) -> dict:
    errors = {}
    sku = skus.get(line["sku"])
    if sku is None or not sku.is_active:
        errors["sku"] = [_("Unknown SKU %(sku)s.") % {"sku": line["sku"]}]
    quantity = line.get("quantity")
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity <= 0:
        errors["quantity"] = [_("The quantity must be a whole number above zero.")]
    code = line.get("pickup_location") or ""
    pickup = locations.get(code)
    if code and pickup is None:
        errors["pickup_location"] = [_("Unknown location %(code)s.") % {"code": code}]
    else:
        errors.update(
            validate_delivery(
                method=line["delivery_method"],
                pickup_location=pickup,
                relay_point=line.get("relay_point"),
                requested_date=line.get("requested_date"),
                slot=(line.get("requested_slot_start"), line.get("requested_slot_end")),
                instructions=line.get("delivery_instructions") or "",
            )
        )
    return errors


@transaction.atomic
def order_place(
    *,
    channel: str,
    customer: dict,
    lines: list[dict],
    trace: Trace,
    shipping_address: dict | None = None,
    billing_address: dict | None = None,
    payments: list[dict] | None = None,
    notes: str = "",
    external_reference: str = "",
    idempotency_key: str = "",
    request_hash: str = "",
    coupon_codes: list[str] | tuple[str, ...] = (),
) -> tuple[Order, bool]:
    """Capture an order; returns (order, created).

    ``lines``: dicts with ``sku`` (code), ``quantity``, ``delivery_method`` and, as the method
    needs, ``pickup_location`` (code), ``relay_point``, ``requested_date``,
    ``requested_slot_start``/``_end``, ``delivery_instructions``. Every rule is checked before anything is written; one
    DomainError carries all field errors. With an ``idempotency_key`` (per client), a replay
    with the same ``request_hash`` returns the first order and creates nothing; another body
    under the same key raises IdempotencyConflict. Concurrent replays wait for the first.
    """
    client = trace.actor if getattr(trace.actor, "pk", None) else None
    if idempotency_key:
        if client is None:
            raise DomainError(_("Idempotency keys need an authenticated client."), field="idempotency_key")
        # Taking the key first serialises concurrent replays on the unique index.
        lock_key(client_id=client.pk, key=idempotency_key)
        existing = (
            IdempotencyKey.objects.filter(client=client, key=idempotency_key).select_related("order").first()
        )
        if existing and existing.created_at < timezone.now() - key_lifetime():
            existing.delete()  # expired: the key is free again
            existing = None
        if existing:
            if existing.request_hash != request_hash:
                raise IdempotencyConflict(
                    _("This Idempotency-Key was already used for a different order (%(number)s).")
                    % {"number": existing.order.number}
                )
            return existing.order, False

    skus = SKU.objects.in_bulk({line["sku"] for line in lines}, field_name="code")
    codes = {line.get("pickup_location") for line in lines if line.get("pickup_location")}
    locations = Location.objects.in_bulk(codes, field_name="code")
    errors: dict = {}
    if not lines:
        errors["lines"] = [_("An order needs at least one line.")]
    # Keyed by line index, the shape DRF gives its own nested list errors.
    line_errors = {str(i): e for i, line in enumerate(lines) if (e := _line_errors(line, skus, locations))}
    if line_errors:
        errors["lines"] = line_errors
    shipping_address = _clean_address(shipping_address)
    home_delivery = any(line["delivery_method"] == DeliveryMethod.SHIP_TO_ADDRESS for line in lines)
    if home_delivery and (address_errors := shipping_address_errors(shipping_address)):
        errors["shipping_address"] = address_errors
    # Without a billing address, the invoice goes to the delivery address.
    if billing_address and (address_errors := _address_errors(billing_address)):
        errors["billing_address"] = address_errors
    try:
        identified = customers.customer_identify(**customer)
    except DomainError as error:
        errors["customer"] = {error.field or "customer": [error.message]}
    if errors:
        raise DomainError(_("The order has errors; nothing was saved."), code="invalid_order", **errors)

    store = getattr(getattr(trace.actor, "store", None), "code", "") or ""
    priced = basket_price(
        channel=channel,
        customer=identified,
        skus=[(skus[line["sku"]], line["quantity"]) for line in lines],
        store=store,
        codes=coupon_codes,
        delivery_methods=sorted({line["delivery_method"] for line in lines}),
    )
    if priced.refused_codes:
        raise DomainError(
            _("A coupon code cannot be used; nothing was saved."),
            code="invalid_order",
            coupon_codes={code: [code_refusal_text(why)] for code, why in priced.refused_codes.items()},
        )
    prices = priced.lines
    # The lines before their order exists: their delivery groups price the delivery fees.
    unsaved = [
        OrderLine(
            line_number=number,
            sku=skus[line["sku"]],
            sku_code=line["sku"],
            name=skus[line["sku"]].name,
            quantity=line["quantity"],
            unit_price=price.unit_price,
            unit_discount=price.unit_discount,
            line_discount=price.line_discount,
            promotions=list(price.promotions),
            tax_rate=price.tax_rate,
            delivery_method=line["delivery_method"],
            pickup_location=locations.get(line.get("pickup_location") or ""),
            relay_point=clean_relay_point(line.get("relay_point")),
            requested_date=line.get("requested_date"),
            requested_slot_start=line.get("requested_slot_start"),
            requested_slot_end=line.get("requested_slot_end"),
            delivery_instructions=(line.get("delivery_instructions") or "").strip(),
            promised_date=line.get("promised_date"),
        )
        for number, (line, price) in enumerate(zip(lines, prices, strict=True), start=1)
    ]
    charges = delivery_charges_price(
        order=Order(shipping_address=shipping_address),
        lines=unsaved,
        basket_value=priced.total,
        waived=priced.quote.waived_delivery,
        names={a["id"]: a["name"] for a in priced.applied},
    )
    total = priced.total + sum((charge.amount for charge in charges), Decimal("0"))
    payments = payments or []
    # A tender without an amount was authorised for the whole order (the call centre's
    # payment terminal is run for the total the page shows).
    payments = [dict(p, amount=p.get("amount") or total) for p in payments]
    authorised = sum((Decimal(p["amount"]) for p in payments), Decimal("0"))
    if payments and authorised < total:
        raise DomainError(
            _("The payments cover %(paid)s € of %(total)s €.") % {"paid": authorised, "total": total},
            code="invalid_order",
            field="payments",
        )

    order = Order.objects.create(
        number=_next_number(),
        channel=channel,
        external_reference=external_reference,
        customer=identified,
        billing_address=_clean_address(billing_address) or shipping_address,
        shipping_address=shipping_address,
        language=customer.get("language") or identified.language,
        notes=notes,
        placed_by=client,
        placed_via=trace.api_client,
    )
    if shipping_address:
        customers.address_remember(customer=identified, address=shipping_address)
    for line in unsaved:
        line.order = order
    order_lines = OrderLine.objects.bulk_create(unsaved)
    tenders = Payment.objects.bulk_create(
        Payment(
            order=order,
            method=p["method"],
            reference=p.get("reference", ""),
            amount_authorised=money(p["amount"]),
        )
        for p in payments
    )
    redemptions_record(order=order, priced=priced, channel=channel)
    delivery_charges_record(order=order, charges=charges)
    event_record(
        order=order,
        kind=OrderEvent.Kind.PLACED,
        trace=trace,
        summary=_("%(count)s lines, %(total)s €") % {"count": len(order_lines), "total": total},
        data={
            "channel": channel,
            "external_reference": external_reference,
            "delivery": str(sum((charge.amount for charge in charges), Decimal("0.00"))),
        },
    )
    for line in order_lines:
        line.order = order
    sourced = lines_source(order=order, lines=order_lines, trace=trace, trigger="capture")
    backorders_by_policy(lines=order_lines)
    order_recalculate(order=order, lines=order_lines)
    settled_at_once = any(p["method"] in Payment.CAPTURED_AT_ONCE for p in payments)
    if settled_at_once:  # nothing else is due yet
        payments_settle(order=order, trace=trace)
    if idempotency_key:
        # The advisory lock taken above keeps a concurrent request with this key waiting.
        IdempotencyKey.objects.create(
            client=client, key=idempotency_key, request_hash=request_hash, order=order
        )
    _keep_in_hand(order, order_lines, sourced.allocations, None if settled_at_once else tenders, charges)
    return order, True


def backorders_by_policy(*, lines: list[OrderLine]) -> None:
    """Units sourcing could not serve at capture wait as each SKU's backorder policy says:
    backordered (with the date supply is expected, when known), pre-ordered within the
    policy's quota, or refused. A refusal raises a DomainError naming the lines, so that the
    caller's transaction (the whole capture) is rolled back. Pre-orders are counted on the
    policy with a conditional update: concurrent captures cannot overshoot the quota."""
    waiting = [line for line in lines if line.qty_backordered]
    if not waiting:
        return
    policies = backorder_policies(skus=list({line.sku_id: line.sku for line in waiting}.values()))
    errors: dict[str, dict] = {}
    preorders: dict[int, list[OrderLine]] = defaultdict(list)
    for line in waiting:
        policy = policies[line.sku_id]
        if policy.mode == BackorderPolicy.Mode.REFUSE:
            errors[str(line.line_number - 1)] = {"quantity": [
                _("Only %(available)s of %(sku)s can be served now, and it is not backordered.")
                % {"available": line.qty_allocated, "sku": line.sku_code}
            ]}  # fmt: skip
            continue
        if policy.mode == BackorderPolicy.Mode.PREORDER:
            preorders[policy.policy_id].append(line)
        line.backorder_mode = policy.mode
        line.expected_date = policy.expected_date
    for policy_id, preordered in preorders.items():
        units = sum(line.qty_backordered for line in preordered)
        if inventory.preorder_take(policy_id=policy_id, quantity=units):
            continue
        left = policies[preordered[0].sku_id].preorder_left
        for line in preordered:
            errors[str(line.line_number - 1)] = {"quantity": [
                _("%(sku)s can be pre-ordered for %(left)s more units only.") % {"sku": line.sku_code, "left": left}
            ]}  # fmt: skip
    if errors:
        raise DomainError(
            _("Some articles cannot be ordered in this quantity; nothing was saved."),
            code="not_available",
            lines=errors,
        )
    OrderLine.objects.bulk_update(waiting, ["backorder_mode", "expected_date"])


def _keep_in_hand(order: Order, lines, allocations, payments, charges) -> None:
    """What capture wrote, kept on the order for its answer to the client
    (``selectors.order_as_placed``), which then need not read it all again."""
    order.written_at_capture = {
        "lines": list(lines),
        "allocations": list(allocations),
        "payments": payments,
        "delivery_charges": list(charges),
    }


def order_recalculate(*, order: Order, lines=None) -> None:
    """Totals from the lines (cancelled units no longer count) plus the delivery fees charged
    (``order.delivery_total``, kept by ``delivery``); the status follows the lines."""
    lines = list(lines if lines is not None else order.lines.all())
    order.subtotal = sum((money(line.unit_price * line.active_quantity) for line in lines), Decimal("0"))
    order.discount_total = sum((line.discount_total for line in lines), Decimal("0"))
    order.total = sum((line.line_total for line in lines), Decimal("0")) + order.delivery_total
    order.tax_total = sum((line.tax_amount for line in lines), Decimal("0")) + order.delivery_tax
    order.settle(lines)
    order.save(
        update_fields=[
            "subtotal",
            "discount_total",
            "delivery_total",
            "delivery_tax",
            "total",
            "tax_total",
            "status",
            "status_before_hold",
            "updated_at",
        ]
    )


def requested_slot(start: datetime.time | None, end: datetime.time | None) -> str:
    return f"{start:%H:%M}–{end:%H:%M}" if start and end else ""
