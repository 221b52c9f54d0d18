from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from inventory.forms import BasketField
from inventory.geo import postcode_point
from inventory.models import Location
from omni.vocabulary import DeliveryMethod, SalesChannel

from .models import SourcingProfile


class DryRunForm(forms.Form):
    """Either an order number, or a basket (one "SKU quantity" per line) and a destination."""

    profile = forms.ModelChoiceField(
        SourcingProfile.objects.exclude(status=SourcingProfile.Status.RETIRED).order_by("-version"),
        label=_("Profile"),
        required=False,
        empty_label=_("Current (published)"),
    )
    order = forms.CharField(label=_("Order number"), max_length=20, required=False)
    basket = BasketField(label=_("Basket"), required=False, help_text=_("One SKU and quantity per line."))
    delivery_method = forms.ChoiceField(label=_("Delivery"), choices=DeliveryMethod.choices, required=False)
    postcode = forms.CharField(label=_("Destination postcode"), max_length=5, required=False)
    pickup_location = forms.ModelChoiceField(
        Location.objects.filter(is_active=True, kind=Location.Kind.STORE).order_by("name"),
        label=_("Pickup store"),
        required=False,
        to_field_name="code",
    )
    channel = forms.ChoiceField(label=_("Channel"), choices=SalesChannel.choices, initial=SalesChannel.WEB)

    def clean(self):
        data = super().clean()
        if data.get("order"):
            return data
        lines = data.get("basket") or []
        if not lines and not self.errors:
            raise ValidationError(_("Give an order number, or a basket and a destination."))
        method = data.get("delivery_method") or DeliveryMethod.SHIP_TO_ADDRESS
        data["delivery_method"] = method
        if method in DeliveryMethod.pickups() and not data.get("pickup_location"):
            self.add_error("pickup_location", _("Choose the pickup store."))
        if method not in DeliveryMethod.pickups() and postcode_point(data.get("postcode", "")) is None:
            self.add_error("postcode", _("Give a French postcode."))
        data["lines"] = lines
        return data
