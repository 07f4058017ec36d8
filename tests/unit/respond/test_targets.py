"""A cycle's targets over the ground: heights and ground points on the sphere, class order."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from flankwatch.respond.catalogue import TARGET_CATEGORIES
from flankwatch.respond.targets import class_index, ground_height_m, ground_xy, z_at_height_m

RADIUS_M = 6_371_000.0


def test_height_straight_above_the_origin_is_the_altitude_plus_the_origins():
    heights = ground_height_m(np.array([[0.0, 0.0, 1_500.0]]), RADIUS_M, 200.0)
    assert heights[0] == np.float64(1_700.0)


def test_a_point_on_the_tangent_plane_far_away_stands_above_the_curved_ground():
    distance_m = 100_000.0
    height = ground_height_m(np.array([[distance_m, 0.0, 0.0]]), RADIUS_M, 0.0)[0]
    # the tangent plane rises about d^2 / 2R above the sphere: 785 m at 100 km
    assert abs(height - distance_m**2 / (2 * RADIUS_M)) < 0.1


@given(
    x=st.floats(-300_000, 300_000),
    y=st.floats(-300_000, 300_000),
    lift=st.floats(0.0, 20_000.0),
)
def test_points_on_one_ray_from_the_earths_centre_share_their_ground_point(x, y, lift):
    origin_alt_m = 150.0
    point = np.array([x, y, 0.0])
    centre = np.array([0.0, 0.0, RADIUS_M + origin_alt_m])
    ray = (point + centre) / np.linalg.norm(point + centre)
    higher = point + lift * ray
    both = ground_xy(np.stack((point, higher)), RADIUS_M, origin_alt_m)
    np.testing.assert_allclose(both[0], both[1], atol=1e-6)
    # and the ground point lies on the sphere, below the point
    foot = np.append(both[0], 0.0) + centre
    foot[2] = np.sqrt(RADIUS_M**2 - both[0] @ both[0])
    np.testing.assert_allclose(foot / RADIUS_M, ray, atol=1e-9)


@given(
    x=st.floats(-400_000, 400_000),
    y=st.floats(-400_000, 400_000),
    height=st.floats(0.0, 20_000.0),
)
def test_z_at_a_height_puts_the_point_at_that_height(x, y, height):
    point = np.array([[x, y, 0.0]])
    point[0, 2] = z_at_height_m(point, np.array([height]), RADIUS_M, 150.0)[0]
    assert abs(ground_height_m(point, RADIUS_M, 150.0)[0] - height) < 1e-5


def test_a_flat_earth_measures_heights_in_the_frames_z():
    point = np.array([[300_000.0, 0.0, 1_000.0]])
    assert ground_height_m(point, np.inf, 50.0)[0] == 1_050.0
    assert z_at_height_m(point, np.array([1_050.0]), np.inf, 50.0)[0] == 1_000.0


def test_class_index_follows_the_catalogue_and_takes_unknown_names_as_unknown():
    names = np.array([*TARGET_CATEGORIES, "balloon", ""])
    index = class_index(names)
    n = len(TARGET_CATEGORIES)
    assert list(index[:n]) == list(range(n))
    assert list(index[n:]) == [TARGET_CATEGORIES.index("unknown")] * 2
