"""Polar plots to local ENU positions and covariances."""

from __future__ import annotations

import numpy as np

from flankwatch.geo.polar import polar_to_cartesian


def test_polar_conversion_matches_monte_carlo() -> None:
    rng = np.random.default_rng(2)
    sensor = np.array([[100.0, -200.0, 30.0]])
    r, az, el = 20_000.0, np.radians(60.0), np.radians(5.0)
    sr, saz, sel = 20.0, np.radians(0.2), np.radians(0.3)
    pos, cov = polar_to_cartesian([r], [az], [el], [sr], [saz], [sel], sensor)
    expected = sensor[0] + r * np.array(
        [np.cos(el) * np.sin(az), np.cos(el) * np.cos(az), np.sin(el)]
    )
    assert np.allclose(pos[0], expected)
    n = 200_000
    samples, _ = polar_to_cartesian(
        r + rng.normal(0, sr, n),
        az + rng.normal(0, saz, n),
        el + rng.normal(0, sel, n),
        np.ones(n),
        np.ones(n),
        np.ones(n),
        np.repeat(sensor, n, axis=0),
    )
    empirical = np.cov(samples.T)
    assert np.allclose(cov[0], empirical, rtol=0.05, atol=5.0)
