"""readsb / dump1090 aircraft.json documents to report rows."""

from __future__ import annotations

import math

import numpy as np
import pytest
from adsb_encoders import aircraft_json

from flankwatch.io.adsb import AdsbSource, SkipKind, parse_aircraft_json
from flankwatch.io.adsb.columns import METRES_PER_FOOT, MPS_PER_FPM, MPS_PER_KNOT

AIRLINER = {
    "hex": "48ae21",
    "type": "adsb_icao",
    "flight": "LOT3AB  ",
    "alt_baro": 36000,
    "alt_geom": 36550,
    "gs": 451.3,
    "track": 92.5,
    "baro_rate": -64,
    "geom_rate": -96,
    "squawk": "1000",
    "lat": 52.123456,
    "lon": 21.654321,
    "nic": 8,
    "nac_p": 9,
    "seen_pos": 1.5,
    "seen": 0.2,
    "rssi": -18.4,
}


def test_aircraft_json_round_trip_converts_units() -> None:
    document = aircraft_json(
        [
            AIRLINER,
            {"hex": "~2c1a3f", "type": "tisb_other", "alt_baro": "ground", "seen": 3.0},
            {"hex": "3c6444", "type": "mlat", "altitude": 2000, "speed": 120, "vert_rate": 640},
        ]
    )
    reports, skips = parse_aircraft_json(document, now_s=100.0)
    assert skips == []
    assert list(reports.t_s) == [98.5, 97.0, 100.0]
    assert list(reports.icao24) == [0x48AE21, 0x2C1A3F, 0x3C6444]
    assert list(reports.non_icao) == [False, True, False]
    assert list(reports.source) == [AdsbSource.ADSB, AdsbSource.TISB, AdsbSource.MLAT]
    assert reports.callsign[0] == "LOT3AB"
    assert reports.alt_baro_m[0] == pytest.approx(36000 * METRES_PER_FOOT)
    assert reports.alt_geom_m[0] == pytest.approx(36550 * METRES_PER_FOOT)
    assert reports.ground_speed_mps[0] == pytest.approx(451.3 * MPS_PER_KNOT)
    assert reports.track_rad[0] == pytest.approx(math.radians(92.5))
    assert reports.vertical_rate_mps[0] == pytest.approx(-96 * MPS_PER_FPM)  # GNSS rate first
    assert (reports.lat_deg[0], reports.lon_deg[0]) == (52.123456, 21.654321)
    assert (reports.nic[0], reports.nacp[0], reports.squawk[0]) == (8, 9, 1000)
    assert reports.signal_dbfs[0] == -18.4
    assert reports.on_ground[1] and np.isnan(reports.alt_baro_m[1])
    assert reports.alt_baro_m[2] == pytest.approx(2000 * METRES_PER_FOOT)
    assert reports.ground_speed_mps[2] == pytest.approx(120 * MPS_PER_KNOT)
    assert reports.vertical_rate_mps[2] == pytest.approx(640 * MPS_PER_FPM)
    assert list(reports.nic[1:]) == [-1, -1]


@pytest.mark.parametrize(
    ("change", "word"),
    [
        ({"hex": "zz"}, "hex"),
        ({"hex": "1000000"}, "hex"),
        ({"lat": 91.0}, "lat"),
        ({"lon": None}, "lat and lon"),
        ({"gs": "fast"}, "gs"),
        ({"nic": 12}, "nic"),
        ({"squawk": "9999"}, "squawk"),
        ({"track": True}, "track"),
        ({"alt_baro": 10**400}, "alt_baro"),
    ],
)
def test_bad_entries_are_skipped_naming_the_field(change: dict[str, object], word: str) -> None:
    document = aircraft_json([AIRLINER, AIRLINER | change, "not an object"])
    reports, skips = parse_aircraft_json(document, now_s=0.0)
    assert len(reports) == 1
    assert [(s.kind, s.at) for s in skips] == [(SkipKind.FIELD, 1), (SkipKind.SYNTAX, 2)]
    assert word in skips[0].message


@pytest.mark.parametrize("document", ["{", "[]", '{"aircraft": 5}', b"\xff\xfe"])
def test_unreadable_documents_are_one_skip(document: str | bytes) -> None:
    reports, skips = parse_aircraft_json(document, now_s=0.0)
    assert len(reports) == 0
    assert [(s.kind, s.at) for s in skips] == [(SkipKind.SYNTAX, -1)]
