"""Made-up track batches for the response tests."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from flankwatch.track.output import TrackBatch, TrackStatus


def track_batch(
    t_s: float,
    rows: Sequence[tuple[int, tuple[float, float, float], tuple[float, float, float]]],
    sigma_m: float = 100.0,
) -> TrackBatch:
    """Confirmed tracks at ``t_s``: (track id, position m, velocity m/s) each, with a
    position standard deviation of ``sigma_m`` on each axis."""
    n = len(rows)
    state = np.array([[*p, *v] for _, p, v in rows], float).reshape(n, 6)
    cov = np.tile(np.eye(6), (n, 1, 1)) * sigma_m**2
    return TrackBatch.from_states(
        np.full(n, t_s),
        np.array([i for i, _, _ in rows], np.int64),
        np.full(n, TrackStatus.CONFIRMED, np.int8),
        state,
        cov,
        np.zeros(n),
        np.full(n, t_s),
        np.zeros(n, np.uint32),
        np.full(n, "", object),
    )
