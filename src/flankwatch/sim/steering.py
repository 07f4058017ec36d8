"""Compiled kernels (Numba) for one step of :mod:`~flankwatch.sim.kinematics`: the
per-object arithmetic between the geodesic computations, which stay with pyproj.

A step of a night's few dozen objects is some forty small array operations, whose
overhead, not their arithmetic, sets the simulation's pace; here each is one loop over
the objects. Every operation is the one the array form would do, in the same order
(NaN propagates through the clips and the floor at the ground, as in NumPy), so a
step gives the same numbers to the last bit.
"""

from __future__ import annotations

import numpy as np

from flankwatch.compiled import kernel

PI = np.pi
TWO_PI = 2.0 * np.pi


@kernel(cache=True)
def steer(
    distance_m: np.ndarray,
    bearing_rad: np.ndarray,
    offset_rad: np.ndarray,
    heading_rad: np.ndarray,
    max_turn_rad: np.ndarray,
    travel_m: np.ndarray,
    last: np.ndarray,
    turn_radius_m: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Where each object flies in one step: it turns by at most ``max_turn_rad`` from
    ``heading_rad`` toward the waypoint at ``distance_m`` (m) and ``bearing_rad`` plus the
    weave's ``offset_rad``, and flies ``travel_m`` (m); toward its final waypoint
    (``last``) it arrives when that is within the step, and has passed it when it is
    within ``turn_radius_m`` (m) and more than 90 degrees off the new heading.

    Returns the azimuth flown (rad: the waypoint's bearing on arrival, else the new
    heading), the distance flown (m), and the masks of arrival and of passing."""
    n = len(distance_m)
    azimuth = np.empty(n)
    step_m = np.empty(n)
    arrived = np.empty(n, np.bool_)
    passed = np.empty(n, np.bool_)
    for i in range(n):
        turn = _wrap(bearing_rad[i] + offset_rad[i] - heading_rad[i])
        heading = heading_rad[i] + _clip(turn, -max_turn_rad[i], max_turn_rad[i])
        distance = distance_m[i]
        arrived[i] = last[i] and distance <= travel_m[i]
        passed[i] = (
            last[i]
            and distance < turn_radius_m[i]
            and np.abs(_wrap(bearing_rad[i] - heading)) > PI / 2
        )
        step_m[i] = distance if arrived[i] else travel_m[i]
        azimuth[i] = bearing_rad[i] if arrived[i] else heading
    return azimuth, step_m, arrived, passed


@kernel(cache=True, error_model="numpy")
def climb(
    alt_m: np.ndarray,
    remaining_m: np.ndarray,
    waypoint_alt_m: np.ndarray,
    hold_alt_m: np.ndarray,
    descent_m: np.ndarray,
    last: np.ndarray,
    climb_m: np.ndarray,
    steep_climb_m: np.ndarray,
) -> np.ndarray:
    """Each object's altitude (m) after a step from ``alt_m`` with ``remaining_m`` (m) left
    to its next waypoint: toward an intermediate waypoint it climbs or descends by at most
    ``climb_m`` (m) to ``waypoint_alt_m``; toward its final one (``last``) it holds
    ``hold_alt_m`` until ``descent_m`` (m) before it, then glides down to the waypoint's
    altitude by at most ``steep_climb_m`` (m) a step (the rules of
    :mod:`~flankwatch.sim.kinematics`); never below the ground."""
    n = len(alt_m)
    out = np.empty(n)
    for i in range(n):
        remaining = _maximum(remaining_m[i], 0.0)
        wp, hold, descent = waypoint_alt_m[i], hold_alt_m[i], descent_m[i]
        if last[i]:
            if remaining > descent:
                command = hold
            elif descent > 0.0:
                command = wp + (hold - wp) * _clip(remaining / descent, 0.0, 1.0)
            else:  # on the waypoint, with no descent to make (0 / 0 would be NaN)
                command = wp
            change = steep_climb_m[i] if remaining <= descent else climb_m[i]
        else:
            command, change = wp, climb_m[i]
        out[i] = alt_m[i] + _clip(command - alt_m[i], -change, change)
    return out


@kernel(cache=True)
def ballistic_arc(
    alt_m: np.ndarray,
    ballistic: np.ndarray,
    flown_m: np.ndarray,
    route_m: np.ndarray,
    start_alt_m: np.ndarray,
    apogee_m: np.ndarray,
) -> np.ndarray:
    """``alt_m`` with each ``ballistic`` object's altitude on its parabola instead: from
    ``start_alt_m`` (m) up ``apogee_m`` (m) at half its route of ``route_m`` (m), at
    ``flown_m`` (m) along it."""
    out = alt_m.copy()
    for i in range(len(alt_m)):
        if ballistic[i]:
            fraction = _clip(flown_m[i] / _maximum(route_m[i], 1.0), 0.0, 1.0)
            out[i] = start_alt_m[i] + 4.0 * apogee_m[i] * fraction * (1.0 - fraction)
    return out


@kernel(cache=True)
def above_ground(alt_m: np.ndarray) -> np.ndarray:
    """``alt_m`` (m) raised to 0 where below it (NaN stays NaN)."""
    out = np.empty(len(alt_m))
    for i in range(len(alt_m)):
        out[i] = _maximum(alt_m[i], 0.0)
    return out


@kernel(cache=True, inline="always")
def _wrap(angle_rad: float) -> float:
    """An angle wrapped into [-pi, pi), as :func:`~flankwatch.geo.geodesy.wrap_angle`."""
    return (angle_rad + PI) % TWO_PI - PI


@kernel(cache=True, inline="always")
def _clip(x: float, low: float, high: float) -> float:
    """``x`` held between ``low`` and ``high`` as NumPy's ``clip`` does (NaN stays NaN)."""
    return _minimum(_maximum(x, low), high)


@kernel(cache=True, inline="always")
def _maximum(a: float, b: float) -> float:
    """The larger of ``a`` and ``b`` as NumPy's ``maximum`` takes it (NaN wins)."""
    return a if (a >= b or np.isnan(a)) else b


@kernel(cache=True, inline="always")
def _minimum(a: float, b: float) -> float:
    """The smaller of ``a`` and ``b`` as NumPy's ``minimum`` takes it (NaN wins)."""
    return a if (a <= b or np.isnan(a)) else b
