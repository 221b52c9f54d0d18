from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from inventory.forms import BasketField
from inventory.selectors import catalogue_unknown, store_choices
from omni.vocabulary import DeliveryMethod, SalesChannel

from . import engine
from .models import Promotion

WEEKDAYS = [
    (0, _("Mon")),
    (1, _("Tue")),
    (2, _("Wed")),
    (3, _("Thu")),
    (4, _("Fri")),
    (5, _("Sat")),
    (6, _("Sun")),
]
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class _CodeList(forms.CharField):
    """Comma- or space-separated codes, as a list."""

    def to_python(self, value):
        return [part for part in (value or "").replace(",", " ").split() if part]

    def prepare_value(self, value):
        return ", ".join(value) if isinstance(value, list) else value


# The figures each kind asks for; the form shows only the chosen kind's.
KIND_FIELDS = {
    engine.LINE_PERCENT: ["percent"],
    engine.LINE_AMOUNT: ["amount"],
    engine.BASKET_AMOUNT: ["threshold", "amount"],
    engine.BASKET_PERCENT: ["threshold", "percent"],
    engine.BUY_X_GET_Y: ["buy", "get", "percent"],
    engine.BUNDLE: ["price"],
    engine.FREE_DELIVERY: ["methods"],
}
FIGURE_FIELDS = ["percent", "amount", "threshold", "buy", "get", "price", "methods"]


class PromotionForm(forms.ModelForm):
    # The kind's figures (kept in ``params``).
    percent = forms.DecimalField(
        label=_("Percent off"), min_value=Decimal("0.01"), max_value=100, required=False
    )
    amount = forms.DecimalField(label=_("Amount off (€)"), min_value=Decimal("0.01"), required=False)
    threshold = forms.DecimalField(label=_("From a spend of (€)"), min_value=0, required=False)
    buy = forms.IntegerField(label=_("Buy"), min_value=1, required=False)
    get = forms.IntegerField(label=_("Get"), min_value=1, required=False)
    price = forms.DecimalField(label=_("Bundle price (€)"), min_value=Decimal("0.01"), required=False)
    methods = forms.MultipleChoiceField(
        label=_("Delivery made free"),
        choices=DeliveryMethod.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    target_skus = _CodeList(
        label=_("SKUs"), required=False, help_text=_("For a bundle: one unit of each SKU.")
    )
    target_products = _CodeList(label=_("Products (model codes)"), required=False)
    target_categories = _CodeList(label=_("Categories"), required=False)
    target_collections = _CodeList(label=_("Collections"), required=False)
    channels = forms.MultipleChoiceField(
        label=_("Channels"), choices=SalesChannel.choices, required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every channel."),
    )  # fmt: skip
    stores = forms.MultipleChoiceField(label=_("Stores"), required=False, help_text=_("None: every store."))
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Days"), choices=WEEKDAYS, coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    segments = _CodeList(label=_("Customer segments"), required=False)
    tiers = _CodeList(label=_("Loyalty tiers"), required=False)

    class Meta:
        model = Promotion
        fields = [
            "name", "description", "kind", "percent", "amount", "threshold", "buy", "get", "price", "methods",
            "target_skus", "target_products", "target_categories", "target_collections",
            "channels", "stores", "segments", "tiers", "starts_at", "ends_at", "weekdays", "time_from", "time_to",
            "min_quantity", "min_amount", "priority", "stackable", "exclusive", "code", "requires_code",
            "max_uses", "max_uses_per_customer",
        ]  # fmt: skip
        widgets = {"starts_at": DATETIME, "ends_at": DATETIME, "time_from": TIME, "time_to": TIME}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stores"].choices = store_choices()
        for name in ("starts_at", "ends_at"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"]
        params = self.instance.params or {}
        for name in ("percent", "amount", "threshold", "buy", "get", "price", "methods"):
            if name in params:
                self.initial.setdefault(name, params[name])

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        needs = {
            engine.LINE_PERCENT: ["percent"], engine.LINE_AMOUNT: ["amount"],
            engine.BASKET_AMOUNT: ["threshold", "amount"], engine.BASKET_PERCENT: ["threshold", "percent"],
            engine.BUY_X_GET_Y: ["buy", "get"], engine.BUNDLE: ["price"], engine.FREE_DELIVERY: ["methods"],
        }.get(kind, [])  # fmt: skip
        for name in needs:
            if data.get(name) in (None, "", []):
                self.add_error(name, _("Needed for this kind of promotion."))
        if kind == engine.BUNDLE and len(data.get("target_skus") or []) < 2:
            self.add_error("target_skus", _("A bundle names at least two SKUs."))
        unknown = catalogue_unknown(
            skus=data.get("target_skus") or [],
            products=data.get("target_products") or [],
            categories=data.get("target_categories") or [],
        )
        messages = {
            "skus": _("Unknown SKU: %(codes)s."),
            "products": _("Unknown product: %(codes)s."),
            "categories": _("No product is in this category: %(codes)s."),
        }
        for key, codes in unknown.items():
            if codes:
                self.add_error(f"target_{key}", messages[key] % {"codes": ", ".join(codes)})
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The end must come after the start."))
        params = {}
        for name in needs:
            value = data.get(name)
            params[name] = str(value) if isinstance(value, Decimal) else value
        if kind == engine.BUY_X_GET_Y:
            params["percent"] = str(data.get("percent") or 100)
        if kind == engine.BUNDLE:
            params["items"] = [
                {"target": {"skus": [sku]}, "quantity": 1} for sku in data.get("target_skus") or []
            ]
        self.instance.params = params
        return data


class PreviewForm(forms.Form):
    basket = BasketField(
        label=_("Sample basket"), help_text=_("One line per item: SKU and quantity, e.g. CHE-OXF-BLE-M 2")
    )
    channel = forms.ChoiceField(label=_("Channel"), choices=SalesChannel.choices, initial=SalesChannel.WEB)
    store = forms.CharField(label=_("Store code"), max_length=40, required=False)
    codes = forms.CharField(label=_("Coupon codes"), max_length=200, required=False)


class BatchForm(forms.Form):
    count = forms.IntegerField(label=_("How many codes"), min_value=1, max_value=100_000, initial=100)
    prefix = forms.CharField(label=_("Prefix"), max_length=12, required=False)
    uses_each = forms.IntegerField(label=_("Uses per code"), min_value=1, initial=1)
    expires_at = forms.DateTimeField(label=_("Expires"), required=False, widget=DATETIME,
                                     input_formats=["%Y-%m-%dT%H:%M"])  # fmt: skip
