"""Sparse constant-velocity targets: the plots of ``benchmarks/tracker_vs_stonesoup.py``
(one target per 9 km^2, 20-250 m/s, Pd 0.9, 5 m noise, 0.1 false plot per target per scan,
every plot of a scan at the scan's time, 1 s apart), as a 2-D Cartesian file."""

from __future__ import annotations

import numpy as np
from tracker_vs_stonesoup import AREA_PER_TARGET_M2, SIGMA_M, make_scans

from families.scene import Scene, Sensor

SEED = 2025
"""The family's seed; a run of N targets draws from ``SEED + N`` (as the older benchmark)."""
SENSOR = Sensor(sensor_id=0, revisit_s=1.0, sigma_m=SIGMA_M, rotating=False)


def generate(n_targets: int, n_scans: int, seed: int = SEED) -> Scene:
    """The sparse family for ``n_targets`` over ``n_scans`` scans of 1 s."""
    truths, plots = make_scans(n_targets, n_scans, np.random.default_rng(seed + n_targets))
    t = np.concatenate([np.full(len(xy), float(k)) for k, xy in enumerate(plots)])
    xy = np.vstack(plots)
    n = len(t)
    columns = {
        "time_s": t,
        "sensor_id": np.zeros(n, np.int64),
        "x_m": xy[:, 0],
        "y_m": xy[:, 1],
        "sigma_m": np.full(n, SIGMA_M),
    }
    return Scene(
        family="sparse",
        n_targets=n_targets,
        n_scans=n_scans,
        scan_s=1.0,
        plots=columns,
        origin=np.full(n, -2),
        truth_t_s=np.repeat(np.arange(n_scans, dtype=float), n_targets),
        truth_id=np.tile(np.arange(n_targets), n_scans),
        truth_pos_m=np.vstack(truths),
        sensors=[SENSOR],
        planar=True,
        polar=False,
        area_half_side_m=0.5 * float(np.sqrt(AREA_PER_TARGET_M2 * n_targets)),
    )
