"""Inventory sync from the retailer's systems: a full snapshot of a location, or deltas.

Tens of thousands to millions of rows per call, so the rows go to a temporary table with
COPY and are checked and applied with set-based SQL in one transaction:

* every row is validated (types, unknown SKUs or locations, duplicates, deltas that would
  take stock below what is reserved); any error rejects the batch and nothing is applied;
* a batch id is applied once: the same id with the same rows answers the stored result,
  the same id with other rows is a conflict;
* a snapshot replaces the stock of every location it names (the top-level ``location`` or
  each row's): it sets on hand and never loses a reservation (where it counts fewer units
  than are reserved, on hand stays at the reserved quantity and a warning says so), and
  SKUs such a location holds but the snapshot omits are counted as zero;
* stock rows are locked in (SKU, location) order, and each change writes a ledger row.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from omni.errors import ConflictError, DomainError

from ..models import Location, SyncBatch
from .batches import RowErrors
from .stock import Trace

MAX_ROWS = 2_000_000


def _payload_hash(mode: str, location: str | None, rows: list) -> str:
    digest = hashlib.sha256(f"{mode}|{location}|".encode())
    for chunk_start in range(0, len(rows), 50_000):
        digest.update(
            json.dumps(rows[chunk_start : chunk_start + 50_000], sort_keys=True, default=str).encode()
        )
    return digest.hexdigest()


def _int(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _validate_shapes(mode: str, rows: list, default_location: str | None, errors: RowErrors) -> list[tuple]:
    """Check each row's fields; return (row_no, sku, location, quantity, safety_stock) tuples."""
    parsed = []
    for index, row in enumerate(rows):
        if not isinstance(row, dict):
            errors.add(index, "non_field_errors", _("Each row must be an object."))
            continue
        sku = row.get("sku")
        location = row.get("location", default_location)
        ok = True
        if not isinstance(sku, str) or not sku:
            errors.add(index, "sku", _("A SKU code is required."), sku=sku)
            ok = False
        if not isinstance(location, str) or not location:
            errors.add(index, "location", _("A location code is required."), sku=sku)
            ok = False
        if mode == SyncBatch.Mode.SNAPSHOT:
            quantity = _int(row.get("on_hand"))
            if quantity is None or quantity < 0:
                errors.add(index, "on_hand", _("On hand must be a whole number, zero or more."), sku=sku)
                ok = False
        else:
            quantity = _int(row.get("delta"))
            if quantity is None or quantity == 0:
                errors.add(index, "delta", _("A delta must be a whole number other than zero."), sku=sku)
                ok = False
        safety = row.get("safety_stock")
        if safety is not None and (_int(safety) is None or safety < 0):
            errors.add(
                index, "safety_stock", _("Safety stock must be a whole number, zero or more."), sku=sku
            )
            ok = False
        if ok:
            parsed.append((index, sku, location, quantity, safety))
    return parsed


_CREATE_TEMP = """
CREATE TEMP TABLE sync_rows (
    row_no integer NOT NULL, sku_code text NOT NULL, location_code text NOT NULL,
    quantity integer NOT NULL, safety_stock integer,
    sku_id bigint NOT NULL, location_id bigint NOT NULL
) ON COMMIT DROP
"""


def _resolve(parsed: list[tuple], errors: RowErrors) -> list[tuple]:
    """Swap SKU and location codes for ids (two queries for the whole batch); unknown codes
    become row errors. Returns (row_no, sku, location, quantity, safety, sku_id, location_id)."""
    from ..models import SKU

    sku_ids: dict[str, int] = {}
    codes = list({row[1] for row in parsed})
    for start in range(0, len(codes), 50_000):
        sku_ids.update(SKU.objects.filter(code__in=codes[start : start + 50_000]).values_list("code", "id"))
    location_ids = dict(
        Location.objects.filter(code__in={row[2] for row in parsed}).values_list("code", "id")
    )
    resolved = []
    for row_no, sku, location, quantity, safety in parsed:
        sku_id, location_id = sku_ids.get(sku), location_ids.get(location)
        if sku_id is None:
            errors.add(row_no, "sku", _("Unknown SKU %(sku)s.") % {"sku": sku}, sku=sku, location=location)
        if location_id is None:
            errors.add(
                row_no,
                "location",
                _("Unknown location %(code)s.") % {"code": location},
                sku=sku,
                location=location,
            )
        if sku_id is not None and location_id is not None:
            resolved.append((row_no, sku, location, quantity, safety, sku_id, location_id))
    return resolved


def _load(cursor, resolved: list[tuple], progress: Callable[[int], None] | None) -> None:
    # ON COMMIT DROP cleans up in production; an enclosing transaction (a test, a caller's
    # atomic block) may still hold the tables of an earlier call.
    cursor.execute("DROP TABLE IF EXISTS sync_rows, sync_deltas")
    cursor.execute(_CREATE_TEMP)
    with cursor.copy(
        "COPY sync_rows (row_no, sku_code, location_code, quantity, safety_stock, sku_id, location_id) FROM STDIN"
    ) as copy:
        for done, row in enumerate(resolved, 1):
            copy.write_row(row)
            if progress and done % 20_000 == 0:
                progress(done)
    cursor.execute("ANALYZE sync_rows")


def _check_duplicates(cursor, mode: str, errors: RowErrors) -> None:
    if mode == SyncBatch.Mode.SNAPSHOT:
        cursor.execute(
            """
            SELECT row_no, sku_code, first_row FROM (
                SELECT row_no, sku_code,
                       min(row_no) OVER (PARTITION BY sku_id, location_id) AS first_row FROM sync_rows
            ) d WHERE row_no <> first_row ORDER BY row_no LIMIT 1000
            """
        )
        for row_no, sku, first_row in cursor.fetchall():
            errors.add(row_no, "sku", _("Repeats row %(row)s.") % {"row": first_row}, sku=sku)


_SNAPSHOT_APPLY = """
WITH current AS (
    SELECT st.id, st.sku_id, st.location_id, st.on_hand, st.reserved, st.safety_stock,
           coalesce(w.quantity, 0) AS counted, coalesce(w.safety_stock, st.safety_stock) AS new_safety
      FROM inventory_stocklevel st
      LEFT JOIN sync_rows w ON w.sku_id = st.sku_id AND w.location_id = st.location_id
     WHERE st.location_id IN (SELECT DISTINCT location_id FROM sync_rows)
     ORDER BY st.sku_id, st.location_id
       FOR UPDATE OF st
), updated AS (
    UPDATE inventory_stocklevel st
       SET on_hand = greatest(c.counted, c.reserved), safety_stock = c.new_safety, updated_at = now()
      FROM current c
     WHERE st.id = c.id AND (greatest(c.counted, c.reserved) <> c.on_hand OR c.new_safety <> c.safety_stock)
 RETURNING st.sku_id, st.location_id, st.on_hand - c.on_hand AS on_hand_delta,
           st.safety_stock - c.safety_stock AS safety_delta, c.counted, c.reserved
), ledger AS (
    INSERT INTO inventory_stockmovement
        (sku_id, location_id, kind, on_hand_delta, reserved_delta, in_transit_delta, safety_stock_delta,
         reason, note, reference, actor_id, api_client_id, channel, created_at)
    SELECT sku_id, location_id, 'sync_snapshot', on_hand_delta, 0, 0, safety_delta, 'count',
           CASE WHEN counted < reserved THEN 'snapshot ' || counted || ' below ' || reserved || ' reserved' ELSE '' END,
           %(reference)s, %(actor)s, %(api_client)s, %(channel)s, now()
      FROM updated
)
SELECT count(*), count(*) FILTER (WHERE counted < reserved) FROM updated
"""

_SNAPSHOT_SHORTFALLS = """
SELECT r.row_no, r.sku_code, r.quantity, st.reserved
  FROM sync_rows r JOIN inventory_stocklevel st ON st.sku_id = r.sku_id AND st.location_id = r.location_id
 WHERE r.quantity < st.reserved ORDER BY r.row_no LIMIT 1000
"""

_DELTA_AGGREGATE = """
CREATE TEMP TABLE sync_deltas ON COMMIT DROP AS
SELECT sku_id, location_id, sum(quantity)::integer AS delta, min(row_no) AS first_row, min(sku_code) AS sku_code,
       min(location_code) AS location_code
  FROM sync_rows GROUP BY sku_id, location_id;
INSERT INTO inventory_stocklevel (sku_id, location_id, on_hand, reserved, safety_stock, in_transit, updated_at)
SELECT sku_id, location_id, 0, 0, 0, 0, now() FROM sync_deltas WHERE delta > 0
ON CONFLICT (sku_id, location_id) DO NOTHING;
"""

_DELTA_LOCK = """
SELECT count(*) FROM (
    SELECT st.id FROM inventory_stocklevel st
      JOIN sync_deltas d ON st.sku_id = d.sku_id AND st.location_id = d.location_id
     ORDER BY st.sku_id, st.location_id
       FOR UPDATE OF st
) locked
"""

_DELTA_CHECK = """
SELECT d.first_row, d.sku_code, d.location_code, coalesce(st.on_hand, 0), coalesce(st.reserved, 0), d.delta
  FROM sync_deltas d
  LEFT JOIN inventory_stocklevel st ON st.sku_id = d.sku_id AND st.location_id = d.location_id
 WHERE coalesce(st.on_hand, 0) + d.delta < coalesce(st.reserved, 0)
 ORDER BY d.first_row LIMIT 1000
"""

_DELTA_APPLY = """
WITH updated AS (
    UPDATE inventory_stocklevel st SET on_hand = st.on_hand + d.delta, updated_at = now()
      FROM sync_deltas d
     WHERE st.sku_id = d.sku_id AND st.location_id = d.location_id
 RETURNING st.sku_id, st.location_id, d.delta
), ledger AS (
    INSERT INTO inventory_stockmovement
        (sku_id, location_id, kind, on_hand_delta, reserved_delta, in_transit_delta, safety_stock_delta,
         reason, note, reference, actor_id, api_client_id, channel, created_at)
    SELECT sku_id, location_id, 'sync_delta', delta, 0, 0, 0, '', '', %(reference)s, %(actor)s, %(api_client)s, %(channel)s, now()
      FROM updated
)
SELECT count(*) FROM updated
"""


def inventory_sync(
    *,
    batch_id: str,
    mode: str,
    rows: list,
    trace: Trace,
    location: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> dict:
    """Apply a snapshot or a batch of deltas, all or nothing, once per batch id.

    Returns ``{"batch_id", "mode", "rows", "changed", "warnings", "replayed"}``; raises
    BatchRejected with per-row errors, or ConflictError when the batch id was used for
    other rows.
    """
    if not isinstance(batch_id, str) or not batch_id.strip() or len(batch_id) > 100:
        raise DomainError(_("A batch id (1–100 characters) is required."), code="invalid", field="batch_id")
    if mode not in SyncBatch.Mode.values:
        raise DomainError(_("Mode is “snapshot” or “delta”."), code="invalid", field="mode")
    if not isinstance(rows, list):
        raise DomainError(_("Rows must be a list."), code="invalid", field="rows")
    if len(rows) > MAX_ROWS:
        raise DomainError(
            _("At most %(n)s rows per batch.") % {"n": MAX_ROWS}, code="too_many_rows", field="rows"
        )
    # Rows may name their location; the top-level one is their default (and, for a
    # snapshot of a single location, the whole batch's).
    snapshot_location = None
    if location is not None:
        snapshot_location = (
            Location.objects.filter(code=location).first() if isinstance(location, str) else None
        )
        if snapshot_location is None:
            raise DomainError(
                _("Unknown location %(code)s.") % {"code": location},
                code="unknown_location",
                field="location",
            )

    payload_hash = _payload_hash(mode, location, rows)
    previous = _replay(batch_id, payload_hash)
    if previous is not None:
        return previous

    errors = RowErrors()
    parsed = _validate_shapes(mode, rows, location, errors)
    with transaction.atomic():
        try:
            with transaction.atomic():
                batch = SyncBatch.objects.create(
                    batch_id=batch_id,
                    mode=mode,
                    location=snapshot_location,
                    row_count=len(rows),
                    payload_hash=payload_hash,
                    actor=trace.actor if getattr(trace.actor, "pk", None) else None,
                )
        except IntegrityError:
            # The same batch id committed meanwhile (a concurrent retry): answer like a replay.
            pass
        else:
            result = _apply(batch, mode, parsed, errors, trace, snapshot_location, progress)
            batch.result = result
            batch.save(update_fields=["result"])
            return {**result, "replayed": False}
    previous = _replay(batch_id, payload_hash)
    if previous is None:  # pragma: no cover - the other copy rolled back after all
        raise ConflictError(
            _("This batch id is being applied right now; retry shortly."), code="batch_in_progress"
        )
    return previous


def _replay(batch_id: str, payload_hash: str) -> dict | None:
    batch = SyncBatch.objects.filter(batch_id=batch_id).first()
    if batch is None:
        return None
    if batch.payload_hash != payload_hash:
        raise ConflictError(
            _("Batch id %(id)s was already applied with other rows.") % {"id": batch_id},
            code="batch_id_reused",
        )
    return {**batch.result, "replayed": True}


def _apply(batch, mode, parsed, errors, trace, snapshot_location, progress) -> dict:
    params = {
        "reference": f"sync:{batch.batch_id}"[:100],
        "actor": trace.actor.pk if getattr(trace.actor, "pk", None) else None,
        "api_client": trace.api_client.pk if trace.api_client else None,
        "channel": trace.channel,
    }
    warnings: list[dict] = []
    with connection.cursor() as cursor:
        _load(cursor, _resolve(parsed, errors), progress)
        _check_duplicates(cursor, mode, errors)
        errors.raise_if_any()
        if mode == SyncBatch.Mode.SNAPSHOT:
            cursor.execute(
                """
                INSERT INTO inventory_stocklevel (sku_id, location_id, on_hand, reserved, safety_stock, in_transit, updated_at)
                SELECT sku_id, location_id, 0, 0, 0, 0, now() FROM sync_rows ORDER BY sku_id, location_id
                ON CONFLICT (sku_id, location_id) DO NOTHING
                """
            )
            cursor.execute(_SNAPSHOT_SHORTFALLS, params)
            for row_no, sku, counted, reserved in cursor.fetchall():
                warnings.append(
                    {
                        "row": row_no,
                        "sku": sku,
                        "warning": _(
                            "%(counted)s counted but %(reserved)s reserved: on hand kept at %(reserved)s "
                            "until those reservations are released or rerouted."
                        )
                        % {"counted": counted, "reserved": reserved},
                    }
                )
            cursor.execute(_SNAPSHOT_APPLY, params)
            changed, _shortfalls = cursor.fetchone()
        else:
            cursor.execute(_DELTA_AGGREGATE)
            cursor.execute(_DELTA_LOCK)
            cursor.execute(_DELTA_CHECK)
            for first_row, sku, location, on_hand, reserved, delta in cursor.fetchall():
                errors.add(
                    first_row,
                    "delta",
                    _("%(delta)+d would leave %(after)s on hand for %(reserved)s reserved.")
                    % {"delta": delta, "after": on_hand + delta, "reserved": reserved},
                    sku=sku,
                    location=location,
                )
            errors.raise_if_any()
            cursor.execute(_DELTA_APPLY, params)
            (changed,) = cursor.fetchone()
    if progress:
        progress(len(parsed))
    return {
        "batch_id": batch.batch_id,
        "mode": mode,
        "location": snapshot_location.code if snapshot_location else None,
        "rows": len(parsed),
        "changed": changed,
        "warnings": warnings,
    }
