"""REST API of sourcing: the delivery promise for the web shop's checkout."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from inventory.geo import destination_errors, postcode_point
from inventory.selectors import skus_by_code
from omni.api import InputSerializer
from omni.errors import DomainError
from omni.vocabulary import DeliveryMethod, SalesChannel

from . import services
from .planning import promise_options
from .selectors import network_facts_recent

# ---------------------------------------------------------------- promise


class PromiseLineInput(InputSerializer):
    sku = serializers.CharField(max_length=40)
    quantity = serializers.IntegerField(min_value=1, max_value=10_000)


class DestinationInput(InputSerializer):
    postcode = serializers.RegexField(r"^\d{5}$", required=False)
    latitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, min_value=-90, max_value=90, required=False
    )
    longitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, min_value=-180, max_value=180, required=False
    )

    def validate(self, attrs):
        has_point = "latitude" in attrs and "longitude" in attrs
        if not has_point and "postcode" not in attrs:
            raise serializers.ValidationError("Give a French postcode, or latitude and longitude.")
        if not has_point and (errors := destination_errors(attrs["postcode"])):
            raise serializers.ValidationError(errors)
        return attrs


class PromiseInput(InputSerializer):
    lines = PromiseLineInput(many=True, allow_empty=False)
    destination = DestinationInput()
    channel = serializers.ChoiceField(choices=SalesChannel.choices, default=SalesChannel.WEB)


class PromiseStoreOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    distance_km = serializers.FloatField()


class PromiseSourceOutput(serializers.Serializer):
    location = serializers.CharField()
    mode = serializers.CharField(help_text="How the location serves the option (ship from store, …).")
    units = serializers.IntegerField()


class PromiseOptionOutput(serializers.Serializer):
    method = serializers.ChoiceField(choices=DeliveryMethod.choices)
    date = serializers.DateField()
    ready_at = serializers.DateTimeField(allow_null=True)
    price = serializers.DecimalField(max_digits=8, decimal_places=2)
    cost = serializers.DecimalField(max_digits=8, decimal_places=2)
    shipments = serializers.IntegerField()
    store = PromiseStoreOutput(allow_null=True, help_text="The pickup store, for pickup options.")
    sources = PromiseSourceOutput(many=True)


class PromiseOutput(serializers.Serializer):
    profile = serializers.IntegerField(help_text="The sourcing profile version that computed the options.")
    options = PromiseOptionOutput(many=True)


class PromiseApi(APIView):
    scope = "promise"

    @extend_schema(request=PromiseInput, responses=PromiseOutput)
    def post(self, request):
        """The delivery options Omni can keep for a cart and a destination, each with its date
        and price, computed by the sourcing engine without reserving anything."""
        payload = PromiseInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        codes = [line["sku"] for line in data["lines"]]
        skus = skus_by_code(codes)
        unknown = {
            str(i): {"sku": [_("Unknown SKU %(sku)s.") % {"sku": code}]}
            for i, code in enumerate(codes)
            if code not in skus
        }
        if unknown:
            raise DomainError(_("The cart has unknown SKUs."), code="invalid", lines=unknown)
        destination = data["destination"]
        if "latitude" in destination and "longitude" in destination:
            point = (float(destination["latitude"]), float(destination["longitude"]))
        else:
            point = postcode_point(destination["postcode"])
        with network_facts_recent(max_age=settings.OMNI_PROMISE_FACTS_SECONDS):
            profile = services.profile_current()
            options = promise_options(
                lines=[(skus[line["sku"]], line["quantity"]) for line in data["lines"]],
                point=point,
                postcode=destination.get("postcode", ""),
                profile=profile,
                rules=services.profile_rules(profile),
                channel=data["channel"],
            )
        return Response(PromiseOutput({"profile": profile.version, "options": options}).data)
