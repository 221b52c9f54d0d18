import datetime
import zoneinfo

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from omni.trace import Channel


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value})


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class UncollectedGoods(models.TextChoices):
    RESTOCK = "restock", _("Put them on sale in the store")
    SEND_BACK = "send_back", _("Send them back where they came from")


class Location(models.Model):
    """A place that holds stock: a store, a warehouse or a drop-ship vendor."""

    class Kind(models.TextChoices):
        STORE = "store", _("Store")
        WAREHOUSE = "warehouse", _("Warehouse")
        DROP_SHIP_VENDOR = "drop_ship_vendor", _("Drop-ship vendor")

    code = models.CharField(
        _("code"),
        max_length=20,
        unique=True,
        validators=[
            RegexValidator(
                r"^[A-Z0-9][A-Z0-9-]*$", _("Use capital letters, digits and dashes (e.g. ST-LYON-01).")
            )
        ],
    )
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)

    address_line1 = models.CharField(_("address"), max_length=200)
    address_line2 = models.CharField(_("address (continued)"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=12)
    city = models.CharField(_("city"), max_length=100)
    country = models.CharField(
        _("country"),
        max_length=2,
        default="FR",
        validators=[RegexValidator(r"^[A-Z]{2}$", _("Two capital letters (ISO 3166-1), e.g. FR."))],
    )
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    timezone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Paris", validators=[validate_timezone]
    )

    ships_to_customers = models.BooleanField(_("ships to customers"), default=False)
    is_pickup_point = models.BooleanField(_("pickup point (click & collect)"), default=False)
    receives_ship_to_store = models.BooleanField(_("receives ship-to-store parcels"), default=False)
    sends_transfers = models.BooleanField(_("sends transfers"), default=False)
    receives_transfers = models.BooleanField(_("receives transfers"), default=False)

    daily_capacity = models.PositiveIntegerField(
        _("daily fulfilment capacity"),
        null=True,
        blank=True,
        help_text=_("Fulfilment orders the location can prepare per day; empty means no limit."),
    )
    order_cutoff_time = models.TimeField(
        _("order cut-off time"),
        null=True,
        blank=True,
        help_text=_("Local time after which new work leaves on the next working day."),
    )
    # Click & collect orders nobody collects: the customer is reminded after some days, the
    # order cancelled after more (the units back on the shelf, or sent back, by store's choice).
    pickup_reminder_days = models.PositiveSmallIntegerField(
        _("pickup reminder after (days)"),
        default=3,
        validators=[MinValueValidator(1)],
        help_text=_("Days an order waits for pickup before the customer is reminded."),
    )
    pickup_expiry_days = models.PositiveSmallIntegerField(
        _("pickup cancelled after (days)"),
        default=10,
        validators=[MinValueValidator(1)],
        help_text=_("Days an order waits for pickup before it is cancelled and refunded."),
    )
    uncollected_ship_to_store = models.CharField(
        _("uncollected parcels from elsewhere"),
        max_length=10,
        choices=UncollectedGoods.choices,
        default=UncollectedGoods.RESTOCK,
        help_text=_("What the store does with the goods of a ship-to-store order nobody collected."),
    )
    sells_stock_online = models.BooleanField(
        _("stock sold online"),
        default=True,
        help_text=_("Whether the web shop counts this location's stock as available."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                name="location_latitude_range", condition=Q(latitude__gte=-90, latitude__lte=90)
            ),
            models.CheckConstraint(
                name="location_longitude_range", condition=Q(longitude__gte=-180, longitude__lte=180)
            ),
            models.CheckConstraint(
                name="location_pickup_expiry_after_reminder",
                condition=Q(pickup_expiry_days__gt=F("pickup_reminder_days")),
                violation_error_message=_("The pickup is cancelled after the reminder: give it more days."),
            ),
            models.CheckConstraint(
                name="location_kind_valid", condition=Q(kind__in=["store", "warehouse", "drop_ship_vendor"])
            ),
        ]
        indexes = [models.Index(fields=["kind", "is_active"], name="location_kind_active")]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def get_absolute_url(self) -> str:
        return reverse("inventory:location_detail", kwargs={"code": self.code})

    @property
    def is_store(self) -> bool:
        return self.kind == self.Kind.STORE

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    @property
    def capabilities(self) -> list[str]:
        """Labels of what this location can do, for display."""
        fields = [
            "ships_to_customers",
            "is_pickup_point",
            "receives_ship_to_store",
            "sends_transfers",
            "receives_transfers",
        ]
        return [str(self._meta.get_field(name).verbose_name) for name in fields if getattr(self, name)]


class OpeningPeriod(models.Model):
    """One span of opening on a weekday, in the location's local time.

    A day may have several (French shops often close for lunch); a day with none is closed.
    """

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="opening_periods")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens_at = models.TimeField(_("opens at"))
    closes_at = models.TimeField(_("closes at"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("opening period")
        verbose_name_plural = _("opening periods")
        ordering = ["location", "weekday", "opens_at"]
        constraints = [
            models.CheckConstraint(
                name="opening_period_closes_after_opening", condition=Q(closes_at__gt=F("opens_at"))
            ),
            models.CheckConstraint(
                name="opening_period_weekday_range", condition=Q(weekday__gte=0, weekday__lte=6)
            ),
            models.UniqueConstraint(
                fields=["location", "weekday", "opens_at"], name="opening_period_unique_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens_at:%H:%M}–{self.closes_at:%H:%M}"

    def contains(self, moment: datetime.time) -> bool:
        return self.opens_at <= moment < self.closes_at


def ean13_check_digit(first12: str) -> int:
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12))
    return (10 - total % 10) % 10


def validate_ean13(value: str) -> None:
    if len(value) != 13 or not value.isdigit():
        raise ValidationError(_("An EAN-13 has exactly 13 digits."), code="ean_format")
    if ean13_check_digit(value[:12]) != int(value[12]):
        raise ValidationError(_("The EAN-13 check digit is wrong."), code="ean_check_digit")


class Product(models.Model):
    """A model (style) sold in several colours and sizes; each variant is a SKU."""

    code = models.CharField(_("model code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    category = models.CharField(_("category"), max_length=80, db_index=True)
    brand = models.CharField(_("brand"), max_length=80, blank=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class SKU(models.Model):
    """A sellable variant: one colour and size of a product."""

    code = models.CharField(_("SKU"), max_length=40, unique=True)
    ean = models.CharField(_("EAN-13"), max_length=13, unique=True, validators=[validate_ean13])
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="skus"
    )
    name = models.CharField(_("name"), max_length=200)
    colour = models.CharField(_("colour"), max_length=60, blank=True)
    size = models.CharField(_("size"), max_length=20, blank=True)
    category = models.CharField(_("category"), max_length=80, blank=True)
    price = models.DecimalField(
        _("price (EUR, tax included)"), max_digits=10, decimal_places=2, validators=[MinValueValidator(0)]
    )
    image_url = models.URLField(_("image"), max_length=500, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("SKU")
        verbose_name_plural = _("SKUs")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(name="sku_price_not_negative", condition=Q(price__gte=0)),
            models.CheckConstraint(name="sku_ean_13_digits", condition=Q(ean__regex=r"^[0-9]{13}$")),
        ]
        indexes = [models.Index(fields=["name"], name="sku_name")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("inventory:sku_stock", kwargs={"sku_code": self.code})


class BackorderPolicy(models.Model):
    """What Omni does with units of a SKU that no location can serve now: refuse them,
    backorder them (with the date the next supply is expected, when head office knows it),
    or take them as pre-orders up to a quantity. Set per SKU, or per category as the default
    of its SKUs; without either, units are backordered without a date."""

    class Mode(models.TextChoices):
        REFUSE = "refuse", _("Refuse")
        BACKORDER = "backorder", _("Backorder")
        PREORDER = "preorder", _("Pre-order up to a quantity")

    sku = models.OneToOneField(
        SKU, verbose_name=_("SKU"), on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    category = models.CharField(
        _("category"),
        max_length=80,
        blank=True,
        help_text=_("For every SKU of the category without its own."),
    )
    mode = models.CharField(_("when out of stock"), max_length=20, choices=Mode.choices)
    expected_date = models.DateField(
        _("next supply expected"),
        null=True,
        blank=True,
        help_text=_("Shown to the customer and the call centre."),
    )
    preorder_limit = models.PositiveIntegerField(_("pre-orders up to (units)"), null=True, blank=True)
    # Pre-ordered units taken so far, raised by capture with a conditional UPDATE that keeps
    # it within the limit (two checkouts cannot both take the last pre-order).
    preordered = models.PositiveIntegerField(_("pre-ordered so far"), default=0, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("backorder policy")
        verbose_name_plural = _("backorder policies")
        constraints = [
            models.CheckConstraint(
                name="backorder_policy_sku_or_category",
                condition=(Q(sku__isnull=False) & Q(category="")) | (Q(sku__isnull=True) & ~Q(category="")),
            ),
            models.UniqueConstraint(
                fields=["category"], condition=Q(sku__isnull=True), name="backorder_policy_category_unique"
            ),
            models.CheckConstraint(
                name="backorder_policy_preorder_has_limit",
                condition=~Q(mode="preorder") | Q(preorder_limit__isnull=False),
            ),
            models.CheckConstraint(
                name="backorder_policy_preordered_within_limit",
                condition=Q(preorder_limit__isnull=True) | Q(preordered__lte=F("preorder_limit")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sku.code if self.sku_id else self.category}: {self.get_mode_display()}"

    def clean(self):
        errors = {}
        if bool(self.sku_id) == bool(self.category):
            errors["category"] = _("Set the policy for one SKU or for one category.")
        if self.mode == self.Mode.PREORDER and self.preorder_limit is None:
            errors["preorder_limit"] = _("Say how many units may be pre-ordered.")
        elif self.preorder_limit is not None and self.preorder_limit < self.preordered:
            errors["preorder_limit"] = _("%(n)s units are already pre-ordered.") % {"n": self.preordered}
        if errors:
            raise ValidationError(errors)


class StockLevel(models.Model):
    """What one location holds of one SKU.

    available-to-promise (ATP) = on hand − reserved − safety stock, never below zero.
    The database refuses impossible states: nothing negative, never more reserved than on hand.
    Counters only change through inventory services, with a conditional UPDATE or under a row
    lock, and every change writes a StockMovement.
    """

    # Both foreign keys are covered by the two composite indexes below.
    sku = models.ForeignKey(SKU, on_delete=models.PROTECT, related_name="stock_levels", db_index=False)
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="stock_levels", db_index=False
    )
    on_hand = models.IntegerField(_("on hand"), default=0)
    reserved = models.IntegerField(_("reserved"), default=0)
    safety_stock = models.IntegerField(_("safety stock"), default=0)
    in_transit = models.IntegerField(_("in transit"), default=0)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("stock level")
        verbose_name_plural = _("stock levels")
        constraints = [
            # The counters ride along in the index so that availability reads are index-only
            # scans: a SKU's rows sit together in the index, not scattered over the table.
            models.UniqueConstraint(
                fields=["sku", "location"],
                include=["on_hand", "reserved", "safety_stock"],
                name="stock_one_row_per_sku_and_location",
            ),
            models.CheckConstraint(name="stock_on_hand_not_negative", condition=Q(on_hand__gte=0)),
            models.CheckConstraint(name="stock_reserved_not_negative", condition=Q(reserved__gte=0)),
            models.CheckConstraint(
                name="stock_reserved_within_on_hand", condition=Q(reserved__lte=F("on_hand"))
            ),
            models.CheckConstraint(name="stock_safety_stock_not_negative", condition=Q(safety_stock__gte=0)),
            models.CheckConstraint(name="stock_in_transit_not_negative", condition=Q(in_transit__gte=0)),
        ]
        indexes = [models.Index(fields=["location", "sku"], name="stock_location_sku")]

    def __str__(self) -> str:
        return f"{self.sku_id}@{self.location_id}: {self.on_hand} on hand, {self.reserved} reserved"

    @property
    def atp(self) -> int:
        return max(self.on_hand - self.reserved - self.safety_stock, 0)


class StockMovement(models.Model):
    """The append-only ledger: one row per change of a stock level. For every stock row,
    the sums of the deltas equal its counters. A database trigger refuses UPDATE and DELETE."""

    class Kind(models.TextChoices):
        RECEIPT = "receipt", _("Receipt")
        ADJUSTMENT = "adjustment", _("Adjustment")
        CYCLE_COUNT = "cycle_count", _("Cycle count")
        RESERVATION = "reservation", _("Reservation")
        RELEASE = "release", _("Release")
        CONSUMPTION = "consumption", _("Picked / sold")
        TRANSFER_OUT = "transfer_out", _("Transfer out")
        TRANSFER_IN = "transfer_in", _("Transfer in")
        SAFETY_STOCK = "safety_stock", _("Safety stock")
        SYNC_SNAPSHOT = "sync_snapshot", _("Snapshot sync")
        SYNC_DELTA = "sync_delta", _("Delta sync")

    class Reason(models.TextChoices):
        DAMAGED = "damaged", _("Damaged")
        NOT_FOUND = "not_found", _("Not found on the shelf")
        THEFT = "theft", _("Theft or loss")
        FOUND = "found", _("Found")
        COUNT = "count", _("Counted")
        CORRECTION = "correction", _("Correction")
        RETURN_TO_VENDOR = "return_to_vendor", _("Returned to vendor")
        OTHER = "other", _("Other")

    sku = models.ForeignKey(SKU, on_delete=models.PROTECT, related_name="+", db_index=False)
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    on_hand_delta = models.IntegerField(_("on hand change"), default=0)
    reserved_delta = models.IntegerField(_("reserved change"), default=0)
    in_transit_delta = models.IntegerField(_("in transit change"), default=0)
    safety_stock_delta = models.IntegerField(_("safety stock change"), default=0)
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    reference = models.CharField(_("reference"), max_length=100, blank=True, db_index=True)
    actor = models.ForeignKey(
        "accounts.User",
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    api_client = models.ForeignKey(
        "accounts.ApiClient",
        verbose_name=_("API client"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # an audit detail, never searched by: no index to grow with the ledger
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, default=Channel.SYSTEM)
    created_at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        indexes = [models.Index(fields=["sku", "location", "-created_at"], name="movement_sku_location_time")]

    def __str__(self) -> str:
        return (
            f"{self.kind} {self.sku_id}@{self.location_id} {self.on_hand_delta:+d}/{self.reserved_delta:+d}"
        )


class CountTask(models.Model):
    """A SKU to count at a location: raised when its stock was found wrong (units not found on
    the shelf, or damaged, while picking); settled when an associate enters what they counted,
    which sets the location's on hand (a cycle count in the ledger). At most one open task per
    SKU and location."""

    class Status(models.TextChoices):
        OPEN = "open", _("To count")
        COUNTED = "counted", _("Counted")

    sku = models.ForeignKey(SKU, on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="count_tasks")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    reason = models.CharField(_("why"), max_length=20, choices=StockMovement.Reason.choices)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    raised_by = models.ForeignKey(
        "accounts.User", verbose_name=_("raised by"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    raised_at = models.DateTimeField(_("raised at"), auto_now_add=True)
    on_hand_before = models.IntegerField(_("on hand before the count"), null=True, blank=True)
    counted = models.PositiveIntegerField(_("counted"), null=True, blank=True)
    counted_by = models.ForeignKey(
        "accounts.User", verbose_name=_("counted by"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    counted_at = models.DateTimeField(_("counted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("count task")
        verbose_name_plural = _("count tasks")
        ordering = ["raised_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["sku", "location"], condition=Q(status="open"), name="count_task_one_open_per_sku"
            ),
            models.CheckConstraint(
                name="count_task_counted_has_count",
                condition=Q(status="open") | Q(counted__isnull=False, counted_at__isnull=False),
            ),
        ]
        indexes = [models.Index(fields=["location", "status"], name="count_task_location_status")]

    def __str__(self) -> str:
        return f"count {self.sku_id}@{self.location_id} ({self.status})"


class Reservation(models.Model):
    """Units of one SKU at one location held for someone (an order line, a POS basket...)."""

    class HolderType(models.TextChoices):
        ORDER_LINE = "order_line", _("Order line")
        POS_BASKET = "pos_basket", _("POS basket")
        TRANSFER = "transfer", _("Transfer")
        MANUAL = "manual", _("Manual hold")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        RELEASED = "released", _("Released")
        CONSUMED = "consumed", _("Consumed")
        EXPIRED = "expired", _("Expired")

    sku = models.ForeignKey(SKU, on_delete=models.PROTECT, related_name="reservations")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="reservations")
    quantity = models.PositiveIntegerField(_("quantity held"))
    holder_type = models.CharField(_("held by"), max_length=20, choices=HolderType.choices)
    holder_ref = models.CharField(_("holder reference"), max_length=100)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, default=Channel.SYSTEM)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("reservation")
        verbose_name_plural = _("reservations")
        constraints = [
            models.CheckConstraint(
                name="reservation_active_holds_units",
                condition=~Q(status="active") | Q(quantity__gt=0),
            ),
        ]
        indexes = [
            models.Index(fields=["holder_type", "holder_ref"], name="reservation_holder"),
            models.Index(fields=["expires_at"], name="reservation_expiring", condition=Q(status="active")),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.sku_id}@{self.location_id} for {self.holder_type}:{self.holder_ref}"


class Transfer(models.Model):
    """Stock moving between two locations: out of the source's on hand, in transit, then received."""

    class Status(models.TextChoices):
        IN_TRANSIT = "in_transit", _("In transit")
        RECEIVED = "received", _("Received")

    reference = models.CharField(_("reference"), max_length=40, unique=True)
    from_location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="transfers_out")
    to_location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="transfers_in")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.IN_TRANSIT)
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    received_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="transfer_between_two_places", condition=~Q(from_location=F("to_location"))
            )
        ]

    def __str__(self) -> str:
        return self.reference


class TransferLine(models.Model):
    transfer = models.ForeignKey(Transfer, on_delete=models.CASCADE, related_name="lines")
    sku = models.ForeignKey(SKU, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField()
    # Units sent for someone (a customer's order line): the reservation they left the source
    # under, and the one that holds them again at the destination once received.
    sent_for = models.ForeignKey(
        "Reservation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    held_by = models.ForeignKey(
        "Reservation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(name="transfer_line_quantity_positive", condition=Q(quantity__gt=0))
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.sku_id}"


class SyncBatch(models.Model):
    """An applied inventory sync, remembered by its batch id so a retry applies nothing twice.
    A rejected batch is not remembered: the sender fixes it and sends it again under the same id."""

    class Mode(models.TextChoices):
        SNAPSHOT = "snapshot", _("Full snapshot of a location")
        DELTA = "delta", _("Deltas")

    class Scope(models.TextChoices):
        """What a snapshot covers; deltas have no scope."""

        FULL_LOCATION = "full_location", _("Every SKU of the location (those not listed go to zero)")
        LISTED_SKUS = "listed_skus", _("Listed SKUs only")

    batch_id = models.CharField(_("batch id"), max_length=100, unique=True)
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices)
    location = models.ForeignKey(Location, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    row_count = models.PositiveIntegerField(_("rows"))
    payload_hash = models.CharField(max_length=64)
    result = models.JSONField(default=dict)
    actor = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.batch_id


class StockImport(models.Model):
    """A CSV or Excel file of stock uploaded by head office: read and previewed in the
    background, applied in the background once someone confirms the preview.

    pending → preview → confirmed → running → applied; rejected (bad rows, at preview or at
    apply); cancelled (from pending or preview). A stale preview goes back to preview."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Reading the file")
        PREVIEW = "preview", _("Waiting for confirmation")
        CONFIRMED = "confirmed", _("Waiting")
        RUNNING = "running", _("Running")
        APPLIED = "applied", _("Applied")
        REJECTED = "rejected", _("Rejected")
        CANCELLED = "cancelled", _("Cancelled")

    file = models.FileField(_("file"), upload_to="stock-imports/%Y/%m/")
    original_name = models.CharField(max_length=200)
    mode = models.CharField(_("mode"), max_length=10, choices=SyncBatch.Mode.choices)
    location = models.ForeignKey(Location, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    result = models.JSONField(default=dict, blank=True)
    # What applying would change, as computed before confirmation (imports.stock_import_preview).
    preview = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def progress_percent(self) -> int:
        if self.status in {self.Status.APPLIED, self.Status.REJECTED}:
            return 100
        return int(100 * self.processed_rows / self.total_rows) if self.total_rows else 0
