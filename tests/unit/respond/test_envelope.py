"""Envelopes and kill probabilities over arrays of targets."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from flankwatch.respond.catalogue import WeaponType, builtin_catalogue
from flankwatch.respond.envelope import (
    engageable_kill_probability,
    in_envelope,
    is_night,
    kill_probability,
    sun_elevation_deg,
    time_of_flight_s,
)


@pytest.fixture
def aim9x() -> WeaponType:
    return builtin_catalogue().weapons["aim-9x"]


def test_inside_means_both_range_and_altitude_bounds(aim9x: WeaponType) -> None:
    low, high = aim9x.min_range_m, aim9x.max_range_m
    ranges = np.array([low - 1, low, (low + high) / 2, high, high + 1, 1000.0])
    alts = np.array([500.0, 500.0, 500.0, 500.0, 500.0, aim9x.max_alt_m + 1])
    assert in_envelope(aim9x, ranges, alts).tolist() == [False, True, True, True, False, False]


def test_arrays_broadcast(aim9x: WeaponType) -> None:
    inside = in_envelope(aim9x, np.array([[1000.0], [1e6]]), np.array([100.0, 1e5]))
    assert inside.shape == (2, 2)
    assert inside.tolist() == [[True, False], [False, False]]


def test_kill_probability_by_class(aim9x: WeaponType) -> None:
    pk = kill_probability(aim9x, ["decoy", "ballistic-missile", "fixed-wing"])
    assert pk.tolist() == [aim9x.kill_prob["decoy"], 0.0, aim9x.kill_prob["fixed-wing"]]


def test_engageable_probability_is_zero_out_of_reach(aim9x: WeaponType) -> None:
    pk = engageable_kill_probability(
        aim9x, ["decoy", "decoy"], np.array([5000.0, 1e6]), np.array([500.0, 500.0])
    )
    assert pk.tolist() == [aim9x.kill_prob["decoy"], 0.0]


def test_time_of_flight_is_range_over_speed(aim9x: WeaponType) -> None:
    assert time_of_flight_s(aim9x, np.array([0.0, 8500.0])).tolist() == pytest.approx(
        [0.0, 8500.0 / aim9x.speed_mps]
    )


def test_the_sun_stands_where_the_almanac_puts_it() -> None:
    # Warsaw at the June solstice, local noon: 90 - 52.23 + 23.44 degrees.
    noon = sun_elevation_deg(52.23, 21.01, datetime(2025, 6, 21, 10, 36, tzinfo=UTC))
    assert noon == pytest.approx(90.0 - 52.23 + 23.44, abs=0.3)
    # 10 Sep 2025 over eastern Poland: sunrise about 04:05 UTC (06:05 local).
    assert sun_elevation_deg(52.0, 21.5, datetime(2025, 9, 10, 4, 5, tzinfo=UTC)) == (
        pytest.approx(0.0, abs=0.5)
    )


def test_night_is_after_civil_twilight() -> None:
    assert is_night(52.0, 21.5, datetime(2025, 9, 9, 22, 0, tzinfo=UTC))
    assert is_night(52.0, 21.5, datetime(2025, 9, 10, 3, 0, tzinfo=UTC))
    assert not is_night(52.0, 21.5, datetime(2025, 9, 10, 3, 45, tzinfo=UTC))
    assert not is_night(52.0, 21.5, datetime(2025, 9, 10, 12, 0, tzinfo=UTC))
