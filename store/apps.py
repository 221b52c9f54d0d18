from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StoreConfig(AppConfig):
    """The store associate's fulfilment screens (phone or tablet): work queue, picking,
    packing, shipping, receiving and handing over. Built on the sourcing, orders and inventory
    services; no domain logic of its own."""

    name = "store"
    verbose_name = _("Store fulfilment")
