"""Promotions as head office writes them, the coupon codes that unlock them, and each use
(redemption) by an order. ``selectors.rules_snapshot`` turns the active ones into the JSON the
pure engine (``promotions.engine``) evaluates, online and in the offline POS alike."""

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
from django.utils.translation import pgettext_lazy
from django_fsm import FSMField, transition
from simple_history.models import HistoricalRecords

from omni.vocabulary import SalesChannel

from . import engine


def _codes():
    return ArrayField(models.CharField(max_length=60), blank=True, default=list)


class Promotion(models.Model):
    class Kind(models.TextChoices):
        LINE_PERCENT = engine.LINE_PERCENT, _("% off matching items")
        LINE_AMOUNT = engine.LINE_AMOUNT, _("Amount off each matching item")
        BASKET_AMOUNT = engine.BASKET_AMOUNT, _("Spend X, save Y")
        BASKET_PERCENT = engine.BASKET_PERCENT, _("Spend X, save Y %")
        BUY_X_GET_Y = engine.BUY_X_GET_Y, _("Buy X, get Y")
        BUNDLE = engine.BUNDLE, _("Bundle at a fixed price")
        FREE_DELIVERY = engine.FREE_DELIVERY, _("Free delivery")

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("promotion", "Draft")
        ACTIVE = "active", pgettext_lazy("promotion", "Active")
        STOPPED = "stopped", pgettext_lazy("promotion", "Stopped")

    name = models.CharField(_("name"), max_length=120)
    description = models.CharField(_("description for customers"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # Kind-specific figures: percent, amount, threshold, buy, get, price, items, methods.
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    target_skus = _codes()
    target_products = _codes()
    target_categories = _codes()
    target_collections = _codes()
    channels = ArrayField(
        models.CharField(max_length=20, choices=SalesChannel.choices), blank=True, default=list,
        verbose_name=_("channels"), help_text=_("Empty: every channel."),
    )  # fmt: skip
    stores = _codes()
    segments = _codes()
    tiers = _codes()
    starts_at = models.DateTimeField(_("starts"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    weekdays = ArrayField(
        models.PositiveSmallIntegerField(), blank=True, default=list, verbose_name=_("weekdays")
    )
    time_from = models.TimeField(_("from (time of day)"), null=True, blank=True)
    time_to = models.TimeField(_("until (time of day)"), null=True, blank=True)
    min_quantity = models.PositiveIntegerField(_("minimum quantity"), null=True, blank=True)
    min_amount = models.DecimalField(
        _("minimum amount"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    priority = models.PositiveIntegerField(_("priority"), default=100, help_text=_("Lower applies first."))
    stackable = models.BooleanField(_("stacks with earlier promotions"), default=True)
    exclusive = models.BooleanField(_("exclusive (applies alone)"), default=False)
    requires_code = models.BooleanField(_("needs a coupon code"), default=False)
    code = models.CharField(
        _("single code"),
        max_length=40,
        blank=True,
        help_text=_("One code for everyone; or generate a batch."),
    )
    max_uses = models.PositiveIntegerField(_("uses in total"), null=True, blank=True)
    max_uses_per_customer = models.PositiveIntegerField(_("uses per customer"), null=True, blank=True)
    uses = models.PositiveIntegerField(_("uses"), default=0)
    status = FSMField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("promotion")
        verbose_name_plural = _("promotions")
        ordering = ["priority", "pk"]
        constraints = [
            models.CheckConstraint(
                name="promotion_uses_within_limit",
                condition=Q(max_uses__isnull=True) | Q(uses__lte=models.F("max_uses")),
            ),
            models.CheckConstraint(
                name="promotion_window_in_order",
                condition=Q(starts_at__isnull=True)
                | Q(ends_at__isnull=True)
                | Q(ends_at__gt=models.F("starts_at")),
            ),
            models.UniqueConstraint(
                fields=["code"], condition=~Q(code=""), name="promotion_single_code_unique"
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        required = {
            engine.LINE_PERCENT: ["percent"], engine.LINE_AMOUNT: ["amount"],
            engine.BASKET_AMOUNT: ["threshold", "amount"], engine.BASKET_PERCENT: ["threshold", "percent"],
            engine.BUY_X_GET_Y: ["buy", "get"], engine.BUNDLE: ["price", "items"], engine.FREE_DELIVERY: ["methods"],
        }.get(self.kind, [])  # fmt: skip
        missing = [name for name in required if self.params.get(name) in (None, "", [])]
        if missing:
            raise ValidationError(_("Missing: %(names)s.") % {"names": ", ".join(missing)}, code="params")
        percent = self.params.get("percent")
        if percent is not None and not (Decimal("0") < Decimal(str(percent)) <= Decimal("100")):
            raise ValidationError(_("A percentage is between 0 and 100."), code="params")
        if self.code:
            self.code = self.code.strip().upper()
            self.requires_code = True

    @property
    def figures(self) -> str:
        """What it gives, in words: "20 %", "10 € from 100 €", "buy 2, get 1"…"""
        p = self.params or {}
        if self.kind == engine.LINE_PERCENT:
            return f"−{p.get('percent')} %"
        if self.kind == engine.LINE_AMOUNT:
            return _("−%(amount)s € each") % {"amount": p.get("amount")}
        if self.kind == engine.BASKET_AMOUNT:
            return _("−%(amount)s € from %(threshold)s €") % p
        if self.kind == engine.BASKET_PERCENT:
            return _("−%(percent)s %% from %(threshold)s €") % p
        if self.kind == engine.BUY_X_GET_Y:
            return _("buy %(buy)s, get %(get)s") % p
        if self.kind == engine.BUNDLE:
            return _("%(skus)s for %(price)s €") % {
                "skus": " + ".join(self.target_skus),
                "price": p.get("price"),
            }
        return ", ".join(p.get("methods", []))

    class Phase(models.TextChoices):
        """Where a promotion stands today, from its status and its dates."""

        DRAFT = "draft", pgettext_lazy("promotion", "Draft")
        SCHEDULED = "scheduled", pgettext_lazy("promotion", "Scheduled")
        LIVE = "live", pgettext_lazy("promotion", "Live")
        ENDED = "ended", pgettext_lazy("promotion", "Ended")
        STOPPED = "stopped", pgettext_lazy("promotion", "Stopped")

    @property
    def phase(self) -> str:
        now = timezone.now()
        if self.status == self.Status.DRAFT:
            return self.Phase.DRAFT
        if self.status == self.Status.STOPPED:
            return self.Phase.STOPPED
        if self.ends_at is not None and self.ends_at <= now:
            return self.Phase.ENDED
        if self.starts_at is not None and self.starts_at > now:
            return self.Phase.SCHEDULED
        return self.Phase.LIVE

    @property
    def starts_later(self) -> bool:
        """Its start is still to come: scheduling it does not make it live now."""
        return self.starts_at is not None and self.starts_at > timezone.now()

    def get_phase_display(self) -> str:
        return self.Phase(self.phase).label

    @property
    def is_live(self) -> bool:
        now = timezone.now()
        return (
            self.status == self.Status.ACTIVE
            and (self.starts_at is None or self.starts_at <= now)
            and (self.ends_at is None or now < self.ends_at)
        )

    @transition(field=status, source=Status.DRAFT, target=Status.ACTIVE)
    def activate(self):
        """Live from ``starts_at`` (or now) until ``ends_at`` or until stopped."""

    @transition(field=status, source=[Status.DRAFT, Status.ACTIVE], target=Status.STOPPED)
    def stop(self):
        if self.ends_at is None or self.ends_at > timezone.now():
            self.ends_at = timezone.now()


class CouponCode(models.Model):
    """A code from a generated batch (one per customer, say); single codes live on the promotion."""

    promotion = models.ForeignKey(Promotion, on_delete=models.CASCADE, related_name="coupon_codes")
    code = models.CharField(_("code"), max_length=40, unique=True)
    batch = models.CharField(_("batch"), max_length=60, blank=True, db_index=True)
    max_uses = models.PositiveIntegerField(_("uses allowed"), default=1, validators=[MinValueValidator(1)])
    uses = models.PositiveIntegerField(_("uses"), default=0)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("coupon code")
        verbose_name_plural = _("coupon codes")
        constraints = [
            models.CheckConstraint(
                name="coupon_uses_within_limit", condition=Q(uses__lte=models.F("max_uses"))
            ),
        ]

    def __str__(self):
        return self.code


class Redemption(models.Model):
    """One order's use of a promotion: counted when the order is placed, released when it is
    cancelled. ``amount`` is the discount the order received (for the revenue reports)."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        RELEASED = "released", _("Released")

    promotion = models.ForeignKey(Promotion, on_delete=models.PROTECT, related_name="redemptions")
    coupon = models.ForeignKey(
        CouponCode, on_delete=models.PROTECT, null=True, blank=True, related_name="redemptions"
    )
    code = models.CharField(_("code"), max_length=40, blank=True)
    # The order's number: promotions know orders only by their reference (orders own them).
    order_reference = models.CharField(_("order"), max_length=30, db_index=True)
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, null=True, blank=True, related_name="redemptions"
    )
    amount = models.DecimalField(_("discount"), max_digits=10, decimal_places=2)
    revenue = models.DecimalField(
        _("revenue of the discounted lines"), max_digits=12, decimal_places=2, default=0
    )
    channel = models.CharField(_("channel"), max_length=20, choices=SalesChannel.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("redemption")
        verbose_name_plural = _("redemptions")
        constraints = [
            models.UniqueConstraint(fields=["promotion", "order_reference"], name="redemption_once_per_order")
        ]
        indexes = [
            models.Index(fields=["promotion", "customer", "status"], name="redemption_customer_status")
        ]

    def __str__(self):
        return f"{self.promotion_id}/{self.order_id}"
