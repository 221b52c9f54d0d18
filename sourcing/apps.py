from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SourcingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "sourcing"
    verbose_name = _("Sourcing")
