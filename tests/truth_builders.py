"""Ground truth made up by the tests: objects at given places at one time, at rest."""

from __future__ import annotations

import numpy as np

from flankwatch.geo.frames import LocalFrame
from flankwatch.sim.truth import TruthBatch


def truth_at(
    frame: LocalFrame, t_s: float, points: list[tuple[float, float]], alt_m: float
) -> TruthBatch:
    """Object k at ``points[k]`` (lat_deg, lon_deg) and ``alt_m`` at ``t_s`` (s), at rest."""
    n = len(points)
    lat = np.array([p[0] for p in points])
    lon = np.array([p[1] for p in points])
    enu = frame.geodetic_to_enu(lat, lon, np.full(n, alt_m))
    zeros = np.zeros(n)
    return TruthBatch(
        t_s=np.full(n, t_s),
        object_id=np.arange(n, dtype=np.int32),
        lat_deg=lat,
        lon_deg=lon,
        alt_m=np.full(n, alt_m),
        x_m=enu[:, 0],
        y_m=enu[:, 1],
        z_m=enu[:, 2],
        vx_mps=zeros,
        vy_mps=zeros,
        vz_mps=zeros,
        ended=np.zeros(n, bool),
    )
