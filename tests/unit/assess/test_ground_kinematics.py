"""Height, ground point and climb of tracks far from the frame's origin."""

import numpy as np
import pytest

from flankwatch.assess.area import unproject
from flankwatch.assess.kinematics import earth_radius_m


def test_height_and_ground_point_far_away(frame, make_tracks, kinematics, at):
    """300 km east the ground lies about 7 km below the frame's plane."""
    point = at(52.0, 25.9, 500.0)
    assert point[2] < -6000
    kin = kinematics(make_tracks(point, [0.0, 0.0, 0.0]))
    assert kin.alt_m[0] == pytest.approx(500.0, abs=30.0)
    lat, lon = unproject(frame, earth_radius_m(frame), kin.ground_x_m, kin.ground_y_m)
    assert lat[0] == pytest.approx(52.0, abs=1e-3)
    assert lon[0] == pytest.approx(25.9, abs=1e-3)


def test_climb_is_along_the_local_vertical(make_tracks, kinematics, at):
    low, high = at(52.0, 25.9, 500.0), at(52.0, 25.9, 600.0)
    up = (high - low) / 10.0
    kin = kinematics(make_tracks(low, up))
    assert kin.climb_mps[0] == pytest.approx(10.0, rel=1e-3)
    assert kin.ground_speed_mps[0] == pytest.approx(0.0, abs=0.05)
    assert kin.speed_mps[0] == pytest.approx(10.0, rel=1e-3)
    assert np.isfinite(kin.speed_var_m2ps2).all()
