"""Tracking metrics: GOSPA per time and over a run, and track-level quality.

GOSPA (Rahmathullah, Garcia-Fernandez and Svensson, 2017) with ``alpha = 2``
compares, at each time, the set of true positions with the set of estimated
ones: with an optimal assignment ``gamma`` of estimates to truths,

    d = (sum_{(i,j) in gamma} d(x_i, y_j)^p + c^p / 2 * (missed + false))^(1/p),

where pairs farther apart than the cut-off ``c`` count as one missed truth and
one false estimate. The parts returned (``localisation``, ``missed``, ``false``)
are the three terms inside the bracket, in m^p, as Stone Soup's
``GOSPAMetric`` reports them.

The assignment over all times is solved at once: a grid search
(:func:`~flankwatch.track.gating.candidate_pairs`, with the time slot as an extra,
widely spaced coordinate) finds the pairs closer than ``c``
at the same time, and each cluster of such pairs is an
independent problem solved with :func:`scipy.optimize.linear_sum_assignment`
(see :class:`~flankwatch.track.associator.GNNAssociator`).

Inputs are flat arrays: one row per truth (or estimate) per time, with the
time in s and a position ``(n, d)`` in m (any number of dimensions ``d``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from flankwatch.track.associator import GNNAssociator
from flankwatch.track.gating import candidate_pairs


@dataclass(frozen=True)
class GOSPAResult:
    """GOSPA at each time of a run, and the assignment it rests on."""

    time_s: np.ndarray
    """Times, s, ascending: every time at which a truth or an estimate exists."""
    distance: np.ndarray
    """GOSPA distance at each time, m."""
    localisation: np.ndarray
    """Sum of ``d^p`` over assigned pairs at each time, m^p."""
    missed: np.ndarray
    """``c^p / 2`` times the number of missed truths at each time, m^p."""
    false: np.ndarray
    """``c^p / 2`` times the number of false estimates at each time, m^p."""
    truth_row: np.ndarray
    """Assigned pairs: row of the truth in the input arrays."""
    estimate_row: np.ndarray
    """Assigned pairs: row of the estimate in the input arrays."""

    @property
    def mean_distance(self) -> float:
        """GOSPA distance averaged over the times, m."""
        return float(self.distance.mean()) if len(self.distance) else 0.0

    def totals(self) -> dict[str, float]:
        """Sums over the run of the distance and of each part."""
        return {
            "distance": float(self.distance.sum()),
            "localisation": float(self.localisation.sum()),
            "missed": float(self.missed.sum()),
            "false": float(self.false.sum()),
        }


def gospa(
    truth_t_s: np.ndarray,
    truth_pos_m: np.ndarray,
    estimate_t_s: np.ndarray,
    estimate_pos_m: np.ndarray,
    c_m: float,
    p: float = 2.0,
) -> GOSPAResult:
    """GOSPA (``alpha = 2``) between truths and estimates at each of their times.

    Truths and estimates are matched by equal time (s); positions are ``(n, d)``
    in m; ``c_m`` is the cut-off distance (m) and ``p >= 1`` the order.
    """
    truth_t = np.asarray(truth_t_s, float)
    estimate_t = np.asarray(estimate_t_s, float)
    truth_pos = _points(truth_pos_m, len(truth_t))
    estimate_pos = _points(estimate_pos_m, len(estimate_t))
    times, slot = np.unique(np.concatenate((truth_t, estimate_t)), return_inverse=True)
    truth_slot, estimate_slot = slot[: len(truth_t)], slot[len(truth_t) :]
    truth_row, estimate_row, dist = _close_pairs(
        truth_pos, truth_slot, estimate_pos, estimate_slot, c_m
    )
    dist_p = dist**p
    chosen = GNNAssociator().associate(truth_row, estimate_row, dist_p - c_m**p)
    truth_row, estimate_row, dist_p = truth_row[chosen], estimate_row[chosen], dist_p[chosen]
    n_times = len(times)
    assigned_slot = truth_slot[truth_row]
    assigned = np.bincount(assigned_slot, minlength=n_times)
    localisation = np.bincount(assigned_slot, weights=dist_p, minlength=n_times)
    half_cp = c_m**p / 2.0
    missed = half_cp * (np.bincount(truth_slot, minlength=n_times) - assigned)
    false = half_cp * (np.bincount(estimate_slot, minlength=n_times) - assigned)
    distance = (localisation + missed + false) ** (1.0 / p)
    order = np.argsort(assigned_slot, kind="stable")
    return GOSPAResult(
        times, distance, localisation, missed, false, truth_row[order], estimate_row[order]
    )


def _points(pos_m: np.ndarray, n: int) -> np.ndarray:
    """Positions as ``(n, d)``; an empty set may come in any shape."""
    pos = np.asarray(pos_m, float)
    return pos.reshape(n, -1) if n else np.empty((0, 1))


def _close_pairs(
    truth_pos: np.ndarray,
    truth_slot: np.ndarray,
    estimate_pos: np.ndarray,
    estimate_slot: np.ndarray,
    c_m: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Truth and estimate rows at the same time closer than ``c_m``, and their distances."""
    if len(truth_pos) == 0 or len(estimate_pos) == 0:
        empty = np.empty(0, np.intp)
        return empty, empty, np.empty(0)
    spacing = 4.0 * c_m
    truth_row, estimate_row = candidate_pairs(
        np.column_stack((truth_pos, truth_slot * spacing)),
        np.full(len(truth_pos), c_m),
        np.column_stack((estimate_pos, estimate_slot * spacing)),
    )
    same_time = truth_slot[truth_row] == estimate_slot[estimate_row]
    dist = np.linalg.norm(truth_pos[truth_row] - estimate_pos[estimate_row], axis=1)
    close = same_time & (dist < c_m)
    return truth_row[close], estimate_row[close], dist[close]


@dataclass(frozen=True)
class TrackQuality:
    """Track-level quality of a run, from the GOSPA assignment at each time."""

    gospa: GOSPAResult
    """The GOSPA result the rest is derived from."""
    id_switches: int
    """Times a truth's assigned track number changed from one assigned time to the next."""
    fragmentations: int
    """Times a truth's coverage was interrupted and resumed (assigned segments - 1, summed)."""
    time_to_confirm_s: np.ndarray
    """Per truth (in order of ``truth_ids``): first assigned time - first time, s (NaN if never)."""
    truth_ids: np.ndarray
    """The truth ids, ascending."""
    false_tracks: int
    """Track numbers never assigned to any truth."""
    false_tracks_per_hour: float
    """``false_tracks`` over the run's duration, 1/h."""


def track_quality(
    truth_t_s: np.ndarray,
    truth_id: np.ndarray,
    truth_pos_m: np.ndarray,
    estimate_t_s: np.ndarray,
    estimate_id: np.ndarray,
    estimate_pos_m: np.ndarray,
    c_m: float,
    p: float = 2.0,
) -> TrackQuality:
    """GOSPA, ID switches, fragmentation, time to confirm and false-track rate of a run.

    ``truth_id`` are the simulated object ids and ``estimate_id`` the track numbers
    of the rows; pass only the tracks to judge (usually confirmed and coasting).
    """
    truth_id = np.asarray(truth_id)
    estimate_id = np.asarray(estimate_id)
    truth_t = np.asarray(truth_t_s, float)
    result = gospa(truth_t, truth_pos_m, estimate_t_s, estimate_pos_m, c_m, p)
    ids, truth_index = np.unique(truth_id, return_inverse=True)
    assigned_track = np.full(len(truth_t), -1, np.int64)
    assigned_track[result.truth_row] = estimate_id[result.estimate_row]
    order = np.lexsort((truth_t, truth_index))
    who, track = truth_index[order], assigned_track[order]
    same_truth = who[1:] == who[:-1]
    covered = track >= 0
    starts = covered.copy()
    starts[1:] &= ~(covered[:-1] & same_truth)
    segments = np.bincount(who[starts], minlength=len(ids))
    fragmentations = int(np.maximum(segments - 1, 0).sum())
    covered_rows = order[covered]
    c_who, c_track = truth_index[covered_rows], assigned_track[covered_rows]
    id_switches = int(np.sum((c_who[1:] == c_who[:-1]) & (c_track[1:] != c_track[:-1])))
    first_seen = np.full(len(ids), np.inf)
    np.minimum.at(first_seen, truth_index, truth_t)
    first_covered = np.full(len(ids), np.inf)
    np.minimum.at(first_covered, truth_index[covered_rows], truth_t[covered_rows])
    time_to_confirm = np.where(np.isfinite(first_covered), first_covered - first_seen, np.nan)
    all_tracks = np.unique(estimate_id)
    false_tracks = int(len(all_tracks) - len(np.unique(estimate_id[result.estimate_row])))
    duration_s = float(result.time_s[-1] - result.time_s[0]) if len(result.time_s) else 0.0
    rate = false_tracks * 3600.0 / duration_s if duration_s > 0 else 0.0
    return TrackQuality(
        result, id_switches, fragmentations, time_to_confirm, ids, false_tracks, rate
    )
