"""Radar horizon under the 4/3-earth model, against the figures in the project facts."""

import numpy as np
import pytest

from flankwatch.geo.horizon import above_horizon, horizon_range_m


@pytest.mark.parametrize(("target_m", "expected_km"), [(50.0, 48.0), (100.0, 60.0), (300.0, 90.0)])
def test_mast_of_twenty_metres(target_m, expected_km):
    assert float(horizon_range_m(20.0, target_m)) / 1000 == pytest.approx(expected_km, abs=1.0)


def test_aerostat_at_three_km():
    assert float(horizon_range_m(3000.0, 0.0)) / 1000 == pytest.approx(225.0, abs=2.0)
    assert float(horizon_range_m(3000.0, 100.0)) / 1000 == pytest.approx(266.0, abs=2.0)


def test_rule_of_thumb_four_point_one_two():
    heights = np.array([1.0, 25.0, 400.0, 9000.0])
    np.testing.assert_allclose(
        horizon_range_m(heights, heights[::-1]) / 1000,
        4.12 * (np.sqrt(heights) + np.sqrt(heights[::-1])),
        rtol=2e-3,
    )


def test_symmetric_and_monotone():
    heights = np.linspace(0.0, 10_000.0, 101)
    ranges = horizon_range_m(20.0, heights)
    assert np.all(np.diff(ranges) > 0)
    assert np.all(np.diff(horizon_range_m(heights, 100.0)) > 0)
    np.testing.assert_allclose(horizon_range_m(heights, 100.0), horizon_range_m(100.0, heights))


def test_negative_heights_count_as_ground():
    assert float(horizon_range_m(-5.0, -5.0)) == 0.0
    assert float(horizon_range_m(20.0, -50.0)) == float(horizon_range_m(20.0, 0.0))


def test_above_horizon():
    limit_m = float(horizon_range_m(20.0, 100.0))
    visible = above_horizon(np.array([limit_m - 1.0, limit_m, limit_m + 1.0]), 20.0, 100.0)
    assert visible.tolist() == [True, True, False]
