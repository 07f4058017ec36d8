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

from flankwatch.track.linalg import inverse_small


def extrapolate(
    state: np.ndarray, cov: np.ndarray, dt_s: np.ndarray, noise_m2ps3: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Positions ``(p, 3)`` (m) and their covariances ``(p, 3, 3)`` (m^2) of states ``(p, 6)``
    with covariances ``(p, 6, 6)`` moved in a straight line over ``dt_s`` ``(p,)`` (s), with
    white-acceleration noise of densities ``noise_m2ps3`` (3,) per axis, m^2/s^3."""
    dt = np.asarray(dt_s, float)
    if not dt.any():
        return state[:, :3], cov[:, :3, :3]
    d = dt[:, None, None]
    cross = cov[:, :3, 3:]
    position_cov = cov[:, :3, :3] + d * (cross + np.swapaxes(cross, 1, 2)) + d * d * cov[:, 3:, 3:]
    a3 = np.abs(dt) ** 3 / 3.0
    diag = np.arange(3)
    position_cov[:, diag, diag] += a3[:, None] * noise_m2ps3
    return state[:, :3] + dt[:, None] * state[:, 3:], position_cov


def mahalanobis2(residual: np.ndarray, s: np.ndarray) -> np.ndarray:
    """Squared Mahalanobis distances ``(p,)`` of residuals ``(p, 3)`` with covariances
    ``(p, 3, 3)``."""
    s_inv = inverse_small(s)
    return np.einsum("pi,pij,pj->p", residual, s_inv, residual)


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
