"""Sourcing: versioned profiles of strategies, the fulfilment orders they decide, and a
record of every decision with the candidates it weighed.

A profile is edited as a draft and published explicitly; the order records the version that
decided it. A fulfilment order is the work one location does for one order: its own state
machine, its SLA deadline (counted in the location's opening hours) and its lines, each held
by an allocation (an inventory reservation) on the order line.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, FSMField, transition

from inventory.models import Channel, Location
from orders.models import Allocation, DeliveryMethod, Order, OrderLine, SalesChannel

from .criteria import CRITERIA


class SourcingProfile(models.Model):
    """A numbered version of the sourcing rules. Only published versions decide orders; the
    newest published one is current."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        RETIRED = "retired", _("Retired")

    version = models.PositiveIntegerField(_("version"), unique=True)
    name = models.CharField(_("name"), max_length=120)
    status = FSMField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    note = models.TextField(_("what changed"), blank=True)
    # SLAs, counted in the location's opening hours (round the clock where it has none).
    store_acknowledge_minutes = models.PositiveIntegerField(_("store: minutes to acknowledge"), default=60)
    store_ready_minutes = models.PositiveIntegerField(_("store: minutes to be ready or shipped"), default=240)
    warehouse_acknowledge_minutes = models.PositiveIntegerField(
        _("warehouse: minutes to acknowledge"), default=120
    )
    warehouse_ready_minutes = models.PositiveIntegerField(
        _("warehouse: minutes to be ready or shipped"), default=1440
    )
    vendor_acknowledge_minutes = models.PositiveIntegerField(
        _("drop-ship vendor: minutes to acknowledge"), default=1440
    )
    vendor_ready_minutes = models.PositiveIntegerField(_("drop-ship vendor: minutes to ship"), default=2880)
    max_failures_per_line = models.PositiveSmallIntegerField(
        _("failures before a line goes to the call centre"), default=3
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("sourcing profile")
        verbose_name_plural = _("sourcing profiles")
        ordering = ["-version"]

    def __str__(self):
        return f"v{self.version} {self.name} ({self.get_status_display()})"

    @transition(field=status, source=Status.DRAFT, target=Status.PUBLISHED)
    def publish(self):
        pass

    @transition(field=status, source=Status.PUBLISHED, target=Status.RETIRED)
    def retire(self):
        pass

    def sla_minutes(self, location_kind: str) -> tuple[int, int]:
        """(minutes to acknowledge, minutes to be ready) for a kind of location."""
        if location_kind == Location.Kind.WAREHOUSE:
            return self.warehouse_acknowledge_minutes, self.warehouse_ready_minutes
        if location_kind == Location.Kind.DROP_SHIP_VENDOR:
            return self.vendor_acknowledge_minutes, self.vendor_ready_minutes
        return self.store_acknowledge_minutes, self.store_ready_minutes


def validate_criteria(value) -> None:
    if not isinstance(value, list) or not value:
        raise ValidationError(_("List at least one criterion."))
    for item in value:
        if not isinstance(item, dict) or item.get("criterion") not in CRITERIA:
            raise ValidationError(
                _("Unknown criterion %(item)s; choose among %(known)s."),
                params={"item": item, "known": ", ".join(CRITERIA)},
            )
        weight = item.get("weight", 1)
        if not isinstance(weight, int | float) or weight < 0:
            raise ValidationError(_("A criterion's weight is a number of zero or more."))


class SourcingStrategy(models.Model):
    """One way of sourcing: when it applies (conditions), how it ranks locations (criteria, in
    order of importance, each with a weight) and what it may never do (constraints)."""

    profile = models.ForeignKey(SourcingProfile, on_delete=models.CASCADE, related_name="strategies")
    priority = models.PositiveSmallIntegerField(_("priority"), help_text=_("Lower runs first."))
    name = models.CharField(_("name"), max_length=120)
    is_fallback = models.BooleanField(
        _("fallback"),
        default=False,
        help_text=_("Tried only when no strategy serves the whole request; may source part of it."),
    )
    # Conditions: empty means any.
    channels = ArrayField(
        models.CharField(max_length=20, choices=SalesChannel.choices), default=list, blank=True,
        verbose_name=_("channels"),
    )  # fmt: skip
    delivery_methods = ArrayField(
        models.CharField(max_length=20, choices=DeliveryMethod.choices), default=list, blank=True,
        verbose_name=_("delivery methods"),
    )  # fmt: skip
    postcode_prefixes = ArrayField(
        models.CharField(max_length=10), default=list, blank=True, verbose_name=_("destination postcodes"),
        help_text=_("Prefixes such as 75, 69 or 13001; empty for everywhere."),
    )  # fmt: skip
    min_order_value = models.DecimalField(
        _("order value from"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    max_order_value = models.DecimalField(
        _("order value up to"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    weekdays = ArrayField(
        models.PositiveSmallIntegerField(), default=list, blank=True, verbose_name=_("days"),
        help_text=_("0 = Monday … 6 = Sunday; empty for every day."),
    )  # fmt: skip
    time_from = models.TimeField(_("from"), null=True, blank=True)
    time_to = models.TimeField(_("until"), null=True, blank=True)
    # Ranking.
    criteria = models.JSONField(
        _("criteria"),
        validators=[validate_criteria],
        help_text=_('In order of importance, e.g. [{"criterion": "distance", "weight": 3}].'),
    )
    # Constraints.
    allow_split = models.BooleanField(_("allow split shipments"), default=True)
    max_locations = models.PositiveSmallIntegerField(
        _("most locations per delivery"), default=3, help_text=_("1 means ship complete from one location.")
    )
    location_kinds = ArrayField(
        models.CharField(max_length=20, choices=Location.Kind.choices), default=list, blank=True,
        verbose_name=_("location kinds"), help_text=_("Empty for every kind."),
    )  # fmt: skip
    excluded_locations = models.ManyToManyField(
        Location, blank=True, related_name="+", verbose_name=_("excluded locations")
    )
    respect_capacity = models.BooleanField(_("respect daily capacity"), default=True)
    respect_promised_date = models.BooleanField(
        _("keep the promised date"),
        default=True,
        help_text=_("Exclude locations that cannot meet the date promised to the customer."),
    )

    class Meta:
        verbose_name = _("sourcing strategy")
        verbose_name_plural = _("sourcing strategies")
        ordering = ["profile", "priority", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "priority"], name="strategy_priority_unique"),
            models.CheckConstraint(name="strategy_max_locations_positive", condition=Q(max_locations__gte=1)),
        ]

    def __str__(self):
        return f"{self.priority}. {self.name}"


class ShippingRate(models.Model):
    """What a parcel costs and how long it travels, from a kind of location, by distance band
    (the carrier's zones for a one-country network)."""

    origin_kind = models.CharField(_("from"), max_length=20, choices=Location.Kind.choices)
    up_to_km = models.PositiveIntegerField(_("up to (km)"))
    cost = models.DecimalField(_("cost per parcel (€)"), max_digits=8, decimal_places=2)
    transit_days = models.PositiveSmallIntegerField(_("transit (working days)"))

    class Meta:
        verbose_name = _("shipping rate")
        verbose_name_plural = _("shipping rates")
        ordering = ["origin_kind", "up_to_km"]
        constraints = [
            models.UniqueConstraint(fields=["origin_kind", "up_to_km"], name="shipping_rate_band_unique"),
        ]

    def __str__(self):
        return f"{self.get_origin_kind_display()} ≤ {self.up_to_km} km: {self.cost} €"


class SourcingRun(models.Model):
    """One decision, kept with everything it weighed, so anyone can see why."""

    class Trigger(models.TextChoices):
        CAPTURE = "capture", _("Order placed")
        CHANGE = "change", _("Delivery changed")
        REROUTE = "reroute", _("Rerouted")
        BACKORDER = "backorder", _("Stock arrived for a backorder")
        MANUAL = "manual", _("Sourced again by hand")

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="sourcing_runs")
    profile = models.ForeignKey(SourcingProfile, on_delete=models.PROTECT, related_name="+")
    trigger = models.CharField(_("trigger"), max_length=20, choices=Trigger.choices)
    reason = models.CharField(_("why"), max_length=300, blank=True)
    explanation = models.JSONField(_("explanation"), default=dict)
    units_requested = models.PositiveIntegerField(default=0)
    units_sourced = models.PositiveIntegerField(default=0)
    duration_ms = models.FloatField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("sourcing decision")
        verbose_name_plural = _("sourcing decisions")
        ordering = ["order", "created_at", "pk"]

    def __str__(self):
        return f"{self.order_id} {self.trigger} {self.created_at:%Y-%m-%d %H:%M}"


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

    number = models.CharField(_("number"), max_length=30, unique=True)
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="fulfilment_orders")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="fulfilment_orders")
    mode = models.CharField(_("mode"), max_length=20, choices=Allocation.Kind.choices)
    destination = models.ForeignKey(
        Location,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incoming_fulfilment_orders",
        verbose_name=_("pickup store"),
    )
    status = FSMField(_("status"), max_length=20, choices=Status.choices, default=Status.CREATED)
    sourcing_run = models.ForeignKey(SourcingRun, on_delete=models.PROTECT, related_name="fulfilment_orders")
    acknowledge_by = models.DateTimeField(_("acknowledge by"))
    ready_by = models.DateTimeField(_("ready or shipped by"))
    # The SLA deadline that applies in the current status (null once none applies).
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    promised_date = models.DateField(_("promised date"), null=True, blank=True)
    carrier = models.CharField(_("carrier"), max_length=60, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=100, blank=True)
    failure_reason = models.CharField(_("why it failed"), max_length=300, blank=True)
    # Click & collect: the code the customer shows, when the goods were ready, and the
    # customer's "I'm here" (with where they parked, for kerbside handover).
    # When the location took the work and when its part was done (shipped or on the shelf).
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    pickup_code = models.CharField(_("pickup code"), max_length=6, blank=True)
    ready_at = models.DateTimeField(_("ready at"), null=True, blank=True)
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
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("fulfilment order")
        verbose_name_plural = _("fulfilment orders")
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["location", "status"], name="fulfilment_location_status"),
            models.Index(fields=["destination", "status"], name="fulfilment_destination_status"),
            models.Index(
                fields=["pickup_code"], name="fulfilment_pickup_code", condition=Q(status="ready_for_pickup")
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

    @property
    def is_pickup(self) -> bool:
        return self.mode != Allocation.Kind.SHIP_FROM_LOCATION and self.mode != Allocation.Kind.DROP_SHIP

    @property
    def goes_to_store(self) -> bool:
        return self.mode in (Allocation.Kind.SHIP_TO_STORE, Allocation.Kind.TRANSFER)

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
        conditions=[lambda fo: fo.mode != Allocation.Kind.PICKUP_AT_LOCATION],
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
                fo.mode == Allocation.Kind.PICKUP_AT_LOCATION
                or (fo.goes_to_store and fo.status == fo.Status.SHIPPED)
            )
        ],
    )
    def make_ready_for_pickup(self):
        self.due_at = None
        self.completed_at = self.completed_at or timezone.now()

    @transition(field=status, source=Status.READY_FOR_PICKUP, target=Status.COLLECTED)
    def collect(self):
        pass

    @transition(field=status, source=list(REROUTABLE), target=Status.DECLINED)
    def decline(self, reason: str):
        self.failure_reason = reason
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

    @transition(
        field=status,
        source=[*OPEN, Status.SHIPPED, Status.READY_FOR_PICKUP],
        target=RETURN_VALUE(Status.SHIPPED, Status.COLLECTED),
    )
    def force_done(self, status: str):
        """The goods left or were handed over through a line-level change, not this work."""
        self.due_at = None
        return status


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
    reason = models.CharField(_("why"), max_length=300, blank=True)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, default=Channel.SYSTEM)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("sourcing failure")
        verbose_name_plural = _("sourcing failures")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["location", "created_at"], name="line_failure_location")]

    def __str__(self):
        return f"{self.location_id} failed {self.order_line_id}: {self.kind}"


class LocationDayLoad(models.Model):
    """Fulfilment orders given to a location on a local day: checked against its capacity
    with a conditional update, so two sourcing runs cannot overfill it."""

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    fulfilment_orders = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["location", "day"], name="location_day_load_unique")]

    def __str__(self):
        return f"{self.location_id} {self.day}: {self.fulfilment_orders}"
