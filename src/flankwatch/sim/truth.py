"""Ground truth: where every simulated object was, in columns.

Columns of a :class:`TruthBatch`: ``t_s`` (s since the start), ``object_id``
(row of the run's object table), ``lat_deg``, ``lon_deg``, ``alt_m`` (WGS-84,
height above the ellipsoid), ``x_m``, ``y_m``, ``z_m`` (local ENU, m),
``vx_mps``, ``vy_mps``, ``vz_mps`` (local ENU, m/s, mean over the last step) and
``ended`` (true on an object's last row: arrival, impact or out of range).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import pyarrow as pa


@dataclass(frozen=True, slots=True)
class TruthBatch:
    """True states of objects at one time or more; see the module docstring for units."""

    t_s: np.ndarray
    object_id: np.ndarray
    lat_deg: np.ndarray
    lon_deg: np.ndarray
    alt_m: np.ndarray
    x_m: np.ndarray
    y_m: np.ndarray
    z_m: np.ndarray
    vx_mps: np.ndarray
    vy_mps: np.ndarray
    vz_mps: np.ndarray
    ended: np.ndarray

    def __len__(self) -> int:
        return len(self.t_s)

    @classmethod
    def concat(cls, batches: list[TruthBatch]) -> TruthBatch:
        """All rows of ``batches``, in order."""
        return cls(
            **{f.name: np.concatenate([getattr(b, f.name) for b in batches]) for f in fields(cls)}
        )

    def to_arrow(self) -> pa.Table:
        """The batch as an Arrow table (the recording's ``truth`` schema)."""
        return pa.table({f.name: getattr(self, f.name) for f in fields(self)}, schema=TRUTH_SCHEMA)


TRUTH_SCHEMA = pa.schema(
    [("t_s", pa.float64()), ("object_id", pa.int32())]
    + [
        (name, pa.float64())
        for name in (
            "lat_deg",
            "lon_deg",
            "alt_m",
            "x_m",
            "y_m",
            "z_m",
            "vx_mps",
            "vy_mps",
            "vz_mps",
        )
    ]
    + [("ended", pa.bool_())]
)
