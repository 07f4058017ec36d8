"""Compiled kernels (Numba) for the Kalman update of every mode of a batch of predictions
by one measurement each, and the modes' weights by its likelihood.

They are compiled and cached as :mod:`~flankwatch.track.kernels` are. States are 6-vectors
``(x, y, z, vx, vy, vz)`` in m and m/s; covariances 6 x 6; a measurement has ``m``
dimensions (3 for a position, in m; 1 or 2 for bearings, in rad).
"""

from __future__ import annotations

import math

import numpy as np

from flankwatch.compiled import kernel
from flankwatch.track.position_kernels import det_3x3, log, mode_probabilities


@kernel(cache=True)
def kalman_update(
    prob: np.ndarray,
    mean: np.ndarray,
    cov: np.ndarray,
    cross: np.ndarray,
    residual: np.ndarray,
    s: np.ndarray,
    s_inv: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The Kalman correction of every mode of ``p`` predictions by one measurement each
    (of any dimension ``m``), and the modes' probabilities weighted by its likelihood.

    ``prob`` ``(p, M)``, ``mean`` ``(p, M, 6)`` and ``cov`` ``(p, M, 6, 6)`` are the
    predicted modes; ``cross`` ``(p, M, 6, m)`` the state-measurement covariances,
    ``residual`` ``(p, M, m)`` the innovations, ``s`` and ``s_inv`` ``(p, M, m, m)``
    their covariance and its inverse. The gain is ``K = cross S^-1``, the corrected
    mean ``x + K r`` and covariance ``P - K cross'`` (made symmetric); each mode's
    probability is multiplied by the Gaussian density of its innovation and the modes
    normalised (with one mode, ``prob`` is returned as it is). Position plots (``m = 3``)
    are corrected by :func:`_correct_positions`, any other dimension by
    :func:`_correct_any`: the same sums.
    """
    p, n_modes, m = residual.shape
    out_mean = np.empty((p, n_modes, 6))
    out_cov = np.empty((p, n_modes, 6, 6))
    d2 = np.empty((p, n_modes))
    if m == 3:
        _correct_positions(mean, cov, cross, residual, s_inv, out_mean, out_cov, d2)
    else:
        _correct_any(mean, cov, cross, residual, s_inv, out_mean, out_cov, d2)
    if n_modes == 1:
        return prob, out_mean, out_cov
    out_prob = np.empty((p, n_modes))
    log_weight = np.empty(n_modes)
    log_2pi = math.log(2.0 * math.pi)
    for i in range(p):
        for j in range(n_modes):
            log_weight[j] = math.log(max(prob[i, j], 1e-300)) - 0.5 * (
                d2[i, j] + _log_det(s[i, j]) + m * log_2pi
            )
        mode_probabilities(log_weight, out_prob[i])
    return out_prob, out_mean, out_cov


@kernel(cache=True)
def _correct_any(
    mean: np.ndarray,
    cov: np.ndarray,
    cross: np.ndarray,
    residual: np.ndarray,
    s_inv: np.ndarray,
    out_mean: np.ndarray,
    out_cov: np.ndarray,
    d2: np.ndarray,
) -> None:
    """The corrected modes of :func:`kalman_update` into ``out_mean`` and ``out_cov``, and
    each innovation's squared Mahalanobis distance into ``d2`` ``(p, M)``, for measurements
    of any dimension."""
    p, n_modes, m = residual.shape
    gain = np.empty((6, m))
    corrected = np.empty((6, 6))
    for i in range(p):
        for j in range(n_modes):
            for r in range(6):
                for c in range(m):
                    total = 0.0
                    for k in range(m):
                        total += cross[i, j, r, k] * s_inv[i, j, k, c]
                    gain[r, c] = total
            for r in range(6):
                total = mean[i, j, r]
                for c in range(m):
                    total += gain[r, c] * residual[i, j, c]
                out_mean[i, j, r] = total
            for r in range(6):
                for c in range(6):
                    total = 0.0
                    for k in range(m):
                        total += gain[r, k] * cross[i, j, c, k]
                    corrected[r, c] = cov[i, j, r, c] - total
            for r in range(6):
                for c in range(6):
                    out_cov[i, j, r, c] = 0.5 * (corrected[r, c] + corrected[c, r])
            total = 0.0
            for a in range(m):
                for b in range(m):
                    total += residual[i, j, a] * s_inv[i, j, a, b] * residual[i, j, b]
            d2[i, j] = total


@kernel(cache=True)
def _correct_positions(
    mean: np.ndarray,
    cov: np.ndarray,
    cross: np.ndarray,
    residual: np.ndarray,
    s_inv: np.ndarray,
    out_mean: np.ndarray,
    out_cov: np.ndarray,
    d2: np.ndarray,
) -> None:
    """:func:`_correct_any` for measurements of 3 dimensions (positions): every sum the
    same, in the same order, but written out, so that the compiler keeps them in registers
    (measured a quarter less time than the loops of unknown length)."""
    p, n_modes = residual.shape[:2]
    gain = np.empty((6, 3))
    corrected = np.empty((6, 6))
    for i in range(p):
        for j in range(n_modes):
            x, si, res = cross[i, j], s_inv[i, j], residual[i, j]
            for r in range(6):
                for c in range(3):
                    gain[r, c] = 0.0 + x[r, 0] * si[0, c] + x[r, 1] * si[1, c] + x[r, 2] * si[2, c]
            for r in range(6):
                g0, g1, g2 = gain[r, 0], gain[r, 1], gain[r, 2]
                out_mean[i, j, r] = mean[i, j, r] + g0 * res[0] + g1 * res[1] + g2 * res[2]
                for c in range(6):
                    k_cross = 0.0 + g0 * x[c, 0] + g1 * x[c, 1] + g2 * x[c, 2]
                    corrected[r, c] = cov[i, j, r, c] - k_cross
            for r in range(6):
                for c in range(6):
                    out_cov[i, j, r, c] = 0.5 * (corrected[r, c] + corrected[c, r])
            total = 0.0
            for a in range(3):
                for b in range(3):
                    total += res[a] * si[a, b] * res[b]
            d2[i, j] = total


@kernel(cache=True, inline="always")
def _log_det(s: np.ndarray) -> float:
    """The log of the determinant of a covariance ``s`` (m x m); for ``m = 3`` by cofactors,
    the determinant held above ``1e-300``."""
    m = s.shape[0]
    if m == 1:
        return log(abs(s[0, 0]))
    if m == 3:
        return math.log(max(det_3x3(s), 1e-300))
    return float(np.linalg.slogdet(np.ascontiguousarray(s))[1])
