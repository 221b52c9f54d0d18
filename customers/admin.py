from django.contrib import admin

from .models import Address, Customer


class AddressInline(admin.TabularInline):
    model = Address
    extra = 0


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["__str__", "email", "phone", "language", "created_at"]
    search_fields = ["email", "phone", "last_name", "first_name"]
    inlines = [AddressInline]
