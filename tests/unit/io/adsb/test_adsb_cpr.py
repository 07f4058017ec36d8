"""CPR decoding against the worked example of "The 1090 Megahertz Riddle" and round trips."""

from __future__ import annotations

import math

import pytest
from adsb_encoders import cpr_encode
from hypothesis import given
from hypothesis import strategies as st

from flankwatch.io.adsb import cpr

# J. Sun, "The 1090 Megahertz Riddle", 2nd ed., chapter "Airborne position": the even
# frame 8D40621D58C382D690C8AC2863A7 (received later) and the odd frame
# 8D40621D58C386435CC412692AD6 decode to 52.2572 N, 3.91937 E.
BOOK_LAT_CPR = (93000, 74158)
BOOK_LON_CPR = (51372, 50194)
METRES_PER_DEG = 111_195.0
"""Metres per degree of latitude (great circle on a 6371 km sphere)."""


def _distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    dlat = a[0] - b[0]
    dlon = ((a[1] - b[1] + 180.0) % 360.0 - 180.0) * math.cos(math.radians(a[0]))
    return METRES_PER_DEG * math.hypot(dlat, dlon)


def _half_step_m(lat_deg: float, parity: int, surface: bool = False) -> float:
    """The largest distance between a position and its CPR encoding, m."""
    span = 90.0 if surface else 360.0
    dlat = span / (60 - parity)
    dlon = span / max(cpr.nl(lat_deg) - parity, 1) * math.cos(math.radians(lat_deg))
    return METRES_PER_DEG * math.hypot(dlat, dlon) / 2**18 * 1.001 + 1e-6


def test_book_example_decodes_globally_to_the_published_position() -> None:
    decoded = cpr.global_airborne(BOOK_LAT_CPR, BOOK_LON_CPR, latest=0)
    assert decoded is not None
    lat, lon = decoded
    assert lat == pytest.approx(52.2572, abs=5e-5)
    assert lon == pytest.approx(3.91937, abs=5e-5)


def test_book_example_decodes_locally_near_the_receiver() -> None:
    lat, lon = cpr.local(BOOK_LAT_CPR[0], BOOK_LON_CPR[0], 0, 52.258, 3.918)
    assert lat == pytest.approx(52.2572, abs=5e-5)
    assert lon == pytest.approx(3.91937, abs=5e-5)


@pytest.mark.parametrize(
    ("lat_deg", "zones"), [(0.0, 59), (10.4, 59), (10.5, 58), (52.2572, 36), (87.0, 2), (88, 1)]
)
def test_number_of_longitude_zones(lat_deg: float, zones: int) -> None:
    assert cpr.nl(lat_deg) == zones
    assert cpr.nl(-lat_deg) == zones


def test_a_pair_straddling_a_zone_boundary_gives_no_position() -> None:
    # NL changes from 59 to 58 at 10.4705 deg: an even frame south of it, odd north.
    even = cpr_encode(10.46, 20.0, 0)
    odd = cpr_encode(10.48, 20.0, 1)
    assert cpr.global_airborne((even[0], odd[0]), (even[1], odd[1]), latest=1) is None


positions = st.tuples(st.floats(-86.9, 86.9), st.floats(-180.0, 179.999), st.floats(-0.02, 0.02))


@given(positions, st.integers(0, 1))
def test_global_round_trip_within_cpr_resolution(
    position: tuple[float, float, float], latest: int
) -> None:
    lat, lon, step = position
    # the earlier frame a little away from the later one, as from a moving aircraft
    later = (lat, lon)
    earlier = (lat - step, lon + step)
    frames = {latest: cpr_encode(*later, latest), 1 - latest: cpr_encode(*earlier, 1 - latest)}
    decoded = cpr.global_airborne(
        (frames[0][0], frames[1][0]), (frames[0][1], frames[1][1]), latest
    )
    if decoded is None:  # the two frames lie in different longitude-zone bands
        assert cpr.nl(later[0]) != cpr.nl(earlier[0]) or abs(abs(lat) - 87) < 0.1
        return
    assert _distance_m(decoded, later) <= _half_step_m(lat, latest)


@given(positions, st.integers(0, 1), st.booleans())
def test_local_round_trip_within_cpr_resolution(
    position: tuple[float, float, float], parity: int, surface: bool
) -> None:
    lat, lon, step = position
    if surface:
        lat = max(min(lat, 80.0), -80.0)
    reference = (lat + 10 * step, lon - 10 * step)  # up to 0.2 deg away
    lat_cpr, lon_cpr = cpr_encode(lat, lon, parity, surface)
    decoded = cpr.local(lat_cpr, lon_cpr, parity, *reference, surface=surface)
    assert _distance_m(decoded, (lat, lon)) <= _half_step_m(lat, parity, surface)
