from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OmniConfig(AppConfig):
    name = "omni"
    verbose_name = _("Omni")
