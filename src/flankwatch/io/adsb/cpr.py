"""Compact Position Reporting (CPR): 17-bit latitude and longitude of ADS-B positions.

The formulas of ICAO Doc 9871 (Technical Provisions for Mode S Extended Squitter),
C.2.6, as explained in J. Sun, "The 1090 Megahertz Riddle" (2nd ed., TU Delft
OPEN Publishing, 2021), chapter "Airborne position". All angles in degrees.

A CPR coordinate is an integer 0..2**17-1; ``parity`` is 0 for an even frame and 1
for an odd one. Airborne positions use 360-degree zones, surface positions 90-degree
ones (and can only be decoded locally, against a reference within 45 km or so).
"""

from __future__ import annotations

import math

CPR_SCALE = 2.0**17
"""CPR coordinates are fractions of a zone in units of 2**-17."""
NZ = 15
"""Latitude zones between the equator and a pole."""
AIRBORNE_DEG = 360.0
SURFACE_DEG = 90.0


def nl(lat_deg: float) -> int:
    """The number of longitude zones at latitude ``lat_deg`` (the "NL" function), 1-59."""
    lat = abs(lat_deg)
    if lat < 1e-9:
        return 59
    if lat > 87.0:
        return 1
    if lat == 87.0:
        return 2
    a = 1.0 - math.cos(math.pi / (2 * NZ))
    b = math.cos(math.radians(lat)) ** 2
    return int(math.floor(2.0 * math.pi / math.acos(1.0 - a / b)))


def _lat_zone_deg(parity: int, span_deg: float) -> float:
    return span_deg / (4 * NZ - parity)


def global_airborne(
    lat_cpr: tuple[int, int], lon_cpr: tuple[int, int], latest: int
) -> tuple[float, float] | None:
    """The position of an even/odd pair of airborne frames, deg, or None if the pair
    straddles a longitude-zone boundary (the frames disagree on NL).

    ``lat_cpr`` and ``lon_cpr`` are (even, odd); ``latest`` is the parity of the later
    frame, whose position is returned.
    """
    lat_even, lat_odd = lat_cpr[0] / CPR_SCALE, lat_cpr[1] / CPR_SCALE
    lon_even, lon_odd = lon_cpr[0] / CPR_SCALE, lon_cpr[1] / CPR_SCALE
    j = math.floor(59 * lat_even - 60 * lat_odd + 0.5)
    rlat_even = _lat_zone_deg(0, AIRBORNE_DEG) * ((j % 60) + lat_even)
    rlat_odd = _lat_zone_deg(1, AIRBORNE_DEG) * ((j % 59) + lat_odd)
    rlat_even -= 360.0 if rlat_even >= 270.0 else 0.0
    rlat_odd -= 360.0 if rlat_odd >= 270.0 else 0.0
    if nl(rlat_even) != nl(rlat_odd):
        return None
    lat = rlat_odd if latest else rlat_even
    zones = nl(lat)
    m = math.floor(lon_even * (zones - 1) - lon_odd * zones + 0.5)
    n = max(zones - latest, 1)
    lon = (360.0 / n) * ((m % n) + (lon_odd if latest else lon_even))
    lon -= 360.0 if lon >= 180.0 else 0.0
    return lat, lon


def local(
    lat_cpr: int,
    lon_cpr: int,
    parity: int,
    ref_lat_deg: float,
    ref_lon_deg: float,
    surface: bool = False,
) -> tuple[float, float]:
    """The position of one frame, deg, taken in the zone nearest a reference position.

    Right if the true position is within half a zone of the reference (about 330 km
    north-south airborne, less east-west away from the equator; a quarter of that on
    the surface).
    """
    span = SURFACE_DEG if surface else AIRBORNE_DEG
    y, x = lat_cpr / CPR_SCALE, lon_cpr / CPR_SCALE
    dlat = _lat_zone_deg(parity, span)
    # the zone index floor(ref / d) + floor(1/2 + (ref mod d) / d - y) of Doc 9871,
    # written as one floor so that rounding cannot split its two halves
    j = math.floor(0.5 + ref_lat_deg / dlat - y)
    lat = dlat * (j + y)
    dlon = span / max(nl(lat) - parity, 1)
    m = math.floor(0.5 + ref_lon_deg / dlon - x)
    lon = dlon * (m + x)
    lon = (lon + 180.0) % 360.0 - 180.0
    return lat, lon
