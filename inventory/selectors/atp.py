"""Available-to-promise, written once: the units a location has on hand that no reservation
holds and that it does not keep back as safety stock. Every read of ATP — availability,
sourcing, the stock pages, the backorder sweep — goes through these."""

from __future__ import annotations

from django.db import connection
from django.db.models import F


def atp_sql(alias: str = "st") -> str:
    """The ATP of a stock row aliased ``alias``, for raw SQL."""
    return f"({alias}.on_hand - {alias}.reserved - {alias}.safety_stock)"


def atp_expression():
    """The ATP of a StockLevel row, for the ORM."""
    return F("on_hand") - F("reserved") - F("safety_stock")


_POSITIVE_SQL = f"""
SELECT st.location_id, st.sku_id, {atp_sql()}
  FROM inventory_stocklevel st
  JOIN inventory_location l ON l.id = st.location_id
 WHERE st.sku_id = ANY(%s) AND l.is_active
   AND {atp_sql()} > 0
"""  # noqa: S608 - constants only


def atp_where_positive(*, sku_ids) -> dict[tuple[int, int], int]:
    """{(location id, SKU id): ATP} wherever the SKUs have some, at active locations."""
    with connection.cursor() as cursor:
        cursor.execute(_POSITIVE_SQL, [list(sku_ids)])
        return {(location, sku): units for location, sku, units in cursor.fetchall()}
