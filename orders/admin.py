from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import services
from .models import FulfilmentOrder, FulfilmentOrderLine, Notification


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


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """The outbox of customer e-mails: what waits, what failed (with the error), what went."""

    list_display = [
        "event",
        "kind",
        "recipient",
        "state",
        "attempts",
        "next_attempt_at",
        "last_error",
        "sent_at",
    ]
    list_filter = ["kind", ("sent_at", admin.EmptyFieldListFilter)]
    search_fields = ["recipient", "event__order__number"]
    readonly_fields = [f.name for f in Notification._meta.fields]
    actions = ["send_again"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Send again now"))
    def send_again(self, request, queryset):
        queued = sum(services.notification_send_again(notification=notification) for notification in queryset)
        self.message_user(request, _("%(n)s e-mails queued to be sent again.") % {"n": queued})
