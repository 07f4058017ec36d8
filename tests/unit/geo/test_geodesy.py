"""Geodesic distance, azimuth and forward steps on WGS-84."""

import math

import numpy as np
import pytest

from flankwatch.geo.geodesy import distance_azimuth, forward, wrap_angle


def test_published_geographiclib_example_wellington_to_salamanca():
    # GeographicLib's documented inverse example: 19959679.267 m, azimuth 161.0676699862 deg.
    distance_m, azimuth_rad = distance_azimuth(-41.32, 174.81, 40.96, -5.50)
    assert float(distance_m) == pytest.approx(19_959_679.267, abs=0.01)
    assert math.degrees(float(azimuth_rad)) == pytest.approx(161.0676699862, abs=1e-8)


def test_warsaw_to_krakow():
    # Independent Vincenty inverse on WGS-84 gives 252752.416 m between these points.
    distance_m, azimuth_rad = distance_azimuth(52.23, 21.01, 50.06, 19.94)
    assert float(distance_m) == pytest.approx(252_752.416, abs=1.0)
    assert math.pi < float(azimuth_rad) % (2 * math.pi) < 1.5 * math.pi


def test_quarter_meridian():
    distance_m, azimuth_rad = distance_azimuth(0.0, 0.0, 90.0, 0.0)
    assert float(distance_m) == pytest.approx(10_001_965.729, abs=0.01)
    assert float(azimuth_rad) == pytest.approx(0.0, abs=1e-12)


def test_forward_then_inverse_agree():
    rng = np.random.default_rng(3)
    lat = rng.uniform(-60.0, 60.0, 100)
    lon = rng.uniform(-180.0, 180.0, 100)
    azimuth = rng.uniform(-np.pi, np.pi, 100)
    distance = rng.uniform(1.0, 2_000_000.0, 100)
    lat2, lon2, _ = forward(lat, lon, azimuth, distance)
    distance_back, azimuth_back = distance_azimuth(lat, lon, lat2, lon2)
    np.testing.assert_allclose(distance_back, distance, atol=1e-6)
    np.testing.assert_allclose(wrap_angle(azimuth_back - azimuth), 0.0, atol=1e-9)


def test_forward_reports_the_direction_of_travel_at_the_end():
    lat2, lon2, travel = forward(-32.06, 115.74, math.radians(225.0), 20_000_000.0)
    assert float(lat2) == pytest.approx(32.11195529, abs=1e-8)
    assert float(lon2) == pytest.approx(-63.95925278, abs=1e-8)
    lat3, lon3, _ = forward(-32.06, 115.74, math.radians(225.0), 20_000_010.0)
    _, step_azimuth = distance_azimuth(lat2, lon2, lat3, lon3)
    assert float(wrap_angle(travel - step_azimuth)) == pytest.approx(0.0, abs=1e-6)


def test_east_along_the_equator_keeps_heading_east():
    lat2, lon2, travel = forward(0.0, 10.0, math.pi / 2, 111_319.49)
    assert float(lat2) == pytest.approx(0.0, abs=1e-12)
    assert float(lon2) == pytest.approx(11.0, abs=1e-6)
    assert float(travel) == pytest.approx(math.pi / 2, abs=1e-12)


def test_wrap_angle():
    angles = np.array([0.5, math.pi, -math.pi, 3 * math.pi, -3 * math.pi / 2, 2 * math.pi])
    expected = np.array([0.5, -math.pi, -math.pi, -math.pi, math.pi / 2, 0.0])
    np.testing.assert_allclose(wrap_angle(angles), expected, atol=1e-12)
    wrapped = wrap_angle(np.linspace(-20.0, 20.0, 401))
    assert np.all(wrapped >= -math.pi) and np.all(wrapped < math.pi)
