"""The words every app shares: sales channels, delivery methods, fulfilment modes.

Defined once here so that the pricing engine, sourcing, inventory and orders speak the same
language without importing each other.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SalesChannel(models.TextChoices):
    WEB = "web", _("Web shop")
    STORE = "store", _("Store")
    CALL_CENTRE = "call_centre", _("Call centre")
    MARKETPLACE = "marketplace", _("Marketplace")
    SOCIAL = "social", _("Social commerce")


class DeliveryMethod(models.TextChoices):
    SHIP_TO_ADDRESS = "ship_to_address", _("Home delivery")
    SHIP_TO_RELAY = "ship_to_relay", _("Parcel locker or relay point")
    PICKUP_IN_STORE = "pickup_in_store", _("Click & collect")
    SHIP_TO_STORE = "ship_to_store", _("Ship to store for pickup")

    @classmethod
    def pickups(cls) -> tuple[str, ...]:
        return (cls.PICKUP_IN_STORE, cls.SHIP_TO_STORE)


class FulfilmentMode(models.TextChoices):
    """How a location serves units of a line (an allocation's and a fulfilment order's kind)."""

    SHIP_FROM_LOCATION = "ship", _("Ship from location")
    PICKUP_AT_LOCATION = "pickup", _("Pick up at location")
    SHIP_TO_STORE = "ship_to_store", _("Ship to the pickup store")
    TRANSFER = "transfer", _("Store-to-store transfer for pickup")
    DROP_SHIP = "drop_ship", _("Drop ship from a vendor")
