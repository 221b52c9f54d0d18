import pytest

from inventory import services
from inventory.models import StockLevel, StockMovement
from omni.trace import Trace
from tests.factories import SKUFactory


@pytest.fixture
def sku():
    return SKUFactory(code="OXF-BLU-M")


@pytest.fixture
def stock(head_office):
    """stock(sku, location, on_hand) receives units through the service, as a delivery would."""

    def _stock(sku, location, on_hand: int):
        return services.stock_receive(
            sku=sku,
            location=location,
            quantity=on_hand,
            trace=Trace(actor=head_office, reference="setup"),
        )

    return _stock


def assert_ledger_matches_stock():
    """For every stock row, the ledger's deltas sum to its counters."""
    from django.db.models import Sum

    sums = {
        (row["sku_id"], row["location_id"]): row
        for row in StockMovement.objects.values("sku_id", "location_id").annotate(
            on_hand=Sum("on_hand_delta"),
            reserved=Sum("reserved_delta"),
            in_transit=Sum("in_transit_delta"),
            safety=Sum("safety_stock_delta"),
        )
    }
    for level in StockLevel.objects.all():
        ledger = sums.get(
            (level.sku_id, level.location_id), {"on_hand": 0, "reserved": 0, "in_transit": 0, "safety": 0}
        )
        assert (level.on_hand, level.reserved, level.in_transit, level.safety_stock) == (
            ledger["on_hand"],
            ledger["reserved"],
            ledger["in_transit"],
            ledger["safety"],
        ), f"ledger and stock disagree for {level}"
