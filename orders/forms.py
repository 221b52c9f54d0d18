from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from inventory.models import Location
from omni.vocabulary import DeliveryMethod, SalesChannel

from .models import Order, Payment


class DateInput(forms.DateInput):
    input_type = "date"


class TimeInput(forms.TimeInput):
    input_type = "time"


class OrderSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput(
            attrs={"placeholder": _("Order number, e-mail, phone, name, postcode"), "autofocus": True}
        ),
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *Order.Status.choices]
    )
    channel = forms.ChoiceField(
        label=_("Channel"), required=False, choices=[("", _("Any channel")), *SalesChannel.choices]
    )
    placed_from = forms.DateField(label=_("Placed from"), required=False, widget=DateInput)
    placed_to = forms.DateField(label=_("to"), required=False, widget=DateInput)
    store = forms.ModelChoiceField(
        label=_("Location"),
        required=False,
        queryset=Location.objects.order_by("kind", "name"),
        to_field_name="code",
        empty_label=_("Any location"),
    )
    work = forms.ChoiceField(
        label=_("Work"),
        required=False,
        choices=[("", _("All work")), ("late", _("Late")), ("at_risk", _("At risk"))],
    )


def pickup_stores():
    return Location.objects.filter(
        Q(is_pickup_point=True) | Q(receives_ship_to_store=True), is_active=True
    ).order_by("city", "name")


class StoreChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.city} · {obj.name}"


class AddressForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    line1 = forms.CharField(label=_("Address"), max_length=200)
    line2 = forms.CharField(label=_("Address (continued)"), max_length=200, required=False)
    postcode = forms.CharField(label=_("Postcode"), max_length=12)
    city = forms.CharField(label=_("City"), max_length=100)
    country = forms.CharField(label=_("Country"), max_length=2, initial="FR")
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)


class RelayPointFields(forms.Form):
    """The relay point or locker, as the carrier's finder gives it (for relay deliveries)."""

    relay_id = forms.CharField(label=_("Relay point id"), max_length=50, required=False)
    relay_name = forms.CharField(label=_("Relay point name"), max_length=200, required=False)
    relay_carrier = forms.CharField(label=_("Relay carrier"), max_length=50, required=False)
    relay_line1 = forms.CharField(label=_("Relay point address"), max_length=200, required=False)
    relay_postcode = forms.CharField(label=_("Relay point postcode"), max_length=12, required=False)
    relay_city = forms.CharField(label=_("Relay point city"), max_length=100, required=False)


RELAY_FIELDS = tuple(RelayPointFields.base_fields)


def relay_point_from(data: dict) -> dict | None:
    """The relay point a form describes (None when it names none)."""
    point = {name.removeprefix("relay_"): data.get(name) or "" for name in RELAY_FIELDS}
    return point if any(point.values()) else None


def relay_point_initial(relay_point: dict | None) -> dict:
    return {f"relay_{key}": value for key, value in (relay_point or {}).items()}


class DeliveryForm(RelayPointFields):
    field_order = ["method", "pickup_location", *RELAY_FIELDS, "reason"]

    method = forms.ChoiceField(label=_("Delivery"), choices=DeliveryMethod.choices)
    pickup_location = StoreChoiceField(
        label=_("Pickup store"), queryset=Location.objects.none(), required=False
    )
    reason = forms.CharField(label=_("Why"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pickup_location"].queryset = pickup_stores()


class RequestedDeliveryForm(forms.Form):
    requested_date = forms.DateField(label=_("Requested date"), required=False, widget=DateInput)
    slot_start = forms.TimeField(label=_("Slot from"), required=False, widget=TimeInput)
    slot_end = forms.TimeField(label=_("Slot to"), required=False, widget=TimeInput)
    instructions = forms.CharField(label=_("Delivery instructions"), max_length=300, required=False)


class CancelForm(forms.Form):
    """Which units to cancel (a quantity per open line, or the whole order), and why. The page
    first reads back what goes and what is refunded; only ``confirm`` applies it."""

    whole = forms.BooleanField(label=_("Cancel the whole order"), required=False)
    reason = forms.CharField(label=_("Why"), max_length=300)
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.open_lines = [line for line in lines if line.open_quantity]
        for line in self.open_lines:
            self.fields[f"qty_{line.line_number}"] = forms.IntegerField(
                label=f"{line.line_number} · {line.name}",
                min_value=0,
                max_value=line.open_quantity,
                initial=0,
                required=False,
                help_text=_("%(n)s still open") % {"n": line.open_quantity},
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "qty"}),
            )

    def qty_fields(self):
        return [self[f"qty_{line.line_number}"] for line in self.open_lines]

    def clean(self):
        data = super().clean()
        units = {line.line_number: data.get(f"qty_{line.line_number}") or 0 for line in self.open_lines}
        data["units"] = {number: quantity for number, quantity in units.items() if quantity}
        if not data.get("whole") and not data["units"]:
            raise forms.ValidationError(
                _("Say how many units of which lines to cancel, or tick “Cancel the whole order”.")
            )
        return data

    def units(self) -> dict[int, int]:
        """{line number: units} this cancellation takes off (every open unit for the whole order)."""
        if self.cleaned_data.get("whole"):
            return {line.line_number: line.open_quantity for line in self.open_lines}
        return self.cleaned_data["units"]


class HoldForm(forms.Form):
    reason = forms.CharField(label=_("Why"), max_length=300)


class OrderEntryForm(RelayPointFields):
    """The call centre takes an order on the phone for a customer."""

    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    language = forms.ChoiceField(label=_("Language"), choices=[("fr", "Français"), ("en", "English")])
    method = forms.ChoiceField(label=_("Delivery"), choices=DeliveryMethod.choices)
    pickup_location = StoreChoiceField(
        label=_("Pickup store"), queryset=Location.objects.none(), required=False
    )
    requested_date = forms.DateField(label=_("Requested date"), required=False, widget=DateInput)
    slot_start = forms.TimeField(label=_("Slot from"), required=False, widget=TimeInput)
    slot_end = forms.TimeField(label=_("Slot to"), required=False, widget=TimeInput)
    instructions = forms.CharField(label=_("Delivery instructions"), max_length=300, required=False)
    line1 = forms.CharField(label=_("Address"), max_length=200, required=False)
    line2 = forms.CharField(label=_("Address (continued)"), max_length=200, required=False)
    postcode = forms.CharField(label=_("Postcode"), max_length=12, required=False)
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    payment_method = forms.ChoiceField(
        label=_("Payment"),
        choices=[(Payment.Method.CARD, Payment.Method.CARD.label), (Payment.Method.PAYPAL, "PayPal")],
    )
    payment_reference = forms.CharField(label=_("Authorisation reference"), max_length=100)
    coupon_codes = forms.CharField(
        label=_("Coupon codes"), max_length=200, required=False, help_text=_("Separated by spaces.")
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pickup_location"].queryset = pickup_stores()

    def clean(self):
        data = super().clean()
        if not data.get("email") and not data.get("phone"):
            self.add_error("email", _("Give the customer's e-mail address or phone number."))
        return data


class EntryLineForm(forms.Form):
    sku = forms.CharField(label=_("SKU"), max_length=40, required=False)
    quantity = forms.IntegerField(
        label=_("Quantity"),
        min_value=1,
        max_value=999,
        required=False,
        initial=1,
        widget=forms.NumberInput(attrs={"class": "qty", "inputmode": "numeric"}),
    )


# One empty line to start; the page adds more (any number, up to a hundred).
EntryLineFormSet = forms.formset_factory(EntryLineForm, extra=1, max_num=100, absolute_max=100)
