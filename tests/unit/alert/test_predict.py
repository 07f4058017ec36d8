"""Predictors: the motion model's cone against the straight line."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from flankwatch.alert.base import AirPicture, Target
from flankwatch.alert.predict import ConePredictor, StraightLinePredictor
from flankwatch.assess.assessment import THREAT_SCHEMA

AIRPORT = Target("Test airport", "airport", 52.0, 21.0, np.zeros(3), 0.0, icao="EPXX")
REACH_M = np.array([30_000.0])


def picture(
    x_m: float,
    y_m: float,
    vx_mps: float,
    vy_mps: float,
    sigma_v_mps: float = 3.0,
    manoeuvre_prob: float = 0.0,
    sigma_m: float = 200.0,
    covariances: bool = True,
) -> AirPicture:
    """One track at ``(x_m, y_m)`` with this velocity and these uncertainties."""
    extra = {}
    if covariances:
        extra = {
            "position_cov_m2": np.diag([sigma_m**2, sigma_m**2])[None],
            "velocity_var_m2ps2": np.array([[sigma_v_mps**2, sigma_v_mps**2]]),
            "manoeuvre_prob": np.array([manoeuvre_prob]),
            "last_update_s": np.zeros(1),
        }
    return AirPicture(
        t_s=0.0,
        track_id=np.array([1]),
        position_m=np.array([[x_m, y_m, 500.0]]),
        velocity_mps=np.array([[vx_mps, vy_mps, 0.0]]),
        identity=np.array(["hostile"], dtype=object),
        category=np.array(["cruise-missile"], dtype=object),
        threats=pa.table({n: [] for n in THREAT_SCHEMA.names}, schema=THREAT_SCHEMA),
        threats_t_s=0.0,
        **extra,
    )


def test_a_weaving_missile_pointed_at_the_airport_for_a_moment_does_not_reach_it() -> None:
    # 200 km east at 240 m/s, its weave pointing it at the airport, the IMM in a turn mode.
    weaving = picture(200_000.0, 0.0, -240.0, 0.0, sigma_v_mps=15.0, manoeuvre_prob=0.7)
    assert StraightLinePredictor().approach(weaving, [AIRPORT], REACH_M, 1200.0).reach[0, 0]
    cone = ConePredictor().approach(weaving, [AIRPORT], REACH_M, 1200.0)
    assert not cone.reach[0, 0]
    assert cone.miss_m[0, 0] == pytest.approx(0.0, abs=1e-6)


def test_a_weaving_missile_passing_60_km_off_does_not_reach_it() -> None:
    passing = picture(150_000.0, 60_000.0, -240.0, 0.0, sigma_v_mps=15.0, manoeuvre_prob=0.7)
    chance, t_cpa_s, miss_m = ConePredictor().reach_chance(passing, [AIRPORT], REACH_M, 1200.0)
    assert t_cpa_s[0, 0] == pytest.approx(625.0)
    assert miss_m[0, 0] == pytest.approx(60_000.0)
    assert 0.0 < chance[0, 0] < 0.15
    assert not ConePredictor().approach(passing, [AIRPORT], REACH_M, 1200.0).reach[0, 0]


def test_a_drone_flying_straight_at_the_airport_reaches_it_in_time() -> None:
    drone = picture(40_000.0, 0.0, -44.0, 0.0, sigma_v_mps=3.0, manoeuvre_prob=0.05)
    approach = ConePredictor().approach(drone, [AIRPORT], REACH_M, 1200.0)
    assert approach.reach[0, 0]
    # Enters 30 km after 10 km at 44 m/s.
    assert approach.t_reach_s[0, 0] == pytest.approx(10_000.0 / 44.0)


def test_the_chance_falls_with_the_miss_distance_and_with_the_spread() -> None:
    def chance(y_m: float, manoeuvre_prob: float) -> float:
        track = picture(60_000.0, y_m, -50.0, 0.0, sigma_v_mps=5.0, manoeuvre_prob=manoeuvre_prob)
        return float(ConePredictor().reach_chance(track, [AIRPORT], REACH_M, 1200.0)[0][0, 0])

    by_miss = [chance(y_m, 0.0) for y_m in (0.0, 20_000.0, 30_000.0, 40_000.0, 60_000.0)]
    assert by_miss == sorted(by_miss, reverse=True)
    assert by_miss[0] > 0.99 and by_miss[-1] < 0.01
    assert 0.3 < by_miss[2] < 0.7  # a course grazing the circle: about even
    # More manoeuvre, wider cone: a dead-on course is less sure, a far one more likely.
    assert chance(0.0, 0.9) < chance(0.0, 0.0)
    assert chance(45_000.0, 0.9) > chance(45_000.0, 0.0)


def test_without_covariances_the_cone_is_the_straight_line() -> None:
    for y_m in (0.0, 25_000.0, 35_000.0):
        bare = picture(60_000.0, y_m, -50.0, 0.0, covariances=False)
        cone = ConePredictor().approach(bare, [AIRPORT], REACH_M, 1200.0)
        line = StraightLinePredictor().approach(bare, [AIRPORT], REACH_M, 1200.0)
        assert cone.reach[0, 0] == line.reach[0, 0] == (y_m < 30_000.0)


def test_the_horizon_bounds_the_cone() -> None:
    far = picture(100_000.0, 0.0, -50.0, 0.0)
    assert not ConePredictor().approach(far, [AIRPORT], REACH_M, 1200.0).reach[0, 0]
    assert ConePredictor().approach(far, [AIRPORT], REACH_M, 1500.0).reach[0, 0]


def test_an_empty_picture_or_no_target_reaches_nothing() -> None:
    one = picture(0.0, 0.0, 0.0, 0.0)
    assert ConePredictor().approach(one, [], np.zeros(0), 600.0).reach.shape == (1, 0)
