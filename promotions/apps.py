from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PromotionsConfig(AppConfig):
    """One pricing and promotion engine for every channel (web, call centre, stores, POS)."""

    name = "promotions"
    verbose_name = _("Promotions")
