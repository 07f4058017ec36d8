"""Intercept geometry on constant-velocity tracks, vectorised over rows.

A shooter at ``shooter_m`` that may start only after ``delay_s`` (a fighter's
readiness, a launcher's reaction time) and then closes at ``speed_mps`` reaches
a target moving from ``target_m`` at ``target_mps`` to within ``reach_m`` at the
first time ``t >= delay_s`` with

    |target_m + target_mps * t - shooter_m| <= reach_m + speed_mps * (t - delay_s),

a quadratic in ``t`` (:func:`time_to_reach`). With ``reach_m = 0`` this is the
lead-pursuit intercept (the point the shooter flies to, where a missile meets
its target); with ``speed_mps = 0`` it is the time a target enters a fixed
envelope. A climb limit makes the time at least the time to climb to the
target's height at ``climb_mps``. :func:`steer` flies own aircraft toward a
point with a bounded turn rate and climb rate: a straight-segment model, good
for a few seconds at a time (the stage re-aims every window). Given the earth's
radius, it climbs and descends in height above the earth rather than in the
frame's ``z``: a straight line in the frame between two low points passes
underground (1.3 km deep half-way over 260 km).

Positions in the run's local ENU frame (m), velocities m/s, times s.
"""

from __future__ import annotations

import math

import numpy as np

from flankwatch.respond.targets import ground_height_m, z_at_height_m

_TINY = 1e-9


def _per_row(values: np.ndarray | float, n: int) -> np.ndarray:
    """``values`` (a scalar or ``(n,)``) as ``(n,)`` floats, not to be written to; an array
    that already is one is returned as it is (``np.broadcast_to`` costs more than the
    arithmetic on a few rows)."""
    if isinstance(values, np.ndarray) and values.shape == (n,) and values.dtype == float:
        return values
    if np.ndim(values) == 0:
        return np.full(n, values, float)
    return np.broadcast_to(np.asarray(values, float), (n,))


def time_to_reach(
    shooter_m: np.ndarray,
    target_m: np.ndarray,
    target_mps: np.ndarray,
    speed_mps: np.ndarray | float,
    reach_m: np.ndarray | float = 0.0,
    delay_s: np.ndarray | float = 0.0,
) -> np.ndarray:
    """(n,) earliest time from now (s) at which the shooter is within ``reach_m`` of the
    target; ``inf`` where it never is. Shapes: positions and velocities ``(n, 3)``
    (or ``(n, 2)`` for the ground plane), the rest ``(n,)`` or scalars."""
    shooter = np.asarray(shooter_m, float)
    target = np.asarray(target_m, float)
    velocity = np.asarray(target_mps, float)
    n = len(target)
    speed = _per_row(speed_mps, n)
    reach = _per_row(reach_m, n)
    delay = _per_row(delay_s, n)
    gap = target + velocity * delay[:, None] - shooter
    a = np.einsum("ij,ij->i", velocity, velocity) - speed**2
    b = 2.0 * (np.einsum("ij,ij->i", gap, velocity) - reach * speed)
    c = np.einsum("ij,ij->i", gap, gap) - reach**2
    disc = b * b - 4.0 * a * c
    root = np.sqrt(np.maximum(disc, 0.0))
    t = np.full(n, np.inf)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        # The shooter is faster: one positive root when not yet in reach.
        faster = a < -_TINY
        t = np.where(faster, (-b - root) / (2.0 * a), t)
        # As fast: the gap closes linearly only if it is closing.
        level = np.abs(a) <= _TINY
        t = np.where(level & (b < 0.0), -c / np.where(b < 0.0, b, -1.0), t)
        # The target is faster: the first root, if the paths meet at all.
        slower = (a > _TINY) & (b < 0.0) & (disc >= 0.0)
        t = np.where(slower, (-b - root) / (2.0 * np.where(slower, a, 1.0)), t)
    t = np.where(c <= 0.0, 0.0, t)
    return delay + np.where(np.isfinite(t) & (t >= 0.0), t, np.inf)


def time_with_climb(
    t_s: np.ndarray,
    shooter_z_m: np.ndarray,
    target_z_m: np.ndarray,
    target_vz_mps: np.ndarray,
    climb_mps: np.ndarray | float,
    reach_m: np.ndarray | float = 0.0,
    delay_s: np.ndarray | float = 0.0,
) -> np.ndarray:
    """(n,) ``t_s`` raised to the time needed to climb (or descend) to within ``reach_m``
    of the target's height at that time, at ``climb_mps`` after ``delay_s``."""
    with np.errstate(invalid="ignore"):
        height = np.abs(target_z_m + target_vz_mps * t_s - shooter_z_m)
    climb_s = np.maximum(height - reach_m, 0.0) / np.maximum(climb_mps, _TINY)
    return np.maximum(t_s, np.asarray(delay_s, float) + climb_s)


def intercept(
    shooter_m: np.ndarray,
    target_m: np.ndarray,
    target_mps: np.ndarray,
    speed_mps: np.ndarray | float,
    delay_s: np.ndarray | float = 0.0,
) -> tuple[np.ndarray, np.ndarray]:
    """The lead-pursuit intercept: ((n,) time from now, s; (n, 3) point, m). Rows that
    cannot intercept get time ``inf`` and the target's present position."""
    t_s = time_to_reach(shooter_m, target_m, target_mps, speed_mps, 0.0, delay_s)
    point = (
        np.asarray(target_m, float)
        + np.asarray(target_mps, float) * np.where(np.isfinite(t_s), t_s, 0.0)[:, None]
    )
    return t_s, point


def steer(
    position_m: np.ndarray,
    velocity_mps: np.ndarray,
    goal_m: np.ndarray,
    speed_mps: np.ndarray,
    climb_mps: np.ndarray,
    turn_rad_s: np.ndarray | float,
    dt_s: np.ndarray | float,
    radius_m: float = math.inf,
    origin_alt_m: float = 0.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Fly ``dt_s`` toward ``goal_m``: ((n, 3) new position, m; (n, 3) new velocity, m/s).

    The heading turns toward the goal's bearing by at most ``turn_rad_s * dt_s``
    (``turn_rad_s`` one rate for all rows or one per row)
    (an aircraft at rest takes the bearing at once), the aircraft flies
    ``speed_mps * dt_s`` along the mean of its old and new headings, and climbs
    or descends toward the goal's height by at most ``climb_mps * dt_s``. Near
    the goal it circles it (the turn limit makes it overshoot and come back).

    Heights are above a sphere of ``radius_m`` whose surface is ``origin_alt_m`` below
    the frame's origin (:func:`~flankwatch.respond.targets.ground_height_m`); with the
    default infinite radius, the frame's ``z``. The new velocity's ``z`` is the step's
    change of ``z`` over ``dt_s``.
    """
    position = np.asarray(position_m, float)
    velocity = np.asarray(velocity_mps, float)
    goal = np.asarray(goal_m, float)
    n = len(position)
    dt = _per_row(dt_s, n)
    turn_rate = _per_row(turn_rad_s, n)
    speed = _per_row(speed_mps, n)
    climb = _per_row(climb_mps, n)
    to_goal = goal - position
    bearing = np.arctan2(to_goal[:, 0], to_goal[:, 1])
    moving = np.hypot(velocity[:, 0], velocity[:, 1]) > _TINY
    heading = np.where(moving, np.arctan2(velocity[:, 0], velocity[:, 1]), bearing)
    turn = (bearing - heading + np.pi) % (2.0 * np.pi) - np.pi
    limit = turn_rate * dt
    turned = np.minimum(np.maximum(turn, -limit), limit)  # np.clip, at a fraction of its cost
    new_heading = heading + turned
    mean_heading = heading + 0.5 * turned
    step = speed * dt
    new_position = position + np.column_stack(
        (step * np.sin(mean_heading), step * np.cos(mean_heading), np.zeros(n))
    )
    height = ground_height_m(position, radius_m, origin_alt_m)
    to_height = ground_height_m(goal, radius_m, origin_alt_m) - height
    climbed = climb * dt
    new_height = height + np.minimum(np.maximum(to_height, -climbed), climbed)
    dz = z_at_height_m(new_position, new_height, radius_m, origin_alt_m) - position[:, 2]
    new_position[:, 2] += dz
    vz = np.divide(dz, dt, out=np.zeros(n), where=dt > 0.0)
    new_velocity = np.column_stack((speed * np.sin(new_heading), speed * np.cos(new_heading), vz))
    return new_position, new_velocity
