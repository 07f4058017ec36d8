"""Sensor poses: where an orbiting sensor is, whichever order its times are asked in."""

from __future__ import annotations

import numpy as np
import pytest

from flankwatch.geo.frames import enu_rotation, geodetic_to_ecef
from flankwatch.geo.geodesy import distance_azimuth, forward
from flankwatch.sim.sensors.base import ORBIT_BLOCK, OrbitPose


def _one_time(pose: OrbitPose, t_s: float) -> tuple[np.ndarray, np.ndarray]:
    """The orbit's position and rotation at one time, computed alone."""
    angle = pose.phase_rad + pose.speed_mps * t_s / pose.radius_m
    lat, lon, _ = forward(pose.lat_deg, pose.lon_deg, angle, pose.radius_m)
    position = np.array(geodetic_to_ecef(lat, lon, pose.height_m), float)
    return position, enu_rotation(float(lat), float(lon))


@pytest.mark.parametrize("phase_rad", [0.1, 0.2])
def test_an_orbit_asked_window_by_window_is_where_each_time_alone_puts_it(
    phase_rad: float,
) -> None:
    pose = OrbitPose(52.0, 22.0, 40_000.0, 9_000.0, 150.0, phase_rad)
    # windows of 5 s, beyond one block; then times out of order and asked again
    times = [5.0 * k for k in range(ORBIT_BLOCK + 20)] + [3.0, 1_000.5, 3.0, 10.0]
    for t_s in times:
        position, rotation = pose.at(t_s)
        want_position, want_rotation = _one_time(pose, t_s)
        np.testing.assert_array_equal(position, want_position)
        np.testing.assert_array_equal(rotation, want_rotation)
        assert not position.flags.writeable and not rotation.flags.writeable


def test_an_orbit_circles_its_centre_at_its_radius_and_speed() -> None:
    pose = OrbitPose(52.0, 22.0, 40_000.0, 9_000.0, 150.0, 0.0)
    first, _ = pose.at(0.0)
    later, _ = pose.at(100.0)
    arc_rad = 150.0 * 100.0 / 40_000.0  # the chord of the arc flown in 100 s, 9 km up
    chord_m = 2 * 40_000.0 * np.sin(arc_rad / 2) * (6_371e3 + 9_000.0) / 6_371e3
    assert np.linalg.norm(later - first) == pytest.approx(chord_m, rel=1e-3)
    for t_s in (0.0, 100.0, 777.0):
        position, rotation = pose.at(t_s)
        up = rotation[2]  # the local vertical: the position's height above the centre's
        lat = np.degrees(np.arcsin(up[2]))
        lon = np.degrees(np.arctan2(up[1], up[0]))
        distance, _ = distance_azimuth(52.0, 22.0, lat, lon)
        assert float(distance) == pytest.approx(40_000.0, rel=1e-6)
