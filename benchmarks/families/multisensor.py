"""Several sensors of different accuracy and revisit rate, interleaved: a fast precise
radar (1 s, 15 m, Pd 0.8), a surveillance radar (2.5 s, 60 m, Pd 0.9) and a long-range one
(4 s, 150 m, Pd 0.95), each rotating from its own start time, with 0.05 false plot per
target per scan each; one target per 9 km^2 at 20-250 m/s; a 2-D Cartesian file whose
``sensor_id`` and ``sigma_m`` say which sensor made each plot."""

from __future__ import annotations

import numpy as np

from families.build import cartesian_scene
from families.motion import straight
from families.scene import Scene, Sensor

SEED = 303
AREA_PER_TARGET_M2 = 9.0e6
SPEED_MPS = (20.0, 250.0)
SENSORS = (  # id, revisit s, sigma m, Pd, first scan s
    (11, 1.0, 15.0, 0.8, 0.0),
    (12, 2.5, 60.0, 0.9, 0.37),
    (13, 4.0, 150.0, 0.95, 1.91),
)


def generate(n_targets: int, n_scans: int, seed: int = SEED) -> Scene:
    """The multi-sensor family for ``n_targets`` over ``n_scans`` scans of the 1 s radar."""
    rng = np.random.default_rng((seed, n_targets))
    half_side_m = 0.5 * float(np.sqrt(AREA_PER_TARGET_M2 * n_targets))
    sensors = [
        Sensor(
            sensor_id=i,
            revisit_s=revisit,
            sigma_m=sigma,
            pd=pd,
            clutter_per_scan=0.05 * n_targets,
            offset_s=first,
        )
        for i, revisit, sigma, pd, first in SENSORS
    ]
    trajectories = straight(n_targets, half_side_m, SPEED_MPS, n_scans + 5.0, rng)
    return cartesian_scene("multisensor", sensors, trajectories, n_scans, half_side_m, rng)
