from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from omni.api import HourMinuteField, InputSerializer, PageParameters, filters_valid, paged, paginate
from omni.trace import Channel, Trace

from . import services
from .models import Location, OpeningPeriod, SyncBatch
from .selectors import location_get_for_user, locations_visible_to


class OpeningPeriodOutput(serializers.ModelSerializer):
    opens_at = HourMinuteField()
    closes_at = HourMinuteField()

    class Meta:
        model = OpeningPeriod
        fields = ["weekday", "opens_at", "closes_at"]


class LocationOutput(serializers.ModelSerializer):
    opening_hours = OpeningPeriodOutput(source="opening_periods", many=True, read_only=True)
    latitude = serializers.FloatField()
    longitude = serializers.FloatField()

    class Meta:
        model = Location
        fields = [
            "code",
            "name",
            "kind",
            "address_line1",
            "address_line2",
            "postcode",
            "city",
            "country",
            "latitude",
            "longitude",
            "timezone",
            "opening_hours",
            "ships_to_customers",
            "is_pickup_point",
            "receives_ship_to_store",
            "sends_transfers",
            "receives_transfers",
            "daily_capacity",
            "order_cutoff_time",
            "sells_stock_online",
            "is_active",
            "updated_at",
        ]


class LocationFilters(serializers.Serializer):
    code = serializers.CharField(max_length=400, required=False, help_text="Comma-separated location codes.")
    kind = serializers.ChoiceField(choices=Location.Kind.choices, required=False)
    is_active = serializers.BooleanField(required=False)
    is_pickup_point = serializers.BooleanField(required=False)
    ships_to_customers = serializers.BooleanField(required=False)
    receives_ship_to_store = serializers.BooleanField(required=False)
    sells_stock_online = serializers.BooleanField(required=False)
    city = serializers.CharField(max_length=100, required=False)
    postcode = serializers.CharField(max_length=12, required=False)


class LocationListApi(APIView):
    """The network's locations, a page at a time. A store associate's token sees their own
    store only. Filter values are checked (``is_active=maybe`` is a 400, not ignored)."""

    scope = "locations.read"

    @extend_schema(
        parameters=[LocationFilters, PageParameters],
        responses=paged(LocationOutput),
        operation_id="locations_list",
    )
    def get(self, request):
        filters = filters_valid(LocationFilters, request)
        queryset = locations_visible_to(request.user).prefetch_related("opening_periods").order_by("code")
        if "code" in filters:
            queryset = queryset.filter(code__in=[code.strip() for code in filters.pop("code").split(",")])
        return paginate(self, queryset.filter(**filters), LocationOutput)


class LocationDetailApi(generics.RetrieveAPIView):
    serializer_class = LocationOutput
    scope = "locations.read"

    @extend_schema(operation_id="location_retrieve")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_object(self):
        return location_get_for_user(user=self.request.user, code=self.kwargs["code"])


# --- Catalogue, inventory sync and availability -------------------------------------------


class ProductRow(InputSerializer):
    # The schema of a row as the catalogue service checks it (inventory/services/catalogue.py):
    # optional text may be blank or null.
    sku = serializers.CharField(max_length=40)
    ean = serializers.CharField(min_length=13, max_length=13, help_text="EAN-13, check digit verified")
    name = serializers.CharField(max_length=200)
    model = serializers.CharField(
        max_length=40,
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text="Model (style) code; defaults to the SKU",
    )
    model_name = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    colour = serializers.CharField(max_length=60, required=False, allow_blank=True, allow_null=True)
    size = serializers.CharField(max_length=20, required=False, allow_blank=True, allow_null=True)
    category = serializers.CharField(max_length=80, required=False, allow_blank=True, allow_null=True)
    brand = serializers.CharField(max_length=80, required=False, allow_blank=True, allow_null=True)
    price = serializers.DecimalField(
        max_digits=10, decimal_places=2, min_value=0,
        help_text='EUR, tax included: a string ("49.90") or a whole number; never a float',
    )  # fmt: skip
    image_url = serializers.URLField(max_length=500, required=False, allow_blank=True, allow_null=True)
    is_active = serializers.BooleanField(required=False, default=True)


@extend_schema_field(ProductRow(many=True))
class ProductRows(serializers.ListField):
    """Rows are checked by the catalogue service, all at once, not one serializer per row;
    only a column no row may have is refused here, by name, as an ``InputSerializer`` would."""

    def __init__(self, **kwargs):
        super().__init__(allow_empty=False, **kwargs)

    def to_internal_value(self, data):
        rows = super().to_internal_value(data)
        known = set(ProductRow().fields)
        unknown = {}
        for index, row in enumerate(rows):
            extra = sorted(set(row) - known) if isinstance(row, dict) else []
            if extra:
                unknown[str(index)] = {
                    name: [_("Unknown field; this operation does not take it.")] for name in extra
                }
        if unknown:
            raise serializers.ValidationError(unknown)
        return rows


class ProductSyncApi(APIView):
    """Upsert a batch of SKUs from the PIM. All rows are validated; one bad row rejects the
    whole batch (400 with per-row errors) and nothing is written."""

    scope = "products.sync"

    class ProductSyncInput(InputSerializer):
        products = ProductRows(help_text="Up to tens of thousands of rows.")

    class ProductSyncOutput(serializers.Serializer):
        rows = serializers.IntegerField()
        created = serializers.IntegerField()
        updated = serializers.IntegerField()

    @extend_schema(
        request=ProductSyncInput,
        responses={200: ProductSyncOutput},
        operation_id="products_sync",
        description=(
            "Upsert a batch of SKUs from the PIM. All rows are validated; one bad row rejects the whole "
            "batch (400 `batch_rejected`, errors keyed `products[<row>].<field>`) and nothing is written."
        ),
    )
    def post(self, request):
        serializer = self.ProductSyncInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = services.catalogue_sync(rows=serializer.validated_data["products"])
        return Response(self.ProductSyncOutput(result).data)


class InventorySyncApi(APIView):
    """Apply a snapshot (``mode=snapshot``: rows of ``sku``, ``on_hand``, optional
    ``safety_stock``, and ``location`` unless the top-level one applies) or a batch of deltas
    (``mode=delta``: rows of ``sku``, ``location``, ``delta``).

    A snapshot must say its ``scope``; without one it is a 400 naming ``scope`` and nothing
    is written:

    * ``full_location``: the rows are the whole stock of each location they name; every SKU
      such a location holds that the rows leave out is counted as **zero**. The response
      says how many stock rows that set to zero (``zeroed``), per location
      (``zeroed_by_location``, every location the snapshot covered, 0 included).
    * ``listed_skus``: only the rows given are set; nothing else changes (``zeroed`` is 0).

    Idempotent on ``batch_id``: a retry answers the first result (``replayed: true``); the
    same id with other rows (or another scope) is a 409. Any bad row rejects the whole batch
    (400 with per-row errors) and nothing is applied. A snapshot never loses a reservation:
    where it counts fewer units than are reserved, on hand stays at the reserved quantity
    and ``warnings`` says so."""

    scope = "inventory.sync"

    class InventorySyncInput(InputSerializer):
        batch_id = serializers.CharField(max_length=100)
        mode = serializers.ChoiceField(choices=SyncBatch.Mode.choices)
        scope = serializers.ChoiceField(
            choices=SyncBatch.Scope.choices,
            required=False,
            help_text="Required for a snapshot, absent for deltas: full_location zeroes every SKU "
            "of the location the rows leave out; listed_skus sets the listed rows only",
        )
        location = serializers.CharField(
            required=False, help_text="Default location of the rows (a snapshot's rows may name theirs)"
        )
        rows = serializers.ListField()

    class InventorySyncOutput(serializers.Serializer):
        batch_id = serializers.CharField()
        mode = serializers.CharField()
        scope = serializers.CharField(allow_null=True, help_text="The snapshot's scope; null for deltas")
        location = serializers.CharField(allow_null=True)
        rows = serializers.IntegerField()
        changed = serializers.IntegerField(help_text="Stock rows changed (each has a ledger row)")
        zeroed = serializers.IntegerField(
            allow_null=True,
            help_text="Stock rows a full_location snapshot left out and set to zero (to the reserved "
            "quantity where units are reserved); 0 for listed_skus and deltas; null only when "
            "replaying a snapshot applied before Omni counted them",
        )
        zeroed_by_location = serializers.DictField(
            child=serializers.IntegerField(),
            help_text="zeroed per location code, for every location a snapshot covered; {} for deltas",
        )
        warnings = serializers.ListField(child=serializers.DictField())
        replayed = serializers.BooleanField()

    @extend_schema(
        request=InventorySyncInput,
        responses={200: InventorySyncOutput},
        operation_id="inventory_sync",
    )
    def post(self, request):
        serializer = self.InventorySyncInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        result = services.inventory_sync(
            batch_id=data["batch_id"],
            mode=data["mode"],
            scope=data.get("scope"),
            location=data.get("location"),
            rows=data["rows"],
            trace=Trace(actor=request.user, channel=Channel.INTEGRATION),
        )
        return Response(self.InventorySyncOutput(result).data)
