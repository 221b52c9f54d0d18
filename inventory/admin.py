from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Location, OpeningPeriod


class OpeningPeriodInline(admin.TabularInline):
    model = OpeningPeriod
    extra = 0


@admin.register(Location)
class LocationAdmin(SimpleHistoryAdmin):
    list_display = (
        "code",
        "name",
        "kind",
        "city",
        "is_pickup_point",
        "ships_to_customers",
        "sells_stock_online",
        "is_active",
    )
    list_filter = ("kind", "is_active", "is_pickup_point", "ships_to_customers", "sells_stock_online")
    search_fields = ("code", "name", "city", "postcode")
    inlines = [OpeningPeriodInline]
