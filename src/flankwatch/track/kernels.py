"""Compiled kernels (Numba) for the tracker's per-track small-matrix arithmetic.

The tracker works on whole arrays of tracks, but a step's update rounds predict only a
few tracks at a time (about three on the Polish night), where NumPy spends its time
in the overhead of each of the thirty-odd array operations of an IMM prediction rather
than in the arithmetic. These kernels do that arithmetic in one compiled loop over the
tracks. They are compiled on first use and cached beside this module (or, where that
folder cannot be written, in Numba's user cache), so only the first run on a machine pays
the compilation (some seconds); each process then loads them at their first call.

The Kalman update is in :mod:`~flankwatch.track.update_kernels`. States are 6-vectors
``(x, y, z, vx, vy, vz)`` in m and m/s; covariances 6 x 6.
"""

from __future__ import annotations

import math

import numpy as np

from flankwatch.compiled import kernel


@kernel(cache=True)
def imm_predict(
    prob: np.ndarray,
    mean: np.ndarray,
    cov: np.ndarray,
    rows: np.ndarray,
    dt_s: np.ndarray,
    switch_rate_per_s: float,
    turn_rate_rps: np.ndarray,
    noise: np.ndarray,
    single: np.ndarray,
    keep_cross: bool = True,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """An IMM prediction of the ``p`` tracks at ``rows`` (read in place, not gathered) of
    ``M`` constant-velocity and coordinated-turn modes: the modes mixed over each track's
    step, then each moved by its own model.
    A track whose step is 0 keeps its modes and their probabilities as they are; one
    where ``single`` ``(p,)`` holds (a tentative track, whose modes are equal) is moved
    by the first mode's model alone, every mode set to the result and the probabilities
    kept.

    ``prob`` ``(n, M)``, ``mean`` ``(n, M, 6)`` and ``cov`` ``(n, M, 6, 6)`` are the
    modes of all ``n`` tracks at their own times, ``rows`` ``(p,)`` the tracks predicted,
    ``dt_s`` ``(p,)`` their steps (s). Each mode jumps
    to each other one at ``switch_rate_per_s``: over a step ``dt`` a mode is kept with
    probability ``1/M + (M-1)/M exp(-M rate max(dt, 0))``. Mode ``j`` turns at
    ``turn_rate_rps[j]`` (rad/s, 0 for constant velocity) in the horizontal plane and
    has white-acceleration process noise: along each axis ``k`` (x, y, z), ``|dt|^3
    noise[0, j, k]`` on the position's variance, ``dt^2 noise[1, j, k]`` on its covariance
    with the velocity and ``|dt| noise[2, j, k]`` on the velocity's variance (``noise``
    ``(3, M, 3)``; for a density ``q``: ``q/3``, ``q/2`` and ``q``), nothing elsewhere.

    Returns the predicted mode probabilities ``(p, M)``, the predicted means
    ``(p, M, 6)`` and covariances ``(p, M, 6, 6)``, and ``P F'`` (the mixed covariance
    times the transposed transition, ``(p, M, 6, 6)``, for a late plot's update); without
    ``keep_cross`` (no plot is late) the last is left out: one row of scratch, not the
    tracks' (a third less memory to write).
    """
    p, m = len(rows), prob.shape[1]
    out_prob = np.empty((p, m))
    at_mean = np.empty((p, m, 6))
    at_cov = np.empty((p, m, 6, 6))
    cross = np.empty((p if keep_cross else 1, m, 6, 6))
    weight = np.empty(m)
    mixed_mean = np.empty(6)
    mixed_cov = np.empty((6, 6))
    spreads = np.empty((m, 6))  # each mode's mean less the mixed mean
    f = np.zeros((m, 6, 6))  # each mode's transition over the step ``last_dt``
    last_dt = np.nan
    decay = 1.0
    for i in range(p):
        o = i if keep_cross else 0  # the row of cross written (0: scratch)
        q = rows[i]  # the track's row in prob, mean and cov
        dt = dt_s[i]
        if dt == 0.0:
            for j in range(m):
                out_prob[i, j] = prob[q, j]
                _copy_mode(mean[q, j], cov[q, j], at_mean[i, j], at_cov[i, j])
            if keep_cross:
                cross[i] = cov[q]
            continue
        if dt != last_dt:  # tracks in a row often share their step (NaN never equals)
            last_dt = dt
            decay = math.exp(-m * switch_rate_per_s * max(dt, 0.0))
            for j in range(m):
                _transition(f[j], turn_rate_rps[j], dt)
        leave = (1.0 - decay) / m
        stay = 1.0 / m + (m - 1) / m * decay
        a = abs(dt)
        if single[i]:
            out_prob[i] = prob[q]
            _move(
                mean[q, 0],
                cov[q, 0],
                f[0],
                a,
                noise,
                0,
                at_mean[i, 0],
                at_cov[i, 0],
                cross[o, 0],
            )
            for j in range(1, m):
                _copy_mode(at_mean[i, 0], at_cov[i, 0], at_mean[i, j], at_cov[i, j])
                if keep_cross:
                    cross[i, j] = cross[i, 0]
            continue
        for j in range(m):
            total = 0.0
            for k in range(m):
                weight[k] = (stay if k == j else leave) * prob[q, k]
                total += weight[k]
            total = max(total, 1e-300)
            out_prob[i, j] = total
            for k in range(m):
                weight[k] /= total
            for r in range(6):
                s = 0.0
                for k in range(m):
                    s += weight[k] * mean[q, k, r]
                mixed_mean[r] = s
            for k in range(m):
                for r in range(6):
                    spreads[k, r] = mean[q, k, r] - mixed_mean[r]
            if m == 3:  # the tracker's IMM: each entry's sum written out, kept in a register
                w0, w1, w2 = weight[0], weight[1], weight[2]
                p0, p1, p2 = cov[q, 0], cov[q, 1], cov[q, 2]
                s0, s1, s2 = spreads[0], spreads[1], spreads[2]
                for r in range(6):  # symmetric: the upper triangle, mirrored
                    for c in range(r, 6):
                        entry = (
                            0.0
                            + w0 * (p0[r, c] + s0[r] * s0[c])
                            + w1 * (p1[r, c] + s1[r] * s1[c])
                            + w2 * (p2[r, c] + s2[r] * s2[c])
                        )
                        mixed_cov[r, c] = entry
                        mixed_cov[c, r] = entry
            else:
                mixed_cov[:, :] = 0.0
                for k in range(m):
                    w = weight[k]
                    for r in range(6):
                        for c in range(6):
                            mixed_cov[r, c] += w * (cov[q, k, r, c] + spreads[k, r] * spreads[k, c])
            _move(
                mixed_mean,
                mixed_cov,
                f[j],
                a,
                noise,
                j,
                at_mean[i, j],
                at_cov[i, j],
                cross[o, j],
            )
    return out_prob, at_mean, at_cov, cross


@kernel(cache=True, inline="always")
def _move(
    mean: np.ndarray,
    cov: np.ndarray,
    f: np.ndarray,
    a: float,
    noise: np.ndarray,
    mode: int,
    out_mean: np.ndarray,
    out_cov: np.ndarray,
    out_cross: np.ndarray,
) -> None:
    """Move one state ``mean``, ``cov`` by the transition ``f`` (:func:`_transition`) over a
    step of length ``a`` (s) with the process noise of ``noise[:, mode]`` (as in
    :func:`imm_predict`): ``F x`` into ``out_mean``, ``F P F' + Q`` into ``out_cov`` and
    ``P F'`` into ``out_cross``.

    Each product with ``F`` sums, from 0 and in the order of the columns, only the entries
    of ``F``'s row that may be non-zero, and ``Q`` is added only where it may be non-zero
    (the others would add zeros, which leave a sum as it is: one that starts from 0 is
    never -0); the sums are written out, so that the compiler keeps them in registers."""
    f00, f03, f04 = f[0, 0], f[0, 3], f[0, 4]
    f11, f13, f14 = f[1, 1], f[1, 3], f[1, 4]
    f22, f25 = f[2, 2], f[2, 5]
    f33, f34 = f[3, 3], f[3, 4]
    f43, f44 = f[4, 3], f[4, 4]
    f55 = f[5, 5]
    x = mean
    out_mean[0] = 0.0 + f00 * x[0] + f03 * x[3] + f04 * x[4]
    out_mean[1] = 0.0 + f11 * x[1] + f13 * x[3] + f14 * x[4]
    out_mean[2] = 0.0 + f22 * x[2] + f25 * x[5]
    out_mean[3] = 0.0 + f33 * x[3] + f34 * x[4]
    out_mean[4] = 0.0 + f43 * x[3] + f44 * x[4]
    out_mean[5] = 0.0 + f55 * x[5]
    for r in range(6):  # P F': row r of P against each row of F
        p = cov[r]
        out_cross[r, 0] = 0.0 + f00 * p[0] + f03 * p[3] + f04 * p[4]
        out_cross[r, 1] = 0.0 + f11 * p[1] + f13 * p[3] + f14 * p[4]
        out_cross[r, 2] = 0.0 + f22 * p[2] + f25 * p[5]
        out_cross[r, 3] = 0.0 + f33 * p[3] + f34 * p[4]
        out_cross[r, 4] = 0.0 + f43 * p[3] + f44 * p[4]
        out_cross[r, 5] = 0.0 + f55 * p[5]
    pf = out_cross
    for c in range(6):  # F (P F'), column by column
        out_cov[0, c] = 0.0 + f00 * pf[0, c] + f03 * pf[3, c] + f04 * pf[4, c]
        out_cov[1, c] = 0.0 + f11 * pf[1, c] + f13 * pf[3, c] + f14 * pf[4, c]
        out_cov[2, c] = 0.0 + f22 * pf[2, c] + f25 * pf[5, c]
        out_cov[3, c] = 0.0 + f33 * pf[3, c] + f34 * pf[4, c]
        out_cov[4, c] = 0.0 + f43 * pf[3, c] + f44 * pf[4, c]
        out_cov[5, c] = 0.0 + f55 * pf[5, c]
    a2 = a * a
    a3 = a2 * a
    for k in range(3):  # + Q: each axis's position and velocity
        v = k + 3
        out_cov[k, k] += a3 * noise[0, mode, k]
        out_cov[k, v] += a2 * noise[1, mode, k]
        out_cov[v, k] += a2 * noise[1, mode, k]
        out_cov[v, v] += a * noise[2, mode, k]


@kernel(cache=True, inline="always")
def _copy_mode(
    mean: np.ndarray, cov: np.ndarray, out_mean: np.ndarray, out_cov: np.ndarray
) -> None:
    """Copy one mode's ``mean`` (6) and ``cov`` (6 x 6) into ``out_mean`` and ``out_cov``."""
    for r in range(6):
        out_mean[r] = mean[r]
        for c in range(6):
            out_cov[r, c] = cov[r, c]


@kernel(cache=True)
def _transition(f: np.ndarray, turn_rate_rps: float, dt: float) -> None:
    """Write into ``f`` (6 x 6) the transition over ``dt`` (s) of a coordinated turn at
    ``turn_rate_rps`` (rad/s) in the horizontal plane, or of constant velocity when it is
    0; the vertical axis moves at constant velocity."""
    f[:, :] = 0.0
    for r in range(6):
        f[r, r] = 1.0
    if turn_rate_rps == 0.0:
        along, across, cos, sin = dt, 0.0, 1.0, 0.0
    else:
        angle = turn_rate_rps * dt
        sin, cos = math.sin(angle), math.cos(angle)
        along = sin / turn_rate_rps
        across = (1.0 - cos) / turn_rate_rps
    f[0, 3] = f[1, 4] = along
    f[1, 3] = across
    f[0, 4] = -across
    f[3, 3] = f[4, 4] = cos
    f[4, 3] = sin
    f[3, 4] = -sin
    f[2, 5] = dt


@kernel(cache=True)
def mixture_moments(
    prob: np.ndarray, mean: np.ndarray, cov: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The mean ``(p, n)`` and covariance ``(p, n, n)`` of each of ``p`` Gaussian mixtures
    of modes weighted ``prob`` ``(p, M)``, with means ``(p, M, n)`` and covariances
    ``(p, M, n, n)``: ``sum w x`` and ``sum w (P + (x - mean)(x - mean)')``."""
    p, n_modes, n = mean.shape
    out_mean = np.zeros((p, n))
    out_cov = np.zeros((p, n, n))
    spread = np.empty(n)
    spreads = np.empty((3, n))  # with three modes, each mode's mean less the mixture's
    for i in range(p):
        if n_modes == 3:  # the tracker's IMM: each entry's sum written out, in a register
            w0, w1, w2 = prob[i, 0], prob[i, 1], prob[i, 2]
            x0, x1, x2 = mean[i, 0], mean[i, 1], mean[i, 2]
            for r in range(n):
                centre = 0.0 + w0 * x0[r] + w1 * x1[r] + w2 * x2[r]
                out_mean[i, r] = centre
                spreads[0, r] = x0[r] - centre
                spreads[1, r] = x1[r] - centre
                spreads[2, r] = x2[r] - centre
            p0, p1, p2 = cov[i, 0], cov[i, 1], cov[i, 2]
            s0, s1, s2 = spreads[0], spreads[1], spreads[2]
            for r in range(n):
                for c in range(n):
                    out_cov[i, r, c] = (
                        0.0
                        + w0 * (p0[r, c] + s0[r] * s0[c])
                        + w1 * (p1[r, c] + s1[r] * s1[c])
                        + w2 * (p2[r, c] + s2[r] * s2[c])
                    )
            continue
        for j in range(n_modes):
            for r in range(n):
                out_mean[i, r] += prob[i, j] * mean[i, j, r]
        for j in range(n_modes):
            w = prob[i, j]
            for r in range(n):
                spread[r] = mean[i, j, r] - out_mean[i, r]
            for r in range(n):
                for c in range(n):
                    out_cov[i, r, c] += w * (cov[i, j, r, c] + spread[r] * spread[c])
    return out_mean, out_cov


@kernel(cache=True)
def track_summaries(
    prob: np.ndarray,
    mean: np.ndarray,
    cov: np.ndarray,
    rows: np.ndarray,
    ref_state: np.ndarray,
    pos_sigma_m: np.ndarray,
    vel_sigma_mps: np.ndarray,
    speed_mps: np.ndarray,
) -> None:
    """Write, at each of ``rows`` of the tracks' modes ``prob`` ``(n, M)``, ``mean``
    ``(n, M, 6)`` and ``cov`` ``(n, M, 6, 6)``: their combined state into ``ref_state``
    ``(n, 6)`` (as :func:`mixture_moments`), the roots of its position and velocity
    covariance traces into ``pos_sigma_m`` and ``vel_sigma_mps`` (0 where rounding left a
    trace below 0; NaN stays NaN), and the largest speed of its modes into ``speed_mps``
    (m/s; NaN if any is). Only the diagonal of the combined covariance is formed, each
    entry summed as :func:`mixture_moments` sums it."""
    n_modes = mean.shape[1]
    state = np.empty((1, 6))
    diagonal = np.empty(6)
    for k in range(len(rows)):
        row = rows[k]
        if n_modes == 1:  # as combine: the one mode as it is
            state[0] = mean[row, 0]
            for r in range(6):
                diagonal[r] = cov[row, 0, r, r]
        elif n_modes == 3:  # the tracker's IMM: each sum written out, as mixture_moments
            w0, w1, w2 = prob[row, 0], prob[row, 1], prob[row, 2]
            x0, x1, x2 = mean[row, 0], mean[row, 1], mean[row, 2]
            p0, p1, p2 = cov[row, 0], cov[row, 1], cov[row, 2]
            for r in range(6):
                centre = 0.0 + w0 * x0[r] + w1 * x1[r] + w2 * x2[r]
                state[0, r] = centre
                s0, s1, s2 = x0[r] - centre, x1[r] - centre, x2[r] - centre
                diagonal[r] = (
                    0.0
                    + w0 * (p0[r, r] + s0 * s0)
                    + w1 * (p1[r, r] + s1 * s1)
                    + w2 * (p2[r, r] + s2 * s2)
                )
        else:
            state[:] = 0.0
            diagonal[:] = 0.0
            for j in range(n_modes):
                for r in range(6):
                    state[0, r] += prob[row, j] * mean[row, j, r]
            for j in range(n_modes):
                w = prob[row, j]
                for r in range(6):
                    spread = mean[row, j, r] - state[0, r]
                    diagonal[r] += w * (cov[row, j, r, r] + spread * spread)
        ref_state[row] = state[0]
        pos_sigma_m[row] = _root(diagonal[0] + diagonal[1] + diagonal[2])
        vel_sigma_mps[row] = _root(diagonal[3] + diagonal[4] + diagonal[5])
        fastest = 0.0
        for j in range(n_modes):
            vx, vy, vz = mean[row, j, 3], mean[row, j, 4], mean[row, j, 5]
            speed = np.sqrt(vx * vx + vy * vy + vz * vz)
            if j == 0 or (fastest == fastest and not speed <= fastest):
                fastest = speed  # the first, a faster one, or NaN (which stays)
        speed_mps[row] = fastest


@kernel(cache=True, inline="always")
def _root(trace: float) -> float:
    """The square root of a covariance trace, 0 where rounding left it below zero."""
    if trace > 0.0 or trace != trace:
        return np.sqrt(trace)
    return 0.0


@kernel(cache=True)
def mode_transitions(
    dt_s: np.ndarray, turn_rate_rps: np.ndarray, noise: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Each mode's transition ``F`` and process noise ``Q`` ``(p, M, 6, 6)`` over steps
    ``dt_s`` ``(p,)`` (s), mode ``j`` turning at ``turn_rate_rps[j]`` (rad/s, 0 for
    constant velocity), its noise as in :func:`imm_predict`."""
    p = len(dt_s)
    m = len(turn_rate_rps)
    f = np.empty((p, m, 6, 6))
    q = np.zeros((p, m, 6, 6))
    for i in range(p):
        dt = dt_s[i]
        a = abs(dt)
        a2 = a * a
        a3 = a2 * a
        for j in range(m):
            _transition(f[i, j], turn_rate_rps[j], dt)
            for k in range(3):
                v = k + 3
                q[i, j, k, k] = a3 * noise[0, j, k]
                q[i, j, k, v] = q[i, j, v, k] = a2 * noise[1, j, k]
                q[i, j, v, v] = a * noise[2, j, k]
    return f, q


@kernel(cache=True)
def compact_rows(column: np.ndarray, kept: np.ndarray) -> None:
    """Move rows ``kept`` (increasing) of ``column`` ``(n, k)`` to its first ``len(kept)``
    rows, in place and in order (the rows left after them keep what they held)."""
    for k in range(len(kept)):
        row = kept[k]
        if row != k:
            column[k] = column[row]


@kernel(cache=True)
def put_rows(column: np.ndarray, rows: np.ndarray, values: np.ndarray) -> None:
    """Write ``values`` ``(p, k)`` into rows ``rows`` ``(p,)`` of ``column`` ``(n, k)``, in
    place (as ``column[rows] = values``; element by element, about twice as fast for the
    tracks' covariances)."""
    width = column.shape[1]
    for i in range(len(rows)):
        row = rows[i]
        for e in range(width):
            column[row, e] = values[i, e]
