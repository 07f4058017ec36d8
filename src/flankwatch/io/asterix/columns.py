"""The codec's columns: one batch class per ASTERIX category, one row per record.

Units are SI (metres, m/s, radians, seconds), plus degrees of latitude and longitude
named so. Feet, flight levels, nautical miles and knots are converted where an item
is read or written. A value the record did not carry is NaN (floats), 0 (``squawk``,
``icao24``), "" (``callsign``) or -1 (``track_number``, ``report_type``).

``tod_s`` is the ASTERIX time of day: seconds since midnight UTC, in [0, 86400). A run's
``t_s`` comes from it and the date of the run: see :mod:`flankwatch.io.asterix.timeofday`.

Columns every batch starts with:

==============  =======  ==================================================================
column          dtype    meaning
==============  =======  ==================================================================
sac, sic        uint8    system area code and system identification code of the source
tod_s           float64  time of day of the record, s since midnight UTC
==============  =======  ==================================================================

:class:`Cat048Plots` (monoradar target reports) then has:

==================  =======  ==============================================================
range_m             float64  measured slant range, m (I048/040 RHO)
azimuth_rad         float64  measured azimuth, rad clockwise from the radar's north, [0, 2 pi)
alt_baro_m          float64  Mode C pressure altitude, m (I048/090; NaN if not validated or
                             garbled)
height_m            float64  height measured by a 3-D radar, m (I048/110)
squawk              int16    Mode 3/A code, four octal digits read as decimal (I048/070; 0 if
                             not validated or garbled)
icao24              uint32   Mode S aircraft address (I048/220)
callsign            str      aircraft identification, trailing spaces removed (I048/240)
track_number        int32    the radar's track number (I048/161)
ground_speed_mps    float64  the radar's track ground speed, m/s (I048/200)
heading_rad         float64  the radar's track heading, rad clockwise from north (I048/200)
report_type         int8     I048/020 TYP: 0 none, 1 PSR, 2 SSR, 3 SSR + PSR, 4 Mode S
                             all-call, 5 Mode S roll-call, 6 all-call + PSR, 7 roll-call + PSR
mode5               bool     an authenticated IFF Mode 5 reply: a Mode 5 interrogation (M5)
                             with an authenticated ID or data reply (ID, DA), from the Mode 5
                             summary of the Reserved Expansion Field (I048/RE MD5/SUM)
mode5_pin           uint16   that reply's Platform Identification Number (I048/RE MD5/PMN
                             PIN), 0 if none
==================  =======  ==============================================================

:class:`Cat021Reports` (ADS-B target reports) then has:

==================  =======  ==============================================================
lat_deg, lon_deg    float64  WGS 84 position, deg (I021/131 high resolution, else I021/130)
alt_geom_m          float64  geometric height, m (I021/140)
alt_baro_m          float64  pressure altitude, m (I021/145 flight level)
icao24              uint32   target address (I021/080)
callsign            str      target identification, trailing spaces removed (I021/170)
squawk              int16    Mode 3/A code, as for CAT048 (I021/070)
ground_speed_mps    float64  ground speed, m/s (I021/160; NaN if flagged out of range)
track_rad           float64  track angle, rad clockwise from true north (I021/160)
vertical_rate_mps   float64  vertical rate, m/s, positive up (I021/157 geometric, else
                             I021/155 barometric; NaN if flagged out of range)
track_number        int32    the ground station's track number (I021/161)
==================  =======  ==============================================================

``tod_s`` of a CAT021 report is the time of reception of its position (I021/073), else
the time of applicability of the position (I021/071), else the time the report was sent
(I021/077).

:class:`Cat062Tracks` (system tracks; also what the encoder takes) then has:

==================  =======  ==============================================================
track_number        int32    system track number, 0-65535 (I062/040)
lat_deg, lon_deg    float64  WGS 84 position, deg (I062/105)
x_m, y_m            float64  position in the sending system's Cartesian plane, m (I062/100)
vx_mps, vy_mps      float64  velocity in that plane, m/s, x east and y north (I062/185)
alt_geom_m          float64  calculated geometric altitude, m (I062/130)
alt_baro_m          float64  calculated barometric altitude, m (I062/135)
vertical_rate_mps   float64  rate of climb or descent, m/s, positive up (I062/220)
squawk              int16    Mode 3/A code, as for CAT048 (I062/060)
icao24              uint32   target address (I062/380 ADR)
callsign            str      target identification (I062/245, else I062/380 ID)
tentative           bool     the track is not confirmed (I062/080 CNF)
coasting            bool     the track was not updated by any sensor lately (I062/080 CST)
ended               bool     the track's last message (I062/080 TSE)
==================  =======  ==============================================================
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pyarrow as pa

from flankwatch.columns import Columns, arrow_schema

_FLOAT = np.dtype(np.float64)
_SOURCE: dict[str, np.dtype] = {
    "sac": np.dtype(np.uint8),
    "sic": np.dtype(np.uint8),
    "tod_s": _FLOAT,
}
_CAT048: dict[str, np.dtype] = {
    **_SOURCE,
    "range_m": _FLOAT,
    "azimuth_rad": _FLOAT,
    "alt_baro_m": _FLOAT,
    "height_m": _FLOAT,
    "squawk": np.dtype(np.int16),
    "icao24": np.dtype(np.uint32),
    "callsign": np.dtype(object),
    "track_number": np.dtype(np.int32),
    "ground_speed_mps": _FLOAT,
    "heading_rad": _FLOAT,
    "report_type": np.dtype(np.int8),
    "mode5": np.dtype(bool),
    "mode5_pin": np.dtype(np.uint16),
}
_CAT021: dict[str, np.dtype] = {
    **_SOURCE,
    "lat_deg": _FLOAT,
    "lon_deg": _FLOAT,
    "alt_geom_m": _FLOAT,
    "alt_baro_m": _FLOAT,
    "icao24": np.dtype(np.uint32),
    "callsign": np.dtype(object),
    "squawk": np.dtype(np.int16),
    "ground_speed_mps": _FLOAT,
    "track_rad": _FLOAT,
    "vertical_rate_mps": _FLOAT,
    "track_number": np.dtype(np.int32),
}
_CAT062: dict[str, np.dtype] = {
    **_SOURCE,
    "track_number": np.dtype(np.int32),
    "lat_deg": _FLOAT,
    "lon_deg": _FLOAT,
    "x_m": _FLOAT,
    "y_m": _FLOAT,
    "vx_mps": _FLOAT,
    "vy_mps": _FLOAT,
    "alt_geom_m": _FLOAT,
    "alt_baro_m": _FLOAT,
    "vertical_rate_mps": _FLOAT,
    "squawk": np.dtype(np.int16),
    "icao24": np.dtype(np.uint32),
    "callsign": np.dtype(object),
    "tentative": np.dtype(bool),
    "coasting": np.dtype(bool),
    "ended": np.dtype(bool),
}


_NOT_GIVEN: dict[str, object] = {"track_number": -1, "report_type": -1}
"""Columns whose value when a record does not carry them is -1, not 0."""


@dataclass(frozen=True, slots=True)
class Cat048Plots(Columns):
    """CAT048 monoradar target reports in columns; see the module docstring for units."""

    DTYPES: ClassVar[dict[str, np.dtype]] = _CAT048
    SCHEMA: ClassVar[pa.Schema] = arrow_schema(_CAT048)
    MISSING: ClassVar[dict[str, object]] = _NOT_GIVEN

    sac: np.ndarray
    sic: np.ndarray
    tod_s: np.ndarray
    range_m: np.ndarray
    azimuth_rad: np.ndarray
    alt_baro_m: np.ndarray
    height_m: np.ndarray
    squawk: np.ndarray
    icao24: np.ndarray
    callsign: np.ndarray
    track_number: np.ndarray
    ground_speed_mps: np.ndarray
    heading_rad: np.ndarray
    report_type: np.ndarray
    mode5: np.ndarray
    mode5_pin: np.ndarray


@dataclass(frozen=True, slots=True)
class Cat021Reports(Columns):
    """CAT021 ADS-B target reports in columns; see the module docstring for units."""

    DTYPES: ClassVar[dict[str, np.dtype]] = _CAT021
    SCHEMA: ClassVar[pa.Schema] = arrow_schema(_CAT021)
    MISSING: ClassVar[dict[str, object]] = _NOT_GIVEN

    sac: np.ndarray
    sic: np.ndarray
    tod_s: np.ndarray
    lat_deg: np.ndarray
    lon_deg: np.ndarray
    alt_geom_m: np.ndarray
    alt_baro_m: np.ndarray
    icao24: np.ndarray
    callsign: np.ndarray
    squawk: np.ndarray
    ground_speed_mps: np.ndarray
    track_rad: np.ndarray
    vertical_rate_mps: np.ndarray
    track_number: np.ndarray


@dataclass(frozen=True, slots=True)
class Cat062Tracks(Columns):
    """CAT062 system tracks in columns; see the module docstring for units."""

    DTYPES: ClassVar[dict[str, np.dtype]] = _CAT062
    SCHEMA: ClassVar[pa.Schema] = arrow_schema(_CAT062)
    MISSING: ClassVar[dict[str, object]] = _NOT_GIVEN

    sac: np.ndarray
    sic: np.ndarray
    tod_s: np.ndarray
    track_number: np.ndarray
    lat_deg: np.ndarray
    lon_deg: np.ndarray
    x_m: np.ndarray
    y_m: np.ndarray
    vx_mps: np.ndarray
    vy_mps: np.ndarray
    alt_geom_m: np.ndarray
    alt_baro_m: np.ndarray
    vertical_rate_mps: np.ndarray
    squawk: np.ndarray
    icao24: np.ndarray
    callsign: np.ndarray
    tentative: np.ndarray
    coasting: np.ndarray
    ended: np.ndarray
