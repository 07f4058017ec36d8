"""Dense targets: four per km^2 (a swarm of small drones at 20-80 m/s), in pairs whose paths
cross, seen by one fast-rotating radar (1 s scans, 10 m noise, Pd 0.9, 0.1 false plot per
target per scan); a 2-D Cartesian file."""

from __future__ import annotations

import numpy as np

from families.build import cartesian_scene
from families.motion import crossing
from families.scene import Scene, Sensor

SEED = 101
TARGETS_PER_KM2 = 4.0
SPEED_MPS = (20.0, 80.0)
SIGMA_M = 10.0


def generate(n_targets: int, n_scans: int, seed: int = SEED) -> Scene:
    """The dense family for ``n_targets`` over ``n_scans`` scans of 1 s."""
    rng = np.random.default_rng((seed, n_targets))
    half_side_m = 0.5 * float(np.sqrt(n_targets / TARGETS_PER_KM2)) * 1000.0
    sensor = Sensor(
        sensor_id=1, revisit_s=1.0, sigma_m=SIGMA_M, pd=0.9, clutter_per_scan=0.1 * n_targets
    )
    trajectories = crossing(n_targets, half_side_m, SPEED_MPS, (n_scans + 1) * 1.0, rng)
    return cartesian_scene("dense", [sensor], trajectories, n_scans, half_side_m, rng)
