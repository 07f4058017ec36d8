"""Scoring tracks against the truth kept beside a scene: GOSPA (c per family, p = 2) at every
reported time, its missed and false parts as counts, the false-track count and track-number
changes (:func:`flankwatch.track.metrics.track_quality`).

Estimates are the rows of confirmed and coasting tracks at the truth's times (each batch's
last plot time); an estimate at a time the truth does not have is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from families.files import Truth, read_table
from flankwatch.track.metrics import track_quality
from flankwatch.track.output import TrackStatus

TIME_TOLERANCE_S = 1e-6
"""Estimates are matched to the truth time closest to theirs within this, s."""

GOSPA_C_M = {
    "sparse": 100.0,
    "dense": 100.0,
    "manoeuvring": 200.0,
    "multisensor": 200.0,
    "clutter": 200.0,
    "polar": 1000.0,
}
"""GOSPA cut-off of each family, m: about ten times the plots' position noise (for the
polar family, its cross-range noise at 50 km)."""


@dataclass(frozen=True)
class Estimates:
    """Track positions at reported times."""

    t_s: np.ndarray
    track_id: np.ndarray
    pos_m: np.ndarray
    """Positions ``(n, 3)`` (or ``(n, 2)``), m."""

    def before(self, end_s: float) -> Estimates:
        """The rows earlier than ``end_s`` (s)."""
        keep = self.t_s < end_s
        return Estimates(self.t_s[keep], self.track_id[keep], self.pos_m[keep])


@dataclass(frozen=True)
class Score:
    """How well a tracker did on a scene."""

    gospa_m: float
    """GOSPA distance averaged over the reported times, m."""
    missed: float
    """Missed targets per reported time (GOSPA's missed part over c^2 / 2)."""
    false: float
    """False estimates per reported time (GOSPA's false part over c^2 / 2)."""
    false_tracks: int
    """Track numbers never assigned to a target."""
    id_changes: int
    """Times a target's assigned track number changed."""
    n_times: int
    """Reported times scored."""


def snap_times(t_s: np.ndarray, truth_t_s: np.ndarray) -> np.ndarray:
    """``t_s`` replaced by the equal truth times (within :data:`TIME_TOLERANCE_S`); ValueError
    for a time the truth does not have."""
    times = np.unique(truth_t_s)
    if not len(t_s):
        return np.asarray(t_s, float)
    if not len(times):
        raise ValueError("the truth has no times to score estimates at")
    i = np.clip(np.searchsorted(times, t_s), 1, len(times) - 1) if len(times) > 1 else 0
    if len(times) > 1:
        i = np.where(np.abs(times[i - 1] - t_s) <= np.abs(times[i] - t_s), i - 1, i)
    nearest = times[i] if len(times) > 1 else np.full(len(t_s), times[0])
    off = np.abs(nearest - t_s) > TIME_TOLERANCE_S
    if off.any():
        raise ValueError(
            f"estimates at {int(off.sum())} times the truth does not have (first "
            f"{float(np.asarray(t_s)[off][0])} s): tracked with another --batch-s?"
        )
    return nearest


def score(truth: Truth, estimates: Estimates, c_m: float) -> Score:
    """GOSPA (c = ``c_m``, p = 2) and track quality of ``estimates`` against ``truth``, over
    the truth's times; estimates are compared in the truth's dimensions."""
    d = truth.pos_m.shape[1]
    t = snap_times(estimates.t_s, truth.t_s)
    quality = track_quality(
        truth.t_s,
        truth.target_id,
        truth.pos_m,
        t,
        estimates.track_id,
        estimates.pos_m[:, :d],
        c_m,
    )
    result = quality.gospa
    half_c2 = c_m**2 / 2.0
    n_times = len(result.time_s)
    return Score(
        gospa_m=result.mean_distance,
        missed=float(result.missed.sum() / half_c2 / max(n_times, 1)),
        false=float(result.false.sum() / half_c2 / max(n_times, 1)),
        false_tracks=quality.false_tracks,
        id_changes=quality.id_switches,
        n_times=n_times,
    )


def tracks_file_estimates(path: Path) -> Estimates:
    """The confirmed and coasting rows of a tracks file written by ``flankwatch track``."""
    table = read_table(path)
    missing = {"time_s", "track_id", "status", "x_m", "y_m", "z_m"} - set(table.column_names)
    if missing:
        raise ValueError(f"tracks file {path}: missing columns {sorted(missing)}")
    status = table["status"].to_numpy()
    held = (status == TrackStatus.CONFIRMED) | (status == TrackStatus.COASTING)
    pos = np.column_stack([table[n].to_numpy().astype(float) for n in ("x_m", "y_m", "z_m")])
    return Estimates(
        table["time_s"].to_numpy().astype(float)[held],
        table["track_id"].to_numpy().astype(np.int64)[held],
        pos[held],
    )


def family_of(path: Path) -> str:
    """The family a file written by ``--write`` belongs to, from its name
    (``<family>-<N>-truth.csv``); ValueError if the name says none."""
    name = path.name.split("-", 1)[0]
    if name not in GOSPA_C_M:
        raise ValueError(
            f"{path}: the name does not start with a family ({', '.join(GOSPA_C_M)}); "
            "give --gospa-c"
        )
    return name
