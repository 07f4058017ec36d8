"""How the families' targets fly: straight constant-speed legs, or legs of coordinated
turns and speed changes integrated on a fine grid."""

from __future__ import annotations

import numpy as np

from families.scene import Trajectories


def random_velocities(
    n: int, speed_mps: tuple[float, float], rng: np.random.Generator
) -> np.ndarray:
    """Horizontal velocities ``(n, 3)`` of uniform speed (m/s) and heading; vz = 0."""
    speed = rng.uniform(*speed_mps, n)
    heading = rng.uniform(0.0, 2.0 * np.pi, n)
    return np.column_stack((speed * np.sin(heading), speed * np.cos(heading), np.zeros(n)))


def straight(
    n: int,
    half_side_m: float,
    speed_mps: tuple[float, float],
    duration_s: float,
    rng: np.random.Generator,
) -> Trajectories:
    """Constant-velocity targets starting uniformly in the square ``|x|, |y| <= half_side_m``
    at z = 0 (m), speeds uniform in ``speed_mps`` (m/s)."""
    start = np.column_stack((rng.uniform(-half_side_m, half_side_m, (n, 2)), np.zeros(n)))
    return Trajectories.constant_velocity(start, random_velocities(n, speed_mps, rng), duration_s)


def crossing(
    n: int,
    half_side_m: float,
    speed_mps: tuple[float, float],
    duration_s: float,
    rng: np.random.Generator,
) -> Trajectories:
    """Constant-velocity targets in pairs whose paths cross: both of a pair pass one random
    point of the square at one random time of the run (an odd last target flies alone)."""
    velocity = random_velocities(n, speed_mps, rng)
    meet = np.column_stack((rng.uniform(-half_side_m, half_side_m, (n, 2)), np.zeros(n)))
    meet_t = rng.uniform(0.2 * duration_s, 0.8 * duration_s, n)
    pair = np.arange(n) // 2 * 2
    meet, meet_t = meet[pair], meet_t[pair]
    start = meet - velocity * meet_t[:, None]
    return Trajectories.constant_velocity(start, velocity, duration_s)


def manoeuvring(
    n: int,
    half_side_m: float,
    speed_mps: tuple[float, float],
    max_turn_dps: float,
    max_accel_mps2: float,
    leg_s: tuple[float, float],
    duration_s: float,
    rng: np.random.Generator,
    step_s: float = 0.1,
) -> tuple[Trajectories, np.ndarray]:
    """Targets flying legs of random length (``leg_s``, s): each leg a coordinated turn
    (rate uniform in +-``max_turn_dps``, deg/s; a third of the legs straight) with a
    constant acceleration (uniform in +-``max_accel_mps2``, m/s^2; the speed kept within
    ``speed_mps``). Integrated every ``step_s`` (s); also the turn rate of each target at each
    knot ``(k, n)``, deg/s."""
    knots = np.arange(0.0, duration_s + step_s, step_s)
    pos = np.column_stack((rng.uniform(-half_side_m, half_side_m, (n, 2)), np.zeros(n)))
    speed = rng.uniform(*speed_mps, n)
    heading = rng.uniform(0.0, 2.0 * np.pi, n)
    turn_dps, accel, leg_end = np.zeros(n), np.zeros(n), np.zeros(n)
    positions, rates = np.empty((len(knots), n, 3)), np.empty((len(knots), n))
    for k, t in enumerate(knots):
        new_leg = t >= leg_end
        m = int(new_leg.sum())
        if m:
            turning = rng.random(m) > 1.0 / 3.0
            turn_dps[new_leg] = rng.uniform(-max_turn_dps, max_turn_dps, m) * turning
            accel[new_leg] = rng.uniform(-max_accel_mps2, max_accel_mps2, m)
            leg_end[new_leg] = t + rng.uniform(*leg_s, m)
        positions[k], rates[k] = pos, turn_dps
        mid_heading = heading + 0.5 * np.radians(turn_dps) * step_s
        new_speed = np.clip(speed + accel * step_s, *speed_mps)
        mid_speed = 0.5 * (speed + new_speed)
        pos = pos + step_s * np.column_stack(
            (mid_speed * np.sin(mid_heading), mid_speed * np.cos(mid_heading), np.zeros(n))
        )
        heading = heading + np.radians(turn_dps) * step_s
        speed = new_speed
    return Trajectories(knots, positions), rates
