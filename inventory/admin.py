from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import BackorderPolicy, CountTask, Location, OpeningPeriod


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


@admin.register(CountTask)
class CountTaskAdmin(admin.ModelAdmin):
    """Head office follows the counts asked of every location (stores settle theirs on their
    count page); read only: a count is entered through the service, with its ledger row."""

    list_display = ("sku", "location", "status", "reason", "reference", "raised_at", "counted", "counted_at")
    list_filter = ("status", "reason", "location__kind")
    search_fields = ("sku__code", "location__code", "reference")
    list_select_related = ("sku", "location")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(BackorderPolicy)
class BackorderPolicyAdmin(admin.ModelAdmin):
    """Head office sets, per SKU or per category, what happens to units nobody holds."""

    list_display = ("sku", "category", "mode", "expected_date", "preorder_limit", "preordered", "updated_at")
    list_filter = ("mode",)
    search_fields = ("sku__code", "sku__name", "category")
    raw_id_fields = ("sku",)
    readonly_fields = ("preordered",)
