"""The cheap second stage of gating: every candidate pair scored from one prediction per track.

The first stage (:func:`flankwatch.track.gating.candidate_pairs`) finds the plots
inside a ball about each track's straight-line position. This stage predicts each
candidate track once, with its full motion model, to one reference time (the mean
time of its candidate plots), moment-matches the prediction into one state, and
extrapolates that state in a straight line to each candidate plot's own time
(within one batch, a fraction of a second to a few seconds), adding the
constant-velocity process noise of the gap. The chi-square gate is applied to the
result, so the full prediction of every motion mode is only needed for the pairs
that are kept (and, in the end, only for those assigned).
"""

from __future__ import annotations

import numpy as np

from flankwatch.compiled import kernel

UPPER = (np.array([0, 0, 0, 1, 1, 2]), np.array([0, 1, 2, 1, 2, 2]))
"""Row and column of the six distinct elements of a symmetric 3x3 matrix, in the order
xx, xy, xz, yy, yz, zz: a covariance's "upper" form ``(..., 6)``."""


@kernel(cache=True, error_model="numpy")
def pair_distances(
    state: np.ndarray,
    cov: np.ndarray,
    track: np.ndarray,
    dt_s: np.ndarray,
    noise_m2ps3: np.ndarray,
    plot_m: np.ndarray,
    plot_cov_m2: np.ndarray,
    plot: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Residuals ``(p, 3)`` (m) and squared Mahalanobis distances ``(p,)`` of pairs of a
    predicted track and a plot, the track moved in a straight line to the plot's time.

    Pair ``k`` is of track ``track[k]``, whose state ``state[track[k]]`` (``(n, 6)``, m and
    m/s) and covariance ``cov[track[k]]`` (``(n, 6, 6)``) are moved by ``dt_s[k]`` (s) with
    white-acceleration noise of densities ``noise_m2ps3`` (3,) per axis (m^2/s^3), and of
    plot ``plot[k]``, at ``plot_m[plot[k]]`` (m, ``(q, 3)``) with its covariance in upper
    form ``plot_cov_m2[plot[k]]`` (m^2, ``(q, 6)``). The moved position covariance is
    ``P(dt) = A + dt (B + dt C)`` with ``A`` the position block, ``B`` the
    position-velocity block plus its transpose and ``C`` the velocity block; the distance
    is taken by the adjugate of ``P(dt)`` plus the plot's covariance.
    """
    rows, cols = UPPER
    n_pairs = len(track)
    residual = np.empty((n_pairs, 3))
    d2 = np.empty(n_pairs)
    s = np.empty(6)
    for k in range(n_pairs):
        i, j, dt = track[k], plot[k], dt_s[k]
        spread = np.abs(dt) ** 3.0 / 3.0
        for e in range(6):
            r, c = rows[e], cols[e]
            cross = cov[i, r, c + 3] + cov[i, c, r + 3]
            s[e] = cov[i, r, c] + dt * (cross + dt * cov[i, r + 3, c + 3])
            if r == c:
                s[e] += spread * noise_m2ps3[r]
            s[e] += plot_cov_m2[j, e]
        for axis in range(3):
            residual[k, axis] = plot_m[j, axis] - (state[i, axis] + dt * state[i, axis + 3])
        a, b, c, d, e, f = s[0], s[1], s[2], s[3], s[4], s[5]
        x, y, z = residual[k, 0], residual[k, 1], residual[k, 2]
        adj_xx = d * f - e * e
        adj_xy = c * e - b * f
        adj_xz = b * e - c * d
        det = a * adj_xx + b * adj_xy + c * adj_xz
        quadratic = (
            x * (x * adj_xx + 2.0 * (y * adj_xy + z * adj_xz))
            + y * (y * (a * f - c * c) + 2.0 * z * (b * c - a * e))
            + z * z * (a * d - b * b)
        )
        d2[k] = quadratic / det
    return residual, d2


@kernel(cache=True)
def within_reach(
    plot_m: np.ndarray,
    plot_cov_m2: np.ndarray,
    plot: np.ndarray,
    start_state: np.ndarray,
    start_sigma_m: np.ndarray,
    speed_mps: np.ndarray,
    start_t_s: np.ndarray,
    track: np.ndarray,
    t_s: np.ndarray,
    max_speed_mps: float,
    sigmas: float,
) -> np.ndarray:
    """Whether each pair's plot is within reach of its track ``(p,)``: no farther from the
    track's last position than the faster of ``max_speed_mps`` and the track's own speed
    carries it between the track's time and the plot's, with ``sigmas`` times the sum of
    the two position standard deviations as slack.

    Pair ``k`` is of track ``track[k]``, last at ``start_state[track[k], :3]`` (m) at
    ``start_t_s[track[k]]`` (s) with position standard deviation ``start_sigma_m`` (m,
    the root of the covariance's trace) and speed ``speed_mps`` (m/s), and of plot
    ``plot[k]``, at ``plot_m[plot[k]]`` (m) at ``t_s[k]`` (s) with its covariance in upper
    form ``plot_cov_m2[plot[k]]`` (m^2).
    """
    n_pairs = len(track)
    ok = np.empty(n_pairs, np.bool_)
    for k in range(n_pairs):
        i, j = track[k], plot[k]
        moved2 = 0.0
        for axis in range(3):
            gap = plot_m[j, axis] - start_state[i, axis]
            moved2 += gap * gap
        plot_var = plot_cov_m2[j, 0] + plot_cov_m2[j, 3] + plot_cov_m2[j, 5]
        slack = sigmas * (start_sigma_m[i] + np.sqrt(plot_var))
        speed = speed_mps[i]
        bound = speed if (speed > max_speed_mps or np.isnan(speed)) else max_speed_mps
        ok[k] = np.sqrt(moved2) <= bound * np.abs(t_s[k] - start_t_s[i]) + slack
    return ok


def log_likelihood(d2: np.ndarray, s: np.ndarray) -> np.ndarray:
    """Log of the Gaussian density ``(...)`` of residuals at squared Mahalanobis distances
    ``d2`` ``(...)`` with covariances ``s`` ``(..., m, m)`` (in 1/m^m)."""
    m = s.shape[-1]
    if m == 3:
        det = (
            s[..., 0, 0] * (s[..., 1, 1] * s[..., 2, 2] - s[..., 1, 2] * s[..., 2, 1])
            - s[..., 0, 1] * (s[..., 1, 0] * s[..., 2, 2] - s[..., 1, 2] * s[..., 2, 0])
            + s[..., 0, 2] * (s[..., 1, 0] * s[..., 2, 1] - s[..., 1, 1] * s[..., 2, 0])
        )
        logdet = np.log(np.maximum(det, 1e-300))
    else:
        logdet = np.linalg.slogdet(s)[1]
    return -0.5 * (d2 + logdet + m * np.log(2.0 * np.pi))
