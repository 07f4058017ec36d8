"""Streaming positions use the current frame and earlier ones only."""

from __future__ import annotations

import math

import numpy as np
import pytest
from adsb_encoders import airborne_position, avr_line
from hypothesis import given, settings
from hypothesis import strategies as st

from flankwatch.io.adsb import AdsbReports, DecoderState, decode_frames, parse_avr
from flankwatch.io.adsb.positions import FIX_MAX_S, FORGET_S, PAIR_MAX_S

ICAO = 0x48AE21


def _flight(n: int, lat0: float, lon0: float, dt_s: float) -> tuple[list[str], np.ndarray]:
    """AVR lines of an aircraft flying north-east at about 250 m/s, even/odd alternating."""
    times = dt_s * np.arange(n)
    lines = [
        avr_line(airborne_position(ICAO, lat0 + 0.0016 * t, lon0 + 0.0024 * t, 35000, k % 2))
        for k, t in enumerate(times)
    ]
    return lines, times


def _decode_all(
    lines: list[str], times: np.ndarray, receiver: tuple[float, float] | None = None
) -> AdsbReports:
    frames, skips = parse_avr(lines)
    assert skips == []
    reports, skips, _ = decode_frames(frames, times, DecoderState(), receiver)
    assert skips == []
    return reports


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


@settings(max_examples=25, deadline=None)
@given(
    st.floats(-60.0, 60.0),
    st.floats(-179.0, 179.0),
    st.floats(0.3, 12.0),
    st.integers(2, 12),
    st.booleans(),
)
def test_a_position_does_not_change_when_later_frames_exist(
    lat0: float, lon0: float, dt_s: float, n: int, with_receiver: bool
) -> None:
    lines, times = _flight(n, lat0, lon0, dt_s)
    receiver = (lat0 + 0.5, lon0 - 0.5) if with_receiver else None
    whole = _decode_all(lines, times, receiver)
    for k in range(n):
        prefix = _decode_all(lines[: k + 1], times[: k + 1], receiver)
        assert _same(prefix.lat_deg[k], whole.lat_deg[k])
        assert _same(prefix.lon_deg[k], whole.lon_deg[k])


@settings(max_examples=15, deadline=None)
@given(st.integers(1, 7))
def test_decoding_in_chunks_with_the_state_equals_decoding_at_once(chunk: int) -> None:
    lines, times = _flight(15, 48.0, 16.0, 1.0)
    whole = _decode_all(lines, times)
    state = DecoderState()
    parts = []
    for start in range(0, len(lines), chunk):
        frames, _ = parse_avr(lines[start : start + chunk], first_line=start + 1)
        reports, _, state = decode_frames(frames, times[start : start + chunk], state)
        parts.append(reports)
    joined = AdsbReports.concat(parts)
    np.testing.assert_array_equal(joined.lat_deg, whole.lat_deg)
    np.testing.assert_array_equal(joined.lon_deg, whole.lon_deg)


def test_positions_are_those_flown() -> None:
    lines, times = _flight(8, 50.0, 19.0, 1.0)
    reports = _decode_all(lines, times)
    assert np.isnan(reports.lat_deg[0])
    np.testing.assert_allclose(reports.lat_deg[1:], 50.0 + 0.0016 * times[1:], atol=5e-5)
    np.testing.assert_allclose(reports.lon_deg[1:], 19.0 + 0.0024 * times[1:], atol=8e-5)


def test_a_pair_too_far_apart_in_time_gives_no_global_position() -> None:
    lines, _ = _flight(2, 50.0, 19.0, 1.0)
    reports = _decode_all(lines, np.array([0.0, PAIR_MAX_S + 0.5]))
    assert np.isnan(reports.lat_deg).all()


def test_after_a_fix_single_frames_are_located_locally() -> None:
    lines, _ = _flight(4, 50.0, 19.0, 1.0)
    # a pair, then a lone frame within FIX_MAX_S of the fix but with no partner
    # within PAIR_MAX_S, then one too long after any fix or partner
    times = np.array([0.0, 1.0, 1.0 + PAIR_MAX_S + 5.0, 1.0 + FIX_MAX_S + 40.0])
    reports = _decode_all(lines, times)
    assert np.isfinite(reports.lat_deg[1]) and np.isfinite(reports.lat_deg[2])
    assert reports.lat_deg[2] == pytest.approx(50.0 + 0.0016 * 2, abs=5e-5)
    assert np.isnan(reports.lat_deg[3])


def test_aircraft_not_heard_for_long_are_forgotten() -> None:
    lines, _ = _flight(1, 50.0, 19.0, 1.0)
    frames, _ = parse_avr(lines)
    _, _, state = decode_frames(frames, 0.0, DecoderState())
    assert ICAO in state.aircraft
    assert ICAO in state.pruned(FORGET_S - 1.0).aircraft
    assert ICAO not in state.pruned(FORGET_S + 1.0).aircraft
