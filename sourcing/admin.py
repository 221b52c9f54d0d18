from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from omni.errors import DomainError

from . import services
from .models import ShippingRate, SourcingProfile, SourcingStrategy


class StrategyInline(admin.StackedInline):
    model = SourcingStrategy
    extra = 0
    filter_horizontal = ["excluded_locations"]

    def has_change_permission(self, request, obj=None):
        return obj is None or obj.status == SourcingProfile.Status.DRAFT

    has_add_permission = has_delete_permission = has_change_permission


@admin.register(SourcingProfile)
class SourcingProfileAdmin(admin.ModelAdmin):
    """Head office edits drafts; publishing is an explicit action; published versions are frozen."""

    list_display = ["version", "name", "status", "published_at", "published_by"]
    inlines = [StrategyInline]
    actions = ["copy_as_draft", "publish"]
    readonly_fields = ["version", "status", "published_at", "published_by"]

    def has_change_permission(self, request, obj=None):
        return obj is None or obj.status == SourcingProfile.Status.DRAFT

    @admin.action(description=_("Copy as a new draft"))
    def copy_as_draft(self, request, queryset):
        for profile in queryset:
            draft = services.profile_draft_from(profile=profile)
            self.message_user(request, _("Draft v%(v)s created.") % {"v": draft.version})

    @admin.action(description=_("Publish (becomes the current profile)"))
    def publish(self, request, queryset):
        for profile in queryset:
            try:
                services.profile_publish(profile=profile, user=request.user)
            except DomainError as error:
                self.message_user(request, error.message, messages.ERROR)
            else:
                self.message_user(request, _("v%(v)s published.") % {"v": profile.version})


@admin.register(ShippingRate)
class ShippingRateAdmin(admin.ModelAdmin):
    list_display = ["origin_kind", "up_to_km", "cost", "transit_days"]
