"""Duplicate tracks: two held tracks that are one target.

A target can end up with two tracks, for instance when another aircraft passes
close by (a fighter intercepting a drone): the passer's plot takes the target's
track for a scan, the target's own plot is left over and starts a second track,
and with several sensors both tracks then find plots of the target in every
batch and live on side by side. Such twins are told from two targets flying
close together by three tests, after each step:

1. **State**: two confirmed or coasting tracks are candidates when the difference
   of their 6-D states (position and velocity) lies inside a chi-square gate of
   the sum of their covariances; two different identities (ICAO addresses or Mode 5
   PINs) never are.
2. **Resolution**: a sensor that gave each of the two its latest plot in one scan
   (the two times less than half its revisit period apart) saw two targets, and
   the pair is no twin. One target gives a sensor one plot a scan, which only one
   of its twins can take.
3. **Persistence**: a pair is taken for twins once it has passed both tests at
   every step for ``hold_s``; one scan in which a sensor missed one of two
   targets in formation is not enough.

Of each pair of twins the younger track (the later first plot; the higher track
number on a tie) is dropped, unless only it carries an identity.

A track that lost its target (to a manoeuvre or a false plot) fails the state test: it
coasts on the old line while a new track follows the target. :func:`replaced` finds it
instead: once it has missed ``TrackerSettings.replace_after_scans`` scans, a confirmed track
updated in the same step inside its position gate has taken its place.
"""

from __future__ import annotations

import math

import numpy as np

from flankwatch.track.gating import candidate_pairs


def twin_candidates(
    state: np.ndarray,
    cov: np.ndarray,
    held: np.ndarray,
    identity: np.ndarray,
    sensor_t_s: np.ndarray,
    half_scan_s: np.ndarray,
    gate: float,
) -> tuple[np.ndarray, np.ndarray]:
    """The pairs of rows ``(a, b)`` that pass the state and resolution tests (module
    docstring) now.

    ``state`` ``(n, 6)`` holds positions (m) and velocities (m/s), ``cov`` ``(n, 6, 6)``
    their covariances, all at one time; ``held`` marks the rows that may be compared
    (confirmed and coasting tracks); ``sensor_t_s`` ``(n, S)`` is the time of each
    track's latest plot of each of S sensors (s, NaN: none) and ``half_scan_s`` ``(S,)``
    half of each sensor's revisit period (s); ``gate`` the chi-square bound on the
    state difference (0 finds none)."""
    none = (np.empty(0, np.intp), np.empty(0, np.intp))
    rows = np.flatnonzero(held)
    if gate <= 0.0 or len(rows) < 2:
        return none
    sigma = np.sqrt(np.maximum(np.einsum("nii->n", cov[:, :3, :3])[rows], 0.0))
    pairs = _near_pairs(state[rows, :3], math.sqrt(gate) * sigma)
    if not len(pairs):
        return none
    a, b = rows[pairs[:, 0]], rows[pairs[:, 1]]
    near = np.linalg.norm(state[a, :3] - state[b, :3], axis=1)
    near_enough = near <= math.sqrt(gate) * (sigma[pairs[:, 0]] + sigma[pairs[:, 1]])
    same_address = (identity[a] == 0) | (identity[b] == 0) | (identity[a] == identity[b])
    apart = np.abs(sensor_t_s[a] - sensor_t_s[b])
    resolved = np.any(apart < half_scan_s[None, :], axis=1)  # NaN compares False
    keep = np.flatnonzero(near_enough & same_address & ~resolved)
    if not len(keep):
        return none
    a, b = a[keep], b[keep]
    twins = _inside_gate(state[a] - state[b], cov[a] + cov[b], gate)
    return a[twins], b[twins]


def _inside_gate(difference: np.ndarray, cov: np.ndarray, gate: float) -> np.ndarray:
    """Which of the differences ``(p, d)`` lie inside the chi-square bound ``gate`` of their
    covariances ``(p, d, d)``: a boolean mask, all false when a covariance is singular."""
    try:
        inverse_difference = np.linalg.solve(cov, difference[..., None])[..., 0]
    except np.linalg.LinAlgError:
        return np.zeros(len(difference), bool)
    return np.einsum("pi,pi->p", difference, inverse_difference) < gate


def _near_pairs(points: np.ndarray, reach: np.ndarray) -> np.ndarray:
    """The pairs ``(i, j)``, ``i < j``, of ``points`` (m) that may lie within
    ``reach[i] + reach[j]`` (m) of each other, in order: every pair within twice the
    larger of its two reaches (a grid search, :func:`~flankwatch.track.gating.candidate_pairs`,
    each point searching its own ball). So one uncertain track does not widen every
    track's search; the tests that follow drop the pairs that are farther apart."""
    reach = np.where(np.isfinite(reach), reach, 0.0)
    i, j = candidate_pairs(points, 2.0 * reach, points)
    other = i != j
    i, j = i[other], j[other]
    if not len(i):
        return np.empty((0, 2), np.intp)
    # each pair once, in order: as one number each, unique
    n = len(points)
    key = np.unique(np.minimum(i, j) * n + np.maximum(i, j))
    return np.column_stack((key // n, key % n))


class TwinWatch:
    """Since when each candidate pair has been one (the persistence test), by track number."""

    def __init__(self, hold_s: float) -> None:
        self.hold_s = hold_s
        self._since: dict[tuple[int, int], float] = {}

    def drop(
        self,
        now_s: float,
        a: np.ndarray,
        b: np.ndarray,
        track_id: np.ndarray,
        first_s: np.ndarray,
        identity: np.ndarray,
    ) -> np.ndarray:
        """Which rows to drop: a boolean mask over the ``len(track_id)`` rows, given the
        candidate pairs of rows ``a``, ``b`` found at ``now_s`` (s). Pairs not found now
        are forgotten."""
        drop = np.zeros(len(track_id), bool)
        since: dict[tuple[int, int], float] = {}
        for i, j in zip(a.tolist(), b.tolist(), strict=True):
            key = (int(min(track_id[i], track_id[j])), int(max(track_id[i], track_id[j])))
            since[key] = self._since.get(key, now_s)
            if now_s - since[key] < self.hold_s or drop[i] or drop[j]:
                continue
            drop[_younger(i, j, first_s, track_id, identity)] = True
        self._since = since
        return drop


def _younger(
    i: int, j: int, first_s: np.ndarray, track_id: np.ndarray, identity: np.ndarray
) -> int:
    """The row of the pair to drop: the one without an identity if only one has
    it, else the one started later (on a tie the higher track number)."""
    if (identity[i] == 0) != (identity[j] == 0):
        return i if identity[i] == 0 else j
    if first_s[i] != first_s[j]:
        return i if first_s[i] > first_s[j] else j
    return i if track_id[i] > track_id[j] else j


def replaced(
    pos: np.ndarray,
    pos_cov: np.ndarray,
    stale: np.ndarray,
    fresh: np.ndarray,
    identity: np.ndarray,
    answered: np.ndarray,
    gate: float,
) -> np.ndarray:
    """Which ``stale`` rows have a ``fresh`` row inside their position gate: a boolean mask.

    ``pos`` ``(n, d)`` holds positions (m) and ``pos_cov`` ``(n, d, d)`` their covariances at
    one time; a pair is inside when its position difference lies inside the chi-square bound
    ``gate`` of the sum of the two covariances. A track with an identity (``identity``: an
    ICAO address or Mode 5 PIN, 0: none) never replaces one without (an unidentified
    target's track lost beside an airliner's stays), nor one with another identity; a
    track that ``answered`` IFF Mode 5 never replaces one that did not (a drone's track
    lost beside an own fighter's stays)."""
    out = np.zeros(len(pos), bool)
    if not stale.any() or not fresh.any():
        return out
    candidates = np.flatnonzero(stale | fresh)
    sigma = np.sqrt(np.maximum(np.einsum("nii->n", pos_cov[candidates]), 0.0))
    pairs = _near_pairs(pos[candidates], math.sqrt(gate) * sigma)
    if not len(pairs):
        return out
    a, b = candidates[pairs[:, 0]], candidates[pairs[:, 1]]
    one_way = stale[a] & fresh[b]
    other_way = stale[b] & fresh[a]
    a, b = np.concatenate((a[one_way], b[other_way])), np.concatenate((b[one_way], a[other_way]))
    may = ((identity[b] == 0) | (identity[a] == identity[b])) & (answered[a] | ~answered[b])
    a, b = a[may], b[may]
    if not len(a):
        return out
    out[a[_inside_gate(pos[a] - pos[b], pos_cov[a] + pos_cov[b], gate)]] = True
    return out
