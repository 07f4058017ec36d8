"""Gating: chi-square thresholds and candidate pairs (k-d trees or outright distances)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import chi2

from flankwatch.track.gating import candidate_pairs, gate_threshold


def test_gate_threshold_is_the_chi_square_quantile() -> None:
    for dof in (1, 2, 3):
        g = gate_threshold(0.99, dof)
        assert np.isclose(chi2.cdf(g, dof), 0.99)


@pytest.mark.parametrize(("n_centres", "n_points"), [(400, 500), (20, 30)])
def test_candidate_pairs_match_brute_force_with_mixed_radii(n_centres: int, n_points: int) -> None:
    """Through the k-d trees (400 x 500) and the outright distances (20 x 30)."""
    rng = np.random.default_rng(3)
    centres = rng.uniform(0, 10_000, (n_centres, 3))
    points = rng.uniform(0, 10_000, (n_points, 3))
    radii = rng.choice([50.0, 300.0, 1200.0, 5000.0], n_centres)
    found = set(zip(*candidate_pairs(centres, radii, points), strict=True))
    distance = np.linalg.norm(centres[:, None] - points[None], axis=2)
    expected = set(zip(*np.nonzero(distance <= radii[:, None]), strict=True))
    assert found == expected
    assert len(expected) > n_centres


def test_candidate_pairs_of_nothing_is_empty() -> None:
    centres, plots = candidate_pairs(np.empty((0, 2)), np.empty(0), np.ones((3, 2)))
    assert len(centres) == len(plots) == 0
