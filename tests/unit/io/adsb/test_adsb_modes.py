"""Mode S / ADS-B messages to report rows: published examples, round trips, checks."""

from __future__ import annotations

import math

import numpy as np
import pytest
from adsb_encoders import (
    airborne_position,
    all_call,
    emergency,
    identification,
    operational_status,
    squitter,
    surface_position,
    surveillance_altitude,
    surveillance_identity,
    velocity,
)

from flankwatch.io.adsb import (
    AdsbReports,
    AdsbSource,
    DecoderState,
    ModeSFrames,
    Skip,
    SkipKind,
    decode_frames,
)
from flankwatch.io.adsb.columns import METRES_PER_FOOT, MPS_PER_FPM, MPS_PER_KNOT

# Example messages from J. Sun, "The 1090 Megahertz Riddle", 2nd ed.
BOOK_ODD = "8D40621D58C386435CC412692AD6"
BOOK_EVEN = "8D40621D58C382D690C8AC2863A7"
BOOK_IDENTIFICATION = "8D4840D6202CC371C32CE0576098"  # KLM1023
BOOK_VELOCITY = "8D485020994409940838175B284F"  # 159 kt, 182.88 deg, -832 ft/min
ICAO = 0x4840D6


def _frames(messages: list[str]) -> ModeSFrames:
    n = len(messages)
    return ModeSFrames.from_lists(messages, [0] * n, [math.nan] * n, list(range(n)))


def _decode(
    messages: list[str],
    t_s: float | list[float] = 0.0,
    receiver_deg: tuple[float, float] | None = None,
) -> tuple[AdsbReports, list[Skip], DecoderState]:
    times = np.asarray(t_s, dtype=float)
    return decode_frames(_frames(messages), times, DecoderState(), receiver_deg)


def test_book_position_pair_gives_the_published_position() -> None:
    reports, skips, _ = _decode([BOOK_ODD, BOOK_EVEN], [0.0, 2.0])
    assert skips == []
    assert np.isnan(reports.lat_deg[0])  # nothing before the first frame
    assert reports.lat_deg[1] == pytest.approx(52.2572, abs=5e-5)
    assert reports.lon_deg[1] == pytest.approx(3.91937, abs=5e-5)
    np.testing.assert_allclose(reports.alt_baro_m, 38000 * METRES_PER_FOOT)
    assert list(reports.icao24) == [0x40621D, 0x40621D]
    assert list(reports.source) == [AdsbSource.ADSB, AdsbSource.ADSB]
    assert list(reports.nic) == [8, 8]  # type code 11


def test_book_identification_and_velocity() -> None:
    reports, skips, _ = _decode([BOOK_IDENTIFICATION, BOOK_VELOCITY])
    assert skips == []
    assert reports.callsign[0] == "KLM1023"
    assert reports.ground_speed_mps[1] == pytest.approx(159.20 * MPS_PER_KNOT, abs=0.01)
    assert math.degrees(reports.track_rad[1]) == pytest.approx(182.88, abs=0.01)
    assert reports.vertical_rate_mps[1] == pytest.approx(-832 * MPS_PER_FPM)


def test_airborne_position_round_trip_moving_aircraft() -> None:
    track = [(50.0 + 0.001 * k, 20.0 + 0.0015 * k) for k in range(6)]
    messages = [
        airborne_position(ICAO, lat, lon, 12000, k % 2) for k, (lat, lon) in enumerate(track)
    ]
    reports, skips, _ = _decode(messages, [0.5 * k for k in range(6)])
    assert skips == []
    assert np.isnan(reports.lat_deg[0])
    np.testing.assert_allclose(reports.lat_deg[1:], [p[0] for p in track[1:]], atol=5e-5)
    np.testing.assert_allclose(reports.lon_deg[1:], [p[1] for p in track[1:]], atol=8e-5)
    np.testing.assert_allclose(reports.alt_baro_m, 12000 * METRES_PER_FOOT)


def test_gnss_height_goes_to_alt_geom() -> None:
    reports, _, _ = _decode([airborne_position(ICAO, 50.0, 20.0, 5000, 0, type_code=20)])
    assert reports.alt_geom_m[0] == pytest.approx(5000 * METRES_PER_FOOT)
    assert np.isnan(reports.alt_baro_m[0])
    assert reports.nic[0] == 11


def test_first_frame_is_located_against_the_receiver() -> None:
    message = airborne_position(ICAO, 52.0, 21.0, 30000, 1)
    reports, _, _ = _decode([message], receiver_deg=(52.3, 20.6))
    assert reports.lat_deg[0] == pytest.approx(52.0, abs=5e-5)
    assert reports.lon_deg[0] == pytest.approx(21.0, abs=8e-5)


def test_surface_position_round_trip() -> None:
    message = surface_position(ICAO, 52.1657, 20.9671, 17, 92.8, 0)
    reports, skips, _ = _decode([message], receiver_deg=(52.2, 21.0))
    assert skips == []
    assert reports.on_ground[0]
    assert reports.lat_deg[0] == pytest.approx(52.1657, abs=2e-5)
    assert reports.lon_deg[0] == pytest.approx(20.9671, abs=2e-5)
    assert reports.ground_speed_mps[0] == pytest.approx(17 * MPS_PER_KNOT)
    assert math.degrees(reports.track_rad[0]) == pytest.approx(92.8, abs=360 / 128)


def test_identification_velocity_emergency_status_round_trip() -> None:
    messages = [
        identification(ICAO, "LOT3AB"),
        velocity(ICAO, east_kt=-300, north_kt=400, rate_fpm=-1280),
        emergency(ICAO, "7500"),
        operational_status(ICAO, nacp=9),
    ]
    reports, skips, _ = _decode(messages)
    assert skips == []
    assert reports.callsign[0] == "LOT3AB"
    assert reports.ground_speed_mps[1] == pytest.approx(500 * MPS_PER_KNOT)
    assert reports.track_rad[1] == pytest.approx(math.atan2(-300, 400) % (2 * math.pi))
    assert reports.vertical_rate_mps[1] == pytest.approx(-1280 * MPS_PER_FPM)
    assert reports.squawk[2] == 7500
    assert reports.nacp[3] == 9
    assert list(reports.nacp[:3]) == [-1, -1, -1]


def test_address_parity_replies_need_an_aircraft_heard_before() -> None:
    replies = [surveillance_altitude(ICAO, 24000), surveillance_identity(ICAO, "7700")]
    reports, skips, state = _decode(replies)
    assert len(reports) == 0
    assert [s.kind for s in skips] == [SkipKind.UNKNOWN_ADDRESS] * 2
    reports, skips, _ = _decode([all_call(ICAO), *replies], [0.0, 1.0, 2.0])
    assert skips == []
    assert list(reports.icao24) == [ICAO] * 3
    assert list(reports.source) == [AdsbSource.MODE_S] * 3
    assert reports.alt_baro_m[1] == pytest.approx(24000 * METRES_PER_FOOT)
    assert reports.squawk[2] == 7700


def test_df18_control_field_sets_source_and_address_kind() -> None:
    me = 4 << 51 | 1  # an identification, character fields ignored here
    messages = [squitter(ICAO, me, df=18, control=cf) for cf in (0, 1, 2, 5, 6, 3)]
    reports, skips, _ = _decode(messages)
    assert list(reports.source) == [AdsbSource.ADSB] * 2 + [AdsbSource.TISB] * 3
    assert list(reports.non_icao) == [False, True, False, True, False]
    assert [s.kind for s in skips] == [SkipKind.UNSUPPORTED]
    assert skips[0].at == 5


def test_bad_messages_are_skipped_by_kind_and_position() -> None:
    corrupted = BOOK_EVEN[:10] + ("0" if BOOK_EVEN[10] != "0" else "1") + BOOK_EVEN[11:]
    messages = [corrupted, BOOK_EVEN[:14], "ZZ" * 7, "5D484FDEA24800", BOOK_EVEN]
    reports, skips, _ = _decode(messages)
    assert len(reports) == 1
    assert [(s.kind, s.at) for s in skips] == [
        (SkipKind.CRC, 0),
        (SkipKind.LENGTH, 1),
        (SkipKind.HEX, 2),
        (SkipKind.CRC, 3),
    ]


def test_decoding_leaves_the_given_state_unchanged() -> None:
    state = DecoderState()
    _, _, after = decode_frames(_frames([BOOK_ODD]), 0.0, state)
    assert len(state.aircraft) == 0
    assert 0x40621D in after.aircraft
    assert after.aircraft[0x40621D].odd is not None
