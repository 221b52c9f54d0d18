"""Sourcing: versioned profiles of strategies, a record of every decision with the
candidates it weighed, and each location's load per day.

A profile is edited as a draft and published explicitly; each decision records the version
that made it. What a decision becomes (fulfilment orders, allocations) belongs to orders.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from inventory.models import Location
from omni.vocabulary import DeliveryMethod, SalesChannel

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

    # What was sourced: the order's number (sourcing knows orders only by their reference).
    reference = models.CharField(_("reference"), max_length=30, db_index=True)
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
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.reference} {self.trigger} {self.created_at:%Y-%m-%d %H:%M}"


class LocationDayLoad(models.Model):
    """Fulfilment orders given to a location on a local day, checked against its capacity
    with a conditional update (two sourcing runs cannot overfill it), and how many it failed:
    the location's recent reliability, which the engine weighs."""

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    fulfilment_orders = models.PositiveIntegerField(default=0)
    # Work given that day the location then failed (declined, short-picked, SLA missed).
    failures = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["location", "day"], name="location_day_load_unique")]

    def __str__(self):
        return f"{self.location_id} {self.day}: {self.fulfilment_orders}"
