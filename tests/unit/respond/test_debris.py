"""Debris fall points: the closed-form fall against a numerical integration, and misses."""

from __future__ import annotations

import numpy as np
import pytest

from flankwatch.respond.catalogue import builtin_catalogue
from flankwatch.respond.debris import (
    EARTH_RADIUS_M,
    G_MPS2,
    WEAPON_DRAG_TIME_S,
    debris_point,
    miss_debris_point,
)


def _integrated_fall(height_m: float, velocity: tuple[float, float], tau: float) -> float:
    """Horizontal distance fallen (flat earth), by small explicit steps."""
    x, h = 0.0, height_m
    u, w = velocity
    dt = 1e-3
    while h > 0:
        x += u * dt
        h += w * dt
        u -= u / tau * dt
        w -= (G_MPS2 + w / tau) * dt
    return x


@pytest.mark.parametrize(
    ("height_m", "velocity"),
    [(1000.0, (50.0, 0.0)), (300.0, (200.0, 30.0)), (3000.0, (40.0, -20.0))],
)
def test_the_closed_form_matches_integration(
    height_m: float, velocity: tuple[float, float]
) -> None:
    ground = debris_point(
        [[0.0, 0.0, height_m]], [[velocity[0], 0.0, velocity[1]]], drag_time_s=4.0
    )
    assert ground[0, 0] == pytest.approx(_integrated_fall(height_m, velocity, 4.0), abs=1.0)
    assert ground[0, 1] == pytest.approx(0.0, abs=1e-6)


def test_without_drag_it_is_the_vacuum_parabola() -> None:
    ground = debris_point([[0.0, 0.0, 1000.0]], [[0.0, 50.0, 0.0]], drag_time_s=1e4)
    assert ground[0, 1] == pytest.approx(50.0 * np.sqrt(2 * 1000.0 / G_MPS2), rel=1e-3)


def test_a_still_body_falls_to_the_ground_point_below_it() -> None:
    position = np.array([[80_000.0, -40_000.0, 2000.0]])
    ground = debris_point(position, np.zeros((1, 3)))
    centre = position + [0.0, 0.0, EARTH_RADIUS_M]
    below = EARTH_RADIUS_M * centre / np.linalg.norm(centre)
    assert ground[0] == pytest.approx(below[0, :2], abs=1e-6)


def test_rows_are_independent() -> None:
    positions = np.array([[0.0, 0.0, 500.0], [1000.0, 0.0, 2000.0], [0.0, 0.0, 0.0]])
    velocities = np.array([[40.0, 0.0, 0.0], [0.0, -40.0, 5.0], [30.0, 0.0, 0.0]])
    together = debris_point(positions, velocities)
    one_by_one = np.vstack(
        [debris_point(p[None], v[None]) for p, v in zip(positions, velocities, strict=True)]
    )
    assert together == pytest.approx(one_by_one)
    assert together[2] == pytest.approx([0.0, 0.0], abs=1e-6)


def test_a_missed_missile_flies_on_past_the_aim_point_then_falls() -> None:
    weapon = builtin_catalogue().weapons["aim-120c7"]
    shooter, aim = np.array([[0.0, 0.0, 600.0]]), np.array([[10_000.0, 0.0, 600.0]])
    ground = miss_debris_point(shooter, aim, weapon)
    end = 10_000.0 + weapon.miss_flyout_m
    drift = weapon.speed_mps * WEAPON_DRAG_TIME_S
    assert end < ground[0, 0] < end + drift
    assert ground[0, 1] == pytest.approx(0.0, abs=1e-6)


def test_a_missed_shot_fired_downward_lands_where_its_line_meets_the_ground() -> None:
    weapon = builtin_catalogue().weapons["aim-9x"]
    ground = miss_debris_point([[0.0, 0.0, 4000.0]], [[3000.0, 0.0, 1000.0]], weapon)
    assert ground[0, 0] == pytest.approx(4000.0, abs=5.0)


def test_a_jammer_leaves_no_debris() -> None:
    jammer = builtin_catalogue().weapons["jammer-burst"]
    assert np.isnan(miss_debris_point([[0.0, 0.0, 10.0]], [[1000.0, 0.0, 300.0]], jammer)).all()
