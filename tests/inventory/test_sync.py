import pytest

from inventory import services
from inventory.models import StockLevel, StockMovement, SyncBatch
from omni.errors import ConflictError
from tests.factories import SKUFactory

from .conftest import assert_ledger_matches_stock

pytestmark = pytest.mark.django_db


def _sync(**kwargs):
    return services.inventory_sync(trace=services.Trace(channel="integration"), **kwargs)


@pytest.fixture
def skus():
    return [SKUFactory(code=f"TSH-{i}") for i in range(3)]


def test_snapshot_sets_on_hand_and_zeroes_what_it_omits(skus, lyon, stock):
    stock(skus[2], lyon, 9)  # held before, absent from the snapshot: counted as zero
    result = _sync(
        batch_id="snap-1",
        mode="snapshot",
        location=lyon.code,
        rows=[{"sku": "TSH-0", "on_hand": 5}, {"sku": "TSH-1", "on_hand": 0, "safety_stock": 1}],
    )
    assert result["changed"] == 3 - 1 + 1  # TSH-0 set, TSH-1 safety stock set, TSH-2 zeroed
    levels = {level.sku.code: level for level in StockLevel.objects.select_related("sku")}
    assert (levels["TSH-0"].on_hand, levels["TSH-1"].safety_stock, levels["TSH-2"].on_hand) == (5, 1, 0)
    assert StockMovement.objects.filter(kind="sync_snapshot", reference="sync:snap-1").count() == 3
    assert_ledger_matches_stock()


def test_snapshot_never_loses_a_reservation(skus, lyon, stock):
    stock(skus[0], lyon, 6)
    services.stock_reserve(
        sku=skus[0],
        location=lyon,
        quantity=4,
        holder_type="order_line",
        holder_ref="1",
        trace=services.Trace(),
    )
    result = _sync(
        batch_id="snap-2", mode="snapshot", location=lyon.code, rows=[{"sku": "TSH-0", "on_hand": 1}]
    )
    level = StockLevel.objects.get(sku=skus[0])
    assert (level.on_hand, level.reserved) == (4, 4)
    assert result["warnings"][0]["sku"] == "TSH-0"
    assert_ledger_matches_stock()


def test_same_batch_id_applies_once_and_other_rows_conflict(skus, lyon):
    rows = [{"sku": "TSH-0", "location": lyon.code, "delta": 3}]
    first = _sync(batch_id="d-1", mode="delta", rows=rows)
    again = _sync(batch_id="d-1", mode="delta", rows=rows)
    assert (first["replayed"], again["replayed"]) == (False, True)
    assert StockLevel.objects.get().on_hand == 3
    with pytest.raises(ConflictError):
        _sync(batch_id="d-1", mode="delta", rows=[{"sku": "TSH-0", "location": lyon.code, "delta": 4}])


def test_deltas_are_summed_per_sku_and_location(skus, lyon, paris):
    _sync(
        batch_id="d-2",
        mode="delta",
        rows=[
            {"sku": "TSH-0", "location": lyon.code, "delta": 5},
            {"sku": "TSH-0", "location": lyon.code, "delta": -2},
            {"sku": "TSH-1", "location": paris.code, "delta": 1},
        ],
    )
    assert StockLevel.objects.get(sku__code="TSH-0").on_hand == 3
    assert_ledger_matches_stock()


def test_a_bad_batch_is_rejected_whole_with_per_row_errors(skus, lyon, stock):
    stock(skus[0], lyon, 2)
    services.stock_reserve(
        sku=skus[0],
        location=lyon,
        quantity=2,
        holder_type="order_line",
        holder_ref="1",
        trace=services.Trace(),
    )
    rows = [
        {"sku": "TSH-1", "location": lyon.code, "delta": 4},  # fine on its own
        {"sku": "NOPE", "location": lyon.code, "delta": 1},
        {"sku": "TSH-1", "location": "ST-NOWHERE", "delta": 1},
        {"sku": "TSH-1", "location": lyon.code, "delta": "3"},
        {"sku": "TSH-0", "location": lyon.code, "delta": -1},  # would go below the reservation
        "not an object",
    ]
    with pytest.raises(services.BatchRejected) as error:
        _sync(batch_id="bad-1", mode="delta", rows=rows)
    by_row = {e["row"]: e["errors"] for e in error.value.details["errors"]}
    assert set(by_row) == {1, 2, 3, 5}  # the reservation check runs once references are sound
    assert "sku" in by_row[1] and "location" in by_row[2] and "delta" in by_row[3]
    assert StockLevel.objects.get(sku=skus[0]).on_hand == 2
    assert not StockLevel.objects.filter(sku=skus[1]).exists()
    assert not SyncBatch.objects.exists()

    with pytest.raises(services.BatchRejected) as error:
        _sync(batch_id="bad-2", mode="delta", rows=[rows[0], rows[4]])
    assert [e["row"] for e in error.value.details["errors"]] == [1]
    assert not StockLevel.objects.filter(sku=skus[1]).exists()


def test_snapshot_rejects_duplicate_skus(skus, lyon):
    with pytest.raises(services.BatchRejected) as error:
        _sync(
            batch_id="dup",
            mode="snapshot",
            location=lyon.code,
            rows=[
                {"sku": "TSH-0", "on_hand": 1},
                {"sku": "TSH-0", "on_hand": 2},
                {"sku": "TSH-1", "on_hand": -1},
            ],
        )
    assert {e["row"] for e in error.value.details["errors"]} == {1, 2}
    assert not StockLevel.objects.exists()


def test_one_snapshot_can_cover_several_locations(skus, lyon, paris, stock):
    stock(skus[0], paris, 4)
    _sync(
        batch_id="multi",
        mode="snapshot",
        rows=[
            {"sku": "TSH-0", "location": lyon.code, "on_hand": 2},
            {"sku": "TSH-0", "location": paris.code, "on_hand": 9},
            {"sku": "TSH-1", "location": paris.code, "on_hand": 1},
        ],
    )
    levels = {
        (level.sku.code, level.location.code): level.on_hand
        for level in StockLevel.objects.select_related("sku", "location")
    }
    assert levels == {("TSH-0", lyon.code): 2, ("TSH-0", paris.code): 9, ("TSH-1", paris.code): 1}
    assert_ledger_matches_stock()
