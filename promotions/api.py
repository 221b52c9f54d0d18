"""REST API of pricing: the web shop's cart quote, and the rules snapshot for offline tills."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from customers.models import Customer
from inventory.selectors import skus_by_code
from omni.api import InputSerializer
from omni.errors import DomainError
from omni.vocabulary import DeliveryMethod, SalesChannel

from . import delivery, selectors
from .reasons import code_refusal_text, fee_rule_text, reason_text


class QuoteLineInput(InputSerializer):
    sku = serializers.CharField(max_length=40)
    quantity = serializers.IntegerField(min_value=1, max_value=10_000)


class QuoteInput(InputSerializer):
    channel = serializers.ChoiceField(choices=SalesChannel.choices, default=SalesChannel.WEB)
    store = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    customer_email = serializers.EmailField(required=False, allow_blank=True)
    lines = QuoteLineInput(many=True, allow_empty=False, max_length=200)
    codes = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, default=list, max_length=10
    )
    delivery_method = serializers.ChoiceField(
        choices=DeliveryMethod.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text="With a method, the answer has the delivery fee the order will record.",
    )
    postcode = serializers.CharField(
        max_length=12, required=False, allow_blank=True, default="", help_text="The destination's (its zone)."
    )
    country = serializers.CharField(max_length=2, required=False, default="FR")


class QuoteDiscountOutput(serializers.Serializer):
    promotion = serializers.IntegerField()
    name = serializers.CharField()
    amount = serializers.DecimalField(max_digits=10, decimal_places=2)


class QuoteLineOutput(serializers.Serializer):
    sku = serializers.CharField()
    quantity = serializers.IntegerField()
    unit_price = serializers.DecimalField(max_digits=10, decimal_places=2)
    subtotal = serializers.DecimalField(max_digits=12, decimal_places=2)
    discount = serializers.DecimalField(max_digits=12, decimal_places=2)
    total = serializers.DecimalField(max_digits=12, decimal_places=2)
    discounts = QuoteDiscountOutput(many=True)


class QuoteAppliedOutput(serializers.Serializer):
    promotion = serializers.IntegerField()
    name = serializers.CharField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    code = serializers.CharField(allow_null=True, help_text="The coupon code that unlocked it, if any.")


class QuoteNotAppliedOutput(serializers.Serializer):
    promotion = serializers.IntegerField()
    name = serializers.CharField()
    reason = serializers.CharField(help_text="Stable code of why it did not apply.")
    why = serializers.CharField(help_text="The same, in words.")


class DeliveryFeeOutput(serializers.Serializer):
    method = serializers.ChoiceField(choices=DeliveryMethod.choices)
    zone = serializers.ChoiceField(choices=delivery.ZONES)
    list_amount = serializers.DecimalField(
        max_digits=8, decimal_places=2, help_text="The method's price in the zone, before waivers."
    )
    amount = serializers.DecimalField(max_digits=8, decimal_places=2, help_text="What the customer pays.")
    tax_rate = serializers.DecimalField(max_digits=5, decimal_places=2)
    tax_amount = serializers.DecimalField(max_digits=8, decimal_places=2, help_text="VAT included in amount.")
    rule = serializers.ChoiceField(
        choices=[
            delivery.STANDARD,
            delivery.FREE_FROM_THRESHOLD,
            delivery.WAIVED_BY_PROMOTION,
            delivery.NO_FEE,
        ]
    )
    why = serializers.CharField(help_text="The rule, in words.")
    waived_by = serializers.IntegerField(allow_null=True, help_text="The promotion that made it free.")
    free_from = serializers.DecimalField(
        max_digits=10, decimal_places=2, allow_null=True, help_text="Basket value from which it is free."
    )


def fee_payload(fee: delivery.DeliveryFee, promotion_names: dict[int, str]) -> dict:
    return {
        "method": fee.method, "zone": fee.zone, "list_amount": fee.list_amount, "amount": fee.amount,
        "tax_rate": fee.tax_rate, "tax_amount": fee.tax_amount, "rule": fee.rule,
        "why": fee_rule_text(fee.rule, promotion=promotion_names.get(fee.waived_by, ""), free_from=fee.free_from),
        "waived_by": fee.waived_by, "free_from": fee.free_from,
    }  # fmt: skip


class QuoteOutput(serializers.Serializer):
    currency = serializers.CharField()
    subtotal = serializers.DecimalField(max_digits=12, decimal_places=2)
    discount = serializers.DecimalField(max_digits=12, decimal_places=2)
    total = serializers.DecimalField(max_digits=12, decimal_places=2)
    lines = QuoteLineOutput(many=True)
    applied = QuoteAppliedOutput(many=True)
    not_applied = QuoteNotAppliedOutput(many=True)
    refused_codes = serializers.DictField(
        child=serializers.CharField(), help_text="Each refused coupon code with why, in words."
    )
    waived_delivery = serializers.DictField(
        child=serializers.IntegerField(), help_text="Delivery methods made free, with the promotion's id."
    )
    delivery = DeliveryFeeOutput(
        allow_null=True, help_text="The delivery fee, when a delivery method was given; null otherwise."
    )
    total_with_delivery = serializers.DecimalField(
        max_digits=12, decimal_places=2, help_text="What the customer pays: the goods' total plus delivery."
    )
    rules_version = serializers.CharField()


def quote_payload(result: selectors.BasketQuote, fee: delivery.DeliveryFee | None = None) -> dict:
    quote = result.quote
    names = {a["id"]: a["name"] for a in quote.applied}
    return {
        "delivery": fee_payload(fee, names) if fee else None,
        "total_with_delivery": quote.total + (fee.amount if fee else delivery.ZERO),
        "currency": "EUR",
        "subtotal": quote.subtotal,
        "discount": quote.discount,
        "total": quote.total,
        "lines": [
            {"sku": line.sku, "quantity": line.quantity, "unit_price": line.unit_price, "subtotal": line.subtotal,
             "discount": line.discount, "total": line.total,
             "discounts": [{"promotion": pid, "name": names.get(pid, ""), "amount": amount}
                           for pid, amount in sorted(line.discounts.items())]}
            for line in quote.lines
        ],
        "applied": [{"promotion": a["id"], "name": a["name"], "amount": a["amount"], "code": a.get("code")}
                    for a in quote.applied],
        "not_applied": [{"promotion": n["id"], "name": n["name"], "reason": n["reason"]["code"],
                         "why": reason_text(n["reason"])} for n in quote.not_applied],
        "refused_codes": {code: code_refusal_text(why) for code, why in result.refused_codes.items()},
        "waived_delivery": quote.waived_delivery,
        "rules_version": result.snapshot_version,
    }  # fmt: skip


class QuoteApi(APIView):
    scope = "pricing.quote"

    @extend_schema(request=QuoteInput, responses=QuoteOutput)
    def post(self, request):
        """Price a cart for a channel, a store, a customer and coupon codes: line prices, every
        discount allocated to its lines, the promotions applied and why the others did not.
        Nothing is reserved or counted; the order records the same result when placed."""
        payload = QuoteInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        codes = [line["sku"] for line in data["lines"]]
        skus = skus_by_code(codes)
        unknown = {
            str(i): {"sku": [_("Unknown SKU %(sku)s.") % {"sku": c}]}
            for i, c in enumerate(codes)
            if c not in skus
        }
        if unknown:
            raise DomainError(_("The cart has unknown SKUs."), code="invalid", lines=unknown)
        customer = (
            Customer.objects.filter(email__iexact=data["customer_email"]).first()
            if data.get("customer_email")
            else None
        )
        result = selectors.basket_quote(
            lines=[(skus[line["sku"]], line["quantity"]) for line in data["lines"]],
            channel=data["channel"],
            customer=customer,
            store=data["store"],
            codes=data["codes"],
            delivery_methods=[data["delivery_method"]] if data["delivery_method"] else [],
        )
        fee = None
        if data["delivery_method"]:
            fee = delivery.delivery_fee(
                method=data["delivery_method"],
                basket_value=result.quote.total,
                zone=delivery.delivery_zone(postcode=data["postcode"], country=data["country"]),
                waived_delivery=result.quote.waived_delivery,
            )
        return Response(QuoteOutput(quote_payload(result, fee)).data)


class SnapshotApi(APIView):
    scope = "pricing.snapshot"

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request):
        """The active promotions as the engine reads them: what a till keeps to price offline
        (generated coupon codes are checked online; single codes are included)."""
        return Response(selectors.rules_snapshot())
