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
==============================  =======  ===============================================
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from enum import IntEnum

import numpy as np
import pyarrow as pa


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
}


@dataclass(frozen=True, slots=True)
class TrackBatch:
    """Track states at one step, in columns; see the module docstring for units."""

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

    def __post_init__(self) -> None:
        n = len(self.time_s)
        for f in fields(self):
            if len(getattr(self, f.name)) != n:
                raise ValueError(f"TrackBatch column {f.name} has a different length")

    def __len__(self) -> int:
        return len(self.time_s)

    @classmethod
    def column_names(cls) -> tuple[str, ...]:
        """The column names, in order."""
        return tuple(f.name for f in fields(cls))

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
    ) -> TrackBatch:
        """A batch from states ``(n, 6)`` (m, m/s) and their covariances ``(n, 6, 6)``."""
        return cls(
            time_s=np.asarray(time_s, np.float64),
            track_id=np.asarray(track_id, np.int64),
            status=np.asarray(status, np.int8),
            x_m=state[:, 0],
            y_m=state[:, 1],
            z_m=state[:, 2],
            vx_mps=state[:, 3],
            vy_mps=state[:, 4],
            vz_mps=state[:, 5],
            cov_xx_m2=cov[:, 0, 0],
            cov_xy_m2=cov[:, 0, 1],
            cov_xz_m2=cov[:, 0, 2],
            cov_yy_m2=cov[:, 1, 1],
            cov_yz_m2=cov[:, 1, 2],
            cov_zz_m2=cov[:, 2, 2],
            var_vx_m2ps2=cov[:, 3, 3],
            var_vy_m2ps2=cov[:, 4, 4],
            var_vz_m2ps2=cov[:, 5, 5],
            manoeuvre_prob=np.asarray(manoeuvre_prob, np.float64),
            last_update_s=np.asarray(last_update_s, np.float64),
            icao24=np.asarray(icao24, np.uint32),
            callsign=np.asarray(callsign, object),
        )

    @classmethod
    def empty(cls) -> TrackBatch:
        """A batch with no tracks."""
        return cls(**{name: np.empty(0, dtype) for name, dtype in _DTYPES.items()})

    @classmethod
    def concat(cls, batches: Iterable[TrackBatch]) -> TrackBatch:
        """All rows of ``batches`` in one batch, in the given order."""
        batches = [b for b in batches if len(b)]
        if not batches:
            return cls.empty()
        return cls(
            **{
                name: np.concatenate([getattr(b, name) for b in batches])
                for name in cls.column_names()
            }
        )

    def take(self, index: np.ndarray) -> TrackBatch:
        """The rows at ``index`` (integer positions or a boolean mask)."""
        return TrackBatch(**{name: getattr(self, name)[index] for name in self.column_names()})

    def position(self) -> np.ndarray:
        """Positions as an ``(n, 3)`` array, local ENU, m."""
        return np.column_stack((self.x_m, self.y_m, self.z_m))

    def to_arrow(self) -> pa.Table:
        """The batch as an Arrow table with :data:`TRACK_SCHEMA`."""
        return pa.table(
            {name: getattr(self, name) for name in self.column_names()}, schema=TRACK_SCHEMA
        )

    @classmethod
    def from_arrow(cls, table: pa.Table) -> TrackBatch:
        """A batch from an Arrow table with the columns of :data:`TRACK_SCHEMA`."""
        missing = set(cls.column_names()) - set(table.column_names)
        if missing:
            raise ValueError(f"track table lacks column(s) {sorted(missing)}")
        return cls(
            **{
                name: np.asarray(table.column(name).to_numpy(zero_copy_only=False), dtype)
                for name, dtype in _DTYPES.items()
            }
        )


TRACK_SCHEMA = pa.schema(
    [
        (name, pa.string() if name == "callsign" else pa.from_numpy_dtype(dtype))
        for name, dtype in _DTYPES.items()
    ]
)
"""Arrow schema of a track table (the columns of :class:`TrackBatch`)."""
