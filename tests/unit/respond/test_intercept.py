"""Intercept geometry: times to reach, intercept points, climb limits and steering."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from flankwatch.respond.intercept import intercept, steer, time_to_reach, time_with_climb


def rows(*vectors: tuple[float, ...]) -> np.ndarray:
    return np.array(vectors, float)


def test_head_on_meeting_time() -> None:
    # 10 km apart, closing at 250 + 50 m/s.
    t = time_to_reach(rows((0, 0, 0)), rows((10_000, 0, 0)), rows((-50, 0, 0)), 250.0)
    assert np.isclose(t[0], 10_000 / 300)


def test_reach_shortens_the_time_and_already_in_reach_is_zero() -> None:
    shooter, target, velocity = rows((0, 0, 0)), rows((10_000, 0, 0)), rows((0, 0, 0))
    assert np.isclose(time_to_reach(shooter, target, velocity, 200.0, 4_000.0)[0], 30.0)
    assert time_to_reach(shooter, target, velocity, 200.0, 12_000.0)[0] == 0.0


def test_delay_waits_then_chases() -> None:
    # The target flees at 50 m/s; after 100 s it is 15 km away; closing at 150 m/s.
    t = time_to_reach(rows((0, 0, 0)), rows((10_000, 0, 0)), rows((50, 0, 0)), 200.0, 0.0, 100.0)
    assert np.isclose(t[0], 100.0 + 15_000 / 150)


def test_a_faster_target_running_away_is_never_reached() -> None:
    t = time_to_reach(rows((0, 0, 0)), rows((1_000, 0, 0)), rows((300, 0, 0)), 250.0)
    assert np.isinf(t[0])


def test_a_faster_target_crossing_ahead_is_met() -> None:
    # Fixed envelope (speed 0) of 5 km; a target passing 3 km abeam enters it.
    t = time_to_reach(rows((0, 0, 0)), rows((-20_000, 3_000, 0)), rows((100, 0, 0)), 0.0, 5_000.0)
    assert np.isclose(t[0], (20_000 - 4_000) / 100)
    # Passing 6 km abeam it never does.
    t = time_to_reach(rows((0, 0, 0)), rows((-20_000, 6_000, 0)), rows((100, 0, 0)), 0.0, 5_000.0)
    assert np.isinf(t[0])


@settings(max_examples=200, deadline=None)
@given(
    st.floats(-50_000, 50_000),
    st.floats(-50_000, 50_000),
    st.floats(-60, 60),
    st.floats(-60, 60),
    st.floats(100, 400),
    st.floats(0, 300),
)
def test_intercept_point_is_where_both_arrive(
    x: float, y: float, vx: float, vy: float, speed: float, delay: float
) -> None:
    shooter = rows((0, 0, 1_000))
    t, point = intercept(shooter, rows((x, y, 500)), rows((vx, vy, 0)), speed, delay)
    assert np.isfinite(t[0]) and t[0] >= delay
    flown = np.linalg.norm(point[0] - shooter[0])
    assert np.isclose(flown, speed * (t[0] - delay), rtol=1e-6, atol=1e-3)
    assert np.allclose(point[0], (x + vx * t[0], y + vy * t[0], 500), atol=1e-6)


def test_climb_limit_raises_the_time() -> None:
    t = time_with_climb(np.array([10.0]), np.array([0.0]), np.array([3_000.0]), np.zeros(1), 50.0)
    assert np.isclose(t[0], 60.0)
    t = time_with_climb(np.array([100.0]), np.array([0.0]), np.array([3_000.0]), np.zeros(1), 50.0)
    assert t[0] == 100.0


def test_steer_turns_no_faster_than_its_limit_and_keeps_speed() -> None:
    # Flying north, goal due east: a 0.1 rad/s turn over 5 s turns 0.5 rad.
    position, velocity = steer(
        rows((0, 0, 0)),
        rows((0, 200, 0)),
        rows((10_000, 0, 0)),
        np.array([200.0]),
        np.array([20.0]),
        0.1,
        5.0,
    )
    heading = np.arctan2(velocity[0, 0], velocity[0, 1])
    assert np.isclose(heading, 0.5)
    assert np.isclose(np.hypot(velocity[0, 0], velocity[0, 1]), 200.0)
    assert np.isclose(np.hypot(position[0, 0], position[0, 1]), 1_000.0)


def test_steer_from_rest_takes_the_bearing_and_climbs_at_its_rate() -> None:
    position, velocity = steer(
        rows((0, 0, 0)),
        rows((0, 0, 0)),
        rows((0, -10_000, 5_000)),
        np.array([250.0]),
        np.array([100.0]),
        0.1,
        10.0,
    )
    assert np.allclose(position[0], (0, -2_500, 1_000), atol=1e-6)
    assert np.allclose(velocity[0], (0, -250, 100), atol=1e-6)
