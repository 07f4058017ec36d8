"""Gating: chi-square thresholds and candidate pairs found through a grid of cells."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import chi2

from flankwatch.track.gating import candidate_pairs, gate_threshold, squared_gaps


def test_gate_threshold_is_the_chi_square_quantile() -> None:
    for dof in (1, 2, 3):
        g = gate_threshold(0.99, dof)
        assert np.isclose(chi2.cdf(g, dof), 0.99)


def _brute_force(centres: np.ndarray, radii: np.ndarray, points: np.ndarray) -> np.ndarray:
    distance = np.linalg.norm(centres[:, None] - points[None], axis=2)
    return np.column_stack(np.nonzero(distance <= radii[:, None]))


@pytest.mark.parametrize(
    ("n_centres", "n_points", "dim"), [(400, 500, 3), (20, 30, 2), (50, 80, 4)]
)
def test_candidate_pairs_match_brute_force_with_mixed_radii(
    n_centres: int, n_points: int, dim: int
) -> None:
    """Every pair within its centre's radius, ordered by centre and then by point."""
    rng = np.random.default_rng(3)
    centres = rng.uniform(0, 10_000, (n_centres, dim))
    points = rng.uniform(0, 10_000, (n_points, dim))
    radii = rng.choice([50.0, 300.0, 1200.0, 5000.0, 30_000.0], n_centres)
    found = np.column_stack(candidate_pairs(centres, radii, points))
    expected = _brute_force(centres, radii, points)
    np.testing.assert_array_equal(found, expected)
    assert len(expected) > n_centres


def test_candidate_pairs_on_a_line_of_points_and_one_point() -> None:
    """A grid of no height, and one of a single cell, still find every pair."""
    rng = np.random.default_rng(5)
    points = np.column_stack((rng.uniform(0, 100_000, 300), np.zeros(300), np.zeros(300)))
    centres = rng.uniform(-1_000, 101_000, (200, 3))
    centres[:, 1:] = rng.uniform(-500, 500, (200, 2))
    radii = rng.uniform(10.0, 2_000.0, 200)
    found = np.column_stack(candidate_pairs(centres, radii, points))
    np.testing.assert_array_equal(found, _brute_force(centres, radii, points))
    one = candidate_pairs(centres, radii, points[:1])
    np.testing.assert_array_equal(np.column_stack(one), _brute_force(centres, radii, points[:1]))


@pytest.mark.parametrize("copies", [1, 2000])
def test_points_not_finite_and_radii_negative_or_not_a_number_are_never_paired(
    copies: int,
) -> None:
    """Measured pair by pair (4 x 4) and through the grid (8,000 x 4)."""
    centres = np.tile([[0.0, 0.0], [10.0, 0.0], [20.0, 0.0], [1.0, 0.0]], (copies, 1))
    radii = np.tile([5.0, np.nan, np.inf, -5.0], copies)
    points = np.array([[1.0, 0.0], [np.nan, 0.0], [11.0, np.inf], [19.0, 1.0]])
    centre, point = candidate_pairs(centres, radii, points)
    expected = [(4 * c + i, k) for c in range(copies) for i, k in [(0, 0), (2, 0), (2, 3)]]
    assert list(zip(centre.tolist(), point.tolist(), strict=True)) == expected


def test_no_pairs_through_the_grid_when_no_point_is_finite() -> None:
    centres = np.zeros((3000, 2))
    points = np.array([[np.nan, 0.0], [0.0, np.inf]])
    centre, point = candidate_pairs(centres, np.full(3000, 10.0), points)
    assert len(centre) == len(point) == 0


def test_candidate_pairs_of_nothing_is_empty() -> None:
    centres, plots = candidate_pairs(np.empty((0, 2)), np.empty(0), np.ones((3, 2)))
    assert len(centres) == len(plots) == 0


def test_centres_and_points_of_other_dimensions_are_refused() -> None:
    with pytest.raises(ValueError, match="same 2 or more coordinates"):
        candidate_pairs(np.zeros((3, 3)), np.ones(3), np.zeros((4, 2)))
    with pytest.raises(ValueError, match="same 2 or more coordinates"):
        candidate_pairs(np.zeros((3, 1)), np.ones(3), np.zeros((4, 1)))


def test_squared_gaps_of_pairs_by_index() -> None:
    rng = np.random.default_rng(9)
    centres = rng.normal(size=(30, 3)) * 1_000.0
    points = rng.normal(size=(50, 3)) * 1_000.0
    centre = rng.integers(0, 30, 400)
    point = rng.integers(0, 50, 400)

    gap2 = squared_gaps(centres, points, centre, point)

    expected = np.sum((points[point] - centres[centre]) ** 2, axis=1)
    np.testing.assert_allclose(gap2, expected, rtol=1e-14)
    assert squared_gaps(centres, points, centre[:0], point[:0]).shape == (0,)
