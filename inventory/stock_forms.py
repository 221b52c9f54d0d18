from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Location, StockMovement, SyncBatch


class ReceiveForm(forms.Form):
    quantity = forms.IntegerField(label=_("Units received"), min_value=1, max_value=100_000)
    reference = forms.CharField(label=_("Delivery note"), max_length=100, required=False)


class AdjustForm(forms.Form):
    delta = forms.IntegerField(label=_("Change (+/−)"), help_text=_("e.g. -2 for two damaged units"))
    reason = forms.ChoiceField(label=_("Reason"), choices=StockMovement.Reason.choices)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def clean_delta(self):
        delta = self.cleaned_data["delta"]
        if delta == 0:
            raise forms.ValidationError(_("Enter a change other than zero."))
        return delta


class CountForm(forms.Form):
    counted = forms.IntegerField(label=_("Units counted"), min_value=0, max_value=1_000_000)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class SafetyStockForm(forms.Form):
    safety_stock = forms.IntegerField(label=_("Safety stock"), min_value=0, max_value=100_000)


class StockImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV or Excel file"),
        help_text=_(
            "Columns: sku, on_hand[, safety_stock] for a snapshot (the location's whole stock: "
            "SKUs it holds that the file leaves out go to zero); sku, location, delta for deltas."
        ),
    )
    # No default: a snapshot sets to zero what the file leaves out, so it is chosen, not assumed.
    mode = forms.ChoiceField(label=_("Mode"), choices=[("", "—"), *SyncBatch.Mode.choices])
    location = forms.ModelChoiceField(
        label=_("Location (snapshot)"),
        queryset=Location.objects.filter(is_active=True).order_by("name"),
        required=False,
    )

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        if not uploaded.name.lower().endswith((".csv", ".txt", ".xlsx")):
            raise forms.ValidationError(_("Send a .csv or .xlsx file."))
        if uploaded.size > 200 * 1024 * 1024:
            raise forms.ValidationError(_("At most 200 MB per file."))
        return uploaded

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("mode") == SyncBatch.Mode.SNAPSHOT and not cleaned.get("location"):
            self.add_error("location", _("A snapshot is for one location: choose it."))
        return cleaned
