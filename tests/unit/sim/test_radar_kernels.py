"""The radars' compiled per-plot rotations against the matrix products they stand for."""

from __future__ import annotations

import numpy as np
from scipy.spatial.transform import Rotation

from flankwatch.sim.sensors.radar_kernels import plots_in_frame, turn_rows


def _rotations(k: int, seed: int) -> np.ndarray:
    return Rotation.random(k, random_state=seed).as_matrix()


def test_turning_rows_applies_each_rows_own_radar_matrix() -> None:
    rng = np.random.default_rng(1)
    turns = _rotations(4, 2)
    vectors = rng.normal(0.0, 5e4, (50, 3))
    radar = rng.integers(0, 4, 50)
    turned = turn_rows(vectors, turns, radar)
    expected = np.einsum("nij,nj->ni", turns[radar], vectors)
    np.testing.assert_allclose(turned, expected, rtol=0.0, atol=1e-9)
    # each row alone, bit for bit: the rows do not depend on the others
    alone = np.array([turn_rows(vectors[i : i + 1], turns, radar[i : i + 1])[0] for i in range(50)])
    np.testing.assert_array_equal(alone, turned)


def test_plots_in_frame_match_the_first_order_conversion() -> None:
    rng = np.random.default_rng(3)
    n, k = 40, 3
    radar = rng.integers(0, k, n)
    range_m = rng.uniform(5e3, 3e5, n)
    azimuth, elevation = rng.uniform(0.0, 2 * np.pi, n), rng.uniform(0.0, 0.3, n)
    flat = np.cos(elevation)
    unit = np.stack([flat * np.sin(azimuth), flat * np.cos(azimuth), np.sin(elevation)], axis=1)
    jacobian = rng.normal(size=(n, 3, 3))
    jacobian[:, :, 0] = unit
    sensor_ecef = rng.normal(0.0, 1e4, (n, 3)) + [3.6e6, 1.6e6, 5.0e6]
    origin = np.tile([3.6e6, 1.5e6, 5.0e6], (k, 1))
    rotation = np.repeat(_rotations(1, 4), k, axis=0)
    to_frame = _rotations(k, 5)
    sigma2 = np.column_stack([rng.uniform(10, 400, k), rng.uniform(1e-6, 1e-4, (k, 2))])

    position, cov, direction, sensor_local = plots_in_frame(
        radar, range_m, unit, jacobian, sensor_ecef, origin, rotation, to_frame, sigma2
    )

    local = np.einsum("nij,nj->ni", rotation[radar], sensor_ecef - origin[radar])
    along = np.einsum("nij,nj->ni", to_frame[radar], unit)
    turned = to_frame[radar] @ jacobian
    expected_cov = turned @ (sigma2[radar][:, :, None] * np.swapaxes(turned, 1, 2))
    np.testing.assert_allclose(sensor_local, local, rtol=1e-12, atol=1e-6)
    np.testing.assert_allclose(direction, along, rtol=0.0, atol=1e-12)
    np.testing.assert_allclose(position, local + range_m[:, None] * along, rtol=1e-12, atol=1e-6)
    np.testing.assert_allclose(cov, expected_cov, rtol=1e-10, atol=1e-9)
    np.testing.assert_array_equal(cov, np.swapaxes(cov, 1, 2))  # exactly symmetric
    np.testing.assert_allclose(np.linalg.norm(direction, axis=1), 1.0, atol=1e-12)
