"""3-D polar plots from three radars with a sensors file: targets at 100-8000 m up, one per
9 km^2, flying at 30-280 m/s and climbing or descending at up to 10 m/s, seen by three
rotating radars of different scan periods and accuracy spread around the area (each
reports range, azimuth and elevation from its own position, with 0.05 false plot per target
per scan); the file's polar layout."""

from __future__ import annotations

import numpy as np

from families.build import polar_scene
from families.motion import random_velocities
from families.scene import Scene, Sensor, Trajectories

SEED = 505
AREA_PER_TARGET_M2 = 9.0e6
SPEED_MPS = (30.0, 280.0)
ALTITUDE_M = (100.0, 8000.0)
MAX_CLIMB_MPS = 10.0
RADARS = (  # id, revisit s, sigma range m, sigma azimuth deg, sigma elevation deg, first scan s
    (21, 4.0, 30.0, 0.15, 0.3, 0.0),
    (22, 6.0, 50.0, 0.2, 0.4, 1.3),
    (23, 10.0, 100.0, 0.3, 0.6, 2.7),
)
RADAR_HEIGHT_M = 20.0


def generate(n_targets: int, n_scans: int, seed: int = SEED) -> Scene:
    """The polar family for ``n_targets`` over ``n_scans`` scans of the 4 s radar."""
    rng = np.random.default_rng((seed, n_targets))
    half_side_m = 0.5 * float(np.sqrt(AREA_PER_TARGET_M2 * n_targets))
    sites = [(-0.6, -0.5), (0.7, -0.3), (0.0, 0.8)]  # fractions of the half side
    sensors = [
        Sensor(
            sensor_id=i,
            revisit_s=revisit,
            pd=0.9,
            clutter_per_scan=0.05 * n_targets,
            position_m=(fx * half_side_m, fy * half_side_m, RADAR_HEIGHT_M),
            offset_s=first,
            sigma_range_m=s_range,
            sigma_azimuth_deg=s_az,
            sigma_elevation_deg=s_el,
        )
        for (i, revisit, s_range, s_az, s_el, first), (fx, fy) in zip(RADARS, sites, strict=True)
    ]
    ground = rng.uniform(-half_side_m, half_side_m, (n_targets, 2))
    start = np.column_stack((ground, rng.uniform(*ALTITUDE_M, n_targets)))
    velocity = random_velocities(n_targets, SPEED_MPS, rng)
    duration_s = (n_scans + 3) * 4.0
    velocity[:, 2] = rng.uniform(-MAX_CLIMB_MPS, MAX_CLIMB_MPS, n_targets)
    # keep every target within the altitude band over the run
    end_z = start[:, 2] + velocity[:, 2] * duration_s
    velocity[:, 2] = np.where(
        (end_z < ALTITUDE_M[0]) | (end_z > ALTITUDE_M[1]), -velocity[:, 2], velocity[:, 2]
    )
    trajectories = Trajectories.constant_velocity(start, velocity, duration_s)
    return polar_scene("polar", sensors, trajectories, n_scans, half_side_m, rng, ALTITUDE_M)
