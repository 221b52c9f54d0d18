"""Inventory sync from the retailer's systems: a full snapshot of a location, or deltas.

Tens of thousands to millions of rows per call, so the rows go to a temporary table with
COPY and are checked and applied with set-based SQL in one transaction:

* every row is validated (types, unknown SKUs or locations, duplicates, deltas that would
  take stock below what is reserved); any error rejects the batch and nothing is applied;
* a batch id is applied once: the same id with the same rows answers the stored result,
  the same id with other rows is a conflict;
* a snapshot says its scope. ``full_location`` replaces the stock of every location it names
  (the top-level ``location`` or each row's): SKUs such a location holds but the snapshot
  omits are counted as zero, and the result says how many per location (``zeroed``).
  ``listed_skus`` sets only the rows given. Either way a snapshot sets on hand and never
  loses a reservation (where it counts fewer units than are reserved, on hand stays at the
  reserved quantity and a warning says so);
* stock rows are locked in (SKU, location) order, and each change writes a ledger row.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from omni.errors import ConflictError, DomainError
from omni.trace import Trace

from ..models import Location, SyncBatch
from .batches import RowErrors

MAX_ROWS = 2_000_000


def _payload_hash(mode: str, scope: str | None, location: str | None, rows: list) -> str:
    # Full-location snapshots hash as they did before snapshots named their scope, so a batch
    # applied then still replays.
    kind = mode if scope in {None, SyncBatch.Scope.FULL_LOCATION} else f"{mode}/{scope}"
    digest = hashlib.sha256(f"{kind}|{location}|".encode())
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


# {join} is LEFT JOIN for a full-location snapshot (every stock row of its locations, those
# it omits counted as zero) and JOIN for listed SKUs only.
_SNAPSHOT_APPLY = """
WITH current AS (
    SELECT st.id, st.sku_id, st.location_id, st.on_hand, st.reserved, st.safety_stock,
           w.row_no IS NOT NULL AS listed,
           coalesce(w.quantity, 0) AS counted, coalesce(w.safety_stock, st.safety_stock) AS new_safety
      FROM inventory_stocklevel st
      {join} sync_rows w ON w.sku_id = st.sku_id AND w.location_id = st.location_id
     WHERE st.location_id IN (SELECT DISTINCT location_id FROM sync_rows)
     ORDER BY st.sku_id, st.location_id
       FOR UPDATE OF st
), updated AS (
    UPDATE inventory_stocklevel st
       SET on_hand = greatest(c.counted, c.reserved), safety_stock = c.new_safety, updated_at = now()
      FROM current c
     WHERE st.id = c.id AND (greatest(c.counted, c.reserved) <> c.on_hand OR c.new_safety <> c.safety_stock)
 RETURNING st.sku_id, st.location_id, st.on_hand - c.on_hand AS on_hand_delta,
           st.safety_stock - c.safety_stock AS safety_delta, c.counted, c.reserved, c.listed
), ledger AS (
    INSERT INTO inventory_stockmovement
        (sku_id, location_id, kind, on_hand_delta, reserved_delta, in_transit_delta, safety_stock_delta,
         reason, note, reference, actor_id, api_client_id, channel, created_at)
    SELECT sku_id, location_id, 'sync_snapshot', on_hand_delta, 0, 0, safety_delta, 'count',
           CASE WHEN counted < reserved THEN 'snapshot ' || counted || ' below ' || reserved || ' reserved' ELSE '' END,
           %(reference)s, %(actor)s, %(api_client)s, %(channel)s, now()
      FROM updated
)
SELECT location_id, count(*), count(*) FILTER (WHERE NOT listed) FROM updated GROUP BY location_id
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
    scope: str | None = None,
    location: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> dict:
    """Apply a snapshot or a batch of deltas, all or nothing, once per batch id. A snapshot
    must name its ``scope`` (SyncBatch.Scope); deltas have none.

    Returns ``{"batch_id", "mode", "scope", "location", "rows", "changed", "zeroed",
    "zeroed_by_location", "warnings", "replayed"}``: ``zeroed`` counts the stock rows a
    full-location snapshot omitted and counted as zero, ``zeroed_by_location`` splits it
    per location the snapshot covered. Raises BatchRejected with per-row errors, or
    ConflictError when the batch id was used for other rows.
    """
    if not isinstance(batch_id, str) or not batch_id.strip() or len(batch_id) > 100:
        raise DomainError(_("A batch id (1–100 characters) is required."), code="invalid", field="batch_id")
    if mode not in SyncBatch.Mode.values:
        raise DomainError(_("Mode is “snapshot” or “delta”."), code="invalid", field="mode")
    _check_scope(mode, scope)
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

    payload_hash = _payload_hash(mode, scope, location, rows)
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
            result = _apply(batch, mode, scope, parsed, errors, trace, snapshot_location, progress)
            batch.result = result
            batch.save(update_fields=["result"])
            return {**result, "replayed": False}
    previous = _replay(batch_id, payload_hash)
    if previous is None:  # pragma: no cover - the other copy rolled back after all
        raise ConflictError(
            _("This batch id is being applied right now; retry shortly."), code="batch_in_progress"
        )
    return previous


def _check_scope(mode: str, scope) -> None:
    if mode == SyncBatch.Mode.DELTA:
        if scope is not None:
            raise DomainError(
                _("Only a snapshot has a scope: deltas change the rows they list and nothing else."),
                code="invalid",
                field="scope",
            )
    elif scope is None:
        raise DomainError(
            _(
                "A snapshot must say its scope: “full_location” also sets to zero every SKU of the "
                "location that the rows leave out; “listed_skus” sets the listed SKUs only."
            ),
            code="scope_required",
            field="scope",
        )
    elif scope not in SyncBatch.Scope.values:
        raise DomainError(_("Scope is “full_location” or “listed_skus”."), code="invalid", field="scope")


def _replay(batch_id: str, payload_hash: str) -> dict | None:
    batch = SyncBatch.objects.filter(batch_id=batch_id).first()
    if batch is None:
        return None
    if batch.payload_hash != payload_hash:
        raise ConflictError(
            _("Batch id %(id)s was already applied with other rows.") % {"id": batch_id},
            code="batch_id_reused",
        )
    # Batches applied before snapshots named their scope were all full-location; how many
    # rows they zeroed was not counted.
    full = batch.mode == SyncBatch.Mode.SNAPSHOT
    known = {"scope": SyncBatch.Scope.FULL_LOCATION if full else None, "zeroed": None if full else 0}
    return {**known, "zeroed_by_location": {}, **batch.result, "replayed": True}


def _reference(batch_id: str) -> str:
    return f"sync:{batch_id}"[:100]


def _apply(batch, mode, scope, parsed, errors, trace, snapshot_location, progress) -> dict:
    params = {
        "reference": _reference(batch.batch_id),
        "actor": trace.actor.pk if getattr(trace.actor, "pk", None) else None,
        "api_client": trace.api_client.pk if trace.api_client else None,
        "channel": trace.channel,
    }
    warnings: list[dict] = []
    zeroed_by_location: dict[str, int] = {}
    with connection.cursor() as cursor:
        resolved = _resolve(parsed, errors)
        _load(cursor, resolved, progress)
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
            join = "LEFT JOIN" if scope == SyncBatch.Scope.FULL_LOCATION else "JOIN"
            cursor.execute(_SNAPSHOT_APPLY.replace("{join}", join), params)
            per_location = {location_id: (n, zeroed) for location_id, n, zeroed in cursor.fetchall()}
            changed = sum(n for n, _zeroed in per_location.values())
            codes = {row[6]: row[2] for row in resolved}
            zeroed_by_location = {code: per_location.get(loc_id, (0, 0))[1] for loc_id, code in codes.items()}
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
        "scope": scope,
        "location": snapshot_location.code if snapshot_location else None,
        "rows": len(parsed),
        "changed": changed,
        "zeroed": sum(zeroed_by_location.values()),
        "zeroed_by_location": dict(sorted(zeroed_by_location.items())),
        "warnings": warnings,
    }


_CHANGES = """
SELECT count(*),
       coalesce(sum(m.on_hand_delta) FILTER (WHERE m.on_hand_delta > 0), 0),
       coalesce(-sum(m.on_hand_delta) FILTER (WHERE m.on_hand_delta < 0), 0),
       md5(coalesce(string_agg(
           concat_ws(':', m.sku_id, m.location_id, m.on_hand_delta, m.safety_stock_delta), ','
           ORDER BY m.sku_id, m.location_id), ''))
  FROM inventory_stockmovement m
 WHERE m.reference = %(reference)s
"""

_ZEROED = """
SELECT s.code, l.code, st.on_hand - m.on_hand_delta, st.on_hand
  FROM inventory_stockmovement m
  JOIN inventory_sku s ON s.id = m.sku_id
  JOIN inventory_location l ON l.id = m.location_id
  JOIN inventory_stocklevel st ON st.sku_id = m.sku_id AND st.location_id = m.location_id
 WHERE m.reference = %(reference)s AND m.kind = 'sync_snapshot'
   AND NOT EXISTS (SELECT 1 FROM sync_rows r WHERE r.sku_id = m.sku_id AND r.location_id = m.location_id)
 ORDER BY l.code, s.code
 LIMIT %(sample)s
"""


def inventory_sync_changes(*, batch_id: str, sample: int = 200) -> dict:
    """What inventory_sync just changed for ``batch_id``: stock rows changed, units added and
    removed, the first ``sample`` SKUs a full-location snapshot counted as zero (sku,
    location, before, after), and a digest of every change (SKU, location, on hand and
    safety stock deltas) that is equal only when two runs change exactly the same.

    Caller must run it in the transaction that ran the sync (it reads that transaction's
    ledger rows and its ``sync_rows`` table) and not for a replay.
    """
    params = {"reference": _reference(batch_id), "sample": sample}
    with connection.cursor() as cursor:
        cursor.execute(_CHANGES, params)
        changed, units_up, units_down, digest = cursor.fetchone()
        cursor.execute(_ZEROED, params)
        zeroed = [
            {"sku": sku, "location": location, "before": before, "after": after}
            for sku, location, before, after in cursor.fetchall()
        ]
    return {
        "changed": changed,
        "units_up": units_up,
        "units_down": units_down,
        "zeroed_skus": zeroed,
        "digest": digest,
    }


class _RolledBack(Exception):
    def __init__(self, outcome: dict):
        super().__init__()
        self.outcome = outcome


def inventory_sync_preview(*, sample: int = 200, **sync_arguments) -> dict:
    """What inventory_sync would do with these arguments, without doing it: the sync runs
    (same validation, same row locks, held briefly) in a savepoint that is then rolled back.

    Returns inventory_sync's result plus inventory_sync_changes'; raises what inventory_sync
    raises (BatchRejected with per-row errors, DomainError, ConflictError). A batch id
    already applied answers its stored result (``replayed: true``) with no changes.
    """
    try:
        with transaction.atomic():
            result = inventory_sync(**sync_arguments)
            if result["replayed"]:
                return result
            changes = inventory_sync_changes(batch_id=sync_arguments["batch_id"], sample=sample)
            raise _RolledBack({**result, **changes})
    except _RolledBack as rolled_back:
        return rolled_back.outcome
