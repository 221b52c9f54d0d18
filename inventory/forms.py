from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import SKU, Location, Weekday
from .opening_hours import format_day, parse_day


class OpeningDayField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", _("e.g. 09:30-12:30, 14:00-19:00 — empty means closed"))
        super().__init__(**kwargs)

    def clean(self, value):
        return parse_day(super().clean(value) or "")


class LocationForm(forms.ModelForm):
    """Head office's form for a location, with its week of opening hours as text."""

    reason = forms.CharField(
        label=_("Reason for the change"), required=False, max_length=200, help_text=_("Kept in the history.")
    )

    class Meta:
        model = Location
        fields = [
            "code",
            "name",
            "kind",
            "address_line1",
            "address_line2",
            "postcode",
            "city",
            "country",
            "latitude",
            "longitude",
            "timezone",
            "ships_to_customers",
            "is_pickup_point",
            "receives_ship_to_store",
            "sends_transfers",
            "receives_transfers",
            "daily_capacity",
            "order_cutoff_time",
            "pickup_reminder_days",
            "pickup_expiry_days",
            "uncollected_ship_to_store",
            "sells_stock_online",
            "is_active",
        ]
        widgets = {"order_cutoff_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["code"].disabled = True
        spans_by_day = {day: [] for day in Weekday.values}
        if self.instance.pk:
            for period in self.instance.opening_periods.all():
                spans_by_day[period.weekday].append((period.opens_at, period.closes_at))
        for day in Weekday:
            name = f"hours_{day.value}"
            self.fields[name] = OpeningDayField(label=day.label)
            if self.instance.pk:
                spans = sorted(spans_by_day[day.value])
                self.initial[name] = format_day(spans).replace("–", "-") if spans else ""

    IDENTITY_FIELDS = (
        "code",
        "name",
        "kind",
        "address_line1",
        "address_line2",
        "postcode",
        "city",
        "country",
        "latitude",
        "longitude",
        "timezone",
    )

    def identity_fields(self):
        return [self[name] for name in self.IDENTITY_FIELDS]

    def fulfilment_fields(self):
        return [self[name] for name in self.Meta.fields if name not in self.IDENTITY_FIELDS]

    def opening_hours_fields(self):
        return [self[f"hours_{day.value}"] for day in Weekday]

    def weekly_hours(self) -> dict:
        return {day.value: self.cleaned_data[f"hours_{day.value}"] for day in Weekday}

    def location_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields if name != "code"}


class BasketField(forms.CharField):
    """A basket typed as one "SKU quantity" per line → [(SKU, quantity)], SKUs read in one
    query; every bad line is reported with its number."""

    widget = forms.Textarea(attrs={"rows": 3, "placeholder": "CHE-OXF-BLE-M 2\nJEA-SLI-IND-42 1"})

    def clean(self, value):
        text = super().clean(value) or ""
        rows, errors = [], []
        for number, raw in enumerate(text.splitlines(), start=1):
            parts = raw.split()
            if not parts:
                continue
            try:
                quantity = int(parts[1]) if len(parts) > 1 else 1
            except ValueError:
                errors.append(_("Line %(n)s: write the SKU then a whole quantity.") % {"n": number})
                continue
            rows.append((number, parts[0].upper(), quantity))
        skus = SKU.objects.select_related("product").in_bulk(
            {code for _n, code, _q in rows}, field_name="code"
        )
        lines = []
        for number, code, quantity in rows:
            if code not in skus or quantity <= 0:
                errors.append(_("Line %(n)s: unknown SKU or bad quantity.") % {"n": number} + f" ({code})")
                continue
            lines.append((skus[code], quantity))
        if errors:
            raise ValidationError(errors)
        return lines
