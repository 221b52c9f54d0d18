from decimal import Decimal

import pytest

from tests.factories import SKUFactory, StoreAssociateFactory
from tests.orders.conftest import jeans, marseille, network, order_payload, place, shirt, stock, warehouse  # noqa: F401
from tests.sourcing.conftest import fulfilment_orders, line, system, towel, vendor  # noqa: F401


@pytest.fixture
def paris_associate(network):  # noqa: F811 - the imported fixture, requested by name
    return StoreAssociateFactory(
        username="hugo", store=network["paris"], first_name="Hugo", last_name="Petit"
    )


@pytest.fixture
def lea(lyon_associate):
    lyon_associate.first_name, lyon_associate.last_name = "Léa", "Moreau"
    lyon_associate.save()
    return lyon_associate


@pytest.fixture
def polo(network, stock):  # noqa: F811 - the imported fixture, requested by name
    """A polo only the stores hold: Lyon 5, Paris 5 (no warehouse stock)."""
    sku = SKUFactory(code="POL-PIQ-ROU-L", name="Polo piqué rouge L", colour="Rouge", size="L",
                     category="Hauts", price=Decimal("35.00"))  # fmt: skip
    stock(sku, network["lyon"], 5)
    stock(sku, network["paris"], 5)
    return sku


@pytest.fixture(autouse=True)
def _english_pages(client):
    """The screens follow the associate's language (French by default); these tests read English."""
    client.cookies["django_language"] = "en"
