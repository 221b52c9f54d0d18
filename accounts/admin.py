from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from omni.errors import DomainError

from . import services
from .models import ApiClient, User


def head_office_only(request) -> bool:
    """Django admin is for head office: staff flag and the head-office role (or superuser)."""
    user = request.user
    return user.is_active and user.is_staff and user.is_head_office


admin.site.has_permission = head_office_only


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, DjangoUserAdmin):
    list_display = ("username", "get_full_name", "email", "role", "store", "is_active", "last_login")
    list_filter = ("role", "is_active", "is_staff", "store")
    list_select_related = ("store",)
    search_fields = ("username", "first_name", "last_name", "email")
    autocomplete_fields = ("store",)
    fieldsets = (
        *DjangoUserAdmin.fieldsets[:1],
        (_("Role in Omni"), {"fields": ("role", "store")}),
        *DjangoUserAdmin.fieldsets[1:],
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "password1", "password2", "role", "store")}),
    )


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    """API clients: adding one shows its key once; rotate and revoke are actions (also on
    head office's page /accounts/api-clients/)."""

    list_display = (
        "name",
        "profile",
        "location",
        "user",
        "key_prefix",
        "expires_at",
        "revoked_at",
        "last_used_at",
    )
    list_filter = ("profile", "location")
    list_select_related = ("location", "user")
    search_fields = ("name", "user__username", "key_prefix")
    actions = ["rotate", "revoke"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("name", "profile", "location", "expires_at")
        return ("name", "profile", "location", "user", "key_prefix", "expires_at", "created_by", "created_at",
                "rotated_at", "revoked_at", "last_used_at")  # fmt: skip

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return ("profile", "location", "user", "key_prefix", "created_by", "created_at", "rotated_at",
                "revoked_at", "last_used_at")  # fmt: skip

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        fields = {"expires_at": obj.expires_at} if obj.expires_at else {}
        client, key = services.api_client_create(
            name=obj.name, profile=obj.profile, location=obj.location, created_by=request.user, **fields
        )
        obj.pk, obj.user, obj.key_prefix = client.pk, client.user, client.key_prefix
        messages.warning(
            request, _("Key for %(name)s, shown once: %(key)s") % {"name": client.name, "key": key}
        )

    @admin.action(description=_("Rotate the key (the old one stops working)"))
    def rotate(self, request, queryset):
        for client in queryset:
            try:
                key = services.api_client_rotate(client=client, by=request.user)
            except DomainError as error:
                messages.error(request, f"{client.name}: {error.message}")
            else:
                messages.warning(
                    request,
                    _("New key for %(name)s, shown once: %(key)s") % {"name": client.name, "key": key},
                )

    @admin.action(description=_("Revoke"))
    def revoke(self, request, queryset):
        for client in queryset:
            services.api_client_revoke(client=client, by=request.user)
