import datetime
import zoneinfo

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


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
