"""Geodetic <-> ECEF <-> local ENU conversions against known points and closed forms."""

import numpy as np
import pytest

from flankwatch.geo.frames import LocalFrame, ecef_to_geodetic, enu_rotation, geodetic_to_ecef
from flankwatch.geo.geodesy import forward

WGS84_A_M = 6_378_137.0
WGS84_F = 1 / 298.257223563
WGS84_B_M = WGS84_A_M * (1 - WGS84_F)
WGS84_E2 = WGS84_F * (2 - WGS84_F)


def closed_form_ecef(lat_deg: float, lon_deg: float, alt_m: float) -> np.ndarray:
    """ECEF from the textbook formula with the prime-vertical radius of curvature."""
    lat, lon = np.radians(lat_deg), np.radians(lon_deg)
    n = WGS84_A_M / np.sqrt(1 - WGS84_E2 * np.sin(lat) ** 2)
    return np.array(
        [
            (n + alt_m) * np.cos(lat) * np.cos(lon),
            (n + alt_m) * np.cos(lat) * np.sin(lon),
            (n * (1 - WGS84_E2) + alt_m) * np.sin(lat),
        ]
    )


def test_equator_at_greenwich_is_semi_major_axis():
    x, y, z = geodetic_to_ecef(0.0, 0.0, 0.0)
    np.testing.assert_allclose([x, y, z], [WGS84_A_M, 0.0, 0.0], atol=1e-6)


def test_north_pole_is_semi_minor_axis():
    x, y, z = geodetic_to_ecef(90.0, 0.0, 0.0)
    np.testing.assert_allclose([x, y, z], [0.0, 0.0, 6_356_752.314245], atol=1e-3)
    assert WGS84_B_M == pytest.approx(6_356_752.314245, abs=1e-6)


def test_equator_at_90_east_with_height():
    x, y, z = geodetic_to_ecef(0.0, 90.0, 1000.0)
    np.testing.assert_allclose([x, y, z], [0.0, WGS84_A_M + 1000.0, 0.0], atol=1e-6)


@pytest.mark.parametrize(
    ("lat_deg", "lon_deg", "alt_m"),
    [(52.2297, 21.0122, 110.0), (-33.9, 151.2, 50.0), (45.0, -120.0, 10_000.0), (89.0, 179.0, 0.0)],
)
def test_matches_closed_form(lat_deg, lon_deg, alt_m):
    np.testing.assert_allclose(
        geodetic_to_ecef(lat_deg, lon_deg, alt_m),
        closed_form_ecef(lat_deg, lon_deg, alt_m),
        atol=1e-6,
    )


def test_ecef_geodetic_round_trip_on_arrays():
    rng = np.random.default_rng(7)
    lat = rng.uniform(-89.0, 89.0, 200)
    lon = rng.uniform(-180.0, 180.0, 200)
    alt = rng.uniform(-100.0, 20_000.0, 200)
    lat2, lon2, alt2 = ecef_to_geodetic(*geodetic_to_ecef(lat, lon, alt))
    assert lat2.shape == (200,)
    np.testing.assert_allclose(lat2, lat, atol=1e-9)
    np.testing.assert_allclose(lon2, lon, atol=1e-9)
    np.testing.assert_allclose(alt2, alt, atol=1e-6)


def test_enu_rotation_is_orthonormal_with_up_along_the_normal():
    rotation = enu_rotation(52.0, 21.0)
    np.testing.assert_allclose(rotation @ rotation.T, np.eye(3), atol=1e-12)
    assert np.linalg.det(rotation) == pytest.approx(1.0)
    normal = closed_form_ecef(52.0, 21.0, 1.0) - closed_form_ecef(52.0, 21.0, 0.0)
    np.testing.assert_allclose(rotation[2], normal / np.linalg.norm(normal), atol=1e-12)


def test_origin_is_zero_in_its_own_frame():
    frame = LocalFrame(52.0, 21.0, 100.0)
    np.testing.assert_allclose(frame.geodetic_to_enu(52.0, 21.0, 100.0), [0.0, 0.0, 0.0], atol=1e-6)


def test_one_km_north_drops_below_the_tangent_plane():
    frame = LocalFrame(52.0, 21.0, 0.0)
    lat, lon, _ = forward(52.0, 21.0, 0.0, 1000.0)
    east, north, up = frame.geodetic_to_enu(lat, lon, 0.0)
    assert east == pytest.approx(0.0, abs=1e-6)
    assert north == pytest.approx(1000.0, abs=0.01)
    assert up == pytest.approx(-0.078, abs=0.003)


def test_one_km_up_is_straight_up():
    frame = LocalFrame(52.0, 21.0, 0.0)
    np.testing.assert_allclose(frame.geodetic_to_enu(52.0, 21.0, 1000.0), [0, 0, 1000], atol=1e-6)


def test_enu_geodetic_round_trip():
    frame = LocalFrame(51.25, 22.57, 200.0)
    rng = np.random.default_rng(11)
    enu = rng.uniform(-300_000.0, 300_000.0, (50, 3))
    enu[:, 2] = rng.uniform(0.0, 10_000.0, 50)
    back = frame.geodetic_to_enu(*frame.enu_to_geodetic(enu))
    np.testing.assert_allclose(back, enu, atol=1e-5)


def test_enu_ecef_round_trip_keeps_shape():
    frame = LocalFrame(50.0, 30.0)
    enu = np.arange(24.0).reshape(2, 4, 3) * 1000.0
    np.testing.assert_allclose(frame.ecef_to_enu(frame.enu_to_ecef(enu)), enu, atol=1e-6)


def test_rotation_between_frames():
    a, b = LocalFrame(52.0, 21.0), LocalFrame(50.0, 30.0)
    np.testing.assert_allclose(a.rotation_from(a), np.eye(3), atol=1e-12)
    vector_in_b = np.array([100.0, -50.0, 20.0])
    vector_ecef = vector_in_b @ b.rotation
    np.testing.assert_allclose(
        a.rotation_from(b) @ vector_in_b, a.rotation @ vector_ecef, atol=1e-9
    )
