"""The head-office import's preview: what a file would change, before anything changes."""

import datetime
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError
from django.utils import timezone

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


def _confirmed(head_office, lyon) -> StockImport:
    SKUFactory(code="JEAN-30")
    stock_import = _previewed(head_office, "sku;on_hand\nJEAN-30;6\n", mode="snapshot", location=lyon)
    return imports.stock_import_confirm(
        import_id=stock_import.pk, actor=head_office, digest=stock_import.preview["digest"]
    )


def test_an_apply_cut_short_by_the_database_leaves_nothing_half_done_and_the_sweep_finishes_it(
    head_office, lyon, django_capture_on_commit_callbacks
):
    # given: a confirmed import whose apply meets the database going away midway
    with django_capture_on_commit_callbacks(execute=False):  # the nudge is lost (broker down)
        stock_import = _confirmed(head_office, lyon)
    with (
        mock.patch("inventory.services.inventory_sync_changes", side_effect=OperationalError("gone")),
        pytest.raises(OperationalError),
    ):
        imports.stock_import_apply(import_id=stock_import.pk)
    # then: nothing of it is applied, and it is still waiting ("running", unlocked)
    assert not StockLevel.objects.filter(location=lyon, on_hand=6).exists()
    assert not SyncBatch.objects.exists()
    assert StockImport.objects.get(pk=stock_import.pk).status == "running"
    # when: the sweep runs before the grace period, then after it
    assert imports.stock_imports_resume() == {"preview": [], "apply": []}
    later = timezone.now() + imports.RESUME_AFTER + datetime.timedelta(seconds=1)
    with django_capture_on_commit_callbacks(execute=True):
        queued = imports.stock_imports_resume(now=later)  # tasks run eagerly in the suite
    # then: it is applied, once
    assert queued == {"preview": [], "apply": [stock_import.pk]}
    assert StockImport.objects.get(pk=stock_import.pk).status == "applied"
    assert StockLevel.objects.get(location=lyon, sku__code="JEAN-30").on_hand == 6
    assert StockMovement.objects.filter(kind="sync_snapshot").count() == 1
    assert imports.stock_import_apply(import_id=stock_import.pk).status == "applied"  # a late copy: nothing
    assert StockMovement.objects.filter(kind="sync_snapshot").count() == 1


def test_a_pending_import_whose_preview_was_lost_is_previewed_by_the_sweep(head_office, lyon):
    SKUFactory(code="JEAN-30")
    stock_import = imports.stock_import_create(  # its on-commit nudge never runs in this test
        actor=head_office,
        uploaded_file=SimpleUploadedFile("stock.csv", b"sku;on_hand\nJEAN-30;1\n"),
        mode="snapshot",
        location=lyon,
    )
    later = timezone.now() + imports.RESUME_AFTER + datetime.timedelta(seconds=1)
    assert imports.stock_imports_resume(now=later) == {"preview": [stock_import.pk], "apply": []}
    assert StockImport.objects.get(pk=stock_import.pk).status == "preview"


def test_a_file_no_reader_understands_is_rejected_not_retried_forever(head_office, lyon):
    stock_import = imports.stock_import_create(
        actor=head_office,
        uploaded_file=SimpleUploadedFile("stock.csv", b"sku;on_hand\n\x81\x8d\x8f;1\n"),
        mode="snapshot",
        location=lyon,
    )
    previewed = imports.stock_import_preview(import_id=stock_import.pk)
    assert previewed.status == "rejected" and "cannot be read" in previewed.result["detail"]
    later = timezone.now() + imports.RESUME_AFTER + datetime.timedelta(seconds=1)
    assert imports.stock_imports_resume(now=later) == {"preview": [], "apply": []}
