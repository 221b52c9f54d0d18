from decimal import Decimal

import pytest

from promotions.models import CouponCode, Promotion
from tests.factories import SKUFactory
from tests.orders.conftest import jeans, marseille, network, place, shirt, stock, warehouse  # noqa: F401


@pytest.fixture
def catalogue():
    return {
        "shirt": SKUFactory(code="CHE-OXF-BLE-M", name="Chemise Oxford bleu M", category="Chemises", price=Decimal("29.90")),
        "jeans": SKUFactory(code="JEA-SLI-IND-42", name="Jean slim indigo 42", category="Jeans", price=Decimal("59.00")),
    }  # fmt: skip


@pytest.fixture
def promotion():
    def _make(**fields) -> Promotion:
        defaults = {"name": "Chemises -20 %", "kind": "line_percent", "params": {"percent": "20"},
                    "target_categories": ["Chemises"], "status": "active"}  # fmt: skip
        defaults.update(fields)
        p = Promotion(**defaults)
        p.full_clean()
        p.save()
        return p

    return _make


@pytest.fixture
def coupon():
    def _make(promotion, code, **fields):
        return CouponCode.objects.create(promotion=promotion, code=code, **fields)

    return _make
