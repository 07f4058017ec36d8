"""The pair gate's compiled arithmetic against plain matrix algebra."""

from __future__ import annotations

import numpy as np

from flankwatch.track.pair_gate import UPPER, pair_distances, within_reach


def _covariances(rng: np.random.Generator, n: int, size: int) -> np.ndarray:
    root = rng.normal(size=(n, size, size)) * rng.uniform(1.0, 300.0, (n, 1, size))
    return root @ np.swapaxes(root, 1, 2) + np.eye(size)


def test_pair_distances_move_each_track_in_a_straight_line_to_its_plots_time() -> None:
    rng = np.random.default_rng(3)
    n_tracks, n_pairs = 40, 300
    state = rng.normal(size=(n_tracks, 6)) * 100.0
    cov = _covariances(rng, n_tracks, 6)
    track = rng.integers(0, n_tracks, n_pairs)
    dt = rng.uniform(-4.0, 4.0, n_pairs)
    dt[:5] = 0.0
    noise = np.array([2.0, 3.0, 0.5])
    n_plots = 120  # each plot in a few pairs, taken by its index
    plot_index = rng.integers(0, n_plots, n_pairs)
    plot_cov = _covariances(rng, n_plots, 3)
    plots = rng.normal(size=(n_plots, 3)) * 300.0

    residual, d2 = pair_distances(
        state, cov, track, dt, noise, plots, plot_cov[:, UPPER[0], UPPER[1]], plot_index
    )
    plot, plot_cov = plots[plot_index], plot_cov[plot_index]

    f = np.zeros((n_pairs, 3, 6))
    f[:, :, :3] = np.eye(3)
    f[:, :, 3:] = np.eye(3) * dt[:, None, None]
    moved = f @ cov[track] @ np.swapaxes(f, 1, 2)
    moved += np.abs(dt)[:, None, None] ** 3 / 3.0 * np.diag(noise)
    expected_residual = plot - np.einsum("pij,pj->pi", f, state[track])
    expected_d2 = np.einsum(
        "pi,pij,pj->p", expected_residual, np.linalg.inv(moved + plot_cov), expected_residual
    )
    np.testing.assert_allclose(residual, expected_residual, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(d2, expected_d2, rtol=1e-8)


def test_a_plot_far_outside_the_covariance_is_far_in_the_gate() -> None:
    state = np.array([[0.0, 0.0, 0.0, 100.0, 0.0, 0.0]])
    cov = np.eye(6)[None] * 25.0
    plot_cov = np.array([[100.0, 0.0, 0.0, 100.0, 0.0, 100.0]] * 2)
    plot = np.array([[200.0, 0.0, 0.0], [200.0, 400.0, 0.0]])
    residual, d2 = pair_distances(
        state,
        cov,
        np.array([0, 0]),
        np.array([2.0, 2.0]),
        np.zeros(3),
        plot,
        plot_cov,
        np.array([0, 1]),
    )
    np.testing.assert_allclose(residual, [[0.0, 0.0, 0.0], [0.0, 400.0, 0.0]], atol=1e-12)
    # position variance 25 + 4 * 25 along each axis, plus the plot's 100
    np.testing.assert_allclose(d2, [0.0, 400.0**2 / 225.0])


def test_within_reach_holds_each_plot_to_the_faster_speed_with_slack() -> None:
    rng = np.random.default_rng(6)
    n_tracks, n_pairs = 30, 400
    start = rng.normal(size=(n_tracks, 6)) * 1_000.0
    sigma = rng.uniform(5.0, 200.0, n_tracks)
    speed = rng.uniform(0.0, 400.0, n_tracks)
    speed[0] = np.nan  # a speed not known: nothing is within reach
    start_t = rng.uniform(0.0, 10.0, n_tracks)
    track = rng.integers(0, n_tracks, n_pairs)
    track[:3] = 0
    t = rng.uniform(0.0, 20.0, n_pairs)
    plot_cov = _covariances(rng, n_pairs, 3)[:, UPPER[0], UPPER[1]]
    plot = start[track, :3] + rng.normal(size=(n_pairs, 3)) * rng.uniform(10, 5_000, (n_pairs, 1))
    # the plots given in another order, each pair taking its own by index
    order = rng.permutation(n_pairs)
    at = np.argsort(order)

    ok = within_reach(
        plot[order], plot_cov[order], at, start, sigma, speed, start_t, track, t, 250.0, 3.0
    )

    moved = np.linalg.norm(plot - start[track, :3], axis=1)
    plot_sigma = np.sqrt(plot_cov[:, 0] + plot_cov[:, 3] + plot_cov[:, 5])
    bound = np.maximum(250.0, speed[track]) * np.abs(t - start_t[track])
    expected = moved <= bound + 3.0 * (sigma[track] + plot_sigma)
    np.testing.assert_array_equal(ok, expected)
    assert not ok[:3].any()
    assert 0.1 < ok.mean() < 0.9
