"""Envelopes and kill probabilities over arrays of targets."""

from __future__ import annotations

import numpy as np
import pytest

from flankwatch.respond.catalogue import WeaponType, builtin_catalogue
from flankwatch.respond.envelope import (
    engageable_kill_probability,
    in_envelope,
    kill_probability,
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
