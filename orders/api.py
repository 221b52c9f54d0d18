"""REST API for orders: capture (idempotent), read, track, change, fulfil.

Each view cleans its input with an input serializer and calls one service; domain errors
become 4xx through the shared exception handler.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from inventory.models import Location
from omni import idempotency
from omni.api import InputSerializer, PageParameters, filters_valid, paged, paginate
from omni.trace import Trace
from omni.vocabulary import DeliveryMethod, SalesChannel
from promotions import delivery as fees
from promotions.reasons import fee_rule_text

from . import selectors, services
from .models import Allocation, DeliveryCharge, Order, OrderEvent, OrderLine, Payment

# ---------------------------------------------------------------- input


class AddressInput(InputSerializer):
    name = serializers.CharField(max_length=200)
    line1 = serializers.CharField(max_length=200)
    line2 = serializers.CharField(max_length=200, required=False, allow_blank=True)
    postcode = serializers.CharField(max_length=12)
    city = serializers.CharField(max_length=100)
    country = serializers.CharField(max_length=2, required=False, default="FR")
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True)


class RelayPointInput(InputSerializer):
    id = serializers.CharField(max_length=50)
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    carrier = serializers.CharField(max_length=50, required=False, allow_blank=True)
    line1 = serializers.CharField(max_length=200, required=False, allow_blank=True)
    postcode = serializers.CharField(max_length=12)
    city = serializers.CharField(max_length=100, required=False, allow_blank=True)


class SlotInput(InputSerializer):
    start = serializers.TimeField()
    end = serializers.TimeField()


class DeliveryInput(InputSerializer):
    method = serializers.ChoiceField(choices=DeliveryMethod.choices)
    pickup_location = serializers.CharField(max_length=40, required=False, allow_blank=True)
    relay_point = RelayPointInput(required=False, allow_null=True)
    requested_date = serializers.DateField(required=False, allow_null=True)
    requested_slot = SlotInput(required=False, allow_null=True)
    promised_date = serializers.DateField(
        required=False, allow_null=True, help_text="The date the checkout promised (POST /promise/)."
    )
    instructions = serializers.CharField(
        max_length=300,
        required=False,
        allow_blank=True,
        help_text="For the carrier or the store (door code, floor, leave with the concierge).",
    )


class LineInput(InputSerializer):
    sku = serializers.CharField(max_length=40)
    quantity = serializers.IntegerField(min_value=1, max_value=10_000)
    delivery = DeliveryInput()


class CustomerInput(InputSerializer):
    email = serializers.EmailField(required=False, allow_blank=True)
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True)
    first_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    last_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    language = serializers.ChoiceField(choices=["fr", "en"], required=False)

    def validate(self, attrs):
        if not attrs.get("email") and not attrs.get("phone"):
            raise serializers.ValidationError(
                {"email": ["Give the customer's e-mail address or phone number."]}
            )
        return attrs


class PaymentInput(InputSerializer):
    method = serializers.ChoiceField(choices=Payment.Method.choices)
    reference = serializers.CharField(max_length=100, required=False, allow_blank=True)
    amount = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        required=False,
        help_text="Omit when the tender was authorised for the order's total.",
    )


class OrderInput(InputSerializer):
    channel = serializers.ChoiceField(choices=SalesChannel.choices)
    external_reference = serializers.CharField(max_length=100, required=False, allow_blank=True)
    customer = CustomerInput()
    billing_address = AddressInput(required=False, allow_null=True)
    shipping_address = AddressInput(required=False, allow_null=True)
    lines = LineInput(many=True, allow_empty=False, max_length=500)
    payments = PaymentInput(many=True, required=False)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    coupon_codes = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, default=list, max_length=10
    )


def line_request(line: dict) -> dict:
    """A cleaned API line as the capture service takes it."""
    delivery = line["delivery"]
    slot = delivery.get("requested_slot") or {}
    return {
        "sku": line["sku"],
        "quantity": line["quantity"],
        "delivery_method": delivery["method"],
        "pickup_location": delivery.get("pickup_location") or "",
        "relay_point": delivery.get("relay_point"),
        "requested_date": delivery.get("requested_date"),
        "requested_slot_start": slot.get("start"),
        "requested_slot_end": slot.get("end"),
        "promised_date": delivery.get("promised_date"),
        "delivery_instructions": delivery.get("instructions", ""),
    }


# ---------------------------------------------------------------- output


class AddressOutput(serializers.Serializer):
    name = serializers.CharField()
    line1 = serializers.CharField()
    line2 = serializers.CharField(required=False)
    postcode = serializers.CharField()
    city = serializers.CharField()
    country = serializers.CharField(required=False)
    phone = serializers.CharField(required=False)


class RelayPointOutput(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField(required=False)
    carrier = serializers.CharField(required=False)
    line1 = serializers.CharField(required=False)
    postcode = serializers.CharField()
    city = serializers.CharField(required=False)


class AllocationOutput(serializers.ModelSerializer):
    location = serializers.CharField(source="location.code")
    location_name = serializers.CharField(source="location.name")

    class Meta:
        model = Allocation
        fields = ["location", "location_name", "kind", "quantity", "status", "created_at"]


class LineQuantitiesOutput(serializers.Serializer):
    ordered = serializers.IntegerField()
    allocated = serializers.IntegerField()
    backordered = serializers.IntegerField()
    shipped = serializers.IntegerField()
    collected = serializers.IntegerField()
    cancelled = serializers.IntegerField()
    returned = serializers.IntegerField()


class LineOutput(serializers.ModelSerializer):
    sku = serializers.CharField(source="sku_code")
    line = serializers.IntegerField(source="line_number")
    pickup_location = serializers.CharField(source="pickup_location.code", default=None, allow_null=True)
    relay_point = RelayPointOutput(allow_null=True, help_text="The relay point or locker, for such lines.")
    line_total = serializers.DecimalField(max_digits=12, decimal_places=2)
    tax_amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    allocations = AllocationOutput(many=True)
    quantities = serializers.SerializerMethodField()

    class Meta:
        model = OrderLine
        fields = [
            "line", "sku", "name", "quantity", "status", "quantities", "unit_price", "unit_discount",
            "line_discount", "promotions", "tax_rate", "tax_amount", "line_total", "delivery_method", "pickup_location", "relay_point",
            "requested_date", "requested_slot_start", "requested_slot_end", "delivery_instructions", "promised_date",
            "backorder_mode", "expected_date", "allocations",
        ]  # fmt: skip
        extra_kwargs = {
            "backorder_mode": {"help_text": "How units no location could serve at capture wait, by the SKU's "
                               "backorder policy: `backorder`, `preorder`, or empty."},
            "expected_date": {"help_text": "When the next supply of a waiting SKU is expected, if known."},
        }  # fmt: skip

    @extend_schema_field(LineQuantitiesOutput)
    def get_quantities(self, line) -> dict[str, int]:
        return {
            "ordered": line.quantity,
            "allocated": line.qty_allocated,
            "backordered": line.qty_backordered,
            "shipped": line.qty_shipped,
            "collected": line.qty_collected,
            "cancelled": line.qty_cancelled,
            "returned": line.qty_returned,
        }


class PaymentOutput(serializers.ModelSerializer):
    class Meta:
        model = Payment
        fields = ["method", "reference", "amount_authorised", "amount_captured", "amount_refunded"]


class DeliveryWaiverOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class DeliveryChargeOutput(serializers.ModelSerializer):
    """The delivery fee of one delivery group (its lines going one way to one place)."""

    tax_amount = serializers.DecimalField(max_digits=8, decimal_places=2, help_text="VAT included in amount.")
    waived_by = DeliveryWaiverOutput(allow_null=True, help_text="The promotion that made it free.")
    why = serializers.SerializerMethodField(help_text="The rule, in the reader's language.")
    lines = serializers.SerializerMethodField(help_text="The order lines of the delivery group.")

    class Meta:
        model = DeliveryCharge
        fields = [
            "group", "method", "zone", "basket_value", "list_amount", "amount", "tax_rate", "tax_amount", "rule",
            "why", "waived_by", "status", "refund_reason", "refunded_at", "lines",
        ]  # fmt: skip

    def get_why(self, charge) -> str:
        return fee_rule_text(
            charge.rule,
            promotion=(charge.waived_by or {}).get("name", ""),
            free_from=fees.free_from(charge.zone),
        )

    def get_lines(self, charge) -> list[int]:
        return [
            line.line_number
            for line in charge.order.lines.all()
            if services.delivery_group(line) == charge.group
        ]


class EventOutput(serializers.ModelSerializer):
    line = serializers.IntegerField(source="line.line_number", default=None, allow_null=True)
    actor = serializers.CharField(source="actor.username", default=None, allow_null=True)

    class Meta:
        model = OrderEvent
        fields = ["kind", "line", "summary", "reason", "actor", "channel", "data", "created_at"]

    def to_representation(self, event):
        body = super().to_representation(event)
        request = self.context.get("request")
        if (
            request is not None
            and getattr(request.user, "is_store_associate", False)
            and "pickup_code" in body["data"]
        ):
            # The customer's proof at the counter: the store types it from the customer.
            body["data"] = {key: value for key, value in body["data"].items() if key != "pickup_code"}
        return body


class CustomerOutput(serializers.Serializer):
    email = serializers.EmailField()
    phone = serializers.CharField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()


class OrderOutput(serializers.ModelSerializer):
    customer = CustomerOutput()
    billing_address = AddressOutput(allow_null=True)
    shipping_address = AddressOutput(allow_null=True)
    lines = LineOutput(many=True)
    payments = PaymentOutput(many=True)
    delivery_charges = DeliveryChargeOutput(
        many=True, help_text="One delivery fee per delivery group, charged or refunded."
    )
    timeline = EventOutput(source="events", many=True)

    class Meta:
        model = Order
        fields = [
            "number", "channel", "external_reference", "status", "hold_reason", "customer",
            "billing_address", "shipping_address", "language", "currency", "subtotal", "discount_total",
            "delivery_total", "tax_total", "total", "notes", "placed_at", "updated_at", "lines", "payments",
            "delivery_charges", "timeline",
        ]  # fmt: skip
        extra_kwargs = {  # noqa: RUF012 - DRF's convention
            "delivery_total": {"help_text": "Delivery fees charged (VAT included); part of total."},
            "total": {"help_text": "What the customer pays: the goods after discounts, plus delivery."},
        }


class OrderSummaryOutput(serializers.ModelSerializer):
    customer = CustomerOutput()

    class Meta:
        model = Order
        fields = ["number", "channel", "external_reference", "status", "customer", "total", "placed_at"]


class TrackingStoreOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    address = serializers.CharField()


class TrackingShipmentOutput(serializers.Serializer):
    carrier = serializers.CharField()
    tracking = serializers.CharField()
    quantity = serializers.IntegerField(allow_null=True)
    at = serializers.DateTimeField()


class TrackingLineOutput(serializers.Serializer):
    line = serializers.IntegerField()
    sku = serializers.CharField()
    name = serializers.CharField()
    quantity = serializers.IntegerField()
    status = serializers.CharField(help_text="The customer's words for the line's state.")
    status_label = serializers.CharField()
    delivery_method = serializers.ChoiceField(choices=DeliveryMethod.choices)
    pickup_store = TrackingStoreOutput(allow_null=True)
    promised_date = serializers.DateField(allow_null=True)
    shipments = TrackingShipmentOutput(many=True)


class TrackingOutput(serializers.Serializer):
    number = serializers.CharField()
    status = serializers.ChoiceField(choices=Order.Status.choices)
    status_label = serializers.CharField()
    placed_at = serializers.DateTimeField()
    delivery_total = serializers.DecimalField(max_digits=12, decimal_places=2)
    total = serializers.DecimalField(max_digits=12, decimal_places=2)
    lines = TrackingLineOutput(many=True)


def _order_response(request, number: str, http_status=status.HTTP_200_OK) -> Response:
    return Response(
        OrderOutput(selectors.order_get(user=request.user, number=number), context={"request": request}).data,
        status=http_status,
    )


def _order(request, number: str) -> Order:
    return selectors.order_get(user=request.user, number=number)


def _order_with_line(request, number: str, line: int) -> Order:
    """The order, when it has line ``line``: an unknown line in the address is a 404 (in a
    request body it stays the service's 400)."""
    order = _order(request, number)
    if not order.lines.filter(line_number=line).exists():
        raise exceptions.NotFound(_("The order has no line %(line)s.") % {"line": line})
    return order


# ---------------------------------------------------------------- views


class OrderFilters(serializers.Serializer):
    q = serializers.CharField(
        max_length=200, required=False, allow_blank=True,
        help_text="Order number, channel reference, e-mail, phone or name",
    )  # fmt: skip
    status = serializers.ChoiceField(choices=Order.Status.choices, required=False)
    channel = serializers.ChoiceField(choices=SalesChannel.choices, required=False)
    placed_from = serializers.DateField(required=False)
    placed_to = serializers.DateField(required=False)


class OrderListCreateApi(APIView):
    scope = {"GET": "orders.search", "POST": "orders.place"}
    idempotency_required = True

    @extend_schema(
        parameters=[OrderFilters, PageParameters],
        responses=paged(OrderSummaryOutput),
        operation_id="orders_list",
    )
    def get(self, request):
        """Search orders, newest first, a page at a time (unknown filter values are a 400)."""
        filters = filters_valid(OrderFilters, request)
        orders = selectors.order_search(
            user=request.user,
            query=filters.get("q", ""),
            status=filters.get("status", ""),
            channel=filters.get("channel", ""),
            placed_from=filters.get("placed_from"),
            placed_to=filters.get("placed_to"),
            limit=None,
        )
        return paginate(self, orders, OrderSummaryOutput)

    @extend_schema(
        request=OrderInput,
        responses={201: OrderOutput, 200: OrderOutput},
        parameters=[idempotency.parameter(required=True)],
    )
    def post(self, request):
        """Capture an order: validated, priced, sourced (stock reserved) in one transaction."""
        key = idempotency.key_from(request, required=True)
        payload = OrderInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        order, created = services.order_place(
            channel=data["channel"],
            external_reference=data.get("external_reference", ""),
            customer=dict(data["customer"]),
            billing_address=dict(data["billing_address"]) if data.get("billing_address") else None,
            shipping_address=dict(data["shipping_address"]) if data.get("shipping_address") else None,
            lines=[line_request(line) for line in data["lines"]],
            payments=[dict(p) for p in data.get("payments", [])],
            notes=data.get("notes", ""),
            coupon_codes=data.get("coupon_codes", []),
            trace=Trace.of(request.user),
            idempotency_key=key,
            request_hash=services.request_fingerprint(request.data),
        )
        if not created:  # a replay: the order as it is now
            return _order_response(request, order.number)
        # Answered from what capture has in hand: a read-after-commit could fail a success.
        return Response(OrderOutput(selectors.order_as_placed(order)).data, status=status.HTTP_201_CREATED)


class OrderDetailApi(APIView):
    scope = "orders.read"

    @extend_schema(responses=OrderOutput)
    def get(self, request, number: str):
        """The order with its lines, allocations, payments and timeline."""
        return _order_response(request, number)


class OrderTrackingApi(APIView):
    scope = "orders.read"

    @extend_schema(responses=TrackingOutput)
    def get(self, request, number: str):
        """ "Where is my order": what the web shop shows the customer, in their words."""
        return Response(TrackingOutput(selectors.order_tracking(_order(request, number))).data)


class ReasonInput(InputSerializer):
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True)


class CancelLineInput(InputSerializer):
    line = serializers.IntegerField(min_value=1)
    quantity = serializers.IntegerField(min_value=1, required=False)


class CancelInput(ReasonInput):
    lines = CancelLineInput(many=True, required=False, help_text="Omit to cancel the whole order.")


class OrderCancelApi(APIView):
    scope = "orders.cancel"

    @extend_schema(request=CancelInput, responses=OrderOutput)
    def post(self, request, number: str):
        """Cancel the whole order, or some units of some lines; reservations are released."""
        payload = CancelInput(data=request.data)
        payload.is_valid(raise_exception=True)
        lines = payload.validated_data.get("lines")
        services.order_cancel(
            order=_order(request, number),
            lines={line["line"]: line.get("quantity") for line in lines} if lines else None,
            trace=Trace.of(request.user, note=payload.validated_data.get("reason", "")),
        )
        return _order_response(request, number)


class OrderShippingAddressApi(APIView):
    scope = "orders.change"

    @extend_schema(request=AddressInput, responses=OrderOutput)
    def post(self, request, number: str):
        """Change where the home-delivery lines go, before they ship."""
        payload = AddressInput(data=request.data)
        payload.is_valid(raise_exception=True)
        services.order_change_shipping_address(
            order=_order(request, number), address=dict(payload.validated_data), trace=Trace.of(request.user)
        )
        return _order_response(request, number)


class RequestedDeliveryInput(ReasonInput):
    requested_date = serializers.DateField(allow_null=True)
    requested_slot = SlotInput(required=False, allow_null=True)
    instructions = serializers.CharField(
        max_length=300, required=False, allow_blank=True, help_text="Omit to keep the line's instructions."
    )


class OrderLineRequestedDeliveryApi(APIView):
    scope = "orders.change"

    @extend_schema(request=RequestedDeliveryInput, responses=OrderOutput)
    def post(self, request, number: str, line: int):
        """Change a line's requested delivery date, time slot or instructions, before it ships.
        The open fulfilment orders holding the line follow; once one is packed the change is a
        409 ``delivery_already_packed`` and nothing changes."""
        payload = RequestedDeliveryInput(data=request.data)
        payload.is_valid(raise_exception=True)
        slot = payload.validated_data.get("requested_slot") or {}
        services.order_line_change_requested_delivery(
            order=_order_with_line(request, number, line),
            line_number=line,
            requested_date=payload.validated_data["requested_date"],
            slot_start=slot.get("start"),
            slot_end=slot.get("end"),
            instructions=payload.validated_data.get("instructions"),
            trace=Trace.of(request.user, note=payload.validated_data.get("reason", "")),
        )
        return _order_response(request, number)


class LineDeliveryInput(ReasonInput):
    method = serializers.ChoiceField(choices=DeliveryMethod.choices)
    pickup_location = serializers.CharField(max_length=40, required=False, allow_blank=True)
    relay_point = RelayPointInput(required=False, allow_null=True)


class OrderLineDeliveryApi(APIView):
    scope = "orders.change"

    @extend_schema(request=LineDeliveryInput, responses=OrderOutput)
    def post(self, request, number: str, line: int):
        """Switch a line between home delivery, relay point and pickup, or change its pickup
        store: the line is sourced again. Another relay point for a relay line only moves the
        parcel's destination (its open fulfilment orders follow). Once the line's parcel is
        packed, a 409 ``delivery_already_packed`` and nothing changes."""
        payload = LineDeliveryInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        pickup = None
        if data.get("pickup_location"):
            pickup = Location.objects.filter(code=data["pickup_location"]).first()
            if pickup is None:
                raise serializers.ValidationError(
                    {"pickup_location": [f"Unknown location {data['pickup_location']}."]}
                )
        services.order_line_change_delivery(
            order=_order_with_line(request, number, line),
            line_number=line,
            delivery_method=data["method"],
            pickup_location=pickup,
            relay_point=data.get("relay_point"),
            trace=Trace.of(request.user, note=data.get("reason", "")),
        )
        return _order_response(request, number)


class HoldInput(InputSerializer):
    reason = serializers.CharField(max_length=300)


class OrderHoldApi(APIView):
    scope = "orders.hold"

    @extend_schema(request=HoldInput, responses=OrderOutput)
    def post(self, request, number: str):
        """Stop fulfilment until released."""
        payload = HoldInput(data=request.data)
        payload.is_valid(raise_exception=True)
        services.order_hold(
            order=_order(request, number),
            reason=payload.validated_data["reason"],
            trace=Trace.of(request.user),
        )
        return _order_response(request, number)


class OrderReleaseApi(APIView):
    scope = "orders.hold"

    @extend_schema(request=None, responses=OrderOutput)
    def post(self, request, number: str):
        services.order_release(order=_order(request, number), trace=Trace.of(request.user))
        return _order_response(request, number)
