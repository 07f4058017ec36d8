"""Scoring a simulated run's tracks against its ground truth, as the run goes.

At the end of every window the scorer takes the truth rows of that window's
last truth time and the confirmed and coasting tracks (extrapolated to that
time). A simulated object is counted as a target to track only while some sensor
has seen it within the last ``seen_within_s`` seconds: objects no sensor can see
are not the tracker's fault. At the end, :func:`track_quality` gives GOSPA with
its parts, track-number changes, fragmentation, time to confirm (from first
detection) and the false-track rate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from flankwatch.sim.truth import TruthBatch
from flankwatch.stream import PlotBatch
from flankwatch.track.metrics import track_quality
from flankwatch.track.output import TrackBatch, TrackStatus

CUTOFF_M = 1000.0
"""GOSPA cut-off distance c, m."""
ORDER = 2.0
"""GOSPA order p."""


@dataclass(frozen=True)
class TrackingScore:
    """How well a run's tracks followed its truth; distances in m, times in s."""

    gospa_mean_m: float
    localisation_share: float
    missed_share: float
    false_share: float
    id_switches: int
    fragmentations: int
    median_time_to_confirm_s: float | None
    false_tracks: int
    false_tracks_per_hour: float
    targets: int
    tracks: int


class RunScorer:
    """Collects truth and track samples window by window; see the module docstring."""

    def __init__(self, n_objects: int, seen_within_s: float = 60.0) -> None:
        self.seen_within_s = seen_within_s
        self.last_seen_s = np.full(n_objects, -np.inf)
        self._truth: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self._tracks: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []

    def add(self, plots: PlotBatch, truth: TruthBatch, tracks: TrackBatch, t_s: float) -> None:
        """Take one window: its plots, its truth rows and the tracks at ``t_s``."""
        seen = plots.truth_id >= 0
        np.maximum.at(self.last_seen_s, plots.truth_id[seen], plots.t_s[seen])
        if not len(truth):
            return
        at = float(truth.t_s.max())
        rows = truth.t_s == at
        ids = truth.object_id[rows]
        targets = self.last_seen_s[ids] >= at - self.seen_within_s
        position = np.column_stack((truth.x_m, truth.y_m, truth.z_m))[rows][targets]
        self._truth.append((np.full(len(position), at), ids[targets], position))
        held = (tracks.status == TrackStatus.CONFIRMED) | (tracks.status == TrackStatus.COASTING)
        velocity = np.column_stack((tracks.vx_mps, tracks.vy_mps, tracks.vz_mps))[held]
        estimate = tracks.position()[held] + velocity * (at - t_s)
        self._tracks.append((np.full(len(estimate), at), tracks.track_id[held], estimate))

    def score(self) -> TrackingScore:
        """The run's tracking score so far."""
        truth_t, truth_id, truth_pos = _stack(self._truth)
        track_t, track_id, track_pos = _stack(self._tracks)
        quality = track_quality(
            truth_t, truth_id, truth_pos, track_t, track_id, track_pos, CUTOFF_M, ORDER
        )
        totals = quality.gospa.totals()
        parts = totals["localisation"] + totals["missed"] + totals["false"]
        confirm = quality.time_to_confirm_s[np.isfinite(quality.time_to_confirm_s)]
        return TrackingScore(
            gospa_mean_m=quality.gospa.mean_distance,
            localisation_share=totals["localisation"] / parts if parts else 0.0,
            missed_share=totals["missed"] / parts if parts else 0.0,
            false_share=totals["false"] / parts if parts else 0.0,
            id_switches=quality.id_switches,
            fragmentations=quality.fragmentations,
            median_time_to_confirm_s=float(np.median(confirm)) if len(confirm) else None,
            false_tracks=quality.false_tracks,
            false_tracks_per_hour=quality.false_tracks_per_hour,
            targets=len(quality.truth_ids),
            tracks=len(np.unique(track_id)),
        )


def _stack(
    samples: list[tuple[np.ndarray, np.ndarray, np.ndarray]],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if not samples:
        return np.empty(0), np.empty(0, np.int64), np.empty((0, 3))
    times, ids, positions = zip(*samples, strict=True)
    return np.concatenate(times), np.concatenate(ids), np.concatenate(positions)
