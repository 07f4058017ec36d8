"""The tracker's state: every live track as one row of a set of parallel arrays."""

from __future__ import annotations

import numpy as np

from flankwatch.track.base import STATE_DIM
from flankwatch.track.output import TrackStatus
from flankwatch.track.predictor import combine


class TrackTable:
    """All live tracks, in columns.

    ``mean`` ``(n, M, 6)`` (m, m/s), ``cov`` ``(n, M, 6, 6)`` and ``prob`` ``(n, M)``
    hold each track's mode-conditioned states at its own time ``t_s`` (s);
    :meth:`state` gives the combined ``(n, 6)`` states and ``(n, 6, 6)``
    covariances. ``hits`` and ``steps`` count the steps in which a track was
    updated and the steps it has lived; ``updated`` marks the tracks updated in
    the current step.
    """

    def __init__(self, n_modes: int) -> None:
        self.n_modes = n_modes
        self.track_id = np.empty(0, np.int64)
        self.status = np.empty(0, np.int8)
        self.t_s = np.empty(0)
        self.prob = np.empty((0, n_modes))
        self.mean = np.empty((0, n_modes, STATE_DIM))
        self.cov = np.empty((0, n_modes, STATE_DIM, STATE_DIM))
        self.last_update_s = np.empty(0)
        self.hits = np.empty(0, np.int32)
        self.steps = np.empty(0, np.int32)
        self.updated = np.empty(0, bool)
        self.icao24 = np.empty(0, np.uint32)
        self.callsign = np.empty(0, object)

    def __len__(self) -> int:
        return len(self.track_id)

    _COLUMNS = (
        "track_id",
        "status",
        "t_s",
        "prob",
        "mean",
        "cov",
        "last_update_s",
        "hits",
        "steps",
        "updated",
        "icao24",
        "callsign",
    )

    def append(
        self,
        track_id: np.ndarray,
        t_s: np.ndarray,
        prob: np.ndarray,
        mean: np.ndarray,
        cov: np.ndarray,
        icao24: np.ndarray,
        callsign: np.ndarray,
    ) -> None:
        """Add new tentative tracks, counted as updated in the current step."""
        k = len(track_id)
        new = {
            "track_id": track_id,
            "status": np.full(k, TrackStatus.TENTATIVE, np.int8),
            "t_s": t_s,
            "prob": prob,
            "mean": mean,
            "cov": cov,
            "last_update_s": t_s,
            "hits": np.zeros(k, np.int32),
            "steps": np.zeros(k, np.int32),
            "updated": np.ones(k, bool),
            "icao24": icao24,
            "callsign": callsign,
        }
        for name in self._COLUMNS:
            column = getattr(self, name)
            setattr(self, name, np.concatenate((column, np.asarray(new[name], column.dtype))))

    def keep(self, mask: np.ndarray) -> None:
        """Drop the tracks where ``mask`` is false."""
        for name in self._COLUMNS:
            setattr(self, name, getattr(self, name)[mask])

    def state(self) -> tuple[np.ndarray, np.ndarray]:
        """Combined states ``(n, 6)`` and covariances ``(n, 6, 6)`` at each track's own time."""
        return combine(self.prob, self.mean, self.cov)
