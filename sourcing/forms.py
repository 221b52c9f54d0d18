from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from inventory.geo import postcode_point
from inventory.models import SKU, Location
from orders.models import DeliveryMethod, SalesChannel

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
    basket = forms.CharField(
        label=_("Basket"),
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "CHE-OXF-BLE-M 2\nJEA-SLI-IND-42 1"}),
        required=False,
        help_text=_("One SKU and quantity per line."),
    )
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
        lines = []
        for number, raw in enumerate((data.get("basket") or "").splitlines(), start=1):
            if not raw.strip():
                continue
            parts = raw.split()
            try:
                code, quantity = parts[0], int(parts[1]) if len(parts) > 1 else 1
            except ValueError:
                self.add_error(
                    "basket", _("Line %(n)s: write the SKU then a whole quantity.") % {"n": number}
                )
                continue
            sku = SKU.objects.filter(code=code).first()
            if sku is None or quantity <= 0:
                self.add_error("basket", _("Line %(n)s: unknown SKU or bad quantity.") % {"n": number})
                continue
            lines.append((sku, quantity))
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
