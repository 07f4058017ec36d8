"""Heavy clutter and low detection probability: one target per 9 km^2 at 20-250 m/s seen
with Pd 0.7 by one rotating radar (4 s scans, 25 m noise) that also reports 0.5 false plot
per target per scan and never fewer than 50 a scan; a 2-D Cartesian file."""

from __future__ import annotations

import numpy as np

from families.build import cartesian_scene
from families.motion import straight
from families.scene import Scene, Sensor

SEED = 404
AREA_PER_TARGET_M2 = 9.0e6
SPEED_MPS = (20.0, 250.0)
REVISIT_S = 4.0
PD = 0.7
MIN_CLUTTER_PER_SCAN = 50.0
CLUTTER_PER_TARGET = 0.5
SIGMA_M = 25.0


def generate(n_targets: int, n_scans: int, seed: int = SEED) -> Scene:
    """The clutter family for ``n_targets`` over ``n_scans`` scans of 4 s."""
    rng = np.random.default_rng((seed, n_targets))
    half_side_m = 0.5 * float(np.sqrt(AREA_PER_TARGET_M2 * n_targets))
    sensor = Sensor(
        sensor_id=1,
        revisit_s=REVISIT_S,
        sigma_m=SIGMA_M,
        pd=PD,
        clutter_per_scan=max(MIN_CLUTTER_PER_SCAN, CLUTTER_PER_TARGET * n_targets),
    )
    trajectories = straight(n_targets, half_side_m, SPEED_MPS, (n_scans + 1) * REVISIT_S, rng)
    return cartesian_scene("clutter", [sensor], trajectories, n_scans, half_side_m, rng)
