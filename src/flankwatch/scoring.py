"""Scoring a simulated run's tracks against its ground truth, as the run goes.

At the end of every window the scorer takes the truth rows of that window's
last truth time and the confirmed and coasting tracks (extrapolated to that
time), and compares them in two views:

* **every threat** (the primary figure): the targets are the objects some
  sensor saw within the last ``seen_within_s`` seconds *and* every threat
  (non-cooperative object) inside the watched airspace, seen or not. A threat
  over the country that no sensor sees is a missed target here, so a detection
  gap shows in the score.
* **what was seen**: the targets are only the objects some sensor saw within
  the last ``seen_within_s`` seconds (objects no sensor can see are not the
  tracker's fault).

Both use GOSPA with the cut-off c = :data:`CUTOFF_M` and order p = :data:`ORDER`.
At the end, :func:`track_quality` gives, for the primary view, GOSPA with its
parts, track-number changes, fragmentation, time to confirm (from first
detection) and the false-track rate; the "seen" view adds its GOSPA, missed
share and number of targets.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from flankwatch.sim.truth import TruthBatch
from flankwatch.stream import PlotBatch
from flankwatch.track.metrics import gospa, track_quality
from flankwatch.track.output import TrackBatch, TrackStatus

CUTOFF_M = 1000.0
"""GOSPA cut-off distance c, m."""
ORDER = 2.0
"""GOSPA order p."""


@dataclass(frozen=True)
class TrackingScore:
    """How well a run's tracks followed its truth; distances in m, times in s.

    The unprefixed figures count every threat inside the watched airspace as a
    target whether or not a sensor saw it; the ``seen_`` figures count only the
    objects some sensor saw in the last minute (see the module docstring).
    """

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
    seen_gospa_mean_m: float = 0.0
    """GOSPA of what was seen: mean distance, m."""
    seen_missed_share: float = 0.0
    """GOSPA of what was seen: share of the missed part."""
    seen_targets: int = 0
    """Objects counted as targets in the "seen" view."""


Sample = tuple[np.ndarray, np.ndarray, np.ndarray]
"""Times (s), ids and positions ``(n, 3)`` (m) of one window's truths or tracks."""


class RunScorer:
    """Collects truth and track samples window by window; see the module docstring."""

    def __init__(
        self,
        n_objects: int,
        seen_within_s: float = 60.0,
        threats: np.ndarray | None = None,
    ) -> None:
        """``threats``: per object, true for a threat (non-cooperative); none by default."""
        self.seen_within_s = seen_within_s
        self.last_seen_s = np.full(n_objects, -np.inf)
        self.threats = (
            np.zeros(n_objects, bool) if threats is None else np.asarray(threats, bool).copy()
        )
        if self.threats.shape != (n_objects,):
            raise ValueError(f"threats has {self.threats.size} flags for {n_objects} objects")
        self._truth: list[Sample] = []
        self._seen_rows: list[np.ndarray] = []
        self._tracks: list[Sample] = []

    def add(
        self,
        plots: PlotBatch,
        truth: TruthBatch,
        tracks: TrackBatch,
        t_s: float,
        inside: np.ndarray | None = None,
    ) -> None:
        """Take one window: its plots, its truth rows and the tracks at ``t_s``.

        ``inside``: per truth row, true where the object is inside the watched
        airspace (none inside when not given).
        """
        seen = plots.truth_id >= 0
        np.maximum.at(self.last_seen_s, plots.truth_id[seen], plots.t_s[seen])
        if not len(truth):
            return
        at = float(truth.t_s.max())
        rows = truth.t_s == at
        ids = truth.object_id[rows]
        recent = self.last_seen_s[ids] >= at - self.seen_within_s
        over = np.zeros(len(ids), bool) if inside is None else np.asarray(inside, bool)[rows]
        targets = recent | (self.threats[ids] & over)
        position = np.column_stack((truth.x_m, truth.y_m, truth.z_m))[rows][targets]
        self._truth.append((np.full(len(position), at), ids[targets], position))
        self._seen_rows.append(recent[targets])
        held = (tracks.status == TrackStatus.CONFIRMED) | (tracks.status == TrackStatus.COASTING)
        velocity = np.column_stack((tracks.vx_mps, tracks.vy_mps, tracks.vz_mps))[held]
        estimate = tracks.position()[held] + velocity * (at - t_s)
        self._tracks.append((np.full(len(estimate), at), tracks.track_id[held], estimate))

    def score(self) -> TrackingScore:
        """The run's tracking score so far, in both views."""
        truth_t, truth_id, truth_pos = _stack(self._truth)
        track_t, track_id, track_pos = _stack(self._tracks)
        quality = track_quality(
            truth_t, truth_id, truth_pos, track_t, track_id, track_pos, CUTOFF_M, ORDER
        )
        shares = _shares(quality.gospa.totals())
        seen = np.concatenate(self._seen_rows) if self._seen_rows else np.empty(0, bool)
        seen_result = gospa(truth_t[seen], truth_pos[seen], track_t, track_pos, CUTOFF_M, ORDER)
        confirm = quality.time_to_confirm_s[np.isfinite(quality.time_to_confirm_s)]
        return TrackingScore(
            gospa_mean_m=quality.gospa.mean_distance,
            localisation_share=shares["localisation"],
            missed_share=shares["missed"],
            false_share=shares["false"],
            id_switches=quality.id_switches,
            fragmentations=quality.fragmentations,
            median_time_to_confirm_s=float(np.median(confirm)) if len(confirm) else None,
            false_tracks=quality.false_tracks,
            false_tracks_per_hour=quality.false_tracks_per_hour,
            targets=len(quality.truth_ids),
            tracks=len(np.unique(track_id)),
            seen_gospa_mean_m=seen_result.mean_distance,
            seen_missed_share=_shares(seen_result.totals())["missed"],
            seen_targets=len(np.unique(truth_id[seen])),
        )


def _shares(totals: dict[str, float]) -> dict[str, float]:
    """Each GOSPA part's share of the sum of the three parts (0 when there is nothing)."""
    parts = ("localisation", "missed", "false")
    whole = sum(totals[part] for part in parts)
    return {part: totals[part] / whole if whole else 0.0 for part in parts}


def _stack(samples: list[Sample]) -> Sample:
    if not samples:
        return np.empty(0), np.empty(0, np.int64), np.empty((0, 3))
    times, ids, positions = zip(*samples, strict=True)
    return np.concatenate(times), np.concatenate(ids), np.concatenate(positions)
