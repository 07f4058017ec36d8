"""Manoeuvring targets: one per 9 km^2 at 40-300 m/s, flying legs of 5-20 s, each a
coordinated turn of up to 6 deg/s (a third straight) with speed changes of up to 4 m/s^2,
seen by one rotating radar (1 s scans, 15 m noise, Pd 0.9, 0.1 false plot per target per
scan); a 2-D Cartesian file."""

from __future__ import annotations

import numpy as np

from families.build import cartesian_scene
from families.motion import manoeuvring
from families.scene import Scene, Sensor

SEED = 202
AREA_PER_TARGET_M2 = 9.0e6
SPEED_MPS = (40.0, 300.0)
MAX_TURN_DPS = 6.0
MAX_ACCEL_MPS2 = 4.0
LEG_S = (5.0, 20.0)
SIGMA_M = 15.0


def generate(n_targets: int, n_scans: int, seed: int = SEED) -> Scene:
    """The manoeuvring family for ``n_targets`` over ``n_scans`` scans of 1 s; the turn rate
    of each target at each knot of its trajectory is kept as ``extras["turn_dps"]``."""
    rng = np.random.default_rng((seed, n_targets))
    half_side_m = 0.5 * float(np.sqrt(AREA_PER_TARGET_M2 * n_targets))
    sensor = Sensor(
        sensor_id=1, revisit_s=1.0, sigma_m=SIGMA_M, pd=0.9, clutter_per_scan=0.1 * n_targets
    )
    trajectories, turn_dps = manoeuvring(
        n_targets,
        half_side_m,
        SPEED_MPS,
        MAX_TURN_DPS,
        MAX_ACCEL_MPS2,
        LEG_S,
        (n_scans + 1) * 1.0,
        rng,
    )
    return cartesian_scene(
        "manoeuvring",
        [sensor],
        trajectories,
        n_scans,
        half_side_m,
        rng,
        extras={"turn_dps": turn_dps},
    )
