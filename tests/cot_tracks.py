"""Track batches for the Cursor on Target tests: a few tracks of known position and error."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np

from flankwatch.geo.frames import LocalFrame
from flankwatch.track.output import TrackBatch, TrackStatus

START = datetime(2025, 9, 9, 21, 30, tzinfo=UTC)
FRAME = LocalFrame(52.0, 21.0)


def batch(n: int, time_s: float = 60.0, sigma_m: float = 100.0) -> TrackBatch:
    """``n`` tracks 10 km apart flying north-east at 50 m/s, 500 m up."""
    state = np.zeros((n, 6))
    state[:, 0] = np.arange(n) * 10_000.0
    state[:, 2] = 500.0
    state[:, 3:5] = 50.0 / np.sqrt(2.0)
    cov = np.zeros((n, 6, 6))
    cov[:, 0, 0] = sigma_m**2
    cov[:, 1, 1] = (2.0 * sigma_m) ** 2
    cov[:, 2, 2] = 30.0**2
    return TrackBatch.from_states(
        time_s=np.full(n, time_s),
        track_id=np.arange(1, n + 1),
        status=np.full(n, int(TrackStatus.CONFIRMED)),
        state=state,
        cov=cov,
        manoeuvre_prob=np.zeros(n),
        last_update_s=np.full(n, time_s),
        icao24=np.zeros(n, np.uint32),
        callsign=[""] * n,
    )
