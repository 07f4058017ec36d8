"""Ground truth: where every simulated object was, in columns.

Columns of a :class:`TruthBatch`: ``t_s`` (s since the start), ``object_id``
(row of the run's object table), ``lat_deg``, ``lon_deg``, ``alt_m`` (WGS-84,
height above the ellipsoid), ``x_m``, ``y_m``, ``z_m`` (local ENU, m),
``vx_mps``, ``vy_mps``, ``vz_mps`` (local ENU, m/s, mean over the last step),
``ended`` (true on an object's last row: arrival, impact, out of range, shot
down, or an own aircraft or weapon no longer in flight) and ``destroyed`` (true
on the last row of an object a kill ended: shot down rather than arrived).

Own forces in flight (see :mod:`flankwatch.sim.own_forces`) have truth rows
too, with ids at and after the number of planned objects (the rows of the run's
object table): ``object_id >= len(objects)`` is an own force.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pyarrow as pa

from flankwatch.columns import Columns, arrow_schema

_DTYPES: dict[str, np.dtype] = {
    "t_s": np.dtype(np.float64),
    "object_id": np.dtype(np.int32),
    **{
        name: np.dtype(np.float64)
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
    },
    "ended": np.dtype(bool),
    "destroyed": np.dtype(bool),
}


@dataclass(frozen=True, slots=True)
class TruthBatch(Columns):
    """True states of objects at one time or more; see the module docstring for units.

    ``destroyed`` may be left out: then no row is of an object shot down.
    """

    DTYPES: ClassVar[dict[str, np.dtype]] = _DTYPES
    SCHEMA: ClassVar[pa.Schema] = arrow_schema(_DTYPES)

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
    destroyed: np.ndarray = None  # type: ignore[assignment]  # filled in: all False

    def __post_init__(self) -> None:
        if self.destroyed is None:
            object.__setattr__(self, "destroyed", np.zeros(len(self.t_s), bool))
        Columns.__post_init__(self)


TRUTH_SCHEMA = TruthBatch.SCHEMA
"""Arrow schema of a truth table (the recording's ``truth``)."""
