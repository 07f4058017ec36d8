"""Airports by ICAO code, from the ``airportsdata`` package (offline, MIT licence).

``airportsdata`` gives elevation in feet; :class:`Airport` carries it in metres.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import airportsdata

__all__ = ["Airport", "UnknownAirportError", "airport"]

METRES_PER_FOOT = 0.3048
"""International foot, m."""


class UnknownAirportError(LookupError):
    """No airport with this ICAO code in ``airportsdata``."""


@dataclass(frozen=True)
class Airport:
    """An airport: ICAO code, name, position (degrees), elevation (m above sea level), time zone."""

    icao: str
    name: str
    lat_deg: float
    lon_deg: float
    elevation_m: float
    tz: str


@cache
def _table() -> dict[str, airportsdata.Airport]:
    return airportsdata.load("ICAO")


def airport(icao: str) -> Airport:
    """The airport with this four-letter ICAO code (any case), e.g. ``"EPWA"``.

    Raises :class:`UnknownAirportError` for a code not in ``airportsdata``.
    """
    code = icao.strip().upper()
    row = _table().get(code)
    if row is None:
        raise UnknownAirportError(f"no airport with ICAO code {icao!r} in airportsdata")
    return Airport(
        icao=code,
        name=str(row["name"]),
        lat_deg=float(row["lat"]),
        lon_deg=float(row["lon"]),
        elevation_m=float(row["elevation"]) * METRES_PER_FOOT,
        tz=str(row["tz"]),
    )
