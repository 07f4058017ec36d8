"""SBS BaseStation lines to report rows."""

from __future__ import annotations

import math

import numpy as np
import pytest
from adsb_encoders import sbs_line

from flankwatch.io.adsb import AdsbSource, SkipKind, parse_sbs
from flankwatch.io.adsb.columns import METRES_PER_FOOT, MPS_PER_FPM, MPS_PER_KNOT

ICAO = 0x4CA2D6


def test_sbs_round_trip_converts_units() -> None:
    lines = [
        sbs_line(ICAO, 1, callsign="RYR1AB  "),
        sbs_line(ICAO, 3, altitude=37000, lat=53.12345, lon=-2.5),
        sbs_line(ICAO, 4, speed=420, track=271.5, rate=-1536),
        sbs_line(ICAO, 6, squawk="7500"),
        sbs_line(ICAO, 2, lat=51.47, lon=-0.45, ground=True, speed=12),
        sbs_line(ICAO, 3, record="MLAT", altitude=2000, lat=50.0, lon=19.0),
    ]
    reports, skips = parse_sbs(lines, t_s=np.arange(6.0), first_line=1)
    assert skips == []
    assert list(reports.t_s) == list(range(6))
    assert reports.callsign[0] == "RYR1AB"
    assert reports.alt_baro_m[1] == pytest.approx(37000 * METRES_PER_FOOT)
    assert (reports.lat_deg[1], reports.lon_deg[1]) == (53.12345, -2.5)
    assert reports.ground_speed_mps[2] == pytest.approx(420 * MPS_PER_KNOT)
    assert reports.track_rad[2] == pytest.approx(math.radians(271.5))
    assert reports.vertical_rate_mps[2] == pytest.approx(-1536 * MPS_PER_FPM)
    assert reports.squawk[3] == 7500
    assert list(reports.on_ground) == [False] * 4 + [True, False]
    assert list(reports.source) == [AdsbSource.ADSB] * 3 + [AdsbSource.MODE_S] + [
        AdsbSource.ADSB,
        AdsbSource.MLAT,
    ]
    assert np.isnan(reports.lat_deg[[0, 2, 3]]).all()
    assert (reports.icao24 == ICAO).all()


def test_bad_sbs_lines_are_skipped_by_kind_and_line() -> None:
    lines = [
        "STA,,5,179,400AE7,10103,2008/11/28,14:58:51.153,2008/11/28,14:58:51.153,RM",
        "MSG,3,1,1",
        sbs_line(ICAO, 3, lat=95.0, lon=0.0),
        sbs_line(ICAO, 3, altitude="high"),
        sbs_line(ICAO, 6, squawk="7800"),
        sbs_line(ICAO, 9),
        sbs_line(ICAO, 3, altitude=1000).replace("4CA2D6", "XYZ"),
        sbs_line(ICAO, 3, altitude=1000),
    ]
    reports, skips = parse_sbs(lines, t_s=0.0, first_line=20)
    assert len(reports) == 1
    assert [(s.kind, s.at) for s in skips] == [
        (SkipKind.UNSUPPORTED, 20),
        (SkipKind.SYNTAX, 21),
        (SkipKind.FIELD, 22),
        (SkipKind.FIELD, 23),
        (SkipKind.FIELD, 24),
        (SkipKind.FIELD, 25),
        (SkipKind.FIELD, 26),
    ]
    assert "latitude" in skips[2].message
