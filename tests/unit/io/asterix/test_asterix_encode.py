"""Encoding tracks to CAT062: round trips, range checks before encoding, block sizes."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from asterix.base import Bits, ParsingMode
from asterix_records import CAT062, FT

from flankwatch.io.asterix import Cat062Tracks, SkipKind, decode, encode_cat062

TRACK: dict[str, Any] = {
    "sac": 25,
    "sic": 100,
    "tod_s": 50_000.125,
    "track_number": 4095,
    "lat_deg": 52.2297,
    "lon_deg": 21.0122,
    "x_m": -12_345.5,
    "y_m": 67_890.0,
    "vx_mps": 210.25,
    "vy_mps": -75.5,
    "alt_geom_m": 9_144.0,
    "alt_baro_m": 9_000.0,
    "vertical_rate_mps": -7.5,
    "squawk": 7500,
    "icao24": 0x48AE21,
    "callsign": "LOT281",
    "tentative": False,
    "coasting": False,
    "ended": False,
}


def _tracks(*changes: dict[str, Any]) -> Cat062Tracks:
    return Cat062Tracks.from_rows([TRACK | change for change in changes])


def test_round_trip_within_each_items_resolution() -> None:
    encoded = encode_cat062(_tracks({}, {"track_number": 1, "tentative": True}))
    assert encoded.records == 2 and encoded.refused == () and encoded.omitted == {}
    decoded = decode(b"".join(encoded.blocks))
    assert decoded.skips == ()
    back = decoded.cat062
    assert back.track_number.tolist() == [4095, 1]
    assert back.tentative.tolist() == [False, True]
    row = back.take(np.array([0]))
    assert (row.sac[0], row.sic[0]) == (25, 100)
    assert row.tod_s[0] == 50_000.125
    assert row.lat_deg[0] == pytest.approx(TRACK["lat_deg"], abs=180 / 2**25 / 2)
    assert row.lon_deg[0] == pytest.approx(TRACK["lon_deg"], abs=180 / 2**25 / 2)
    assert (row.x_m[0], row.y_m[0]) == (-12_345.5, 67_890.0)
    assert (row.vx_mps[0], row.vy_mps[0]) == (210.25, -75.5)
    assert row.alt_geom_m[0] == pytest.approx(9_144.0, abs=6.25 * FT / 2)
    assert row.alt_baro_m[0] == pytest.approx(9_000.0, abs=25 * FT / 2)
    assert row.vertical_rate_mps[0] == pytest.approx(-7.5, abs=6.25 * FT / 60 / 2)
    assert (row.squawk[0], row.icao24[0], row.callsign[0]) == (7500, 0x48AE21, "LOT281")


def test_blocks_are_valid_for_libasterix() -> None:
    (data,) = encode_cat062(_tracks({}, {})).blocks
    assert data[0] == 62 and int.from_bytes(data[1:3], "big") == len(data)
    bits = Bits.from_bytes(data[3:])
    count = 0
    while len(bits):
        parsed = CAT062.cv_record.parse(ParsingMode.StrictParsing, bits)
        assert not isinstance(parsed, ValueError)
        _, bits = parsed
        count += 1
    assert count == 2


@pytest.mark.parametrize(
    ("coasting", "ended"), [(False, False), (True, False), (False, True), (True, True)]
)
def test_track_status_round_trip(coasting: bool, ended: bool) -> None:
    encoded = encode_cat062(_tracks({"coasting": coasting, "ended": ended}))
    back = decode(b"".join(encoded.blocks)).cat062
    assert (back.coasting[0], back.ended[0]) == (coasting, ended)


def test_absent_values_leave_their_items_out_uncounted() -> None:
    nan = math.nan
    change = {
        "lat_deg": nan,
        "lon_deg": nan,
        "vx_mps": nan,
        "alt_geom_m": nan,
        "alt_baro_m": nan,
        "vertical_rate_mps": nan,
        "squawk": 0,
        "icao24": 0,
        "callsign": "",
    }
    full = encode_cat062(_tracks({})).blocks[0]
    encoded = encode_cat062(_tracks(change))
    assert encoded.omitted == {} and encoded.records == 1
    assert len(encoded.blocks[0]) < len(full)
    back = decode(encoded.blocks[0]).cat062
    assert math.isnan(back.lat_deg[0]) and math.isnan(back.vx_mps[0]) and math.isnan(back.vy_mps[0])
    assert back.x_m[0] == TRACK["x_m"]
    assert (back.squawk[0], back.icao24[0], back.callsign[0]) == (0, 0, "")


def test_values_the_items_cannot_hold_are_left_out_and_counted() -> None:
    change = {
        "vx_mps": 9_000.0,  # 16 bits of 0.25 m/s hold up to 8191.75 m/s
        "alt_geom_m": 1e6,
        "alt_baro_m": -1e6,
        "vertical_rate_mps": math.inf,
        "squawk": 7800,
        "icao24": 0x1000000,
        "callsign": "TOOLONG12",
    }
    encoded = encode_cat062(_tracks(change, {"callsign": "LOT-1"}))
    assert encoded.records == 2
    assert encoded.omitted == {
        "vx_mps": 1,
        "vy_mps": 1,
        "alt_geom_m": 1,
        "alt_baro_m": 1,
        "squawk": 1,
        "icao24": 1,
        "callsign": 2,
    }
    back = decode(b"".join(encoded.blocks)).cat062
    assert math.isnan(back.vx_mps[0]) and math.isnan(back.alt_geom_m[0])
    assert back.squawk[0] == 0 and back.icao24[0] == 0 and back.callsign.tolist() == ["", ""]
    assert back.vx_mps[1] == TRACK["vx_mps"]  # the second row is unharmed


def test_libasterix_alone_would_wrap_the_value() -> None:
    # the reason for the checks: the same velocity through libasterix's own conversion
    record = CAT062.cv_record.create({"185": (("VX", (9_000.0, "m/s")), ("VY", (0.0, "m/s")))})
    vx = record.get_item("185").variation.get_item("VX").variation.content
    assert vx.as_quantity("m/s") == pytest.approx(9_000.0 - 2**14)


def test_rows_without_a_sendable_time_number_source_or_position_are_refused() -> None:
    rows = [
        {"tod_s": 86_400.0},
        {"tod_s": -0.5},
        {"tod_s": math.nan},
        {"track_number": 65_536},
        {"track_number": -2},
        {"lat_deg": 91.0, "x_m": math.nan},
        {"lat_deg": math.nan, "x_m": 5e6},
        {"lat_deg": math.nan, "x_m": math.nan},
        {},
    ]
    tracks = Cat062Tracks.from_rows([TRACK | row for row in rows])
    encoded = encode_cat062(tracks)
    assert encoded.records == 1
    assert [skip.at for skip in encoded.refused] == list(range(8))
    assert {skip.kind for skip in encoded.refused} == {SkipKind.RANGE}
    assert "track number 65536" in encoded.refused[3].message
    assert encoded.omitted == {"lat_deg": 1, "lon_deg": 1, "x_m": 1, "y_m": 1}


def test_sac_sic_wider_than_a_byte_is_refused() -> None:
    tracks = _tracks({})
    wide = Cat062Tracks(
        **{name: getattr(tracks, name) for name in tracks.column_names()} | {"sic": np.array([300])}
    )
    encoded = encode_cat062(wide)
    assert encoded.records == 0 and "SIC 300" in encoded.refused[0].message


def test_a_position_out_of_range_falls_back_to_the_other() -> None:
    encoded = encode_cat062(_tracks({"lon_deg": 200.0}))
    assert encoded.records == 1 and encoded.omitted == {"lat_deg": 1, "lon_deg": 1}
    back = decode(encoded.blocks[0]).cat062
    assert math.isnan(back.lat_deg[0]) and back.x_m[0] == TRACK["x_m"]


def test_time_of_day_rounding_to_midnight_is_midnight() -> None:
    encoded = encode_cat062(_tracks({"tod_s": 86_399.999}))
    assert decode(encoded.blocks[0]).cat062.tod_s.tolist() == [0.0]


def test_lower_case_callsign_is_sent_in_capitals() -> None:
    encoded = encode_cat062(_tracks({"callsign": "lot281 "}))
    assert decode(encoded.blocks[0]).cat062.callsign.tolist() == ["LOT281"]


def test_blocks_stay_within_the_size_asked_for_and_keep_the_order() -> None:
    tracks = _tracks(*({"track_number": n} for n in range(100)))
    encoded = encode_cat062(tracks, max_block_bytes=500)
    assert len(encoded.blocks) > 1
    assert all(len(block) <= 500 for block in encoded.blocks)
    back = decode(b"".join(encoded.blocks))
    assert back.cat062.track_number.tolist() == list(range(100))


def test_empty_batch_gives_no_block() -> None:
    encoded = encode_cat062(Cat062Tracks.empty())
    assert encoded.blocks == () and encoded.records == 0


@pytest.mark.parametrize("size", [0, 127, 65_536])
def test_block_size_outside_bounds_is_refused(size: int) -> None:
    with pytest.raises(ValueError, match="max_block_bytes"):
        encode_cat062(_tracks({}), max_block_bytes=size)


def test_other_edition_round_trip_and_unknown_edition() -> None:
    encoded = encode_cat062(_tracks({}), edition_name="1.16")
    back = decode(encoded.blocks[0], editions={62: "1.16"}).cat062
    assert back.track_number.tolist() == [TRACK["track_number"]]
    assert back.squawk.tolist() == [TRACK["squawk"]]  # I062/060 has no V and G bits in 1.16
    with pytest.raises(ValueError, match="edition '0.1' is not supported"):
        encode_cat062(_tracks({}), edition_name="0.1")
