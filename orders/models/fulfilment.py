"""Fulfilment orders: the work one location does for one order — pick, pack and ship, or
prepare for pickup — with its own state machine, its SLA deadline (counted in the location's
opening hours), its lines (each held by an allocation on the order line), its parcels, and
the failures that keep a line away from a location.

The tables keep the names they had when sourcing owned them (``sourcing_*``).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from inventory.models import Location
from omni.trace import Channel
from omni.vocabulary import DeliveryMethod, FulfilmentMode

from .orders import Allocation, Order, OrderLine


class RejectionReason(models.TextChoices):
    """Why a location declines its work or picks less than it held: a code, rendered in the
    reader's language. ``not_found`` and ``damaged`` say the location's stock is wrong: the
    units are written off there and a count is asked for (``WRITES_OFF``)."""

    NOT_FOUND = "not_found", _("Not found on the shelf")
    DAMAGED = "damaged", _("Item damaged")
    WRONG_ITEM = "wrong_item", _("Wrong item on the shelf")
    NO_CAPACITY = "no_capacity", _("Not enough staff now")
    STORE_CLOSING = "store_closing", _("Store closing")
    CUSTOMER_LEFT = "customer_left", _("Customer left without the goods")
    OTHER = "other", _("Other reason")

    @classmethod
    def writes_off(cls, code: str) -> bool:
        return code in (cls.NOT_FOUND, cls.DAMAGED)

    @classmethod
    def text(cls, code: str, note: str = "") -> str:
        """The reason in the active language, with the associate's note."""
        label = str(cls(code).label) if code in cls.values else ""
        return " — ".join(part for part in (label, note) if part)


class IdentityDocument(models.TextChoices):
    """The document an associate checks when a customer collects without their pickup code."""

    ID_CARD = "id_card", _("Identity card")
    PASSPORT = "passport", _("Passport")
    DRIVING_LICENCE = "driving_licence", _("Driving licence")


class NoCodeReason(models.TextChoices):
    """Why a customer collects without the pickup code they were sent (a code on the timeline,
    rendered in the reader's language)."""

    MESSAGE_LOST = "message_lost", _("The customer cannot find the e-mail")
    PHONE_UNAVAILABLE = "phone_unavailable", _("The customer's phone is unavailable")
    SOMEONE_ELSE = "someone_else", _("Someone else collects for the customer")
    OTHER = "other", _("Other reason")


class FulfilmentOrder(models.Model):
    """The work one location does for one order: pick, pack and ship, or prepare for pickup."""

    class Status(models.TextChoices):
        CREATED = "created", _("Created")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        PICKING = "picking", _("Picking")
        PICKED = "picked", _("Picked")
        PACKED = "packed", _("Packed")
        SHIPPED = "shipped", _("Shipped")
        READY_FOR_PICKUP = "ready_for_pickup", _("Ready for pickup")
        COLLECTED = "collected", _("Collected")
        DECLINED = "declined", _("Declined")
        EXPIRED = "expired", _("Expired")
        CANCELLED = "cancelled", _("Cancelled")

    # Work a location may still lose to another one when it fails.
    REROUTABLE = (Status.CREATED, Status.ACKNOWLEDGED, Status.PICKING)
    OPEN = (*REROUTABLE, Status.PICKED, Status.PACKED)
    CLOSED = (Status.COLLECTED, Status.DECLINED, Status.EXPIRED, Status.CANCELLED)
    # Open work whose deadline falls within this window is at risk of missing it.
    AT_RISK = datetime.timedelta(minutes=30)

    number = models.CharField(_("number"), max_length=30, unique=True)
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="fulfilment_orders")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="fulfilment_orders")
    mode = models.CharField(_("mode"), max_length=20, choices=FulfilmentMode.choices)
    destination = models.ForeignKey(
        Location,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incoming_fulfilment_orders",
        verbose_name=_("pickup store"),
    )
    status = FSMField(_("status"), max_length=20, choices=Status.choices, default=Status.CREATED)
    sourcing_run = models.ForeignKey(
        "sourcing.SourcingRun", on_delete=models.PROTECT, related_name="fulfilment_orders"
    )
    acknowledge_by = models.DateTimeField(_("acknowledge by"))
    ready_by = models.DateTimeField(_("ready or shipped by"))
    # The SLA deadline that applies in the current status (null once none applies).
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    promised_date = models.DateField(_("promised date"), null=True, blank=True)
    # Where and when the customer wants the parcel, copied from the order's lines when the
    # work is created and kept in step with them until it is packed (``orders.services.changes``).
    delivery_method = models.CharField(
        _("delivery"), max_length=20, choices=DeliveryMethod.choices, blank=True
    )
    relay_point = models.JSONField(_("relay point"), null=True, blank=True)
    requested_date = models.DateField(_("requested date"), null=True, blank=True)
    requested_slot_start = models.TimeField(_("slot from"), null=True, blank=True)
    requested_slot_end = models.TimeField(_("slot to"), null=True, blank=True)
    delivery_instructions = models.CharField(_("delivery instructions"), max_length=300, blank=True)
    carrier = models.CharField(_("carrier"), max_length=60, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=100, blank=True)
    # Why the location failed: a coded reason (declines, short picks) and a free note (the
    # associate's words, or the SLA sweep's account of the missed deadline).
    failure_code = models.CharField(_("reason"), max_length=20, choices=RejectionReason.choices, blank=True)
    failure_reason = models.CharField(_("why it failed"), max_length=300, blank=True)
    # Click & collect: the code the customer shows, when the goods were ready, and the
    # customer's "I'm here" (with where they parked, for kerbside handover).
    # When the location took the work and when its part was done (shipped or on the shelf).
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    pickup_code = models.CharField(_("pickup code"), max_length=6, blank=True)
    ready_at = models.DateTimeField(_("ready at"), null=True, blank=True)
    collected_at = models.DateTimeField(_("collected at"), null=True, blank=True)
    # Wrong pickup codes typed since the goods were made ready; too many lock the handover
    # until ``pickup_locked_until`` (orders.services.fulfilment_order_collect).
    pickup_code_failures = models.PositiveSmallIntegerField(_("wrong pickup codes"), default=0)
    pickup_locked_until = models.DateTimeField(_("handover locked until"), null=True, blank=True)
    customer_arrived_at = models.DateTimeField(_("customer arrived at"), null=True, blank=True)
    parking_spot = models.CharField(_("parking spot"), max_length=40, blank=True)
    # Ship to store and transfers: the stock movement carrying the goods to the pickup store.
    transfer = models.ForeignKey(
        "inventory.Transfer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="fulfilment_orders",
    )
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    # Pickups nobody collects (the pickup store's policy): when the customer was reminded, when
    # the work was cancelled for it, and, for goods the store sends back, the transfer taking them.
    pickup_reminded_at = models.DateTimeField(_("pickup reminder sent at"), null=True, blank=True)
    uncollected_at = models.DateTimeField(_("cancelled uncollected at"), null=True, blank=True)
    send_back = models.BooleanField(_("to be sent back"), default=False)
    return_transfer = models.ForeignKey(
        "inventory.Transfer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent back with"),
    )
    # While the order is on hold, its work is off the store's queue and the SLA clock.
    held_since = models.DateTimeField(_("held since"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "sourcing_fulfilmentorder"
        verbose_name = _("fulfilment order")
        verbose_name_plural = _("fulfilment orders")
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["location", "status"], name="fulfilment_location_status"),
            models.Index(fields=["destination", "status"], name="fulfilment_destination_status"),
            models.Index(
                fields=["pickup_code"], name="fulfilment_pickup_code", condition=Q(status="ready_for_pickup")
            ),
            # The uncollected-pickup sweep reads only what waits on a pickup shelf.
            models.Index(
                fields=["ready_at"], name="fulfilment_waiting_pickup", condition=Q(status="ready_for_pickup")
            ),
            # The SLA sweep reads only open work that has a deadline.
            models.Index(
                fields=["due_at"],
                name="fulfilment_due",
                condition=Q(status__in=["created", "acknowledged", "picking"]),
            ),
        ]

    def __str__(self):
        return self.number

    @staticmethod
    def handed_over_at(store_id: int) -> Q:
        """Work whose customer collects at this store: sent to it, or prepared on its shelf."""
        return Q(destination_id=store_id) | Q(destination__isnull=True, location_id=store_id)

    def resume(self, now) -> None:
        """The order is released from hold: every deadline moves by the time it was held."""
        if self.held_since is None:
            return
        held = now - self.held_since
        self.acknowledge_by += held
        self.ready_by += held
        if self.due_at is not None:
            self.due_at += held
        self.held_since = None

    # The delivery details that follow the order's lines while the work is open.
    DELIVERY_FIELDS = (
        "delivery_method", "relay_point", "requested_date", "requested_slot_start", "requested_slot_end",
        "delivery_instructions",
    )  # fmt: skip
    # Once packed, the label is printed: the delivery can no longer change.
    DELIVERY_FROZEN = (Status.PACKED,)

    def delivery_from(self, line) -> None:
        """Copy where and when the customer wants the line delivered."""
        for name in self.DELIVERY_FIELDS:
            setattr(self, name, getattr(line, name))

    @property
    def ships_to_relay(self) -> bool:
        return self.delivery_method == DeliveryMethod.SHIP_TO_RELAY

    @property
    def ships_home(self) -> bool:
        return self.delivery_method == DeliveryMethod.SHIP_TO_ADDRESS

    @property
    def failure_text(self) -> str:
        """Why it failed, in the reader's language."""
        return RejectionReason.text(self.failure_code, self.failure_reason)

    @property
    def pickup_store(self) -> Location:
        return self.destination or self.location

    @property
    def is_pickup(self) -> bool:
        return self.mode != FulfilmentMode.SHIP_FROM_LOCATION and self.mode != FulfilmentMode.DROP_SHIP

    @property
    def goes_to_store(self) -> bool:
        return self.mode in (FulfilmentMode.SHIP_TO_STORE, FulfilmentMode.TRANSFER)

    @transition(field=status, source=Status.CREATED, target=Status.ACKNOWLEDGED)
    def acknowledge(self):
        self.due_at = self.ready_by
        self.acknowledged_at = timezone.now()

    @transition(field=status, source=[Status.CREATED, Status.ACKNOWLEDGED], target=Status.PICKING)
    def start_picking(self):
        self.due_at = self.ready_by
        self.acknowledged_at = self.acknowledged_at or timezone.now()

    @transition(
        field=status, source=[Status.CREATED, Status.ACKNOWLEDGED, Status.PICKING], target=Status.PICKED
    )
    def finish_picking(self):
        self.due_at = None

    @transition(field=status, source=Status.PICKED, target=Status.PACKED)
    def pack(self):
        pass

    @transition(
        field=status,
        source=[Status.PICKED, Status.PACKED],
        target=Status.SHIPPED,
        conditions=[lambda fo: fo.mode != FulfilmentMode.PICKUP_AT_LOCATION],
    )
    def ship(self, carrier: str, tracking_number: str):
        self.carrier = carrier
        self.tracking_number = tracking_number
        self.due_at = None
        self.completed_at = timezone.now()

    @transition(
        field=status,
        source=[Status.PICKED, Status.PACKED, Status.SHIPPED],
        target=Status.READY_FOR_PICKUP,
        conditions=[
            lambda fo: (
                fo.mode == FulfilmentMode.PICKUP_AT_LOCATION
                or (fo.goes_to_store and fo.status == fo.Status.SHIPPED)
            )
        ],
    )
    def make_ready_for_pickup(self):
        self.due_at = None
        self.completed_at = self.completed_at or timezone.now()

    @transition(field=status, source=Status.READY_FOR_PICKUP, target=Status.COLLECTED)
    def collect(self):
        self.collected_at = timezone.now()

    @transition(field=status, source=list(REROUTABLE), target=Status.DECLINED)
    def decline(self, code: str, note: str = ""):
        self.failure_code = code
        self.failure_reason = note
        self.due_at = None

    @transition(field=status, source=list(REROUTABLE), target=Status.EXPIRED)
    def expire(self, reason: str):
        self.failure_reason = reason
        self.due_at = None

    @transition(
        field=status,
        source=[*OPEN, Status.READY_FOR_PICKUP, Status.SHIPPED],
        target=Status.CANCELLED,
        # Shipped work is cancelled only when it was going to a store and arrives unwanted.
        conditions=[lambda fo: fo.status != fo.Status.SHIPPED or fo.goes_to_store],
    )
    def cancel(self):
        self.due_at = None


class Parcel(models.Model):
    """A box packed for a fulfilment order: its weight, and its own tracking number if the
    carrier gives one per parcel."""

    fulfilment_order = models.ForeignKey(FulfilmentOrder, on_delete=models.CASCADE, related_name="parcels")
    number = models.PositiveSmallIntegerField(_("parcel"))
    weight_kg = models.DecimalField(
        _("weight (kg)"), max_digits=6, decimal_places=3, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0.001"))],
    )  # fmt: skip
    tracking_number = models.CharField(_("tracking number"), max_length=100, blank=True)

    class Meta:
        db_table = "sourcing_parcel"
        verbose_name = _("parcel")
        verbose_name_plural = _("parcels")
        ordering = ["fulfilment_order", "number"]
        constraints = [
            models.UniqueConstraint(fields=["fulfilment_order", "number"], name="parcel_number_unique"),
            models.CheckConstraint(name="parcel_weight_positive", condition=Q(weight_kg__gt=0)),
        ]

    def __str__(self):
        return f"{self.fulfilment_order_id}/{self.number}"


class FulfilmentOrderLine(models.Model):
    fulfilment_order = models.ForeignKey(FulfilmentOrder, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(OrderLine, on_delete=models.CASCADE, related_name="fulfilment_lines")
    allocation = models.OneToOneField(Allocation, on_delete=models.PROTECT, related_name="fulfilment_line")
    quantity = models.PositiveIntegerField(_("quantity"))
    qty_picked = models.PositiveIntegerField(_("picked"), default=0)
    qty_short = models.PositiveIntegerField(_("short"), default=0)

    class Meta:
        db_table = "sourcing_fulfilmentorderline"
        verbose_name = _("fulfilment order line")
        verbose_name_plural = _("fulfilment order lines")
        ordering = ["fulfilment_order", "order_line__line_number"]
        constraints = [
            models.CheckConstraint(
                name="fulfilment_line_picks_within_quantity",
                condition=Q(qty_picked__lte=models.F("quantity")),
            ),
        ]

    def __str__(self):
        return f"{self.fulfilment_order_id} {self.order_line_id} × {self.quantity}"


class LineFailure(models.Model):
    """A location failed a line (declined, short-picked, missed its SLA): it is never asked
    to serve that line again."""

    class Kind(models.TextChoices):
        DECLINED = "declined", _("Declined")
        SHORT_PICK = "short_pick", _("Short pick")
        EXPIRED = "expired", _("SLA missed")

    order_line = models.ForeignKey(OrderLine, on_delete=models.CASCADE, related_name="sourcing_failures")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    fulfilment_order = models.ForeignKey(FulfilmentOrder, on_delete=models.CASCADE, related_name="failures")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    quantity = models.PositiveIntegerField(_("quantity"))
    reason_code = models.CharField(_("reason"), max_length=20, choices=RejectionReason.choices, blank=True)
    reason = models.CharField(_("why"), max_length=300, blank=True)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, default=Channel.SYSTEM)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "sourcing_linefailure"
        verbose_name = _("sourcing failure")
        verbose_name_plural = _("sourcing failures")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["location", "created_at"], name="line_failure_location")]

    def __str__(self):
        return f"{self.location_id} failed {self.order_line_id}: {self.kind}"
