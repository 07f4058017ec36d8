"""The pair gate's elementwise algebra against plain matrix algebra."""

from __future__ import annotations

import numpy as np

from flankwatch.track.pair_gate import UPPER, extrapolate, mahalanobis2, straight_line_terms


def _covariances(rng: np.random.Generator, n: int, size: int) -> np.ndarray:
    root = rng.normal(size=(n, size, size)) * rng.uniform(1.0, 300.0, (n, 1, size))
    return root @ np.swapaxes(root, 1, 2) + np.eye(size)


def test_straight_line_covariance_is_f_p_f_transpose_plus_noise() -> None:
    rng = np.random.default_rng(3)
    n = 200
    state = rng.normal(size=(n, 6)) * 100.0
    cov = _covariances(rng, n, 6)
    dt = rng.uniform(-4.0, 4.0, n)
    noise = np.array([2.0, 3.0, 0.5])
    position, upper = extrapolate(state, straight_line_terms(cov), dt, noise)
    f = np.zeros((n, 3, 6))
    f[:, :, :3] = np.eye(3)
    f[:, :, 3:] = np.eye(3) * dt[:, None, None]
    expected = f @ cov @ np.swapaxes(f, 1, 2)
    expected += np.abs(dt)[:, None, None] ** 3 / 3.0 * np.diag(noise)
    np.testing.assert_allclose(position, np.einsum("pij,pj->pi", f, state))
    np.testing.assert_allclose(upper, expected[:, UPPER[0], UPPER[1]], rtol=1e-10)


def test_mahalanobis_distance_matches_the_inverse() -> None:
    rng = np.random.default_rng(4)
    s = _covariances(rng, 500, 3)
    residual = rng.normal(size=(500, 3)) * 50.0
    expected = np.einsum("pi,pij,pj->p", residual, np.linalg.inv(s), residual)
    np.testing.assert_allclose(
        mahalanobis2(residual, s[:, UPPER[0], UPPER[1]]), expected, rtol=1e-8
    )
