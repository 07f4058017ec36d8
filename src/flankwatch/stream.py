"""The stream contract: time-ordered batches of plots, in columns.

Every source of plots (the simulator, a recording being replayed, a live feed)
yields :class:`PlotBatch` objects in time order (inside the windows of
:class:`flankwatch.loop.Source`), so that the same tracker and the same outputs
serve all of them.

A plot is one sensor report. All positions are in the run's local ENU frame
(east, north, up, metres, see :class:`flankwatch.geo.frames.LocalFrame`); times
are seconds since the run's start (``t_s``).

Columns of a :class:`PlotBatch` (one row per plot, all arrays of equal length):

============================  =========  ==============================================
column                        dtype      meaning
============================  =========  ==============================================
t_s                           float64    time of the measurement, s since run start
sensor_id                     int32      index of the sensor in the run's sensor table
kind                          int8       :class:`PlotKind` (radar, ADS-B, acoustic)
x_m, y_m, z_m                 float64    measured position, local ENU, m (NaN if bearing-only)
cov_xx_m2 ... cov_zz_m2       float64    measured position covariance, local ENU, m^2
range_m                       float64    measured slant range from the sensor, m (NaN if none)
azimuth_rad                   float64    measured azimuth, sensor's own ENU frame, rad from north
elevation_rad                 float64    measured elevation, sensor's own ENU frame, rad
bearing_rad                   float64    measured azimuth turned into the local ENU frame, rad
sigma_range_m                 float64    range noise standard deviation, m
sigma_azimuth_rad             float64    azimuth noise standard deviation, rad
sigma_elevation_rad           float64    elevation noise standard deviation, rad
sensor_x_m ... sensor_z_m     float64    sensor position at ``t_s``, local ENU, m
icao24                        uint32     ICAO address (ADS-B, or a radar's Mode S reply), 0 if none
callsign                      str        callsign of a cooperative aircraft, "" if none
squawk                        int16      Mode A code (ADS-B, or a Mode S reply) as its four octal
                                         digits read as a decimal number (7500 is 7500), 0 if none
mode5                         bool       a valid IFF Mode 5 reply to the radar's interrogator
mode5_pin                     uint16     the Platform Identification Number of a Mode 5 Level 2
                                         reply (1-16383), 0 if none or a Level 1 reply
truth_id                      int32      simulated object that caused the plot; -1 for a false
                                         alarm or a plot of unknown origin (live data)
============================  =========  ==============================================
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum
from typing import ClassVar

import numpy as np
import pyarrow as pa

from flankwatch.columns import Columns, arrow_schema

PlotColumns = dict[str, np.ndarray]
"""Some of a batch's columns, by name, all of one length (a part of a batch)."""


class PlotKind(IntEnum):
    """What a plot measures."""

    RADAR = 0
    """Range, azimuth and elevation: a full 3-D position."""
    ADSB = 1
    """A position broadcast by a cooperative aircraft, with its identity."""
    ACOUSTIC = 2
    """A bearing only, from a passive acoustic node."""


ADSB, ACOUSTIC = int(PlotKind.ADSB), int(PlotKind.ACOUSTIC)
"""Those kinds as plain ints, for the tracker's inner loops (see
:data:`flankwatch.track.output.TENTATIVE`)."""


_FLOAT = np.dtype(np.float64)
_DTYPES: dict[str, np.dtype] = {
    "t_s": _FLOAT,
    "sensor_id": np.dtype(np.int32),
    "kind": np.dtype(np.int8),
    **{
        name: _FLOAT
        for name in (
            "x_m",
            "y_m",
            "z_m",
            "cov_xx_m2",
            "cov_xy_m2",
            "cov_xz_m2",
            "cov_yy_m2",
            "cov_yz_m2",
            "cov_zz_m2",
            "range_m",
            "azimuth_rad",
            "elevation_rad",
            "bearing_rad",
            "sigma_range_m",
            "sigma_azimuth_rad",
            "sigma_elevation_rad",
            "sensor_x_m",
            "sensor_y_m",
            "sensor_z_m",
        )
    },
    "icao24": np.dtype(np.uint32),
    "callsign": np.dtype(object),
    "squawk": np.dtype(np.int16),
    "mode5": np.dtype(bool),
    "mode5_pin": np.dtype(np.uint16),
    "truth_id": np.dtype(np.int32),
}
"""Column dtypes, in the order of the fields of :class:`PlotBatch`."""

_MISSING: dict[str, object] = {
    **{name: np.nan if dtype.kind == "f" else 0 for name, dtype in _DTYPES.items()},
    "callsign": "",
    "truth_id": -1,
}
"""The "none" value of each column (see :meth:`PlotBatch.build`)."""

OPTIONAL_COLUMNS: dict[str, object] = {"squawk": 0, "mode5": False, "mode5_pin": 0}
"""Columns a stored plot table may lack (it was written before they existed), with the
value they then take."""


PIN_IDENTITY = np.uint32(1 << 24)
"""Where Mode 5 PINs start among plot and track identities (:attr:`PlotBatch.identity`),
past every 24-bit ICAO address."""


def icao_of(identity: np.ndarray) -> np.ndarray:
    """The ICAO addresses among identities (:attr:`PlotBatch.identity`), 0 for the others."""
    identity = np.asarray(identity, np.uint32)
    return np.where(identity < PIN_IDENTITY, identity, np.uint32(0)).astype(np.uint32)


def position_columns(position_m: np.ndarray, cov_m2: np.ndarray) -> PlotColumns:
    """The ``x_m, y_m, z_m`` and six ``cov_*_m2`` columns of positions ``(n, 3)`` and their
    covariances ``(n, 3, 3)`` (or the leading 3x3 of larger ones), local ENU, m and m^2."""
    return {
        "x_m": position_m[:, 0],
        "y_m": position_m[:, 1],
        "z_m": position_m[:, 2],
        "cov_xx_m2": cov_m2[:, 0, 0],
        "cov_xy_m2": cov_m2[:, 0, 1],
        "cov_xz_m2": cov_m2[:, 0, 2],
        "cov_yy_m2": cov_m2[:, 1, 1],
        "cov_yz_m2": cov_m2[:, 1, 2],
        "cov_zz_m2": cov_m2[:, 2, 2],
    }


@dataclass(frozen=True, slots=True)
class PlotBatch(Columns):
    """A time-ordered batch of plots in columns; see the module docstring for units."""

    DTYPES: ClassVar[dict[str, np.dtype]] = _DTYPES
    SCHEMA: ClassVar[pa.Schema] = arrow_schema(_DTYPES)

    t_s: np.ndarray
    sensor_id: np.ndarray
    kind: np.ndarray
    x_m: np.ndarray
    y_m: np.ndarray
    z_m: np.ndarray
    cov_xx_m2: np.ndarray
    cov_xy_m2: np.ndarray
    cov_xz_m2: np.ndarray
    cov_yy_m2: np.ndarray
    cov_yz_m2: np.ndarray
    cov_zz_m2: np.ndarray
    range_m: np.ndarray
    azimuth_rad: np.ndarray
    elevation_rad: np.ndarray
    bearing_rad: np.ndarray
    sigma_range_m: np.ndarray
    sigma_azimuth_rad: np.ndarray
    sigma_elevation_rad: np.ndarray
    sensor_x_m: np.ndarray
    sensor_y_m: np.ndarray
    sensor_z_m: np.ndarray
    icao24: np.ndarray
    callsign: np.ndarray
    squawk: np.ndarray
    mode5: np.ndarray
    mode5_pin: np.ndarray
    truth_id: np.ndarray

    @classmethod
    def build(cls, n: int, **columns: np.ndarray) -> PlotBatch:
        """A batch of ``n`` plots from the given columns; the others get their "none" value.

        "None" is NaN for floats, 0 for ``icao24``, ``squawk`` and ``mode5_pin``, "" for
        ``callsign``, ``False`` for ``mode5`` and -1 for ``truth_id``; ``sensor_id`` and
        ``kind`` default to 0.
        """
        unknown = set(columns) - set(_DTYPES)
        if unknown:
            raise ValueError(f"PlotBatch has no column(s) {sorted(unknown)}")
        values = {
            name: np.asarray(columns[name], dtype=dtype)
            if name in columns
            else np.full(n, _MISSING[name], dtype=dtype)
            for name, dtype in _DTYPES.items()
        }
        return cls(**values)

    @classmethod
    def from_parts(cls, parts: Iterable[PlotColumns]) -> PlotBatch:
        """One batch from partial column sets, each filled like :meth:`build`, in order.

        Each part maps column names to equal-length arrays (or scalars, repeated)
        and must hold ``t_s``; empty parts are skipped. Sensor models return such
        parts so that a window's plots are assembled once.
        """
        parts = [part for part in parts if part and len(part["t_s"])]
        sizes = [len(part["t_s"]) for part in parts]
        total = sum(sizes)
        if not parts:
            return cls.empty()
        columns = {}
        for name in {name for part in parts for name in part}:
            dtype = _DTYPES[name]
            column = np.empty(total, dtype)
            start = 0
            for part, size in zip(parts, sizes, strict=True):
                column[start : start + size] = part[name] if name in part else _MISSING[name]
                start += size
            columns[name] = column
        return cls.build(total, **columns)

    @classmethod
    def from_arrow(cls, table: pa.Table) -> PlotBatch:
        """A batch from an Arrow plot table; :data:`OPTIONAL_COLUMNS` it lacks take their
        "none" value (a table written before they existed)."""
        for name, value in OPTIONAL_COLUMNS.items():
            if name not in table.column_names:
                column = pa.array(np.full(table.num_rows, value, _DTYPES[name]))
                table = table.append_column(name, column)
        return super(PlotBatch, cls).from_arrow(table)

    @property
    def identity(self) -> np.ndarray:
        """Each plot's identity, what the tracker holds an aircraft's track by (uint32): its
        ICAO address if it has one, else :data:`PIN_IDENTITY` plus its Mode 5 PIN if it has
        one, else 0. The two ranges never overlap (an ICAO address has 24 bits)."""
        if not self.mode5_pin.any():
            return self.icao24
        pin = self.mode5_pin.astype(np.uint32)
        keyed = np.where(pin != 0, PIN_IDENTITY + pin, np.uint32(0)).astype(np.uint32)
        return np.where(self.icao24 != 0, self.icao24, keyed)

    def sorted_by_time(self) -> PlotBatch:
        """The same plots ordered by ``t_s`` (stable, so ties keep their order)."""
        order = np.argsort(self.t_s, kind="stable")
        return self.take(order)

    def covariance(self) -> np.ndarray:
        """Measured position covariances as an ``(n, 3, 3)`` array, local ENU, m^2."""
        cov = np.empty((len(self), 3, 3))
        cov[:, 0, 0] = self.cov_xx_m2
        cov[:, 0, 1] = cov[:, 1, 0] = self.cov_xy_m2
        cov[:, 0, 2] = cov[:, 2, 0] = self.cov_xz_m2
        cov[:, 1, 1] = self.cov_yy_m2
        cov[:, 1, 2] = cov[:, 2, 1] = self.cov_yz_m2
        cov[:, 2, 2] = self.cov_zz_m2
        return cov

    def position(self) -> np.ndarray:
        """Measured positions as an ``(n, 3)`` array, local ENU, m."""
        return np.column_stack((self.x_m, self.y_m, self.z_m))


PLOT_SCHEMA = PlotBatch.SCHEMA
"""Arrow schema of a plot table (the recording's ``plots``)."""
