"""Where a customer is: coordinates from a French postcode, and distances in plain SQL
(the embedded PostgreSQL has no earthdistance or PostGIS).

A postcode resolves to its département's prefecture: close enough to rank stores within
tens of kilometres. The caller may always send exact coordinates instead.
"""

from __future__ import annotations

import re

EARTH_RADIUS_KM = 6371.0

# Département → prefecture (latitude, longitude), metropolitan France.
_DEPARTMENTS = {
    "01": (46.205, 5.225), "02": (49.564, 3.620), "03": (46.566, 3.333), "04": (44.092, 6.236),
    "05": (44.559, 6.079), "06": (43.710, 7.262), "07": (44.735, 4.599), "08": (49.773, 4.720),
    "09": (42.965, 1.607), "10": (48.297, 4.074), "11": (43.213, 2.349), "12": (44.350, 2.575),
    "13": (43.297, 5.370), "14": (49.183, -0.371), "15": (44.926, 2.444), "16": (45.648, 0.156),
    "17": (46.160, -1.151), "18": (47.081, 2.399), "19": (45.267, 1.771), "2A": (41.919, 8.738),
    "2B": (42.697, 9.451), "21": (47.322, 5.041), "22": (48.514, -2.765), "23": (46.171, 1.871),
    "24": (45.184, 0.721), "25": (47.238, 6.024), "26": (44.933, 4.892), "27": (49.024, 1.151),
    "28": (48.446, 1.489), "29": (47.996, -4.102), "30": (43.837, 4.360), "31": (43.605, 1.444),
    "32": (43.646, 0.586), "33": (44.838, -0.579), "34": (43.611, 3.877), "35": (48.117, -1.678),
    "36": (46.811, 1.691), "37": (47.394, 0.685), "38": (45.189, 5.725), "39": (46.675, 5.555),
    "40": (43.890, -0.500), "41": (47.586, 1.336), "42": (45.440, 4.387), "43": (45.043, 3.885),
    "44": (47.218, -1.554), "45": (47.903, 1.909), "46": (44.448, 1.441), "47": (44.203, 0.616),
    "48": (44.518, 3.500), "49": (47.478, -0.563), "50": (49.116, -1.091), "51": (49.258, 4.032),
    "52": (48.111, 5.139), "53": (48.073, -0.770), "54": (48.692, 6.184), "55": (48.772, 5.160),
    "56": (47.658, -2.760), "57": (49.119, 6.176), "58": (46.990, 3.159), "59": (50.629, 3.057),
    "60": (49.430, 2.081), "61": (48.432, 0.091), "62": (50.291, 2.777), "63": (45.777, 3.087),
    "64": (43.295, -0.371), "65": (43.233, 0.078), "66": (42.699, 2.895), "67": (48.573, 7.752),
    "68": (48.079, 7.358), "69": (45.764, 4.836), "70": (47.622, 6.155), "71": (46.307, 4.828),
    "72": (48.006, 0.199), "73": (45.564, 5.918), "74": (45.899, 6.129), "75": (48.857, 2.352),
    "76": (49.443, 1.100), "77": (48.540, 2.660), "78": (48.801, 2.130), "79": (46.323, -0.465),
    "80": (49.894, 2.296), "81": (43.929, 2.148), "82": (44.018, 1.355), "83": (43.124, 5.928),
    "84": (43.949, 4.806), "85": (46.670, -1.426), "86": (46.580, 0.340), "87": (45.834, 1.261),
    "88": (48.173, 6.450), "89": (47.798, 3.567), "90": (47.640, 6.863), "91": (48.629, 2.441),
    "92": (48.892, 2.207), "93": (48.908, 2.439), "94": (48.790, 2.455), "95": (49.036, 2.063),
}  # fmt: skip

_POSTCODE = re.compile(r"^\d{5}$")


def postcode_point(postcode: str) -> tuple[float, float] | None:
    """(latitude, longitude) for a French postcode, or None when it is not one."""
    postcode = (postcode or "").strip()
    if not _POSTCODE.match(postcode):
        return None
    department = postcode[:2]
    if department == "20":  # Corsica: 200xx-201xx south, 202xx-206xx north
        department = "2A" if postcode[2] in "01" else "2B"
    return _DEPARTMENTS.get(department)


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
