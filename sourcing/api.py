"""REST API of sourcing: the delivery promise for the web shop's checkout, and availability
(ATP per delivery method, and the store finder) counted by the engine's rules."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from inventory.geo import destination_errors, postcode_point
from inventory.models import BackorderPolicy
from inventory.selectors import network_availability, skus_by_code, stores_near
from omni.api import InputSerializer, filters_valid
from omni.errors import DomainError
from omni.vocabulary import DeliveryMethod, SalesChannel

from . import services
from .planning import cart_shortfalls, promise_options
from .selectors import closed_for_orders, network_facts_recent

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


class PromiseShortOutput(serializers.Serializer):
    sku = serializers.CharField()
    quantity = serializers.IntegerField(help_text="Units in the cart.")
    available = serializers.IntegerField(help_text="Units that can be delivered now.")
    policy = serializers.ChoiceField(
        choices=BackorderPolicy.Mode.choices, help_text="The SKU's backorder policy."
    )
    expected_date = serializers.DateField(
        allow_null=True, help_text="When the next supply is expected, if known."
    )
    preorder_left = serializers.IntegerField(
        allow_null=True, help_text="Units that may still be pre-ordered."
    )
    reason = serializers.ChoiceField(
        choices=["backorder", "backorder_dated", "preorder", "preorder_full", "refused"],
        help_text="Why, as a code; `message` says it in the reader's language.",
    )
    message = serializers.CharField()
    accepted = serializers.BooleanField(help_text="Whether an order for the whole quantity would be taken.")


class PromiseOutput(serializers.Serializer):
    profile = serializers.IntegerField(help_text="The sourcing profile version that computed the options.")
    options = PromiseOptionOutput(many=True)
    short = PromiseShortOutput(
        many=True, help_text="Cart lines the network cannot deliver in full now, and what their policy does."
    )


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
        short = cart_shortfalls(
            lines=[(skus[line["sku"]], line["quantity"]) for line in data["lines"]],
            channel=data["channel"],
            closed=closed_for_orders(profile),
        )
        return Response(PromiseOutput({"profile": profile.version, "options": options, "short": short}).data)


# ---------------------------------------------------------------- availability


class AvailabilitySkuOutput(serializers.Serializer):
    sku = serializers.CharField()
    network = serializers.IntegerField(help_text="ATP over every location counted for the channel")
    delivery = serializers.IntegerField(
        help_text="ATP that can be delivered home: locations that ship to customers and still take work today"
    )


class AvailabilityStoreOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    address = serializers.CharField()
    postcode = serializers.CharField()
    city = serializers.CharField()
    latitude = serializers.FloatField()
    longitude = serializers.FloatField()
    distance_km = serializers.FloatField()
    atp = serializers.DictField(child=serializers.IntegerField())
    has_all = serializers.BooleanField()
    open_now = serializers.BooleanField()
    hours_today = serializers.CharField()
    taking_orders = serializers.BooleanField(
        help_text="False when the store has reached its daily capacity: its units are not counted (atp 0)."
    )


class AvailabilityApi(APIView):
    """Available-to-promise for a basket of SKUs, in one call: per SKU, the network and
    home-delivery ATP for the channel; with ``lat``/``lon`` (or a French ``postcode``), the
    nearest click & collect stores within ``radius_km`` with each SKU's ATP and today's hours.
    A location sourcing would give no work today (its daily capacity reached) is counted for
    neither home delivery nor pickup, so the finder, the promise and capture agree."""

    scope = "availability.read"

    class AvailabilityInput(serializers.Serializer):
        skus = serializers.CharField(help_text="Comma-separated SKU codes (at most 100)")
        channel = serializers.ChoiceField(
            choices=["web", "store", "call_centre", "marketplace"], default="web"
        )
        lat = serializers.FloatField(required=False, min_value=-90, max_value=90)
        lon = serializers.FloatField(required=False, min_value=-180, max_value=180)
        postcode = serializers.RegexField(r"^\d{5}$", required=False)
        radius_km = serializers.FloatField(required=False, min_value=1, max_value=500, default=50)
        stores = serializers.IntegerField(required=False, min_value=1, max_value=50, default=10)

        def validate_skus(self, value):
            codes = list(dict.fromkeys(code.strip() for code in value.split(",") if code.strip()))
            if not codes:
                raise serializers.ValidationError("Name at least one SKU.")
            if len(codes) > 100:
                raise serializers.ValidationError("At most 100 SKUs per call.")
            return codes

        def validate(self, attrs):
            # A micro-degree is 10 cm: finer is noise, and a subnormal float (5e-324) underflows
            # PostgreSQL's trigonometry.
            for name in ("lat", "lon"):
                if name in attrs:
                    attrs[name] = round(attrs[name], 6)
            if ("lat" in attrs) != ("lon" in attrs):
                raise serializers.ValidationError(
                    {"lon" if "lat" in attrs else "lat": "Send lat and lon together."}
                )
            if "postcode" in attrs and "lat" not in attrs:
                if errors := destination_errors(attrs["postcode"]):
                    raise serializers.ValidationError(errors)
                attrs["lat"], attrs["lon"] = postcode_point(attrs["postcode"])
            return attrs

    class AvailabilityOutput(serializers.Serializer):
        channel = serializers.CharField()
        skus = serializers.ListField(child=AvailabilitySkuOutput())
        unknown_skus = serializers.ListField(child=serializers.CharField())
        stores = serializers.ListField(
            child=AvailabilityStoreOutput(), allow_null=True, help_text="With a point or postcode only."
        )

    @extend_schema(
        parameters=[AvailabilityInput], responses={200: AvailabilityOutput}, operation_id="availability"
    )
    def get(self, request):
        # As a plain dict, so that an empty value is refused as the schema says, not dropped.
        query = filters_valid(self.AvailabilityInput, request)
        codes = query["skus"]
        with network_facts_recent(max_age=settings.OMNI_PROMISE_FACTS_SECONDS):
            profile = services.profile_current()  # as the promise reads it; capacity is live
        closed = closed_for_orders(profile)
        totals = network_availability(sku_codes=codes, channel=query["channel"], closed=closed)
        body = {
            "channel": query["channel"],
            "skus": [AvailabilitySkuOutput(totals[code]).data for code in codes if code in totals],
            "unknown_skus": [code for code in codes if code not in totals],
            "stores": None,
        }
        if "lat" in query:
            known = [code for code in codes if code in totals]
            wanted = dict.fromkeys(known, 1)
            stores = stores_near(
                sku_codes=known,
                lat=query["lat"],
                lon=query["lon"],
                radius_km=query["radius_km"],
                channel=query["channel"],
                limit=query["stores"],
                closed=closed,
            )
            body["stores"] = [
                AvailabilityStoreOutput({**store.__dict__, "has_all": store.has_all(wanted)}).data
                for store in stores
            ]
        return Response(body)
