"""Compiled kernels (Numba) for the tracker's position updates: every mode's innovation of
a position plot, and the stacked update that filters a track's plots of one batch one by
one (:mod:`~flankwatch.track.stacked`), with the 3 x 3 determinant and inverse they use.

They are compiled and cached as :mod:`~flankwatch.track.kernels` are. Positions are in m,
covariances in m^2; states are 6-vectors ``(x, y, z, vx, vy, vz)``.
"""

from __future__ import annotations

import math

import numpy as np

from flankwatch.compiled import kernel


@kernel(cache=True, error_model="numpy")
def position_innovation(
    at_mean: np.ndarray,
    at_cov: np.ndarray,
    index: np.ndarray,
    position: tuple[np.ndarray, np.ndarray, np.ndarray],
    noise: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Position plots against every mode of their predictions: the residuals ``(p, M, 3)``
    (m), their covariances ``S = P_pos + R`` ``(p, M, 3, 3)`` (m^2) and the inverses of
    ``S`` (by cofactors; infinite where ``S`` is singular).

    ``at_mean`` ``(p, M, 6)`` and ``at_cov`` ``(p, M, 6, 6)`` are the predictions at the
    plots' times; prediction ``i`` is of the plot at ``index[i]`` of the plot columns
    ``position`` (x, y, z, m) and ``noise`` (the covariance ``R``: xx, xy, xz, yy, yz,
    zz, m^2).
    """
    p, m = at_mean.shape[:2]
    x, y, z = position
    xx, xy, xz, yy, yz, zz = noise
    residual = np.empty((p, m, 3))
    s = np.empty((p, m, 3, 3))
    s_inv = np.empty((p, m, 3, 3))
    plot_noise = np.empty((3, 3))
    for i in range(p):
        n = index[i]
        plot_noise[0, 0], plot_noise[1, 1], plot_noise[2, 2] = xx[n], yy[n], zz[n]
        plot_noise[0, 1] = plot_noise[1, 0] = xy[n]
        plot_noise[0, 2] = plot_noise[2, 0] = xz[n]
        plot_noise[1, 2] = plot_noise[2, 1] = yz[n]
        for j in range(m):
            residual[i, j, 0] = x[n] - at_mean[i, j, 0]
            residual[i, j, 1] = y[n] - at_mean[i, j, 1]
            residual[i, j, 2] = z[n] - at_mean[i, j, 2]
            for r in range(3):
                for c in range(3):
                    s[i, j, r, c] = at_cov[i, j, r, c] + plot_noise[r, c]
            inverse_3x3(s[i, j], s_inv[i, j])
    return residual, s, s_inv


@kernel(cache=True, error_model="numpy", inline="always")
def inverse_3x3(a: np.ndarray, out: np.ndarray) -> None:
    """Write the inverse of the 3 x 3 matrix ``a`` into ``out``, by cofactors."""
    for i in range(3):
        i1, i2 = (i + 1) % 3, (i + 2) % 3
        for j in range(3):
            j1, j2 = (j + 1) % 3, (j + 2) % 3
            out[j, i] = a[i1, j1] * a[i2, j2] - a[i1, j2] * a[i2, j1]
    det = a[0, 0] * out[0, 0] + a[0, 1] * out[1, 0] + a[0, 2] * out[2, 0]
    for i in range(3):
        for j in range(3):
            out[i, j] /= det


@kernel(cache=True, error_model="numpy")
def sequential_position_update(
    prob: np.ndarray,
    mean: np.ndarray,
    cov: np.ndarray,
    z_m: np.ndarray,
    r_m2: np.ndarray,
    valid: np.ndarray,
    f: np.ndarray,
    q: np.ndarray,
) -> tuple[
    np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, bool
]:  # fmt: skip
    """Each mode of ``n`` tracks filtered through its position plots one by one, the modes
    mixed once before the first (see :func:`~flankwatch.track.stacked.stacked_update`).

    ``prob`` ``(n, M)``, ``mean`` ``(n, M, 6)`` and ``cov`` ``(n, M, 6, 6)`` are the
    modes at each track's first plot; ``z_m`` ``(n, w, 3)`` the plots (m) and ``r_m2``
    ``(n, w, 3, 3)`` their covariances, where ``valid`` ``(n, w)`` (the real plots come
    first, in time order); ``f`` and ``q`` ``(n, w, M, 6, 6)`` each mode's transition and
    process noise from the plot before to each plot.

    Returns the mode probabilities after all plots (each weighted by the likelihood of
    all its plots), the modes' means and covariances at the last plot, each plot's
    residual ``(n, M, w, 3)`` (m) and its covariance ``(n, M, w, 3, 3)`` given the
    plots before it (0 and the unit matrix for an empty slot), the log of its density
    less ``1.5 log 2 pi`` ``(n, M, w)`` (0 for an empty slot), and whether every
    residual covariance was positive definite (if not, the results are not to be used).
    """
    n, m = prob.shape
    w = valid.shape[1]
    out_prob = np.empty((n, m))
    out_mean = np.empty((n, m, 6))
    out_cov = np.empty((n, m, 6, 6))
    residual = np.zeros((n, m, w, 3))
    residual_cov = np.zeros((n, m, w, 3, 3))
    log_likelihood = np.zeros((n, m, w))
    x = np.empty(6)
    p = np.empty((6, 6))
    moved = np.empty(6)
    fp = np.empty((6, 6))
    s = np.empty((3, 3))
    s_inv = np.empty((3, 3))
    gain = np.empty((6, 3))
    r = np.empty(3)
    log_weight = np.empty(m)
    ok = True
    for i in range(n):
        for j in range(m):
            x[:] = mean[i, j]
            p[:, :] = cov[i, j]
            total_log = 0.0
            for b in range(w):
                if not valid[i, b]:
                    for a in range(3):
                        residual_cov[i, j, b, a, a] = 1.0
                    continue
                if b > 0:
                    step_f = f[i, b, j]
                    for a in range(6):
                        total = 0.0
                        for k in range(6):
                            total += step_f[a, k] * x[k]
                        moved[a] = total
                    x[:] = moved
                    for a in range(6):
                        for c in range(6):
                            total = 0.0
                            for k in range(6):
                                total += step_f[a, k] * p[k, c]
                            fp[a, c] = total
                    for a in range(6):
                        for c in range(6):
                            total = q[i, b, j, a, c]
                            for k in range(6):
                                total += fp[a, k] * step_f[c, k]
                            p[a, c] = total
                for a in range(3):
                    r[a] = z_m[i, b, a] - x[a]
                    residual[i, j, b, a] = r[a]
                    for c in range(3):
                        s[a, c] = p[a, c] + r_m2[i, b, a, c]
                        residual_cov[i, j, b, a, c] = s[a, c]
                minor = s[0, 0] * s[1, 1] - s[0, 1] * s[1, 0]
                inverse_3x3(s, s_inv)
                det = det_3x3(s)
                if not (s[0, 0] > 0.0 and minor > 0.0 and det > 0.0 and np.isfinite(det)):
                    ok = False
                d2 = 0.0
                for a in range(3):
                    for c in range(3):
                        d2 += r[a] * s_inv[a, c] * r[c]
                entry = -0.5 * d2 - 0.5 * log(det)
                log_likelihood[i, j, b] = entry
                total_log += entry
                for a in range(6):
                    for c in range(3):
                        total = 0.0
                        for k in range(3):
                            total += p[a, k] * s_inv[k, c]
                        gain[a, c] = total
                for a in range(6):
                    total = x[a]
                    for c in range(3):
                        total += gain[a, c] * r[c]
                    moved[a] = total
                x[:] = moved
                for a in range(6):
                    for c in range(6):
                        total = 0.0
                        for k in range(3):
                            total += gain[a, k] * p[k, c]
                        fp[a, c] = p[a, c] - total
                for a in range(6):
                    for c in range(6):
                        p[a, c] = 0.5 * (fp[a, c] + fp[c, a])
            out_mean[i, j] = x
            out_cov[i, j] = p
            log_weight[j] = math.log(max(prob[i, j], 1e-300)) + total_log
        mode_probabilities(log_weight, out_prob[i])
    return out_prob, out_mean, out_cov, residual, residual_cov, log_likelihood, ok


@kernel(cache=True)
def log(x: float) -> float:
    """The natural log of ``x`` as NumPy gives it (-inf at 0, NaN below 0 or at NaN), taken
    by the C library's ``log`` both compiled and run as Python: NumPy's own vectorised
    ``log`` may differ from it in the last bit (on CPUs with AVX-512)."""
    if x > 0.0:
        return math.log(x)
    return -math.inf if x == 0.0 else math.nan


@kernel(cache=True, inline="always")
def det_3x3(s: np.ndarray) -> float:
    """The determinant of the 3 x 3 matrix ``s``, by cofactors of its first row."""
    return float(
        s[0, 0] * (s[1, 1] * s[2, 2] - s[1, 2] * s[2, 1])
        - s[0, 1] * (s[1, 0] * s[2, 2] - s[1, 2] * s[2, 0])
        + s[0, 2] * (s[1, 0] * s[2, 1] - s[1, 1] * s[2, 0])
    )


@kernel(cache=True)
def mode_probabilities(log_weight: np.ndarray, out: np.ndarray) -> None:
    """Write into ``out`` the probabilities of modes of log-weights ``log_weight`` (made
    relative to the largest first, so none underflows; ``log_weight`` is used as scratch)."""
    top = log_weight.max()
    total = 0.0
    for j in range(len(log_weight)):
        log_weight[j] = math.exp(log_weight[j] - top)
        total += log_weight[j]
    for j in range(len(log_weight)):
        out[j] = log_weight[j] / total
