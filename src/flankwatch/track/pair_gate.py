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

UPPER = (np.array([0, 0, 0, 1, 1, 2]), np.array([0, 1, 2, 1, 2, 2]))
"""Row and column of the six distinct elements of a symmetric 3x3 matrix, in the order
xx, xy, xz, yy, yz, zz: a covariance's "upper" form ``(..., 6)``."""
DIAGONAL = np.array([0, 3, 5])
"""Where xx, yy and zz sit in the upper form."""


def straight_line_terms(cov: np.ndarray) -> np.ndarray:
    """For state covariances ``(n, 6, 6)`` (position then velocity), the three parts of a
    straight-line position covariance ``P(dt) = A + dt B + dt^2 C`` in upper form, side by
    side ``(n, 18)``: ``A`` the position block, ``B`` the position-velocity block plus its
    transpose, ``C`` the velocity block (m^2, m^2/s, m^2/s^2)."""
    cross = cov[:, :3, 3:]
    rows, cols = UPPER
    return np.hstack(
        (
            cov[:, rows, cols],
            cross[:, rows, cols] + cross[:, cols, rows],
            cov[:, rows + 3, cols + 3],
        )
    )


def extrapolate(
    state: np.ndarray, terms: np.ndarray, dt_s: np.ndarray, noise_m2ps3: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Positions ``(p, 3)`` (m) and their covariances in upper form ``(p, 6)`` (m^2) of
    states ``(p, 6)``, with the :func:`straight_line_terms` of their covariances ``(p,
    18)``, moved in a straight line over ``dt_s`` ``(p,)`` (s), with white-acceleration
    noise of densities ``noise_m2ps3`` (3,) per axis, m^2/s^3."""
    dt = np.asarray(dt_s, float)[:, None]
    position = state[:, :3] + dt * state[:, 3:]
    cov = terms[:, :6] + dt * (terms[:, 6:12] + dt * terms[:, 12:])
    cov[:, DIAGONAL] += np.abs(dt) ** 3 / 3.0 * noise_m2ps3
    return position, cov


def mahalanobis2(residual: np.ndarray, s: np.ndarray) -> np.ndarray:
    """Squared Mahalanobis distances ``(p,)`` of residuals ``(p, 3)`` with covariances in
    upper form ``(p, 6)``: by the adjugate, elementwise over the pairs."""
    a, b, c, d, e, f = s.T
    x, y, z = residual.T
    adj_xx = d * f - e * e
    adj_xy = c * e - b * f
    adj_xz = b * e - c * d
    det = a * adj_xx + b * adj_xy + c * adj_xz
    quadratic = (
        x * (x * adj_xx + 2.0 * (y * adj_xy + z * adj_xz))
        + y * (y * (a * f - c * c) + 2.0 * z * (b * c - a * e))
        + z * z * (a * d - b * b)
    )
    return quadratic / det


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
