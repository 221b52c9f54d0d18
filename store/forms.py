from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

from orders.models import RejectionReason

R = RejectionReason
DECLINE_REASONS = [
    ("", _("Choose a reason")),
    *((r.value, r.label) for r in (R.NOT_FOUND, R.DAMAGED, R.WRONG_ITEM, R.NO_CAPACITY, R.STORE_CLOSING,
                                   R.CUSTOMER_LEFT, R.OTHER)),
]  # fmt: skip
SHORT_REASONS = [
    ("", _("Why is something missing?")),
    *((r.value, r.label) for r in (R.NOT_FOUND, R.DAMAGED, R.WRONG_ITEM, R.OTHER)),
]
SHUTTLE = "Navette magasin"
CARRIERS = [
    ("Colissimo", "Colissimo"),
    ("Chronopost", "Chronopost"),
    ("DPD", "DPD"),
    ("GLS", "GLS"),
    ("Mondial Relay", "Mondial Relay"),
    (SHUTTLE, _("Store shuttle")),
]
IDENTITY_CHECKS = [
    ("", _("How did you check who collects?")),
    (_("pickup code"), _("Pickup code shown")),
    (_("identity document"), _("Identity document")),
    (_("pickup code and identity document"), _("Pickup code and identity document")),
]


class DeclineForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=DECLINE_REASONS)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class ScanForm(forms.Form):
    ean = forms.CharField(label=_("EAN"), max_length=14)


class FinishPickForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason for missing items"), choices=SHORT_REASONS, required=False)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class CountForm(forms.Form):
    counted = forms.IntegerField(label=_("Units counted"), min_value=0, max_value=100_000)


class PackForm(forms.Form):
    parcels = forms.IntegerField(label=_("Parcels"), min_value=1, max_value=20, initial=1)
    weights = forms.CharField(
        label=_("Weights (kg)"),
        required=False,
        max_length=200,
        help_text=_("One per parcel, separated by spaces: 1,2 0,8"),
    )

    def clean(self):
        cleaned = super().clean()
        raw = (cleaned.get("weights") or "").replace(";", " ").split()
        parcels = cleaned.get("parcels")
        if not raw or parcels is None:
            cleaned["parcel_weights"] = [None] * (parcels or 1)
            return cleaned
        try:
            weights = [Decimal(value.replace(",", ".")) for value in raw]
        except InvalidOperation:
            self.add_error("weights", _("Write weights as numbers, e.g. 1,2"))
            return cleaned
        if len(weights) != parcels:
            self.add_error("weights", _("Give one weight per parcel."))
        elif any(w <= 0 or w >= 1000 for w in weights):
            self.add_error("weights", _("A parcel weighs between 0 and 1,000 kg."))
        cleaned["parcel_weights"] = weights
        return cleaned


class ShipForm(forms.Form):
    carrier = forms.ChoiceField(label=_("Carrier"), choices=CARRIERS)
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=100, required=False)

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("carrier")
            and cleaned["carrier"] != SHUTTLE
            and not cleaned.get("tracking_number", "").strip()
        ):
            self.add_error("tracking_number", _("Scan or type the parcel's tracking number."))
        return cleaned


class CollectForm(forms.Form):
    identity_checked = forms.ChoiceField(label=_("Identity check"), choices=IDENTITY_CHECKS)


class HandoverSearchForm(forms.Form):
    q = forms.CharField(label=_("Pickup code, order number or name"), max_length=100, required=False)
