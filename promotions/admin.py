from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import CouponCode, Promotion, Redemption


class CouponCodeInline(admin.TabularInline):
    model = CouponCode
    extra = 0
    fields = ["code", "batch", "max_uses", "uses", "expires_at"]
    readonly_fields = ["uses"]
    show_change_link = True


@admin.register(Promotion)
class PromotionAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "status", "priority", "stackable", "exclusive", "requires_code", "starts_at",
                    "ends_at", "uses", "max_uses"]  # fmt: skip
    list_filter = ["status", "kind", "exclusive", "requires_code"]
    search_fields = ["name", "code"]
    readonly_fields = ["uses", "created_by", "created_at", "updated_at"]
    inlines = [CouponCodeInline]


@admin.register(Redemption)
class RedemptionAdmin(admin.ModelAdmin):
    list_display = ["promotion", "order_reference", "code", "amount", "channel", "status", "created_at"]
    list_filter = ["status", "channel"]
    search_fields = ["order_reference", "code"]
    raw_id_fields = ["customer", "coupon"]
