"""The decoders' output: :class:`AdsbReports`, one row per decoded message, line or entry.

Units are SI (plus degrees of latitude and longitude, named so); feet, knots and
feet per minute are converted where they are read. A value the input did not carry
is NaN (floats), 0 (``squawk``), "" (``callsign``), -1 (``nic``, ``nacp``).

=====================  =======  ===========================================================
column                 dtype    meaning
=====================  =======  ===========================================================
t_s                    float64  time of the report, s, on the clock of the caller's ``t_s``
icao24                 uint32   24-bit aircraft address
non_icao               bool     the address is not an ICAO one (anonymous, TIS-B track file)
source                 int8     :class:`AdsbSource` of the report
callsign               str      flight identification, trailing spaces removed
squawk                 int16    Mode A code, its four octal digits read as decimal (7500)
lat_deg, lon_deg       float64  WGS 84 position, deg (north, east)
alt_baro_m             float64  pressure altitude (standard atmosphere), m
alt_geom_m             float64  geometric (GNSS) height, m
on_ground              bool     the aircraft reports it is on the ground
ground_speed_mps       float64  ground speed, m/s
track_rad              float64  track over ground, rad clockwise from true north, [0, 2 pi)
vertical_rate_mps      float64  vertical rate, m/s, positive up
nic                    int8     navigation integrity category (0-11), -1 if unknown
nacp                   int8     navigation accuracy category for position (0-11), -1 unknown
signal_dbfs            float64  received signal level, dB full scale
mlat_ticks             uint64   receiver's 12 MHz MLAT counter at reception, 0 if none
=====================  =======  ===========================================================
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import ClassVar

import numpy as np
import pyarrow as pa

from flankwatch.columns import Columns, arrow_schema

METRES_PER_FOOT = 0.3048
"""International foot, m."""
MPS_PER_KNOT = 1852.0 / 3600.0
"""One knot (international nautical mile per hour), m/s."""
MPS_PER_FPM = METRES_PER_FOOT / 60.0
"""One foot per minute, m/s."""


class AdsbSource(IntEnum):
    """Where a report's data came from."""

    UNKNOWN = 0
    ADSB = 1
    """Broadcast by the aircraft itself (DF17, or DF18 from a non-transponder device)."""
    TISB = 2
    """Rebroadcast by a ground station: TIS-B or ADS-R (DF18)."""
    MLAT = 3
    """Multilateration by a receiver network."""
    MODE_S = 4
    """A Mode S reply or all-call squitter (DF0, 4, 5, 11, 16, 20, 21)."""


_FLOAT = np.dtype(np.float64)
_DTYPES: dict[str, np.dtype] = {
    "t_s": _FLOAT,
    "icao24": np.dtype(np.uint32),
    "non_icao": np.dtype(bool),
    "source": np.dtype(np.int8),
    "callsign": np.dtype(object),
    "squawk": np.dtype(np.int16),
    "lat_deg": _FLOAT,
    "lon_deg": _FLOAT,
    "alt_baro_m": _FLOAT,
    "alt_geom_m": _FLOAT,
    "on_ground": np.dtype(bool),
    "ground_speed_mps": _FLOAT,
    "track_rad": _FLOAT,
    "vertical_rate_mps": _FLOAT,
    "nic": np.dtype(np.int8),
    "nacp": np.dtype(np.int8),
    "signal_dbfs": _FLOAT,
    "mlat_ticks": np.dtype(np.uint64),
}
"""Column dtypes, in the order of the fields of :class:`AdsbReports`."""


@dataclass(frozen=True, slots=True)
class AdsbReports(Columns):
    """Decoded ADS-B / Mode S reports in columns; see the module docstring for units."""

    DTYPES: ClassVar[dict[str, np.dtype]] = _DTYPES
    SCHEMA: ClassVar[pa.Schema] = arrow_schema(_DTYPES)
    MISSING: ClassVar[dict[str, object]] = {"nic": -1, "nacp": -1}

    t_s: np.ndarray
    icao24: np.ndarray
    non_icao: np.ndarray
    source: np.ndarray
    callsign: np.ndarray
    squawk: np.ndarray
    lat_deg: np.ndarray
    lon_deg: np.ndarray
    alt_baro_m: np.ndarray
    alt_geom_m: np.ndarray
    on_ground: np.ndarray
    ground_speed_mps: np.ndarray
    track_rad: np.ndarray
    vertical_rate_mps: np.ndarray
    nic: np.ndarray
    nacp: np.ndarray
    signal_dbfs: np.ndarray
    mlat_ticks: np.ndarray

    def with_position(self) -> AdsbReports:
        """The rows that carry a position (finite ``lat_deg`` and ``lon_deg``)."""
        return self.take(np.isfinite(self.lat_deg) & np.isfinite(self.lon_deg))


def squawk_code(text: str) -> int:
    """The Mode A code written as four octal digits ("7500"), as a decimal number (7500).

    Raises :class:`ValueError` if ``text`` is not four digits 0-7.
    """
    text = text.strip()
    if len(text) != 4 or any(c not in "01234567" for c in text):
        raise ValueError(f"squawk {text!r} is not four octal digits")
    return int(text)


def track_rad(track_deg: float) -> float:
    """A track in degrees clockwise from north as radians in [0, 2 pi)."""
    return float(np.deg2rad(track_deg % 360.0))
