import pytest

from inventory import services
from inventory.models import StockLevel, StockMovement, SyncBatch
from omni.errors import ConflictError, DomainError
from omni.trace import Trace
from tests.factories import SKUFactory

from .conftest import assert_ledger_matches_stock

pytestmark = pytest.mark.django_db


def _sync(**kwargs):
    return services.inventory_sync(trace=Trace(channel="integration"), **kwargs)


@pytest.fixture
def skus():
    return [SKUFactory(code=f"TSH-{i}") for i in range(3)]


def test_snapshot_sets_on_hand_and_zeroes_what_it_omits(skus, lyon, stock):
    stock(skus[2], lyon, 9)  # held before, absent from the snapshot: counted as zero
    result = _sync(
        batch_id="snap-1",
        mode="snapshot",
        scope="full_location",
        location=lyon.code,
        rows=[{"sku": "TSH-0", "on_hand": 5}, {"sku": "TSH-1", "on_hand": 0, "safety_stock": 1}],
    )
    assert result["changed"] == 3 - 1 + 1  # TSH-0 set, TSH-1 safety stock set, TSH-2 zeroed
    levels = {level.sku.code: level for level in StockLevel.objects.select_related("sku")}
    assert (levels["TSH-0"].on_hand, levels["TSH-1"].safety_stock, levels["TSH-2"].on_hand) == (5, 1, 0)
    assert StockMovement.objects.filter(kind="sync_snapshot", reference="sync:snap-1").count() == 3
    assert_ledger_matches_stock()


def test_full_location_snapshot_counts_what_it_zeroes_per_location(skus, lyon, paris, stock):
    # given Lyon holds three SKUs and Paris one, a reservation on one of Lyon's
    for sku in skus:
        stock(sku, lyon, 4)
    stock(skus[0], paris, 2)
    services.stock_reserve(
        sku=skus[2],
        location=lyon,
        quantity=1,
        holder_type="order_line",
        holder_ref="1",
        trace=Trace(),
    )
    # when a full-location snapshot lists one SKU per location
    result = _sync(
        batch_id="full-1",
        mode="snapshot",
        scope="full_location",
        rows=[
            {"sku": "TSH-0", "location": lyon.code, "on_hand": 4},
            {"sku": "TSH-0", "location": paris.code, "on_hand": 3},
        ],
    )
    # then Lyon's two other SKUs are zeroed (the reserved unit kept), Paris loses nothing
    assert (result["scope"], result["zeroed"]) == ("full_location", 2)
    assert result["zeroed_by_location"] == {lyon.code: 2, paris.code: 0}
    levels = {(lv.sku.code, lv.location_id): lv.on_hand for lv in StockLevel.objects.select_related("sku")}
    assert (levels["TSH-1", lyon.pk], levels["TSH-2", lyon.pk], levels["TSH-0", paris.pk]) == (0, 1, 3)
    assert_ledger_matches_stock()


def test_listed_skus_snapshot_sets_the_rows_given_and_zeroes_nothing(skus, lyon, stock):
    stock(skus[1], lyon, 9)
    result = _sync(
        batch_id="listed-1",
        mode="snapshot",
        scope="listed_skus",
        location=lyon.code,
        rows=[{"sku": "TSH-0", "on_hand": 5}],
    )
    assert (result["changed"], result["zeroed"], result["zeroed_by_location"]) == (1, 0, {lyon.code: 0})
    levels = {level.sku.code: level.on_hand for level in StockLevel.objects.select_related("sku")}
    assert levels == {"TSH-0": 5, "TSH-1": 9}
    assert_ledger_matches_stock()


@pytest.mark.parametrize(
    ("mode", "scope", "code"),
    [
        ("snapshot", None, "scope_required"),
        ("snapshot", "everything", "invalid"),
        ("delta", "listed_skus", "invalid"),
    ],
)
def test_a_snapshot_names_its_scope_and_deltas_have_none(skus, lyon, stock, mode, scope, code):
    stock(skus[1], lyon, 9)
    row = {"sku": "TSH-0", "location": lyon.code, "on_hand": 5, "delta": 5}
    with pytest.raises(DomainError) as error:
        _sync(batch_id="no-scope", mode=mode, scope=scope, rows=[row])
    assert (error.value.code, error.value.field) == (code, "scope")
    assert StockLevel.objects.get().on_hand == 9
    assert not SyncBatch.objects.exists()


def test_the_scope_is_part_of_the_batch(skus, lyon):
    rows = [{"sku": "TSH-0", "on_hand": 5}]
    first = _sync(batch_id="s-1", mode="snapshot", scope="listed_skus", location=lyon.code, rows=rows)
    again = _sync(batch_id="s-1", mode="snapshot", scope="listed_skus", location=lyon.code, rows=rows)
    assert again == {**first, "replayed": True}
    with pytest.raises(ConflictError):
        _sync(batch_id="s-1", mode="snapshot", scope="full_location", location=lyon.code, rows=rows)


def test_a_snapshot_applied_before_scopes_replays_as_full_location(skus, lyon):
    rows = [{"sku": "TSH-0", "on_hand": 5}]
    _sync(batch_id="old-1", mode="snapshot", scope="full_location", location=lyon.code, rows=rows)
    batch = SyncBatch.objects.get()
    batch.result = {
        k: v for k, v in batch.result.items() if k not in {"scope", "zeroed", "zeroed_by_location"}
    }
    batch.save()
    again = _sync(batch_id="old-1", mode="snapshot", scope="full_location", location=lyon.code, rows=rows)
    assert (again["replayed"], again["scope"], again["zeroed"], again["zeroed_by_location"]) == (
        True,
        "full_location",
        None,
        {},
    )


def test_preview_reports_what_a_snapshot_would_change_and_changes_nothing(skus, lyon, stock):
    # given
    stock(skus[0], lyon, 2)
    stock(skus[1], lyon, 7)
    stock(skus[2], lyon, 3)
    before = list(StockMovement.objects.values_list("pk", flat=True))
    arguments = {
        "batch_id": "preview-1",
        "mode": "snapshot",
        "scope": "full_location",
        "location": lyon.code,
        "rows": [{"sku": "TSH-0", "on_hand": 6}],
    }
    # when
    preview = services.inventory_sync_preview(trace=Trace(channel="integration"), **arguments)
    # then
    assert (preview["changed"], preview["units_up"], preview["units_down"], preview["zeroed"]) == (
        3,
        4,
        10,
        2,
    )
    assert preview["zeroed_skus"] == [
        {"sku": "TSH-1", "location": lyon.code, "before": 7, "after": 0},
        {"sku": "TSH-2", "location": lyon.code, "before": 3, "after": 0},
    ]
    assert list(StockMovement.objects.values_list("pk", flat=True)) == before
    assert not SyncBatch.objects.exists()
    assert StockLevel.objects.get(sku=skus[1]).on_hand == 7

    # the digest is equal when the same changes would be made, and only then
    again = services.inventory_sync_preview(trace=Trace(channel="integration"), **arguments)
    assert again["digest"] == preview["digest"]
    services.stock_adjust(sku=skus[2], location=lyon, delta=-1, trace=Trace(reason="damaged"))
    moved = services.inventory_sync_preview(trace=Trace(channel="integration"), **arguments)
    assert moved["digest"] != preview["digest"]
    assert moved["zeroed_skus"][1]["before"] == 2


def test_snapshot_never_loses_a_reservation(skus, lyon, stock):
    stock(skus[0], lyon, 6)
    services.stock_reserve(
        sku=skus[0],
        location=lyon,
        quantity=4,
        holder_type="order_line",
        holder_ref="1",
        trace=Trace(),
    )
    result = _sync(
        batch_id="snap-2",
        mode="snapshot",
        scope="full_location",
        location=lyon.code,
        rows=[{"sku": "TSH-0", "on_hand": 1}],
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
        trace=Trace(),
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
            scope="full_location",
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
        scope="full_location",
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
