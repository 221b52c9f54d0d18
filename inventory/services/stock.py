"""Writes to stock: receive, adjust, count, reserve, release, consume, transfer.

Every counter change is one conditional ``UPDATE ... WHERE <the result is legal>`` on the
stock row, so two sales can never claim the same unit whatever runs at once: PostgreSQL
serialises writers on the row, and re-checks the condition against the committed values.
Each change writes one StockMovement row in the same transaction, so the ledger always
sums to the stock. Multi-row operations touch rows in (sku, location) order to avoid
deadlocks. Reservation rows are locked before their stock row.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from omni.errors import ConflictError, DomainError
from omni.trace import Trace

from ..locks import (
    reservation_lock,
    reservations_lock,
    reservations_lock_expired,
    stock_level_lock,
    transfer_lock,
)
from ..models import SKU as Sku
from ..models import Location, Reservation, StockLevel, StockMovement, Transfer, TransferLine
from ..selectors.atp import atp_expression, atp_sql


class InsufficientStock(ConflictError):
    code = "insufficient_stock"


_UPDATE_SQL = """
UPDATE inventory_stocklevel
   SET on_hand = on_hand + %(on_hand)s,
       reserved = reserved + %(reserved)s,
       in_transit = in_transit + %(in_transit)s,
       safety_stock = safety_stock + %(safety)s,
       updated_at = now()
 WHERE sku_id = %(sku)s AND location_id = %(location)s
   AND on_hand + %(on_hand)s >= 0
   AND reserved + %(reserved)s >= 0
   AND reserved + %(reserved)s <= on_hand + %(on_hand)s
   AND in_transit + %(in_transit)s >= 0
   AND safety_stock + %(safety)s >= 0
   AND (NOT %(keep_atp)s OR on_hand + %(on_hand)s - reserved - %(reserved)s - safety_stock - %(safety)s >= 0)
RETURNING id, on_hand, reserved, safety_stock, in_transit
"""

_ENSURE_ROW_SQL = """
INSERT INTO inventory_stocklevel (sku_id, location_id, on_hand, reserved, safety_stock, in_transit, updated_at)
VALUES (%s, %s, 0, 0, 0, 0, now())
ON CONFLICT (sku_id, location_id) DO NOTHING
"""


def _change_stock(
    *,
    sku_id: int,
    location_id: int,
    kind: str,
    trace: Trace,
    on_hand: int = 0,
    reserved: int = 0,
    in_transit: int = 0,
    safety: int = 0,
    keep_atp: bool = False,
    create: bool = False,
) -> tuple[int, int, int, int]:
    """Apply deltas to one stock row if the result is legal, and write the ledger row.

    ``keep_atp``: also require ATP ≥ 0 afterwards (a reservation may not eat safety stock or
    units someone else holds). Raises InsufficientStock, leaving everything untouched, when
    the change would break a rule. Must run inside a transaction.
    """
    params = {
        "sku": sku_id,
        "location": location_id,
        "on_hand": on_hand,
        "reserved": reserved,
        "in_transit": in_transit,
        "safety": safety,
        "keep_atp": keep_atp,
    }
    with connection.cursor() as cursor:
        if create:
            cursor.execute(_ENSURE_ROW_SQL, [sku_id, location_id])
        cursor.execute(_UPDATE_SQL, params)
        row = cursor.fetchone()
    if row is None:
        _raise_insufficient(sku_id, location_id)
    _ledger_row(
        sku_id=sku_id, location_id=location_id, kind=kind, trace=trace,
        on_hand=on_hand, reserved=reserved, in_transit=in_transit, safety=safety,
    ).save(force_insert=True)  # fmt: skip
    return row[1], row[2], row[3], row[4]


def _ledger_row(
    *, sku_id: int, location_id: int, kind: str, trace: Trace, reference: str = "",
    on_hand: int = 0, reserved: int = 0, in_transit: int = 0, safety: int = 0,
) -> StockMovement:  # fmt: skip
    """The ledger row of one change (unsaved): the deltas, and who, from where and why."""
    return StockMovement(
        sku_id=sku_id,
        location_id=location_id,
        kind=kind,
        on_hand_delta=on_hand,
        reserved_delta=reserved,
        in_transit_delta=in_transit,
        safety_stock_delta=safety,
        reason=trace.reason,
        note=trace.note[:300],
        reference=(trace.reference or reference)[:100],
        actor=trace.actor if getattr(trace.actor, "pk", None) else None,
        api_client=trace.api_client,
        channel=trace.channel,
    )


def _raise_insufficient(sku_id: int, location_id: int):
    level = StockLevel.objects.filter(sku_id=sku_id, location_id=location_id).first()
    if level is None:
        raise InsufficientStock(_("This location holds none of this SKU."), on_hand=0, reserved=0, atp=0)
    raise InsufficientStock(
        _("Not enough stock: %(on_hand)s on hand, %(reserved)s reserved, %(atp)s available.")
        % {"on_hand": level.on_hand, "reserved": level.reserved, "atp": level.atp},
        on_hand=level.on_hand,
        reserved=level.reserved,
        atp=level.atp,
    )


def _positive(quantity: int, field: str = "quantity") -> int:
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity <= 0:
        raise DomainError(
            _("The quantity must be a whole number above zero."), code="invalid_quantity", field=field
        )
    return quantity


def _level(sku: Sku, location: Location) -> StockLevel:
    return StockLevel.objects.get(sku=sku, location=location)


@transaction.atomic
def stock_receive(*, sku: Sku, location: Location, quantity: int, trace: Trace) -> StockLevel:
    """Units arrive at a location (delivery, return to stock)."""
    _change_stock(
        sku_id=sku.pk,
        location_id=location.pk,
        kind=StockMovement.Kind.RECEIPT,
        trace=trace,
        on_hand=_positive(quantity),
        create=True,
    )
    return _level(sku, location)


@transaction.atomic
def stock_adjust(*, sku: Sku, location: Location, delta: int, trace: Trace) -> StockLevel:
    """Add or remove units for a reason (damaged, theft, found...). A reason code is required;
    removing units that are reserved is refused."""
    if not trace.reason:
        raise DomainError(_("Choose a reason for the adjustment."), code="reason_required", field="reason")
    if not isinstance(delta, int) or delta == 0:
        raise DomainError(
            _("The adjustment must be a whole number other than zero."),
            code="invalid_quantity",
            field="delta",
        )
    _change_stock(
        sku_id=sku.pk,
        location_id=location.pk,
        kind=StockMovement.Kind.ADJUSTMENT,
        trace=trace,
        on_hand=delta,
        create=delta > 0,
    )
    return _level(sku, location)


@transaction.atomic
def stock_count(*, sku: Sku, location: Location, counted: int, trace: Trace) -> StockLevel:
    """A cycle count: on hand becomes what was counted. Refused when fewer units were counted
    than are reserved (those reservations must be released or rerouted first)."""
    if not isinstance(counted, int) or counted < 0:
        raise DomainError(
            _("The counted quantity must be zero or more."), code="invalid_quantity", field="counted"
        )
    with connection.cursor() as cursor:
        cursor.execute(_ENSURE_ROW_SQL, [sku.pk, location.pk])
    level = stock_level_lock(sku, location)
    delta = counted - level.on_hand
    if counted < level.reserved:
        raise InsufficientStock(
            _("%(counted)s counted but %(reserved)s units are reserved: release or reroute them first.")
            % {"counted": counted, "reserved": level.reserved},
            on_hand=level.on_hand,
            reserved=level.reserved,
            atp=level.atp,
        )
    if delta:
        _change_stock(
            sku_id=sku.pk,
            location_id=location.pk,
            kind=StockMovement.Kind.CYCLE_COUNT,
            trace=replace(trace, reason=trace.reason or StockMovement.Reason.COUNT),
            on_hand=delta,
        )
    level.refresh_from_db()
    return level


@transaction.atomic
def stock_set_safety_stock(*, sku: Sku, location: Location, safety_stock: int, trace: Trace) -> StockLevel:
    """Units kept back from ATP so a location never promises its last pieces."""
    if not isinstance(safety_stock, int) or safety_stock < 0:
        raise DomainError(
            _("Safety stock must be zero or more."), code="invalid_quantity", field="safety_stock"
        )
    with connection.cursor() as cursor:
        cursor.execute(_ENSURE_ROW_SQL, [sku.pk, location.pk])
    level = stock_level_lock(sku, location)
    if safety_stock != level.safety_stock:
        _change_stock(
            sku_id=sku.pk,
            location_id=location.pk,
            kind=StockMovement.Kind.SAFETY_STOCK,
            trace=trace,
            safety=safety_stock - level.safety_stock,
        )
        level.refresh_from_db()
    return level


@transaction.atomic
def stock_reserve(
    *,
    sku: Sku,
    location: Location,
    quantity: int,
    holder_type: str,
    holder_ref: str,
    trace: Trace,
    expires_at: datetime.datetime | None = None,
) -> Reservation:
    """Hold units of available-to-promise for someone. Raises InsufficientStock (nothing
    written) when the location's ATP is below the quantity at the moment of the update."""
    _change_stock(
        sku_id=sku.pk,
        location_id=location.pk,
        kind=StockMovement.Kind.RESERVATION,
        trace=replace(trace, reference=trace.reference or f"{holder_type}:{holder_ref}"),
        reserved=_positive(quantity),
        keep_atp=True,
    )
    return Reservation.objects.create(
        sku=sku,
        location=location,
        quantity=quantity,
        holder_type=holder_type,
        holder_ref=holder_ref,
        expires_at=expires_at,
        created_by=trace.actor if getattr(trace.actor, "pk", None) else None,
        channel=trace.channel,
    )


@dataclass(frozen=True)
class ReservationWanted:
    """One hold ``stock_reserve_many`` takes: units of a SKU at a location, for someone."""

    sku: Sku
    location_id: int
    quantity: int
    holder_type: str
    holder_ref: str


_RESERVE_MANY_SQL = f"""
WITH wanted AS (
    SELECT * FROM unnest(%(skus)s::bigint[], %(locations)s::bigint[], %(quantities)s::int[])
        AS w(sku_id, location_id, quantity)
), locked AS (
    SELECT st.id FROM inventory_stocklevel st
      JOIN wanted w ON w.sku_id = st.sku_id AND w.location_id = st.location_id
     ORDER BY st.sku_id, st.location_id
       FOR UPDATE OF st
)
UPDATE inventory_stocklevel st
   SET reserved = st.reserved + w.quantity, updated_at = now()
  FROM wanted w
 WHERE st.id IN (SELECT id FROM locked)
   AND w.sku_id = st.sku_id AND w.location_id = st.location_id
   AND {atp_sql("st")} >= w.quantity
RETURNING st.sku_id, st.location_id
"""  # noqa: S608 - constants only


def stock_reserve_many(*, wanted: Sequence[ReservationWanted], trace: Trace) -> list[Reservation]:
    """Hold every wanted quantity, or none: one statement locks the stock rows in (SKU,
    location) order and reserves where ATP allows; if any row could not (a concurrent sale took
    the units), raises InsufficientStock — the caller rolls its savepoint back, nothing stays.
    Then one ledger INSERT and one reservation INSERT. Returns the reservations in order."""
    if not wanted:
        return []
    totals: dict[tuple[int, int], int] = {}
    for item in wanted:
        _positive(item.quantity)
        key = (item.sku.pk, item.location_id)
        totals[key] = totals.get(key, 0) + item.quantity
    keys = sorted(totals)
    with connection.cursor() as cursor:
        cursor.execute(
            _RESERVE_MANY_SQL,
            {
                "skus": [k[0] for k in keys],
                "locations": [k[1] for k in keys],
                "quantities": [totals[k] for k in keys],
            },
        )
        reserved = set(cursor.fetchall())
    short = [key for key in keys if key not in reserved]
    if short:
        _raise_insufficient(*short[0])
    actor = trace.actor if getattr(trace.actor, "pk", None) else None
    StockMovement.objects.bulk_create(
        _ledger_row(
            sku_id=item.sku.pk,
            location_id=item.location_id,
            kind=StockMovement.Kind.RESERVATION,
            trace=trace,
            reference=f"{item.holder_type}:{item.holder_ref}",
            reserved=item.quantity,
        )  # fmt: skip
        for item in wanted
    )
    return Reservation.objects.bulk_create(
        Reservation(
            sku=item.sku,
            location_id=item.location_id,
            quantity=item.quantity,
            holder_type=item.holder_type,
            holder_ref=item.holder_ref,
            created_by=actor,
            channel=trace.channel,
        )
        for item in wanted
    )


def stock_reserve_in_network(
    *,
    sku: Sku,
    quantity: int,
    holder_type: str,
    holder_ref: str,
    trace: Trace,
    locations: Sequence[Location] | None = None,
    expires_at: datetime.datetime | None = None,
) -> Reservation:
    """Reserve the whole quantity at the first location, in the given order (or by ATP,
    deepest first), that can still hold it when the update runs. Each attempt is its own
    savepoint, so a location emptied by a concurrent sale is simply skipped."""
    _positive(quantity)
    if locations is None:
        candidate_ids = list(
            StockLevel.objects.filter(sku=sku, location__is_active=True)
            .annotate(atp=atp_expression())
            .filter(atp__gte=quantity)
            .order_by("-atp", "location_id")
            .values_list("location_id", flat=True)
        )
        by_id = Location.objects.in_bulk(candidate_ids)
        locations = [by_id[pk] for pk in candidate_ids]
    with transaction.atomic():
        for location in locations:
            try:
                with transaction.atomic():
                    return stock_reserve(
                        sku=sku,
                        location=location,
                        quantity=quantity,
                        holder_type=holder_type,
                        holder_ref=holder_ref,
                        trace=trace,
                        expires_at=expires_at,
                    )
            except InsufficientStock:
                continue
    raise InsufficientStock(
        _("No location can hold %(quantity)s of %(sku)s.") % {"quantity": quantity, "sku": sku.code}
    )


def _lock_active_reservation(reservation: Reservation) -> Reservation:
    locked = reservation_lock(reservation)
    if locked.status != Reservation.Status.ACTIVE:
        raise ConflictError(
            _("This reservation is already %(status)s.") % {"status": locked.get_status_display().lower()},
            code="reservation_closed",
        )
    return locked


def _close_or_reduce(reservation: Reservation, quantity: int, closed_status: str) -> None:
    reservation.quantity -= quantity
    if reservation.quantity == 0:
        reservation.status = closed_status
        reservation.closed_at = timezone.now()
    reservation.save(update_fields=["quantity", "status", "closed_at"])


def _part(reservation: Reservation, quantity: int | None) -> int:
    quantity = reservation.quantity if quantity is None else _positive(quantity)
    if quantity > reservation.quantity:
        raise DomainError(
            _("Only %(held)s units are held.") % {"held": reservation.quantity},
            code="invalid_quantity",
            field="quantity",
        )
    return quantity


@transaction.atomic
def reservation_release(
    *,
    reservation: Reservation,
    trace: Trace,
    quantity: int | None = None,
    status: str = Reservation.Status.RELEASED,
) -> Reservation:
    """Give held units back to ATP (all of them unless ``quantity`` says otherwise)."""
    reservation = _lock_active_reservation(reservation)
    quantity = _part(reservation, quantity)
    _change_stock(
        sku_id=reservation.sku_id,
        location_id=reservation.location_id,
        kind=StockMovement.Kind.RELEASE,
        trace=replace(
            trace, reference=trace.reference or f"{reservation.holder_type}:{reservation.holder_ref}"
        ),
        reserved=-quantity,
    )
    _close_or_reduce(reservation, quantity, status)
    return reservation


@transaction.atomic
def reservation_consume(
    *, reservation: Reservation, trace: Trace, quantity: int | None = None
) -> Reservation:
    """Held units leave the building (picked for an order, sold at the till): on hand and
    reserved both go down."""
    reservation = _lock_active_reservation(reservation)
    quantity = _part(reservation, quantity)
    _change_stock(
        sku_id=reservation.sku_id,
        location_id=reservation.location_id,
        kind=StockMovement.Kind.CONSUMPTION,
        trace=replace(
            trace, reference=trace.reference or f"{reservation.holder_type}:{reservation.holder_ref}"
        ),
        on_hand=-quantity,
        reserved=-quantity,
    )
    _close_or_reduce(reservation, quantity, Reservation.Status.CONSUMED)
    return reservation


_CONSUME_MANY_SQL = """
WITH wanted AS (
    SELECT * FROM unnest(%(skus)s::bigint[], %(locations)s::bigint[], %(quantities)s::int[])
        AS w(sku_id, location_id, quantity)
), locked AS (
    SELECT st.id FROM inventory_stocklevel st
      JOIN wanted w ON w.sku_id = st.sku_id AND w.location_id = st.location_id
     ORDER BY st.sku_id, st.location_id
       FOR UPDATE OF st
)
UPDATE inventory_stocklevel st
   SET on_hand = st.on_hand - w.quantity, reserved = st.reserved - w.quantity, updated_at = now()
  FROM wanted w
 WHERE st.id IN (SELECT id FROM locked)
   AND st.sku_id = w.sku_id AND st.location_id = w.location_id
   AND st.reserved >= w.quantity AND st.on_hand >= w.quantity
RETURNING st.sku_id, st.location_id
"""


def reservations_consume(*, parts: Sequence[tuple[Reservation, int]], trace: Trace) -> None:
    """Held units of several reservations leave the building at once (one parcel shipped,
    one pickup handed over): each reservation is locked (in id order) and must be active and
    hold the units; then one stock UPDATE, one ledger INSERT, one reservation UPDATE.
    All or nothing, like ``reservation_consume`` once per part."""
    if not parts:
        return
    ids = sorted({reservation.pk for reservation, _quantity in parts})
    locked = reservations_lock(ids)
    totals: dict[tuple[int, int], int] = {}
    taken: dict[int, int] = {}
    for reservation, quantity in parts:
        row = locked[reservation.pk]
        if row.status != Reservation.Status.ACTIVE:
            raise ConflictError(
                _("This reservation is already %(status)s.") % {"status": row.get_status_display().lower()},
                code="reservation_closed",
            )
        taken[row.pk] = taken.get(row.pk, 0) + _positive(quantity)
        if taken[row.pk] > row.quantity:
            raise DomainError(
                _("Only %(held)s units are held.") % {"held": row.quantity},
                code="invalid_quantity",
                field="quantity",
            )
        key = (row.sku_id, row.location_id)
        totals[key] = totals.get(key, 0) + quantity
    keys = sorted(totals)
    with connection.cursor() as cursor:
        cursor.execute(
            _CONSUME_MANY_SQL,
            {
                "skus": [k[0] for k in keys],
                "locations": [k[1] for k in keys],
                "quantities": [totals[k] for k in keys],
            },
        )
        if len(cursor.fetchall()) != len(keys):  # the check constraints make this unreachable
            raise ConflictError(_("The stock no longer holds these units."), code="reservation_closed")
    StockMovement.objects.bulk_create(
        _ledger_row(
            sku_id=locked[reservation.pk].sku_id,
            location_id=locked[reservation.pk].location_id,
            kind=StockMovement.Kind.CONSUMPTION,
            trace=trace,
            reference=f"{reservation.holder_type}:{reservation.holder_ref}",
            on_hand=-quantity,
            reserved=-quantity,
        )  # fmt: skip
        for reservation, quantity in parts
    )
    now = timezone.now()
    for row in locked.values():
        row.quantity -= taken[row.pk]
        if row.quantity == 0:
            row.status, row.closed_at = Reservation.Status.CONSUMED, now
    Reservation.objects.bulk_update(locked.values(), ["quantity", "status", "closed_at"])
    for reservation, _quantity in parts:  # the caller's copies follow
        row = locked[reservation.pk]
        reservation.quantity, reservation.status, reservation.closed_at = (
            row.quantity,
            row.status,
            row.closed_at,
        )


def reservations_release_expired(*, now: datetime.datetime | None = None, batch_size: int = 500) -> int:
    """Release every active reservation past its expiry. Safe to run twice at once: each
    copy skips rows the other has locked, and a released reservation is never released again."""
    now = now or timezone.now()
    released = 0
    while True:
        with transaction.atomic():
            expired = reservations_lock_expired(now, batch_size)
            for reservation in expired:
                reservation_release(
                    reservation=reservation,
                    trace=Trace(note="reservation expired"),
                    status=Reservation.Status.EXPIRED,
                )
        released += len(expired)
        if len(expired) < batch_size:
            return released


def _next_transfer_reference() -> str:
    return f"TR-{timezone.now():%Y%m%d}-{secrets.token_hex(4).upper()}"


@transaction.atomic
def transfer_ship(
    *,
    from_location: Location,
    to_location: Location,
    lines: Iterable[tuple[Sku, int]],
    trace: Trace,
    reference: str = "",
) -> Transfer:
    """Send units to another location: they leave the source's on hand (never its reserved
    units) and show as in transit at the destination until received."""
    if from_location.pk == to_location.pk:
        raise DomainError(_("A transfer goes between two different locations."), code="same_location")
    merged: dict[int, tuple[Sku, int]] = {}
    for sku, quantity in lines:
        _positive(quantity)
        previous = merged.get(sku.pk, (sku, 0))[1]
        merged[sku.pk] = (sku, previous + quantity)
    if not merged:
        raise DomainError(_("A transfer needs at least one line."), code="empty_transfer")
    transfer = Transfer.objects.create(
        reference=reference or _next_transfer_reference(),
        from_location=from_location,
        to_location=to_location,
        created_by=trace.actor if getattr(trace.actor, "pk", None) else None,
    )
    trace = replace(trace, reference=transfer.reference)
    for sku_id in sorted(merged):  # fixed order: no deadlock with another transfer
        sku, quantity = merged[sku_id]
        _change_stock(
            sku_id=sku_id,
            location_id=from_location.pk,
            kind=StockMovement.Kind.TRANSFER_OUT,
            trace=trace,
            on_hand=-quantity,
        )
        _change_stock(
            sku_id=sku_id,
            location_id=to_location.pk,
            kind=StockMovement.Kind.TRANSFER_OUT,
            trace=trace,
            in_transit=quantity,
            create=True,
        )
        TransferLine.objects.create(transfer=transfer, sku=sku, quantity=quantity)
    return transfer


@transaction.atomic
def reservations_send(*, reservations: list[Reservation], to_location: Location, trace: Trace) -> Transfer:
    """Send held units to another location for the same holders (ship to store, a transfer
    for a pickup): each reservation is consumed at the source (its units leave on hand and
    reserved), the units travel in transit, and ``transfer_receive`` holds them again at the
    destination for the holders still waiting."""
    if not reservations:
        raise DomainError(_("A transfer needs at least one line."), code="empty_transfer")
    source_id = reservations[0].location_id
    if source_id == to_location.pk or any(r.location_id != source_id for r in reservations):
        raise DomainError(_("A transfer goes between two different locations."), code="same_location")
    transfer = Transfer.objects.create(
        reference=_next_transfer_reference(),
        from_location_id=source_id,
        to_location=to_location,
        created_by=trace.actor if getattr(trace.actor, "pk", None) else None,
    )
    trace = replace(trace, reference=transfer.reference)
    for reservation in sorted(reservations, key=lambda r: (r.sku_id, r.pk)):
        locked = _lock_active_reservation(reservation)
        _change_stock(
            sku_id=locked.sku_id,
            location_id=source_id,
            kind=StockMovement.Kind.TRANSFER_OUT,
            trace=trace,
            on_hand=-locked.quantity,
            reserved=-locked.quantity,
        )
        _change_stock(
            sku_id=locked.sku_id,
            location_id=to_location.pk,
            kind=StockMovement.Kind.TRANSFER_OUT,
            trace=trace,
            in_transit=locked.quantity,
            create=True,
        )
        TransferLine.objects.create(
            transfer=transfer, sku_id=locked.sku_id, quantity=locked.quantity, sent_for=locked
        )
        _close_or_reduce(locked, locked.quantity, Reservation.Status.CONSUMED)
    return transfer


@transaction.atomic
def transfer_receive(*, transfer: Transfer, trace: Trace, still_wanted: set[int] | None = None) -> Transfer:
    """The destination receives a transfer: in transit becomes on hand. Units sent for a
    holder (``reservations_send``) are held again at once for the same holder — never blocked
    by safety stock, they are already sold — unless ``still_wanted`` (ids of the reservations
    they were sent under) leaves them out, e.g. the order was cancelled on the way: those
    become the destination's own stock."""
    transfer = transfer_lock(transfer)
    if transfer.status != Transfer.Status.IN_TRANSIT:
        raise ConflictError(_("This transfer was already received."), code="transfer_received")
    trace = replace(trace, reference=transfer.reference)
    for line in transfer.lines.select_related("sent_for").order_by("sku_id", "pk"):
        sent_for = line.sent_for
        hold = sent_for is not None and (still_wanted is None or sent_for.pk in still_wanted)
        _change_stock(
            sku_id=line.sku_id,
            location_id=transfer.to_location_id,
            kind=StockMovement.Kind.TRANSFER_IN,
            trace=trace,
            on_hand=line.quantity,
            in_transit=-line.quantity,
            reserved=line.quantity if hold else 0,
        )
        if hold:
            line.held_by = Reservation.objects.create(
                sku_id=line.sku_id,
                location_id=transfer.to_location_id,
                quantity=line.quantity,
                holder_type=sent_for.holder_type,
                holder_ref=sent_for.holder_ref,
                created_by=trace.actor if getattr(trace.actor, "pk", None) else None,
                channel=trace.channel,
            )
            line.save(update_fields=["held_by"])
    transfer.status = Transfer.Status.RECEIVED
    transfer.received_at = timezone.now()
    transfer.save(update_fields=["status", "received_at"])
    return transfer


@transaction.atomic
def reservation_hand_over(*, reservation: Reservation, holder_type: str, holder_ref: str) -> Reservation:
    """The held units stay held, for someone else (goods a customer did not collect, kept
    off sale until they are sent back): no counter changes, so no ledger row."""
    reservation = _lock_active_reservation(reservation)
    reservation.holder_type, reservation.holder_ref = holder_type, holder_ref[:100]
    reservation.save(update_fields=["holder_type", "holder_ref"])
    return reservation


@transaction.atomic
def reservations_send_back(
    *, reservations: list[Reservation], to_location: Location, trace: Trace
) -> Transfer:
    """Units held to be sent back (``reservation_hand_over``) leave: released and shipped in
    one transaction, as a transfer the other location receives into its own stock."""
    if not reservations:
        raise DomainError(_("A transfer needs at least one line."), code="empty_transfer")
    source = reservations[0].location
    lines = []
    for reservation in sorted(reservations, key=lambda r: (r.sku_id, r.pk)):  # stock rows in SKU order
        held = _lock_active_reservation(reservation).quantity
        reservation_release(reservation=reservation, trace=trace)
        lines.append((reservation.sku, held))
    return transfer_ship(from_location=source, to_location=to_location, lines=lines, trace=trace)
