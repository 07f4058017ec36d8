"""The tracker's output: a batch of track states in columns, one row per track.

Columns of a :class:`TrackBatch`:

==============================  =======  ===============================================
column                          dtype    meaning
==============================  =======  ===============================================
time_s                          float64  time of the state, s since run start
track_id                        int64    track number, stable, never reused within a run
status                          int8     :class:`TrackStatus`
x_m, y_m, z_m                   float64  position, local ENU, m
vx_mps, vy_mps, vz_mps          float64  velocity, local ENU, m/s
cov_xx_m2 ... cov_zz_m2         float64  position covariance (6 terms), local ENU, m^2
var_vx_m2ps2 ... var_vz_m2ps2   float64  velocity variances, (m/s)^2
manoeuvre_prob                  float64  probability of a turn mode (IMM), 0 for a CV filter
last_update_s                   float64  time of the latest plot used, s
icao24                          uint32   ICAO address from ADS-B plots, 0 if none
callsign                        str      callsign from ADS-B plots, "" if none
mode5_t_s                       float64  time of the latest IFF Mode 5 reply, s; NaN if none
==============================  =======  ===============================================
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import ClassVar

import numpy as np
import pyarrow as pa

from flankwatch.columns import Columns, arrow_schema
from flankwatch.stream import position_columns


class TrackStatus(IntEnum):
    """Where a track is in its life."""

    TENTATIVE = 0
    """Started from a plot, not yet confirmed."""
    CONFIRMED = 1
    """Confirmed and updated in the latest step."""
    COASTING = 2
    """Confirmed, but not updated in the latest step: predicted only."""
    DELETED = 3
    """Deleted in this step; the row is the track's last."""


TENTATIVE, CONFIRMED, COASTING, DELETED = (int(status) for status in TrackStatus)
"""The statuses as plain ints, for the tracker's inner loops: NumPy compares an array with a
plain int about five times faster than with an enum member (0.6 against 3 us)."""


_DTYPES: dict[str, np.dtype] = {
    "time_s": np.dtype(np.float64),
    "track_id": np.dtype(np.int64),
    "status": np.dtype(np.int8),
    **{
        name: np.dtype(np.float64)
        for name in (
            "x_m",
            "y_m",
            "z_m",
            "vx_mps",
            "vy_mps",
            "vz_mps",
            "cov_xx_m2",
            "cov_xy_m2",
            "cov_xz_m2",
            "cov_yy_m2",
            "cov_yz_m2",
            "cov_zz_m2",
            "var_vx_m2ps2",
            "var_vy_m2ps2",
            "var_vz_m2ps2",
            "manoeuvre_prob",
            "last_update_s",
        )
    },
    "icao24": np.dtype(np.uint32),
    "callsign": np.dtype(object),
    "mode5_t_s": np.dtype(np.float64),
}


@dataclass(frozen=True, slots=True)
class TrackBatch(Columns):
    """Track states at one step, in columns; see the module docstring for units."""

    DTYPES: ClassVar[dict[str, np.dtype]] = _DTYPES
    SCHEMA: ClassVar[pa.Schema] = arrow_schema(_DTYPES)

    time_s: np.ndarray
    track_id: np.ndarray
    status: np.ndarray
    x_m: np.ndarray
    y_m: np.ndarray
    z_m: np.ndarray
    vx_mps: np.ndarray
    vy_mps: np.ndarray
    vz_mps: np.ndarray
    cov_xx_m2: np.ndarray
    cov_xy_m2: np.ndarray
    cov_xz_m2: np.ndarray
    cov_yy_m2: np.ndarray
    cov_yz_m2: np.ndarray
    cov_zz_m2: np.ndarray
    var_vx_m2ps2: np.ndarray
    var_vy_m2ps2: np.ndarray
    var_vz_m2ps2: np.ndarray
    manoeuvre_prob: np.ndarray
    last_update_s: np.ndarray
    icao24: np.ndarray
    callsign: np.ndarray
    mode5_t_s: np.ndarray

    @classmethod
    def from_states(
        cls,
        time_s: np.ndarray,
        track_id: np.ndarray,
        status: np.ndarray,
        state: np.ndarray,
        cov: np.ndarray,
        manoeuvre_prob: np.ndarray,
        last_update_s: np.ndarray,
        icao24: np.ndarray,
        callsign: np.ndarray,
        mode5_t_s: np.ndarray | None = None,
    ) -> TrackBatch:
        """A batch from states ``(n, 6)`` (m, m/s) and their covariances ``(n, 6, 6)``;
        ``mode5_t_s`` (s) NaN for all when not given."""
        return cls(
            time_s=np.asarray(time_s, np.float64),
            track_id=np.asarray(track_id, np.int64),
            status=np.asarray(status, np.int8),
            **position_columns(state[:, :3], cov),
            vx_mps=state[:, 3],
            vy_mps=state[:, 4],
            vz_mps=state[:, 5],
            var_vx_m2ps2=cov[:, 3, 3],
            var_vy_m2ps2=cov[:, 4, 4],
            var_vz_m2ps2=cov[:, 5, 5],
            manoeuvre_prob=np.asarray(manoeuvre_prob, np.float64),
            last_update_s=np.asarray(last_update_s, np.float64),
            icao24=np.asarray(icao24, np.uint32),
            callsign=np.asarray(callsign, object),
            mode5_t_s=(
                np.full(len(track_id), np.nan)
                if mode5_t_s is None
                else np.asarray(mode5_t_s, np.float64)
            ),
        )

    def position(self) -> np.ndarray:
        """Positions as an ``(n, 3)`` array, local ENU, m."""
        return np.column_stack((self.x_m, self.y_m, self.z_m))


TRACK_SCHEMA = TrackBatch.SCHEMA
"""Arrow schema of a track table (the columns of :class:`TrackBatch`)."""
