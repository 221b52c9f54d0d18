from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers

from accounts.access import api_roles
from accounts.models import Role

from .models import Location, OpeningPeriod
from .selectors import location_get_for_user, locations_visible_to

ALL_ROLES = (Role.HEAD_OFFICE, Role.CALL_CENTRE, Role.STORE_ASSOCIATE, Role.INTEGRATION)


class OpeningPeriodOutput(serializers.ModelSerializer):
    opens_at = serializers.TimeField(format="%H:%M")
    closes_at = serializers.TimeField(format="%H:%M")

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


class LocationFilter(filters.FilterSet):
    code = filters.BaseInFilter(field_name="code")

    class Meta:
        model = Location
        fields = [
            "code",
            "kind",
            "is_active",
            "is_pickup_point",
            "ships_to_customers",
            "receives_ship_to_store",
            "sells_stock_online",
            "city",
            "postcode",
        ]


class LocationListApi(generics.ListAPIView):
    """The network's locations. A store associate's token sees their own store only."""

    serializer_class = LocationOutput
    permission_classes = [api_roles(*ALL_ROLES)]
    filterset_class = LocationFilter

    def get_queryset(self):
        return locations_visible_to(self.request.user).prefetch_related("opening_periods").order_by("code")


class LocationDetailApi(generics.RetrieveAPIView):
    serializer_class = LocationOutput
    permission_classes = [api_roles(*ALL_ROLES)]

    @extend_schema(operation_id="location_retrieve")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_object(self):
        return location_get_for_user(user=self.request.user, code=self.kwargs["code"])
