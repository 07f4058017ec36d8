"""Global nearest neighbour association by clusters."""

from __future__ import annotations

import itertools

import numpy as np
from scipy.optimize import linear_sum_assignment

from flankwatch.track.associator import GNNAssociator, pair_clusters


def _assert_optimal(
    track: np.ndarray, plot: np.ndarray, cost: np.ndarray, n_tracks: int, n_plots: int
) -> None:
    """The association uses each track and plot once and costs what one assignment over
    the whole matrix costs."""
    chosen = GNNAssociator().associate(track, plot, cost)
    assert len(set(track[chosen])) == len(chosen) == len(set(plot[chosen]))
    full = np.zeros((n_tracks, n_plots))
    full[track, plot] = cost
    rows, cols = linear_sum_assignment(full)
    assert np.isclose(cost[chosen].sum(), full[rows, cols].sum())


def test_global_choice_beats_greedy() -> None:
    # Track 0 is closest to plot 0, but giving plot 0 to track 1 lets both be used.
    track = np.array([0, 0, 1])
    plot = np.array([0, 1, 0])
    cost = np.array([-10.0, -8.0, -9.0])
    chosen = GNNAssociator().associate(track, plot, cost)
    assert sorted(zip(track[chosen], plot[chosen], strict=True)) == [(0, 1), (1, 0)]


def test_pairs_of_non_negative_cost_are_never_used() -> None:
    chosen = GNNAssociator().associate(np.array([0, 1]), np.array([0, 1]), np.array([0.0, np.inf]))
    assert len(chosen) == 0


def test_clusters_are_connected_components() -> None:
    track = np.array([0, 0, 1, 2, 3])
    plot = np.array([5, 6, 6, 7, 8])
    label, tracks_in, plots_in = pair_clusters(track, plot)
    assert label[0] == label[1] == label[2]
    assert len({label[0], label[3], label[4]}) == 3
    assert sorted(zip(tracks_in, plots_in, strict=True)) == [(1, 1), (1, 1), (2, 2)]


def test_cluster_solution_equals_one_big_assignment() -> None:
    rng = np.random.default_rng(11)
    n_tracks, n_plots = 60, 70
    tracks = rng.uniform(0, 1000, (n_tracks, 2))
    plots = rng.uniform(0, 1000, (n_plots, 2))
    distance = np.linalg.norm(tracks[:, None] - plots[None], axis=2)
    gate = 120.0
    track, plot = np.nonzero(distance < gate)
    cost = distance[track, plot] - gate
    _assert_optimal(track, plot, cost, n_tracks, n_plots)
    # clusters of several tracks and plots were part of the problem
    _, tracks_in, plots_in = pair_clusters(track, plot)
    assert np.any((tracks_in > 1) & (plots_in > 1))


def test_small_cluster_is_optimal_by_exhaustion() -> None:
    rng = np.random.default_rng(5)
    track = np.array([0, 0, 1, 1, 2, 2, 2])
    plot = np.array([0, 1, 1, 2, 0, 2, 3])
    cost = -rng.uniform(1, 10, len(track))
    chosen = GNNAssociator().associate(track, plot, cost)
    best = 0.0
    for k in range(1, len(track) + 1):
        for subset in itertools.combinations(range(len(track)), k):
            s = list(subset)
            if len(set(track[s])) == k and len(set(plot[s])) == k:
                best = min(best, cost[s].sum())
    assert np.isclose(cost[chosen].sum(), best)


def test_hungarian_matches_scipy_on_wide_square_and_tall_matrices() -> None:
    from flankwatch.track.associator import _hungarian

    rng = np.random.default_rng(8)
    for n, m in [(1, 1), (1, 4), (3, 3), (4, 7), (6, 6), (9, 12)]:
        for _ in range(20):
            cost = -rng.uniform(0.0, 10.0, (n, m)) * (rng.random((n, m)) < 0.6)
            column_of = _hungarian(cost)
            assert len(set(column_of.tolist())) == n
            rows, cols = linear_sum_assignment(cost)
            assert np.isclose(cost[np.arange(n), column_of].sum(), cost[rows, cols].sum())


def test_clusters_with_more_tracks_than_plots_are_optimal() -> None:
    rng = np.random.default_rng(9)
    for _ in range(30):
        n_tracks, n_plots = rng.integers(2, 8, 2)
        track, plot = np.nonzero(rng.random((n_tracks, n_plots)) < 0.5)
        cost = -rng.uniform(1.0, 10.0, len(track))
        _assert_optimal(track, plot, cost, n_tracks, n_plots)


def test_a_long_chain_is_one_cluster() -> None:
    """Track k shares plot k with track k - 1: a chain of 500 pairs is one component."""
    n = 250
    track = np.repeat(np.arange(n), 2)[1:]
    plot = np.repeat(np.arange(n), 2)[:-1]
    label, tracks_in, plots_in = pair_clusters(track, plot)
    assert np.all(label == label[0])
    assert tracks_in.tolist() == [n] and plots_in.tolist() == [n]
