"""Orders: lines with quantity buckets, allocations to locations, tenders, and a timeline.

The order and each line are state machines (django-fsm-2): a transition method names the
states it may leave and the states it may reach, and raises TransitionNotAllowed otherwise.
Line quantities live in buckets whose sum the database keeps equal to the ordered quantity.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, FSMField, transition

from inventory.models import SKU, Location, Reservation
from omni.trace import Channel
from omni.vocabulary import DeliveryMethod, FulfilmentMode, SalesChannel

CENT = Decimal("0.01")


def money(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


class Order(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        IN_PROGRESS = "in_progress", _("In progress")
        ON_HOLD = "on_hold", _("On hold")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    OPEN_STATUSES = (Status.CONFIRMED, Status.IN_PROGRESS, Status.ON_HOLD)

    number = models.CharField(_("number"), max_length=20, unique=True)
    channel = models.CharField(_("channel"), max_length=20, choices=SalesChannel.choices)
    external_reference = models.CharField(
        _("channel reference"), max_length=100, blank=True, help_text=_("The order's number in the channel.")
    )
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="orders")
    status = FSMField(_("status"), max_length=20, choices=Status.choices, default=Status.CONFIRMED)
    status_before_hold = models.CharField(max_length=20, choices=Status.choices, blank=True)
    hold_reason = models.CharField(_("hold reason"), max_length=300, blank=True)
    # Copies taken when the order is placed (or changed), never references to the customer's file.
    billing_address = models.JSONField(_("billing address"), null=True, blank=True)
    shipping_address = models.JSONField(_("shipping address"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    subtotal = models.DecimalField(_("subtotal"), max_digits=12, decimal_places=2, default=0)
    discount_total = models.DecimalField(_("discounts"), max_digits=12, decimal_places=2, default=0)
    # Delivery fees charged (their charges, ``DeliveryCharge``, say per delivery group), and
    # the VAT they include; ``total`` and ``tax_total`` include them.
    delivery_total = models.DecimalField(_("delivery"), max_digits=12, decimal_places=2, default=0)
    delivery_tax = models.DecimalField(_("VAT on delivery"), max_digits=12, decimal_places=2, default=0)
    tax_total = models.DecimalField(_("of which VAT"), max_digits=12, decimal_places=2, default=0)
    total = models.DecimalField(_("total"), max_digits=12, decimal_places=2, default=0)
    notes = models.TextField(_("notes"), blank=True)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    placed_via = models.ForeignKey(
        "accounts.ApiClient",
        verbose_name=_("placed through"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
        help_text=_("The API client that placed the order, if any: it may read the order back."),
    )
    placed_at = models.DateTimeField(_("placed at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-placed_at", "-pk"]
        constraints = [
            models.CheckConstraint(name="order_total_not_negative", condition=Q(total__gte=0)),
        ]
        indexes = [models.Index(fields=["status", "placed_at"], name="order_status_placed")]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("orders:detail", args=[self.number])

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    def settled_status(self, lines) -> str:
        """What the lines say the order is: all cancelled, all done, started, or not yet."""
        lines = list(lines)
        if all(line.status == OrderLine.Status.CANCELLED for line in lines):
            return self.Status.CANCELLED
        if all(line.is_closed for line in lines):
            return self.Status.COMPLETED
        if any(line.qty_shipped or line.qty_collected for line in lines):
            return self.Status.IN_PROGRESS
        return self.Status.CONFIRMED

    @transition(
        field=status,
        source=[Status.CONFIRMED, Status.IN_PROGRESS, Status.ON_HOLD],
        target=RETURN_VALUE(
            Status.CONFIRMED, Status.IN_PROGRESS, Status.ON_HOLD, Status.COMPLETED, Status.CANCELLED
        ),
    )
    def settle(self, lines):
        """Follow the lines. An order on hold stays on hold unless nothing is left to do."""
        status = self.settled_status(lines)
        if self.status == self.Status.ON_HOLD and status in (self.Status.CONFIRMED, self.Status.IN_PROGRESS):
            self.status_before_hold = status
            return self.Status.ON_HOLD
        return status

    @transition(field=status, source=[Status.CONFIRMED, Status.IN_PROGRESS], target=Status.ON_HOLD)
    def hold(self, reason: str):
        self.status_before_hold = self.status
        self.hold_reason = reason

    @transition(
        field=status, source=Status.ON_HOLD, target=RETURN_VALUE(Status.CONFIRMED, Status.IN_PROGRESS)
    )
    def release(self):
        previous = self.status_before_hold or self.Status.CONFIRMED
        self.status_before_hold = ""
        self.hold_reason = ""
        return previous


class OrderLine(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ALLOCATED = "allocated", _("Allocated")
        BACKORDERED = "backordered", _("Backordered")
        READY_FOR_PICKUP = "ready_for_pickup", _("Ready for pickup")
        PARTIALLY_FULFILLED = "partially_fulfilled", _("Partially fulfilled")
        SHIPPED = "shipped", _("Shipped")
        COLLECTED = "collected", _("Collected")
        CANCELLED = "cancelled", _("Cancelled")

    # Lines whose delivery can still change: nothing has left a location yet.
    CHANGEABLE = (Status.PENDING, Status.ALLOCATED, Status.BACKORDERED)
    CANCELLABLE = (*CHANGEABLE, Status.READY_FOR_PICKUP, Status.PARTIALLY_FULFILLED)

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    line_number = models.PositiveSmallIntegerField(_("line"))
    sku = models.ForeignKey(SKU, on_delete=models.PROTECT, related_name="+")
    sku_code = models.CharField(_("SKU"), max_length=40)
    name = models.CharField(_("article"), max_length=200)
    quantity = models.PositiveIntegerField(_("ordered"))
    unit_price = models.DecimalField(_("unit price"), max_digits=10, decimal_places=2)
    unit_discount = models.DecimalField(_("discount per unit"), max_digits=10, decimal_places=2, default=0)
    # The promotions' discount on the whole ordered quantity, exactly as allocated by the
    # pricing engine, and which promotion gave what ({id, name, amount, code}). A share of it
    # follows each unit (``discount_for``), so cancelled or returned units take their cents.
    line_discount = models.DecimalField(_("promotions' discount"), max_digits=12, decimal_places=2, default=0)
    promotions = models.JSONField(_("promotions applied"), default=list, blank=True)
    tax_rate = models.DecimalField(_("VAT rate"), max_digits=5, decimal_places=2, default=Decimal("20.00"))
    delivery_method = models.CharField(_("delivery"), max_length=20, choices=DeliveryMethod.choices)
    pickup_location = models.ForeignKey(
        Location,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("pickup store"),
    )
    relay_point = models.JSONField(_("relay point"), null=True, blank=True)
    requested_date = models.DateField(_("requested date"), null=True, blank=True)
    requested_slot_start = models.TimeField(_("slot from"), null=True, blank=True)
    requested_slot_end = models.TimeField(_("slot to"), null=True, blank=True)
    delivery_instructions = models.CharField(_("delivery instructions"), max_length=300, blank=True)
    promised_date = models.DateField(_("promised date"), null=True, blank=True)
    # How the units no location could serve at capture were taken, by the SKU's backorder
    # policy ("backorder" or "preorder"; empty when nothing waited), and when supply is due.
    backorder_mode = models.CharField(_("waiting as"), max_length=20, blank=True)
    expected_date = models.DateField(_("supply expected"), null=True, blank=True)
    status = FSMField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    qty_allocated = models.PositiveIntegerField(_("allocated"), default=0)
    qty_backordered = models.PositiveIntegerField(_("backordered"), default=0)
    qty_shipped = models.PositiveIntegerField(_("shipped"), default=0)
    qty_collected = models.PositiveIntegerField(_("collected"), default=0)
    qty_cancelled = models.PositiveIntegerField(_("cancelled"), default=0)
    qty_returned = models.PositiveIntegerField(_("returned"), default=0)

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["order", "line_number"]
        constraints = [
            models.UniqueConstraint(fields=["order", "line_number"], name="order_line_number_unique"),
            models.CheckConstraint(name="order_line_quantity_positive", condition=Q(quantity__gt=0)),
            # Every ordered unit is in exactly one bucket.
            models.CheckConstraint(
                name="order_line_buckets_add_up",
                condition=Q(
                    quantity=F("qty_allocated")
                    + F("qty_backordered")
                    + F("qty_shipped")
                    + F("qty_collected")
                    + F("qty_cancelled")
                )
                | Q(status="pending"),
            ),
            models.CheckConstraint(
                name="order_line_returns_were_delivered",
                condition=Q(qty_returned__lte=F("qty_shipped") + F("qty_collected")),
            ),
            models.CheckConstraint(
                name="order_line_pickup_has_store",
                condition=Q(
                    delivery_method__in=["pickup_in_store", "ship_to_store"], pickup_location__isnull=False
                )
                | (
                    ~Q(delivery_method__in=["pickup_in_store", "ship_to_store"])
                    & Q(pickup_location__isnull=True)
                ),
            ),
            models.CheckConstraint(
                name="order_line_discount_within_price",
                condition=Q(unit_discount__gte=0, unit_discount__lte=F("unit_price")),
            ),
            models.CheckConstraint(
                name="order_line_promotions_within_price",
                condition=Q(line_discount__gte=0, line_discount__lte=F("unit_price") * F("quantity")),
            ),
        ]

    def __str__(self):
        return f"{self.order_id}/{self.line_number} {self.sku_code} × {self.quantity}"

    @property
    def reference(self) -> str:
        return f"{self.order.number}/{self.line_number}"

    @property
    def is_pickup(self) -> bool:
        return self.delivery_method in DeliveryMethod.pickups()

    @property
    def is_closed(self) -> bool:
        return self.qty_allocated == 0 and self.qty_backordered == 0

    @property
    def open_quantity(self) -> int:
        return self.qty_allocated + self.qty_backordered

    @property
    def active_quantity(self) -> int:
        """Units the customer is still buying (everything not cancelled)."""
        return self.quantity - self.qty_cancelled

    @property
    def unit_net(self) -> Decimal:
        return self.unit_price - self.unit_discount

    def discount_for(self, units: int) -> Decimal:
        """The promotions' discount carried by ``units`` of the line: its cents spread over the
        ordered units by largest remainder (earlier units first), so all units add up to
        ``line_discount`` exactly and a cancelled or returned unit takes its own share."""
        from promotions.engine import allocate

        if not self.line_discount or units <= 0:
            return Decimal("0.00")
        shares = allocate(self.line_discount, [Decimal("1")] * self.quantity)
        return sum(shares[: min(units, self.quantity)], Decimal("0.00"))

    @property
    def discount_total(self) -> Decimal:
        """Everything taken off the units still bought."""
        return money(self.unit_discount * self.active_quantity) + self.discount_for(self.active_quantity)

    @property
    def line_total(self) -> Decimal:
        return self.value_of(self.active_quantity)

    def value_of(self, units: int) -> Decimal:
        """What ``units`` of the line cost the customer, every discount taken off."""
        return money(self.unit_net * units) - self.discount_for(units)

    @property
    def tax_amount(self) -> Decimal:
        """VAT included in the line total (French prices are tax-included)."""
        return money(self.line_total * self.tax_rate / (100 + self.tax_rate))

    def settled_status(self) -> str:
        if self.qty_cancelled == self.quantity:
            return self.Status.CANCELLED
        delivered = self.qty_shipped + self.qty_collected
        if self.is_closed:
            return (
                self.Status.COLLECTED if self.qty_collected and not self.qty_shipped else self.Status.SHIPPED
            )
        if delivered:
            return self.Status.PARTIALLY_FULFILLED
        if self.qty_backordered:
            return self.Status.BACKORDERED
        return self.Status.ALLOCATED

    @transition(
        field=status,
        source=[Status.PENDING, Status.ALLOCATED, Status.BACKORDERED],
        target=RETURN_VALUE(Status.ALLOCATED, Status.BACKORDERED),
    )
    def source(self):
        """The line has been (re)sourced: its open units are allocated or backordered."""
        return self.settled_status()

    @transition(field=status, source=[Status.ALLOCATED, Status.BACKORDERED], target=Status.READY_FOR_PICKUP)
    def make_ready_for_pickup(self):
        pass

    @transition(
        field=status,
        # Backordered: some units wait while the allocated ones leave.
        source=[Status.ALLOCATED, Status.BACKORDERED, Status.PARTIALLY_FULFILLED],
        target=RETURN_VALUE(Status.SHIPPED, Status.PARTIALLY_FULFILLED, Status.BACKORDERED),
    )
    def ship(self):
        return self.settled_status()

    @transition(
        field=status,
        source=Status.READY_FOR_PICKUP,
        target=RETURN_VALUE(Status.COLLECTED, Status.SHIPPED, Status.PARTIALLY_FULFILLED, Status.CANCELLED),
    )
    def collect(self):
        return self.settled_status()

    @transition(
        field=status,
        source=list(CANCELLABLE),
        target=RETURN_VALUE(
            Status.CANCELLED,
            Status.ALLOCATED,
            Status.BACKORDERED,
            Status.READY_FOR_PICKUP,
            Status.PARTIALLY_FULFILLED,
            Status.SHIPPED,
            Status.COLLECTED,
        ),
    )
    def cancel(self):
        if self.status == self.Status.READY_FOR_PICKUP and self.qty_allocated:
            return self.Status.READY_FOR_PICKUP
        return self.settled_status()


class Allocation(models.Model):
    """Units of a line promised from one location, held there by an inventory reservation."""

    Kind = FulfilmentMode

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        RELEASED = "released", _("Released")
        FULFILLED = "fulfilled", _("Fulfilled")

    line = models.ForeignKey(OrderLine, on_delete=models.CASCADE, related_name="allocations")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    quantity = models.PositiveIntegerField(_("quantity"))
    reservation = models.OneToOneField(Reservation, on_delete=models.PROTECT, related_name="allocation")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        ordering = ["line", "pk"]
        indexes = [
            models.Index(fields=["location", "status"], name="allocation_location_status"),
        ]

    def __str__(self):
        return f"{self.line} ← {self.location_id} × {self.quantity}"


class Payment(models.Model):
    """A tender: authorised when the order is placed, captured as goods ship or are collected."""

    class Method(models.TextChoices):
        CARD = "card", _("Card")
        PAYPAL = "paypal", _("PayPal")
        GIFT_CARD = "gift_card", _("Gift card")
        CASH = "cash", _("Cash")
        CHEQUE = "cheque", _("Cheque")

    # Paid in full at the till: captured when the order is placed.
    CAPTURED_AT_ONCE = (Method.CASH, Method.CHEQUE)

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="payments")
    method = models.CharField(_("method"), max_length=20, choices=Method.choices)
    reference = models.CharField(_("authorisation reference"), max_length=100, blank=True)
    amount_authorised = models.DecimalField(_("authorised"), max_digits=12, decimal_places=2)
    amount_captured = models.DecimalField(_("captured"), max_digits=12, decimal_places=2, default=0)
    amount_refunded = models.DecimalField(_("refunded"), max_digits=12, decimal_places=2, default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(
                name="payment_amounts_consistent",
                condition=Q(amount_authorised__gt=0)
                & Q(amount_captured__gte=0, amount_captured__lte=F("amount_authorised"))
                & Q(amount_refunded__gte=0, amount_refunded__lte=F("amount_captured")),
            ),
        ]

    def __str__(self):
        return f"{self.get_method_display()} {self.amount_authorised} €"


class DeliveryCharge(models.Model):
    """The delivery fee of one delivery group of an order (its lines going one way to one
    place: home, a relay point, a pickup store), as the promise quoted it: its method, zone,
    the basket value the free-delivery threshold was applied to, the promotion that waived
    it, its VAT. Charged with the group's first parcel; refunded by rule
    (``orders.services.delivery.delivery_refund_due``)."""

    class Status(models.TextChoices):
        CHARGED = "charged", _("Charged")
        REFUNDED = "refunded", _("Refunded")

    class Rule(models.TextChoices):
        STANDARD = "standard", _("Standard rate")
        FREE_FROM = "free_from", _("Free from the threshold")
        PROMOTION = "promotion", _("Offered by a promotion")
        NO_FEE = "no_fee", _("No fee")

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="delivery_charges")
    group = models.CharField(_("delivery group"), max_length=120)
    method = models.CharField(_("delivery"), max_length=20, choices=DeliveryMethod.choices)
    zone = models.CharField(_("zone"), max_length=20)
    basket_value = models.DecimalField(_("basket value"), max_digits=12, decimal_places=2)
    list_amount = models.DecimalField(_("list price"), max_digits=8, decimal_places=2)
    amount = models.DecimalField(_("fee"), max_digits=8, decimal_places=2)
    tax_rate = models.DecimalField(_("VAT rate"), max_digits=5, decimal_places=2)
    rule = models.CharField(_("rule"), max_length=20, choices=Rule.choices)
    # {id, name} of the promotion that waived the fee.
    waived_by = models.JSONField(_("waived by"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.CHARGED)
    refund_reason = models.CharField(_("why refunded"), max_length=30, blank=True)
    refunded_at = models.DateTimeField(_("refunded at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("delivery charge")
        verbose_name_plural = _("delivery charges")
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(
                name="delivery_charge_within_list_price",
                condition=Q(amount__gte=0, amount__lte=F("list_amount")),
            ),
            # One live charge per delivery group.
            models.UniqueConstraint(
                fields=["order", "group"], name="delivery_charge_per_group", condition=Q(status="charged")
            ),
        ]

    def __str__(self):
        return f"{self.order_id} {self.group} {self.amount} €"

    @property
    def tax_amount(self) -> Decimal:
        return money(self.amount * self.tax_rate / (100 + self.tax_rate))

    @property
    def is_charged(self) -> bool:
        return self.status == self.Status.CHARGED


class OrderEvent(models.Model):
    """The order's timeline: one row for every change, with who, when, which channel, why."""

    class Kind(models.TextChoices):
        PLACED = "placed", _("Order placed")
        ALLOCATED = "allocated", _("Allocated")
        BACKORDERED = "backordered", _("Backordered")
        CANCELLED = "cancelled", _("Cancelled")
        SHIPPING_ADDRESS_CHANGED = "address_changed", _("Shipping address changed")
        DELIVERY_DATE_CHANGED = "date_changed", _("Requested delivery changed")
        DELIVERY_METHOD_CHANGED = "delivery_changed", _("Delivery changed")
        HELD = "held", _("Put on hold")
        RELEASED = "released", _("Released from hold")
        SHIPPED = "shipped", _("Shipped")
        READY_FOR_PICKUP = "ready_for_pickup", _("Ready for pickup")
        COLLECTED = "collected", _("Collected")
        PICKUP_LOCKED = "pickup_locked", _("Handover locked: wrong pickup codes")
        PAYMENT_CAPTURED = "payment_captured", _("Payment captured")
        PAYMENT_REFUNDED = "payment_refunded", _("Payment refunded")
        NOTE = "note", _("Note")
        DELIVERY_FEE_CHARGED = "fee_charged", _("Delivery fee")
        DELIVERY_FEE_REFUNDED = "fee_refunded", _("Delivery fee refunded")
        FULFILMENT_ACKNOWLEDGED = "fo_acknowledged", _("Fulfilment acknowledged")
        FULFILMENT_PICKED = "fo_picked", _("Picked")
        FULFILMENT_PACKED = "fo_packed", _("Packed")
        FULFILMENT_DECLINED = "fo_declined", _("Declined by the location")
        SHORT_PICKED = "short_picked", _("Short pick")
        SLA_MISSED = "sla_missed", _("SLA missed")
        REROUTED = "rerouted", _("Rerouted")
        NEEDS_ATTENTION = "needs_attention", _("Needs attention")
        PROMISE_AT_RISK = "promise_at_risk", _("Promised date at risk")
        IN_TRANSIT_TO_STORE = "to_store", _("On its way to the pickup store")
        PICKING_STARTED = "picking_started", _("Picking started")
        RECEIVED_IN_STORE = "received_in_store", _("Received at the pickup store")
        CUSTOMER_NOTIFIED = "customer_notified", _("Customer notified")
        CUSTOMER_ARRIVED = "customer_arrived", _("Customer arrived")
        NOTIFICATION_SENT = "notified", _("Customer notified")
        PICKUP_REMINDER = "pickup_reminder", _("Pickup reminder")
        UNCOLLECTED = "uncollected", _("Not collected")
        SENT_BACK = "sent_back", _("Sent back")

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    line = models.ForeignKey(
        OrderLine, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    kind = models.CharField(_("what"), max_length=20, choices=Kind.choices)
    summary = models.CharField(_("details"), max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True)
    reason = models.CharField(_("why"), max_length=300, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    api_client = models.ForeignKey(
        "accounts.ApiClient",
        verbose_name=_("API client"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("order event")
        verbose_name_plural = _("order events")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["order", "created_at"], name="order_event_timeline")]

    def __str__(self):
        return f"{self.order_id} {self.kind}"


class IdempotencyKey(models.Model):
    """An ``Idempotency-Key`` a client sent with an order: the same key and body return the same
    order; the same key with another body is refused."""

    client = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client", "key"], name="idempotency_key_per_client")]

    def __str__(self):
        return self.key


class Notification(models.Model):
    """A customer e-mail, one per timeline event that calls for one, sent at most once.

    The outbox of customer e-mails: the row is written in the same transaction as the event
    that calls for it, so a committed event always has its e-mail waiting; a task nudged after
    commit, and a beat sweep every minute, deliver it (retrying with backoff). An attempt claims
    the row (``claimed_at``, a lease) before sending, and ``sent_at`` records the delivery, so no
    two attempts send it (``orders.services.notifications.notification_send``)."""

    MAX_ATTEMPTS = 8

    class Kind(models.TextChoices):
        CONFIRMATION = "confirmation", _("Order confirmation")
        SHIPMENT = "shipment", _("Shipment")
        READY_FOR_PICKUP = "ready_for_pickup", _("Ready for pickup")
        CANCELLATION = "cancellation", _("Cancellation")
        PICKUP_REMINDER = "pickup_reminder", _("Pickup reminder")

    event = models.OneToOneField(OrderEvent, on_delete=models.CASCADE, related_name="notification")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    recipient = models.EmailField()
    language = models.CharField(max_length=5)
    subject = models.CharField(max_length=200, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    # An attempt in flight since then (claimed, sending, or sent and not yet recorded); nobody
    # else sends the row until it ends or its lease runs out (a killed worker).
    claimed_at = models.DateTimeField(_("attempt in flight since"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("customer e-mail")
        verbose_name_plural = _("customer e-mails (outbox)")
        indexes = [
            # The sweep reads only what waits.
            models.Index(
                fields=["next_attempt_at"], name="notification_pending", condition=Q(sent_at__isnull=True)
            )
        ]

    def __str__(self):
        return f"{self.kind} → {self.recipient}"

    @property
    def state(self) -> str:
        """delivered; failed (given up after MAX_ATTEMPTS); retrying (tried, failed, tried again
        at ``next_attempt_at``); pending (not tried yet)."""
        if self.sent_at:
            return "delivered"
        if self.attempts >= self.MAX_ATTEMPTS:
            return "failed"
        return "retrying" if self.attempts else "pending"
