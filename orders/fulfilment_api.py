"""REST API of fulfilment orders, for store systems and drop-ship vendors (each sees its own
location's work), and the customer's "I'm here" at the pickup store."""

from __future__ import annotations

from decimal import Decimal

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from inventory.models import Location
from omni import idempotency
from omni.api import (
    CommaSeparatedChoicesField,
    InputSerializer,
    PageParameters,
    filters_valid,
    paged,
    paginate,
)
from omni.trace import Trace
from omni.vocabulary import DeliveryMethod

from . import selectors, services
from .api import AddressOutput, RelayPointOutput
from .models import FulfilmentOrder, FulfilmentOrderLine, IdentityDocument, NoCodeReason, RejectionReason
from .selectors import orders_visible_to


class FulfilmentLineOutput(serializers.ModelSerializer):
    line = serializers.IntegerField(source="order_line.line_number")
    sku = serializers.CharField(source="order_line.sku_code")
    name = serializers.CharField(source="order_line.name")
    ean = serializers.CharField(source="order_line.sku.ean")

    class Meta:
        model = FulfilmentOrderLine
        fields = ["line", "sku", "ean", "name", "quantity", "qty_picked", "qty_short"]


class DeliverySlotOutput(serializers.Serializer):
    start = serializers.TimeField()
    end = serializers.TimeField()


class FulfilmentDeliveryOutput(serializers.Serializer):
    method = serializers.ChoiceField(choices=DeliveryMethod.choices, source="delivery_method")
    relay_point = RelayPointOutput(
        allow_null=True, help_text="Where the parcel goes, for a relay point or locker; null otherwise."
    )
    requested_date = serializers.DateField(allow_null=True)
    requested_slot = serializers.SerializerMethodField()
    instructions = serializers.CharField(source="delivery_instructions")

    @extend_schema_field(DeliverySlotOutput(allow_null=True))
    def get_requested_slot(self, fo) -> dict | None:
        if fo.requested_slot_start and fo.requested_slot_end:
            return {"start": fo.requested_slot_start.isoformat(), "end": fo.requested_slot_end.isoformat()}
        return None


class FulfilmentOrderOutput(serializers.ModelSerializer):
    order = serializers.CharField(source="order.number")
    location = serializers.CharField(source="location.code")
    destination = serializers.CharField(source="destination.code", allow_null=True, default=None)
    lines = FulfilmentLineOutput(many=True)
    shipping_address = serializers.SerializerMethodField(
        help_text="The customer's address, only when the parcel is delivered there (null for a relay "
        "point, a locker or a pickup store)."
    )
    delivery = FulfilmentDeliveryOutput(
        source="*", help_text="Where and when the customer wants it, and their instructions."
    )
    failure_code = serializers.ChoiceField(
        choices=RejectionReason.choices,
        allow_blank=True,
        help_text="Why the location declined or short-picked, as a code (empty when it did not fail "
        "or missed its deadline).",
    )
    failure_reason = serializers.CharField(
        source="failure_text",
        help_text="Why it failed, in the request's language, with the associate's note.",
    )

    @extend_schema_field(AddressOutput(allow_null=True))
    def get_shipping_address(self, fo) -> dict | None:
        return fo.order.shipping_address if fo.ships_home else None

    class Meta:
        model = FulfilmentOrder
        fields = [
            "number", "order", "location", "mode", "destination", "status", "acknowledge_by", "ready_by",
            "due_at", "promised_date", "carrier", "tracking_number", "failure_code", "failure_reason", "delivery",
            "shipping_address",
            "pickup_code", "ready_at", "customer_arrived_at", "parking_spot", "received_at",
            "lines", "created_at", "updated_at",
        ]  # fmt: skip


def _get(request, number: str) -> FulfilmentOrder:
    return get_object_or_404(selectors.fulfilment_orders_visible_to(request.user), number=number)


def _respond(request, number: str) -> Response:
    fo = get_object_or_404(
        selectors.fulfilment_orders_visible_to(request.user).prefetch_related("lines__order_line__sku"),
        number=number,
    )
    return Response(FulfilmentOrderOutput(fo).data)


class FulfilmentOrderFilters(serializers.Serializer):
    location = serializers.CharField(
        max_length=40, required=False, help_text="Location code (a vendor's or a store's)."
    )
    status = CommaSeparatedChoicesField(
        choices=FulfilmentOrder.Status.values,
        required=False,
        help_text="Comma-separated statuses; open work by default.",
    )

    def validate_location(self, code):
        if not Location.objects.filter(code=code).exists():
            raise serializers.ValidationError(_("Unknown location %(code)s.") % {"code": code})
        return code


class FulfilmentOrderListApi(APIView):
    scope = "fulfilment.read"

    @extend_schema(
        parameters=[FulfilmentOrderFilters, PageParameters],
        responses=paged(FulfilmentOrderOutput),
        operation_id="fulfilment_orders_list",
    )
    def get(self, request):
        """Work for a location, most urgent first, a page at a time."""
        filters = filters_valid(FulfilmentOrderFilters, request)
        queryset = selectors.fulfilment_orders_visible_to(request.user).prefetch_related(
            "lines__order_line__sku"
        )
        if code := filters.get("location"):
            queryset = queryset.filter(location__code=code)
        statuses = filters.get("status") or FulfilmentOrder.OPEN
        queryset = queryset.filter(status__in=statuses).order_by("due_at", "pk")
        return paginate(self, queryset, FulfilmentOrderOutput)


class FulfilmentOrderDetailApi(APIView):
    scope = "fulfilment.read"

    @extend_schema(responses=FulfilmentOrderOutput)
    def get(self, request, number: str):
        return _respond(request, number)


class _Action(APIView):
    """POST one action on a fulfilment order: clean the input, call the service, answer with
    the fulfilment order as it now is."""

    scope = "fulfilment.work"
    input_serializer: type[serializers.Serializer] | None = None
    # Where a retry would do the work twice (a second set of parcels, a second shipment).
    idempotency_required = False

    def perform(self, fo: FulfilmentOrder, data: dict, trace: Trace) -> None:
        raise NotImplementedError

    def post(self, request, number: str):
        return idempotency.idempotent(required=self.idempotency_required)(type(self).act)(
            self, request, number
        )

    def act(self, request, number: str):
        fo = _get(request, number)
        data = {}
        if self.input_serializer is not None:
            payload = self.input_serializer(data=request.data if request.data is not None else {})
            payload.is_valid(raise_exception=True)
            data = payload.validated_data
        elif request.data:
            raise serializers.ValidationError(
                {key: [_("Unknown field; this operation does not take it.")] for key in request.data}
                if isinstance(request.data, dict)
                else _("This operation takes no body.")
            )
        self.perform(fo, data, Trace.of(request.user, note=data.get("note", "")))
        return _respond(request, number)


def _action_schema(request=None, *, required_key: bool = False):
    return extend_schema(
        request=request,
        responses=FulfilmentOrderOutput,
        parameters=[idempotency.parameter(required=required_key)],
    )


REASON_HELP = (
    "Why, as a code. not_found and damaged correct the location's stock: the units are written "
    "off (not_found: with the units nobody holds, the shelf having no more) and a count is asked for."
)


class DeclineInput(InputSerializer):
    reason = serializers.ChoiceField(choices=RejectionReason.choices, help_text=REASON_HELP)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class FulfilmentPickInput(InputSerializer):
    line = serializers.IntegerField(min_value=1)
    picked = serializers.IntegerField(min_value=0)


class FulfilmentPicksInput(InputSerializer):
    lines = FulfilmentPickInput(many=True, allow_empty=False)
    reason = serializers.ChoiceField(
        choices=RejectionReason.choices,
        required=False,
        help_text=f"Required when units are missing. {REASON_HELP}",
    )
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class FulfilmentPackInput(InputSerializer):
    parcels = serializers.IntegerField(min_value=1, max_value=20, default=1)
    weights_kg = serializers.ListField(
        child=serializers.DecimalField(max_digits=6, decimal_places=3, min_value=Decimal("0.001")),
        required=False,
        max_length=20,
        help_text="One weight per parcel, in kg (optional).",
    )

    def validate(self, attrs):
        weights = attrs.get("weights_kg")
        if weights and len(weights) != attrs["parcels"]:
            raise serializers.ValidationError({"weights_kg": ["Give one weight per parcel."]})
        return attrs


class ArrivalInput(InputSerializer):
    parking_spot = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")


class ArrivalOutput(serializers.Serializer):
    order = serializers.CharField()
    fulfilment_orders = serializers.ListField(child=serializers.CharField())
    store = serializers.CharField()
    parking_spot = serializers.CharField()


class FulfilmentShipInput(InputSerializer):
    carrier = serializers.CharField(max_length=60)
    tracking_number = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


@_action_schema()
class FulfilmentOrderAcknowledgeApi(_Action):
    """The location accepts the work; the ready-by deadline now applies."""

    def perform(self, fo, data, trace):
        services.fulfilment_order_acknowledge(fulfilment_order=fo, trace=trace)


@_action_schema(DeclineInput)
class FulfilmentOrderDeclineApi(_Action):
    """The location refuses the work: it is rerouted at once, never back to this location."""

    input_serializer = DeclineInput

    def perform(self, fo, data, trace):
        services.fulfilment_order_decline(
            fulfilment_order=fo, reason=data["reason"], note=data["note"], trace=trace
        )


@_action_schema(FulfilmentPicksInput)
class FulfilmentOrderPicksApi(_Action):
    """Units found per order line; what is missing (a short pick) is rerouted."""

    input_serializer = FulfilmentPicksInput

    def perform(self, fo, data, trace):
        picked = {item["line"]: item["picked"] for item in data["lines"]}
        services.fulfilment_order_record_picks(
            fulfilment_order=fo, picked=picked, reason=data.get("reason", ""), note=data["note"], trace=trace
        )


@_action_schema(FulfilmentPackInput, required_key=True)
class FulfilmentOrderPackApi(_Action):
    """The picked goods are boxed into parcels (with their weights, when weighed)."""

    input_serializer = FulfilmentPackInput
    idempotency_required = True

    def perform(self, fo, data, trace):
        weights = data.get("weights_kg") or [None] * data["parcels"]
        services.fulfilment_order_pack(fulfilment_order=fo, parcels=weights, trace=trace)


@_action_schema(FulfilmentShipInput, required_key=True)
class FulfilmentOrderShipApi(_Action):
    """The parcel leaves with a carrier: to the customer, or to the pickup store."""

    input_serializer = FulfilmentShipInput
    idempotency_required = True

    def perform(self, fo, data, trace):
        services.fulfilment_order_ship(
            fulfilment_order=fo, carrier=data["carrier"], tracking_number=data["tracking_number"], trace=trace
        )


@_action_schema()
class FulfilmentOrderReadyApi(_Action):
    """The goods wait on the pickup store's shelf."""

    scope = "fulfilment.handover"

    def perform(self, fo, data, trace):
        services.fulfilment_order_make_ready(fulfilment_order=fo, trace=trace)


class IdentityCheckInput(InputSerializer):
    document = serializers.ChoiceField(choices=IdentityDocument.choices)
    reference_last4 = serializers.RegexField(
        r"^[A-Za-z0-9]{4}$", help_text="The document number's last 4 characters."
    )
    reason = serializers.ChoiceField(
        choices=NoCodeReason.choices, help_text="Why the customer collects without their pickup code."
    )
    note = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default="", help_text="Required for reason `other`."
    )


class FulfilmentCollectInput(InputSerializer):
    pickup_code = serializers.RegexField(
        r"^\d{6}$",
        required=False,
        help_text="The code the customer presents (typed or scanned from their e-mail). Omni never gives "
        "it to the store: `pickup_code` is empty in the store's answers.",
    )
    identity_check = IdentityCheckInput(
        required=False,
        help_text="When the customer has no code: the identity document the store checked, and why "
        "there is no code.",
    )


@_action_schema(FulfilmentCollectInput)
class FulfilmentOrderCollectApi(_Action):
    """The customer took the goods. Needs proof, presented by the customer: their pickup code
    (a wrong one is a 400 ``pickup_code_mismatch`` saying how many tries are left; the fifth
    wrong code in a row locks the handover for 15 minutes, a 409 ``handover_locked``, recorded
    on the timeline) or, when they have none, an identity check with the reason (a 400
    ``handover_proof_required`` without either); nothing else changes when refused."""

    scope = "fulfilment.handover"
    input_serializer = FulfilmentCollectInput

    def perform(self, fo, data, trace):
        check = data.get("identity_check")
        services.fulfilment_order_collect(
            fulfilment_order=fo,
            trace=trace,
            pickup_code=data.get("pickup_code", ""),
            identity_checked=f"{check['document']} …{check['reference_last4']}" if check else "",
            no_code_reason=check["reason"] if check else "",
            no_code_note=check["note"] if check else "",
        )


@_action_schema()
class FulfilmentOrderReceiveApi(_Action):
    """The pickup store received the parcel sent to it: stock enters the store, held for the
    customer, and the order is ready for pickup."""

    scope = "fulfilment.handover"

    def perform(self, fo, data, trace):
        services.fulfilment_order_receive(fulfilment_order=fo, trace=trace)


class OrderArrivalApi(APIView):
    scope = "orders.arrival"
    idempotency_required = True

    @extend_schema(
        request=ArrivalInput, responses=ArrivalOutput, parameters=[idempotency.parameter(required=True)]
    )
    @idempotency.idempotent(required=True)
    def post(self, request, number: str):
        """The customer is at the store to collect ("I'm here"), optionally with the parking
        spot for kerbside handover. The store's work queue shows it at once. 409 when
        nothing of the order is ready for pickup."""
        payload = ArrivalInput(data=request.data)
        payload.is_valid(raise_exception=True)
        order = get_object_or_404(orders_visible_to(request.user), number=number)
        spot = payload.validated_data["parking_spot"]
        ready = services.order_customer_arrived(order=order, parking_spot=spot, trace=Trace.of(request.user))
        store = ready[0].destination or ready[0].location
        return Response({"order": order.number, "fulfilment_orders": [fo.number for fo in ready],
                         "store": store.code, "parking_spot": spot})  # fmt: skip
