from django.contrib import admin

from .models import FulfilmentOrder, FulfilmentOrderLine


class FulfilmentLineInline(admin.TabularInline):
    model = FulfilmentOrderLine
    extra = 0
    can_delete = False
    readonly_fields = ["order_line", "allocation", "quantity", "qty_picked", "qty_short"]


@admin.register(FulfilmentOrder)
class FulfilmentOrderAdmin(admin.ModelAdmin):
    """Read-only: fulfilment orders change through their services (API and store pages)."""

    list_display = ["number", "location", "mode", "status", "due_at", "created_at"]
    list_filter = ["status", "mode", "location__kind"]
    search_fields = ["number", "order__number", "location__code"]
    inlines = [FulfilmentLineInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
