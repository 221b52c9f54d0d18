"""Where a customer is: coordinates from a French postcode, and distances in plain SQL
(the embedded PostgreSQL has no earthdistance or PostGIS).

A postcode stands at its commune (Paris, Lyon and Marseille: at its arrondissement), or, when
several communes share it, at their population-weighted centroid: the table
``geodata/postcodes_fr.csv`` (its source and licence in ``geodata/README.md``) covers
metropolitan France, Corsica and the five overseas départements. It is read once per process.
A postcode it does not hold is unknown: callers refuse it (``destination_errors``) rather than
rank locations without a destination. The caller may always send exact coordinates instead.
"""

from __future__ import annotations

import csv
import functools
import re
from pathlib import Path
from typing import NamedTuple

from django.utils.translation import gettext as _

EARTH_RADIUS_KM = 6371.0
TABLE = Path(__file__).resolve().parent / "geodata" / "postcodes_fr.csv"
# Omni delivers in France: the ISO codes an address may carry there (the overseas
# départements have their own).
SERVED_COUNTRIES = frozenset({"FR", "GP", "MQ", "GF", "RE", "YT"})

_POSTCODE = re.compile(r"^\d{5}$")


class Place(NamedTuple):
    postcode: str
    latitude: float
    longitude: float
    name: str  # the most populous commune behind the postcode

    @property
    def point(self) -> tuple[float, float]:
        return self.latitude, self.longitude


@functools.cache
def _places() -> dict[str, Place]:
    with TABLE.open(encoding="utf-8", newline="") as table:
        return {
            row["postcode"]: Place(
                row["postcode"], float(row["latitude"]), float(row["longitude"]), row["place"]
            )
            for row in csv.DictReader(table)
        }


def postcode_place(postcode: str) -> Place | None:
    """The place a French postcode stands for, or None when the table does not hold it."""
    postcode = (postcode or "").strip()
    if not _POSTCODE.match(postcode):
        return None
    return _places().get(postcode)


def postcode_point(postcode: str) -> tuple[float, float] | None:
    """(latitude, longitude) for a French postcode, or None when it is unknown."""
    place = postcode_place(postcode)
    return place.point if place else None


def destination_errors(postcode: str, country: str = "FR") -> dict[str, list[str]]:
    """Why a delivery destination cannot be placed, by field (translated); empty when it can."""
    country = (country or "FR").strip().upper()
    if country not in SERVED_COUNTRIES:
        return {
            "country": [_("Omni delivers in France only; %(country)s is not served.") % {"country": country}]
        }
    if postcode_place(postcode) is None:
        return {
            "postcode": [_("Unknown French postcode %(postcode)s.") % {"postcode": (postcode or "").strip()}]
        }
    return {}


def distance_km_sql(lat_column: str, lon_column: str) -> str:
    """A haversine distance expression (km) from %(lat)s / %(lon)s to the given columns."""
    return (
        f"(2 * {EARTH_RADIUS_KM} * asin(sqrt("
        f"power(sin(radians({lat_column}::float8 - %(lat)s) / 2), 2) + "
        f"cos(radians(%(lat)s)) * cos(radians({lat_column}::float8)) * "
        f"power(sin(radians({lon_column}::float8 - %(lon)s) / 2), 2))))"
    )


def haversine_km(lat1, lon1, lat2, lon2) -> float:
    """Great-circle distance in km (the same formula as distance_km_sql)."""
    import math

    lat1, lon1, lat2, lon2 = (math.radians(float(v)) for v in (lat1, lon1, lat2, lon2))
    a = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def bounding_box(lat: float, lon: float, radius_km: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lon, max_lon) around a point: a cheap pre-filter before haversine."""
    import math

    dlat = radius_km / 111.2
    dlon = radius_km / max(111.2 * math.cos(math.radians(lat)), 1e-6)
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon
