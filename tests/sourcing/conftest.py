from decimal import Decimal

import pytest

from inventory.models import Location
from omni.trace import Trace
from tests.factories import LocationFactory, SKUFactory
from tests.orders.conftest import jeans, marseille, network, order_payload, place, shirt, stock, warehouse  # noqa: F401


@pytest.fixture
def vendor():
    return LocationFactory(
        code="DS-MAISON",
        name="Maison du Linge (vendor)",
        kind=Location.Kind.DROP_SHIP_VENDOR,
        postcode="59100",
        city="Roubaix",
        latitude=Decimal("50.690"),
        longitude=Decimal("3.181"),
        is_pickup_point=False,
        hours=[],
        order_cutoff_time=None,
    )


@pytest.fixture
def towel(vendor, stock):  # noqa: F811 - the imported fixture, requested by name
    sku = SKUFactory(code="SER-BAI-BLA", name="Serviette de bain blanche", price=Decimal("19.90"))
    stock(sku, vendor, 50)
    return sku


@pytest.fixture
def system():
    return Trace(note="test")


def line(sku: str, quantity: int = 1, method: str = "ship_to_address", pickup: str = "") -> dict:
    delivery = {"method": method}
    if pickup:
        delivery["pickup_location"] = pickup
    return {"sku": sku, "quantity": quantity, "delivery": delivery}


def fulfilment_orders(order):
    return list(order.fulfilment_orders.select_related("location").order_by("pk"))
