"""Duplicate tracks: two held tracks that are one target.

A target can end up with two tracks, for instance when another aircraft passes
close by (a fighter intercepting a drone): the passer's plot takes the target's
track for a scan, the target's own plot is left over and starts a second track,
and with several sensors both tracks then find plots of the target in every
batch and live on side by side. Such twins are found after each step by their
states: two confirmed or coasting tracks are one target when the difference of
their 6-D states (position and velocity) lies inside a chi-square gate of the
sum of their covariances. Of each such pair the younger track (the later first
plot; the higher track number on a tie) is dropped, unless only it carries an
ICAO address; two different addresses are never one target.

The summed covariance overstates the uncertainty of the difference of two
tracks fed by the same plots, so the test errs towards keeping both. Targets
flying in close formation at one velocity, closer than their tracks can tell
apart, become one track, as a radar would see them.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.spatial import cKDTree


def duplicates(
    state: np.ndarray,
    cov: np.ndarray,
    held: np.ndarray,
    first_s: np.ndarray,
    track_id: np.ndarray,
    icao24: np.ndarray,
    gate: float,
) -> np.ndarray:
    """Which tracks to drop as the twin of another: a boolean mask over the rows.

    ``state`` ``(n, 6)`` holds positions (m) and velocities (m/s), ``cov`` ``(n, 6, 6)``
    their covariances, all at one time; ``held`` marks the rows that may be compared
    (confirmed and coasting tracks); ``first_s`` is each track's first plot time (s);
    ``gate`` the chi-square bound on the state difference (0 finds none)."""
    drop = np.zeros(len(state), bool)
    rows = np.flatnonzero(held)
    if gate <= 0.0 or len(rows) < 2:
        return drop
    position = state[rows, :3]
    sigma = np.sqrt(np.maximum(np.einsum("nii->n", cov[rows, :3, :3]), 0.0))
    radius = math.sqrt(gate) * 2.0 * float(sigma.max())
    if not math.isfinite(radius):
        return drop
    pairs = cKDTree(position).query_pairs(radius, output_type="ndarray")
    if not len(pairs):
        return drop
    a, b = rows[pairs[:, 0]], rows[pairs[:, 1]]
    near = np.linalg.norm(state[a, :3] - state[b, :3], axis=1)
    near_enough = near <= math.sqrt(gate) * (sigma[pairs[:, 0]] + sigma[pairs[:, 1]])
    same_address = (icao24[a] == 0) | (icao24[b] == 0) | (icao24[a] == icao24[b])
    keep = np.flatnonzero(near_enough & same_address)
    if not len(keep):
        return drop
    a, b = a[keep], b[keep]
    difference = state[a] - state[b]
    total = cov[a] + cov[b]
    try:
        solved = np.linalg.solve(total, difference[..., None])[..., 0]
    except np.linalg.LinAlgError:
        return drop
    d2 = np.einsum("pi,pi->p", difference, solved)
    twins = np.flatnonzero(d2 < gate)
    for i, j in zip(a[twins].tolist(), b[twins].tolist(), strict=True):
        if drop[i] or drop[j]:
            continue
        drop[_younger(i, j, first_s, track_id, icao24)] = True
    return drop


def _younger(i: int, j: int, first_s: np.ndarray, track_id: np.ndarray, icao24: np.ndarray) -> int:
    """The row of the pair to drop: the one without an ICAO address if only one has
    it, else the one started later (on a tie the higher track number)."""
    if (icao24[i] == 0) != (icao24[j] == 0):
        return i if icao24[i] == 0 else j
    if first_s[i] != first_s[j]:
        return i if first_s[i] > first_s[j] else j
    return i if track_id[i] > track_id[j] else j
