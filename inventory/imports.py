"""Stock files for head office: CSV or Excel in (through the same sync as the API), CSV or Excel out.

Import columns: ``sku``, ``on_hand`` and optional ``safety_stock`` for a snapshot of one
location (its whole stock: SKUs it holds that the file leaves out go to zero); ``sku``,
``location``, ``delta`` for deltas. CSV may use ``,`` or ``;`` (what French Excel writes).

An upload applies nothing: the file is read and dry-run in the background
(``stock_import_preview``), head office sees what would change and confirms
(``stock_import_confirm``) or discards it (``stock_import_cancel``); only then is it applied
(``stock_import_apply``), and only if it still makes exactly the previewed changes. Progress
lives in the cache, outside the import's transaction, so the page can show it meanwhile.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable, Iterator

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from omni.errors import DomainError
from omni.outages import enqueue_on_commit
from omni.trace import Channel, Trace

from . import services
from .locks import stock_import_claim
from .models import Location, StockImport, SyncBatch
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
    if stock_import.status not in {
        StockImport.Status.PENDING,
        StockImport.Status.CONFIRMED,
        StockImport.Status.RUNNING,
    }:
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


class PreviewOutdated(Exception):
    """Stock moved since the preview: applying now would change other rows or other amounts."""

    def __init__(self, preview: dict):
        super().__init__()
        self.preview = preview


SYNC_ERRORS = (services.BatchRejected, UnreadableFile, DomainError)


@transaction.atomic
def stock_import_create(*, actor, uploaded_file, mode: str, location: Location | None) -> StockImport:
    """Keep the file and queue its preview (after commit). Nothing is applied yet."""
    from .tasks import preview_stock_import

    stock_import = StockImport.objects.create(
        file=uploaded_file,
        original_name=uploaded_file.name[:200],
        mode=mode,
        location=location,
        created_by=actor,
    )
    enqueue_on_commit(preview_stock_import, stock_import.pk)
    return stock_import


def _sync_arguments(stock_import: StockImport, rows: list[dict], actor, progress) -> dict:
    return {
        "batch_id": f"import-{stock_import.pk}",
        "mode": stock_import.mode,
        # A head-office snapshot is the whole stock of its location, as the form says.
        "scope": SyncBatch.Scope.FULL_LOCATION if stock_import.mode == SyncBatch.Mode.SNAPSHOT else None,
        "location": stock_import.location.code if stock_import.location else None,
        "rows": rows,
        "trace": Trace(actor=actor, channel=Channel.HEAD_OFFICE, note=stock_import.original_name),
        "progress": progress,
    }


def _read(stock_import: StockImport) -> tuple[list[dict], Callable[[int], None]]:
    """The file's rows, and a progress callback for the sync (10–95 %)."""
    key = _progress_key(stock_import.pk)
    cache.set(key, 1, timeout=3600)
    try:
        with stock_import.file.open("rb") as handle:
            rows = parse_stock_file(stock_import.original_name, handle.read(), stock_import.mode)
    except UnreadableFile:
        raise
    except Exception as error:  # noqa: BLE001 - any file no reader understands is rejected, not retried forever
        raise UnreadableFile(
            _("The file cannot be read (%(error)s).") % {"error": f"{type(error).__name__}: {error}"[:200]}
        ) from error
    StockImport.objects.filter(pk=stock_import.pk).update(total_rows=len(rows))
    cache.set(key, 10, timeout=3600)

    def progress(done: int) -> None:
        cache.set(key, 10 + int(85 * done / max(len(rows), 1)), timeout=3600)

    return rows, progress


def _rejection(error: Exception) -> dict:
    if isinstance(error, UnreadableFile):
        return {"detail": str(error), "errors": []}
    return error.as_dict()


def _preview_of(outcome: dict, *, moved: bool = False) -> dict:
    keep = ("rows", "changed", "units_up", "units_down", "zeroed", "zeroed_skus", "warnings", "digest")
    return {
        **{key: outcome[key] for key in keep},
        "zeroed_by_location": outcome["zeroed_by_location"],
        "listed_changed": outcome["changed"] - outcome["zeroed"],
        "moved": moved,
        "computed_at": timezone.now().isoformat(),
    }


def stock_import_preview(*, import_id: int) -> StockImport:
    """Read the file and work out what applying it would change, changing nothing
    (inventory_sync_preview): the import then waits for confirmation, or is rejected with
    per-row errors. A second copy computes the same preview; a cancelled import stays so."""
    stock_import = StockImport.objects.select_related("location", "created_by").get(pk=import_id)
    if stock_import.status != StockImport.Status.PENDING:
        return stock_import
    try:
        rows, progress = _read(stock_import)
        outcome = services.inventory_sync_preview(
            **_sync_arguments(stock_import, rows, stock_import.created_by, progress)
        )
    except SYNC_ERRORS as error:
        changes = {
            "status": StockImport.Status.REJECTED,
            "result": _rejection(error),
            "finished_at": timezone.now(),
        }
    else:
        changes = {"status": StockImport.Status.PREVIEW, "preview": _preview_of(outcome)}
    StockImport.objects.filter(pk=import_id, status=StockImport.Status.PENDING).update(**changes)
    cache.delete(_progress_key(import_id))
    stock_import.refresh_from_db()
    return stock_import


@transaction.atomic
def stock_import_confirm(*, import_id: int, actor, digest: str) -> StockImport:
    """Queue the apply (after commit) of an import waiting for confirmation, if ``digest`` is
    the one of the preview the person saw: a preview recomputed meanwhile must be seen first."""
    from .tasks import apply_stock_import

    confirmed = StockImport.objects.filter(
        pk=import_id, status=StockImport.Status.PREVIEW, preview__digest=digest
    ).update(status=StockImport.Status.CONFIRMED, confirmed_by=actor, confirmed_at=timezone.now())
    if not confirmed:
        raise DomainError(
            _("This import is no longer waiting for this confirmation: look at it again."),
            code="stale_preview",
        )
    enqueue_on_commit(apply_stock_import, import_id)
    return StockImport.objects.get(pk=import_id)


@transaction.atomic
def stock_import_cancel(*, import_id: int) -> StockImport:
    """Discard an import not yet confirmed: nothing of it is applied, its file is deleted
    (after commit); the row stays in the list as cancelled."""
    cancelled = StockImport.objects.filter(
        pk=import_id, status__in=[StockImport.Status.PENDING, StockImport.Status.PREVIEW]
    ).update(status=StockImport.Status.CANCELLED, finished_at=timezone.now())
    stock_import = StockImport.objects.get(pk=import_id)
    if not cancelled:
        raise DomainError(_("This import can no longer be cancelled."), code="not_cancellable")
    transaction.on_commit(lambda: stock_import.file.delete(save=False))
    return stock_import


def stock_import_apply(*, import_id: int) -> StockImport:
    """Apply a confirmed import all or nothing through inventory_sync, in one transaction
    that also checks it makes exactly the previewed changes (same SKUs, locations and
    amounts): if stock moved so that it would not, nothing is applied and the import waits
    for confirmation again with a new preview.

    Runs once, and is never left half done: the import row is locked for the whole apply and
    its outcome is written in the same transaction, so a copy running at the same time skips
    it, a later copy finds it applied, and an apply cut short (the database restarting, the
    worker killed) rolls back whole and leaves the import waiting for the next try (the task's
    retry, or the ``stock_imports_resume`` sweep)."""
    # "Running" for the list while it works; the lock below, not this status, keeps it single.
    StockImport.objects.filter(pk=import_id, status=StockImport.Status.CONFIRMED).update(
        status=StockImport.Status.RUNNING
    )
    with transaction.atomic():
        stock_import = stock_import_claim(import_id)
        if stock_import is None:
            return StockImport.objects.get(pk=import_id)
        changes: dict = {"finished_at": timezone.now()}
        try:
            rows, progress = _read(stock_import)
            arguments = _sync_arguments(stock_import, rows, stock_import.confirmed_by, progress)
            with transaction.atomic():
                result = services.inventory_sync(**arguments)
                applied = services.inventory_sync_changes(batch_id=arguments["batch_id"])
                if applied["digest"] != stock_import.preview.get("digest"):
                    raise PreviewOutdated(_preview_of({**result, **applied}, moved=True))
        except PreviewOutdated as outdated:
            changes = {
                "status": StockImport.Status.PREVIEW,
                "preview": outdated.preview,
                "confirmed_by": None,
                "confirmed_at": None,
            }
        except SYNC_ERRORS as error:
            changes.update(status=StockImport.Status.REJECTED, result=_rejection(error), processed_rows=0)
        else:
            changes.update(status=StockImport.Status.APPLIED, result=result, processed_rows=len(rows))
        StockImport.objects.filter(pk=import_id).update(**changes)
    cache.delete(_progress_key(import_id))
    stock_import.refresh_from_db()
    return stock_import


# An import waiting longer than this for its task is presumed to have lost it (a broker that was
# down when it was queued, a worker killed mid-apply): the sweep queues it again.
RESUME_AFTER = datetime.timedelta(minutes=2)


def stock_imports_resume(*, now: datetime.datetime | None = None) -> dict[str, list[int]]:
    """Beat, every minute: queue again the preview of an import still pending, and the apply of
    one confirmed or interrupted, after ``RESUME_AFTER`` (the tasks they lost). Safe to run
    any number of times: a preview computes the same result again, and an apply runs once
    (``stock_import_apply``). Returns the ids queued, by task."""
    from .tasks import apply_stock_import, preview_stock_import

    before = (now or timezone.now()) - RESUME_AFTER
    previews = list(
        StockImport.objects.filter(status=StockImport.Status.PENDING, created_at__lt=before).values_list(
            "pk", flat=True
        )
    )
    applies = list(
        StockImport.objects.filter(
            status__in=[StockImport.Status.CONFIRMED, StockImport.Status.RUNNING], confirmed_at__lt=before
        ).values_list("pk", flat=True)
    )
    for import_id in previews:
        preview_stock_import.delay(import_id)
    for import_id in applies:
        apply_stock_import.delay(import_id)
    return {"preview": previews, "apply": applies}


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
