"""The compiled step of the kinematics against the same rules written with NumPy arrays,
bit for bit."""

from __future__ import annotations

import numpy as np

from flankwatch.geo.geodesy import wrap_angle
from flankwatch.sim.steering import above_ground, ballistic_arc, climb, steer


def test_steer_turns_at_most_the_turn_rate_and_arrives_within_a_step() -> None:
    rng = np.random.default_rng(1)
    n = 5_000
    distance = rng.uniform(0.0, 3_000.0, n)
    bearing = rng.uniform(-np.pi, np.pi, n)
    offset = np.where(rng.random(n) < 0.3, rng.normal(0.0, 0.3, n), 0.0)
    heading = rng.uniform(-np.pi, np.pi, n)
    max_turn = rng.uniform(0.01, 0.2, n)
    travel = rng.uniform(20.0, 500.0, n)
    last = rng.random(n) < 0.5
    turn_radius = rng.uniform(100.0, 2_000.0, n)

    azimuth, step, arrived, passed = steer(
        distance, bearing, offset, heading, max_turn, travel, last, turn_radius
    )

    new_heading = heading + wrap_angle(bearing + offset - heading).clip(-max_turn, max_turn)
    expected_arrived = last & (distance <= travel)
    expected_passed = (
        last & (distance < turn_radius) & (np.abs(wrap_angle(bearing - new_heading)) > np.pi / 2)
    )
    np.testing.assert_array_equal(arrived, expected_arrived)
    np.testing.assert_array_equal(passed, expected_passed)
    np.testing.assert_array_equal(step, np.where(expected_arrived, distance, travel))
    np.testing.assert_array_equal(azimuth, np.where(expected_arrived, bearing, new_heading))
    assert expected_arrived.any() and expected_passed.any()


def test_climb_holds_glides_and_never_passes_its_rate() -> None:
    rng = np.random.default_rng(2)
    n = 5_000
    alt = rng.uniform(0.0, 3_000.0, n)
    remaining = rng.uniform(-50.0, 20_000.0, n)
    wp_alt = rng.uniform(0.0, 2_000.0, n)
    hold = np.where(rng.random(n) < 0.2, wp_alt, rng.uniform(0.0, 3_000.0, n))
    hold[:10] = wp_alt[:10]
    descent = np.abs(hold - wp_alt) * rng.uniform(1.0, 20.0, n)
    remaining[:10] = 0.0  # on the final waypoint with no descent to make: 0 / 0
    last = rng.random(n) < 0.6
    last[:10] = True
    rate = rng.uniform(1.0, 50.0, n)

    new_alt = climb(alt, remaining, wp_alt, hold, descent, last, rate, 2.0 * rate)

    left = np.maximum(remaining, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        fraction = np.where(descent > 0.0, (left / descent).clip(0.0, 1.0), 0.0)
    glide = wp_alt + (hold - wp_alt) * fraction
    command = np.where(last, np.where(left > descent, hold, glide), wp_alt)
    change = np.where(last & (left <= descent), 2.0 * rate, rate)
    expected = alt + (command - alt).clip(-change, change)
    np.testing.assert_array_equal(new_alt, expected)
    assert not np.isnan(new_alt).any(), "on the final waypoint with no descent: its altitude"
    toward_it = alt[:10] + (wp_alt[:10] - alt[:10]).clip(-2.0 * rate[:10], 2.0 * rate[:10])
    np.testing.assert_array_equal(new_alt[:10], toward_it)


def test_ballistic_arc_and_the_ground() -> None:
    rng = np.random.default_rng(3)
    n = 1_000
    alt = rng.normal(500.0, 800.0, n)
    alt[:3] = np.nan
    ballistic = rng.random(n) < 0.5
    route = rng.uniform(0.0, 400_000.0, n)
    flown = route * rng.uniform(-0.1, 1.2, n)
    start = rng.uniform(0.0, 100.0, n)
    apogee = rng.uniform(10_000.0, 100_000.0, n)

    arc = ballistic_arc(alt, ballistic, flown, route, start, apogee)
    fraction = np.clip(flown / np.maximum(route, 1.0), 0.0, 1.0)
    expected = np.where(ballistic, start + 4.0 * apogee * fraction * (1.0 - fraction), alt)
    np.testing.assert_array_equal(arc, expected)
    np.testing.assert_array_equal(above_ground(arc), np.maximum(expected, 0.0))
