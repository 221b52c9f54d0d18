"""Stock files for head office: CSV or Excel in (through the same sync as the API), CSV or Excel out.

Import columns: ``sku``, ``on_hand`` and optional ``safety_stock`` for a snapshot of one
location; ``sku``, ``location``, ``delta`` for deltas. CSV may use ``,`` or ``;`` (what French
Excel writes). Progress lives in the cache, outside the import's transaction, so the page
can show it while the import runs.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from omni.errors import DomainError

from . import services
from .models import Channel, Location, StockImport, SyncBatch
from .selectors import location_stock

EXPORT_COLUMNS = ["sku", "ean", "name", "on_hand", "reserved", "safety_stock", "in_transit", "atp"]
REQUIRED = {SyncBatch.Mode.SNAPSHOT: ("sku", "on_hand"), SyncBatch.Mode.DELTA: ("sku", "location", "delta")}
INTEGER_COLUMNS = ("on_hand", "delta", "safety_stock")


class UnreadableFile(Exception):
    pass


def _progress_key(import_id: int) -> str:
    return f"stock-import:{import_id}:progress"


def stock_import_progress(stock_import: StockImport) -> int:
    """0–100 for the progress bar."""
    if stock_import.status in {StockImport.Status.APPLIED, StockImport.Status.REJECTED}:
        return 100
    return int(cache.get(_progress_key(stock_import.pk)) or 0)


def _cell(value):
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        value = value.strip()
    return value


def _rows_from_csv(data: bytes) -> Iterator[list]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252")  # Excel on Windows
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    yield from csv.reader(io.StringIO(text), dialect)


def _rows_from_xlsx(data: bytes) -> Iterator[list]:
    from openpyxl import load_workbook

    try:
        sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).active
    except Exception as exc:  # noqa: BLE001 - any reason the workbook cannot be read
        raise UnreadableFile(_("This is not a readable Excel file.")) from exc
    for row in sheet.iter_rows(values_only=True):
        yield ["" if cell is None else cell for cell in row]


def parse_stock_file(name: str, data: bytes, mode: str) -> list[dict]:
    """Rows as the sync service takes them. Numbers stay as written when they are not whole
    numbers, so the sync reports them per row instead of the import failing whole."""
    reader = _rows_from_xlsx(data) if name.lower().endswith(".xlsx") else _rows_from_csv(data)
    try:
        header = [str(column).strip().lower() for column in next(reader)]
    except StopIteration:
        raise UnreadableFile(_("The file is empty.")) from None
    missing = [column for column in REQUIRED[mode] if column not in header]
    if missing:
        raise UnreadableFile(_("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)})
    rows = []
    for values in reader:
        if not any(str(v).strip() for v in values):
            continue
        row = {
            column: _cell(values[i]) if i < len(values) else "" for i, column in enumerate(header) if column
        }
        for column in INTEGER_COLUMNS:
            value = row.get(column)
            if isinstance(value, str) and value.lstrip("-").isdigit():
                row[column] = int(value)
            elif value == "" and column == "safety_stock":
                row.pop(column)
        rows.append(row)
    return rows


@transaction.atomic
def stock_import_create(*, actor, uploaded_file, mode: str, location: Location | None) -> StockImport:
    """Keep the file and queue its import (after commit)."""
    from .tasks import apply_stock_import

    stock_import = StockImport.objects.create(
        file=uploaded_file,
        original_name=uploaded_file.name[:200],
        mode=mode,
        location=location,
        created_by=actor,
    )
    transaction.on_commit(lambda: apply_stock_import.delay(stock_import.pk))
    return stock_import


def stock_import_apply(*, import_id: int) -> StockImport:
    """Run one import: parse, then apply all or nothing through inventory_sync. Runs once:
    a second copy finds the import no longer pending and does nothing."""
    claimed = StockImport.objects.filter(pk=import_id, status=StockImport.Status.PENDING).update(
        status=StockImport.Status.RUNNING
    )
    stock_import = StockImport.objects.get(pk=import_id)
    if not claimed:
        return stock_import
    key = _progress_key(import_id)
    cache.set(key, 1, timeout=3600)
    try:
        with stock_import.file.open("rb") as handle:
            rows = parse_stock_file(stock_import.original_name, handle.read(), stock_import.mode)
        StockImport.objects.filter(pk=import_id).update(total_rows=len(rows))
        cache.set(key, 10, timeout=3600)

        def progress(done: int) -> None:
            cache.set(key, 10 + int(85 * done / max(len(rows), 1)), timeout=3600)

        result = services.inventory_sync(
            batch_id=f"import-{import_id}",
            mode=stock_import.mode,
            location=stock_import.location.code if stock_import.location else None,
            rows=rows,
            trace=services.Trace(
                actor=stock_import.created_by, channel=Channel.HEAD_OFFICE, note=stock_import.original_name
            ),
            progress=progress,
        )
        status, processed = StockImport.Status.APPLIED, len(rows)
    except services.BatchRejected as rejected:
        result, status, processed = rejected.as_dict(), StockImport.Status.REJECTED, 0
    except UnreadableFile as error:
        result, status, processed = {"detail": str(error), "errors": []}, StockImport.Status.REJECTED, 0
    except DomainError as error:
        result, status, processed = error.as_dict(), StockImport.Status.REJECTED, 0
    StockImport.objects.filter(pk=import_id).update(
        status=status, result=result, processed_rows=processed, finished_at=timezone.now()
    )
    cache.delete(key)
    stock_import.refresh_from_db()
    return stock_import


def export_rows(location: Location) -> Iterator[list]:
    yield EXPORT_COLUMNS
    for level in location_stock(location=location).iterator(chunk_size=2000):
        yield [
            level.sku.code,
            level.sku.ean,
            level.sku.name,
            level.on_hand,
            level.reserved,
            level.safety_stock,
            level.in_transit,
            level.atp_value,
        ]


def export_xlsx(location: Location) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(location.code[:31])
    for row in export_rows(location):
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
