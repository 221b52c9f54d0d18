from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import BackorderPolicy, Location, OpeningPeriod


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


@admin.register(BackorderPolicy)
class BackorderPolicyAdmin(admin.ModelAdmin):
    """Head office sets, per SKU or per category, what happens to units nobody holds."""

    list_display = ("sku", "category", "mode", "expected_date", "preorder_limit", "preordered", "updated_at")
    list_filter = ("mode",)
    search_fields = ("sku__code", "sku__name", "category")
    raw_id_fields = ("sku",)
    readonly_fields = ("preordered",)
