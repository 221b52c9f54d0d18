from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import User


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
