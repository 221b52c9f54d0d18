"""The head-office import's preview: what a file would change, before anything changes."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from inventory import imports
from inventory.models import StockImport, StockLevel, StockMovement, SyncBatch
from tests.factories import SKUFactory

pytestmark = pytest.mark.django_db


def _previewed(head_office, content: str, **fields) -> StockImport:
    stock_import = imports.stock_import_create(
        actor=head_office, uploaded_file=SimpleUploadedFile("stock.csv", content.encode()), **fields
    )
    return imports.stock_import_preview(import_id=stock_import.pk)


def test_a_snapshot_preview_counts_changes_and_lists_what_goes_to_zero(head_office, lyon, paris, stock):
    # given Lyon holds four SKUs, Paris one the file names
    skus = [SKUFactory(code=f"JEAN-{size}") for size in (30, 32, 34, 36)]
    for sku, units in zip(skus, (2, 5, 0, 7), strict=True):
        if units:
            stock(sku, lyon, units)
    stock(skus[0], paris, 9)
    # when a snapshot of Lyon names two of them
    stock_import = _previewed(
        head_office, "sku;on_hand\nJEAN-30;6\nJEAN-34;1\n", mode="snapshot", location=lyon
    )
    # then
    preview = stock_import.preview
    assert stock_import.status == "preview" and stock_import.total_rows == 2
    assert (preview["listed_changed"], preview["zeroed"], preview["changed"]) == (2, 2, 4)
    assert (preview["units_up"], preview["units_down"]) == (4 + 1, 5 + 7)
    assert preview["zeroed_by_location"] == {lyon.code: 2}
    assert [(row["sku"], row["before"], row["after"]) for row in preview["zeroed_skus"]] == [
        ("JEAN-32", 5, 0),
        ("JEAN-36", 7, 0),
    ]
    # and nothing changed
    assert dict(StockLevel.objects.filter(location=lyon).values_list("sku__code", "on_hand")) == {
        "JEAN-30": 2,
        "JEAN-32": 5,
        "JEAN-36": 7,
    }
    assert not StockMovement.objects.filter(kind="sync_snapshot").exists()
    assert not SyncBatch.objects.exists()


def test_a_delta_preview_sets_nothing_to_zero(head_office, lyon, stock):
    stock(SKUFactory(code="JEAN-30"), lyon, 2)
    SKUFactory(code="JEAN-32")
    stock_import = _previewed(
        head_office,
        f"sku;location;delta\nJEAN-30;{lyon.code};-2\nJEAN-32;{lyon.code};3\n",
        mode="delta",
        location=None,
    )
    preview = stock_import.preview
    assert (preview["changed"], preview["zeroed"], preview["units_up"], preview["units_down"]) == (2, 0, 3, 2)
    assert preview["zeroed_skus"] == []
    assert StockLevel.objects.get().on_hand == 2


def test_bad_rows_are_reported_at_preview_and_nothing_waits(head_office, lyon, stock):
    stock_import = _previewed(head_office, "sku;on_hand\nNOPE;1\n", mode="snapshot", location=lyon)
    assert stock_import.status == "rejected" and stock_import.preview == {}
    assert stock_import.result["errors"][0]["errors"] == {"sku": ["Unknown SKU NOPE."]}


def test_a_cancelled_import_is_not_previewed_or_applied(head_office, lyon):
    SKUFactory(code="JEAN-30")
    stock_import = imports.stock_import_create(
        actor=head_office,
        uploaded_file=SimpleUploadedFile("stock.csv", b"sku;on_hand\nJEAN-30;1\n"),
        mode="snapshot",
        location=lyon,
    )
    imports.stock_import_cancel(import_id=stock_import.pk)
    assert imports.stock_import_preview(import_id=stock_import.pk).status == "cancelled"
    assert imports.stock_import_apply(import_id=stock_import.pk).status == "cancelled"
    assert not StockLevel.objects.exists()
