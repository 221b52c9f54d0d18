from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

from orders.models import IdentityDocument, NoCodeReason, RejectionReason

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
    """The code the customer presents, typed or scanned (a scanner types it and presses Enter)."""

    pickup_code = forms.CharField(
        label=_("Pickup code presented by the customer"),
        max_length=20,
        help_text=_("The 6 digits of the customer's e-mail: type them or scan them."),
    )

    def clean_pickup_code(self):
        code = "".join(self.cleaned_data["pickup_code"].split())
        if not (code.isdigit() and len(code) == 6):
            raise forms.ValidationError(_("A pickup code is 6 digits."))
        return code


class NoCodeForm(forms.Form):
    """The customer has no code: the associate checks an identity document and says why."""

    document = forms.ChoiceField(
        label=_("Identity document checked"),
        choices=[("", _("Which document?")), *IdentityDocument.choices],
    )
    identity_confirmed = forms.BooleanField(
        label=_("I checked the document: the name matches the order's customer or the person they sent.")
    )
    reason = forms.ChoiceField(
        label=_("Why is there no code?"), choices=[("", _("Choose a reason")), *NoCodeReason.choices]
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("reason") == NoCodeReason.OTHER and not cleaned.get("note", "").strip():
            self.add_error("note", _("Explain why the customer has no pickup code."))
        return cleaned


class HandoverSearchForm(forms.Form):
    q = forms.CharField(label=_("Pickup code, order number or name"), max_length=100, required=False)
