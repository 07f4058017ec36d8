"""Cursor on Target event content: types, errors, times, tracks and airports."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import timedelta

import numpy as np
import pytest

from cot_tracks import FRAME, START, batch
from flankwatch.geo.airports import airport
from flankwatch.io.cot import (
    UNKNOWN_ERROR_M,
    airport_event,
    cot_time,
    cot_type,
    position_errors_m,
    track_events,
)
from flankwatch.io.cot_stream import parse_cot_url
from flankwatch.track.output import TrackBatch, TrackStatus


@pytest.mark.parametrize(
    ("identity", "category", "expected"),
    [
        ("hostile", "one-way-attack-drone", "a-h-A-M-F-Q"),
        ("suspect", "decoy", "a-s-A-M-F-Q"),
        ("hostile", "cruise-missile", "a-h-A-W-M-A-S"),
        ("hostile", "ballistic-missile", "a-h-A-W-M-S-S"),
        ("neutral", "fixed-wing", "a-n-A-C-F"),
        ("friend", "fixed-wing", "a-f-A-M-F"),
        ("unknown", "fixed-wing", "a-u-A-M-F"),
        ("assumed-friend", "helicopter", "a-a-A-M-H"),
        ("hostile", "helicopter", "a-h-A-M-H"),
        ("pending", "unknown", "a-p-A"),
    ],
)
def test_type_from_identity_and_class(identity: str, category: str, expected: str) -> None:
    assert cot_type(identity, category) == expected


def test_every_identity_has_its_letter() -> None:
    letters = {
        i: cot_type(i, "unknown")[2]
        for i in ("pending", "unknown", "assumed-friend", "friend", "neutral", "suspect", "hostile")
    }
    assert letters == {
        "pending": "p",
        "unknown": "u",
        "assumed-friend": "a",
        "friend": "f",
        "neutral": "n",
        "suspect": "s",
        "hostile": "h",
    }


def test_ce_and_le_are_one_sigma_from_the_covariance() -> None:
    tracks = batch(2, sigma_m=100.0)
    ce, le = position_errors_m(tracks)
    np.testing.assert_allclose(ce, 200.0)  # larger axis of the horizontal ellipse
    np.testing.assert_allclose(le, 30.0)
    unknown = TrackBatch(
        **{
            **{n: getattr(tracks, n) for n in tracks.column_names()},
            "cov_xx_m2": np.array([np.nan, 1e4]),
            "cov_zz_m2": np.array([-1.0, np.inf]),
        }
    )
    ce, le = position_errors_m(unknown)
    assert ce[0] == UNKNOWN_ERROR_M and le[0] == UNKNOWN_ERROR_M and le[1] == UNKNOWN_ERROR_M


def test_track_event_content() -> None:
    tracks = batch(2)
    events = track_events(
        tracks,
        FRAME,
        START,
        ["hostile", "neutral"],
        ["one-way-attack-drone", "fixed-wing"],
        stale_s=30.0,
    )
    assert len(events) == 2
    root = ET.fromstring(events[0].encode())
    assert root.tag == "event"
    assert root.get("version") == "2.0"
    assert root.get("uid") == "flankwatch.track.1"
    assert root.get("type") == "a-h-A-M-F-Q"
    assert root.get("how") == "m-f"
    assert root.get("time") == root.get("start") == "2025-09-09T21:31:00.000Z"
    assert root.get("stale") == "2025-09-09T21:31:30.000Z"
    point = root.find("point")
    assert float(point.get("lat")) == pytest.approx(52.0, abs=1e-4)
    assert float(point.get("lon")) == pytest.approx(21.0, abs=1e-4)
    assert float(point.get("hae")) == pytest.approx(500.0, abs=1.0)
    assert float(point.get("ce")) == pytest.approx(200.0)
    assert float(point.get("le")) == pytest.approx(30.0)
    track = root.find("detail/track")
    assert float(track.get("speed")) == pytest.approx(50.0, abs=0.1)
    assert float(track.get("course")) == pytest.approx(45.0, abs=0.1)
    assert root.find("detail/contact").get("callsign") == "T0001"
    extra = root.find("detail/_flankwatch_")
    assert extra.attrib == {
        "track": "1",
        "category": "one-way-attack-drone",
        "identity": "hostile",
        "status": "confirmed",
    }
    second = ET.fromstring(events[1].encode())
    assert second.get("type") == "a-n-A-C-F"
    # 10 km east of the frame's origin true north is turned by the meridian convergence,
    # about (lon - lon0) sin(lat) degrees: the course is a little more than 45
    lon = float(second.find("point").get("lon"))
    convergence_deg = (lon - FRAME.lon_deg) * np.sin(np.radians(52.0))
    course = float(second.find("detail/track").get("course"))
    assert course == pytest.approx(45.0 + convergence_deg, abs=0.06)


def test_stale_is_after_time_and_deleted_tracks_are_left_out() -> None:
    tracks = batch(3)
    status = tracks.status.copy()
    status[1] = int(TrackStatus.DELETED)
    tracks = TrackBatch(
        **{**{n: getattr(tracks, n) for n in tracks.column_names()}, "status": status}
    )
    events = [ET.fromstring(e.encode()) for e in track_events(tracks, FRAME, START)]
    assert [e.get("uid") for e in events] == ["flankwatch.track.1", "flankwatch.track.3"]
    for event in events:
        assert event.get("stale") > event.get("time")
        assert event.get("type") == "a-p-A"


def test_airport_event() -> None:
    epwa = airport("EPWA")
    when = START + timedelta(minutes=20)
    xml = airport_event(
        epwa.icao,
        epwa.name,
        epwa.lat_deg,
        epwa.lon_deg,
        epwa.elevation_m,
        closed=True,
        when=when,
        since=START,
        reason="hostile drone",
    )
    root = ET.fromstring(xml.encode())
    assert root.get("uid") == "flankwatch.airport.EPWA"
    assert root.get("type").startswith("a-f-G")
    assert root.get("stale") > root.get("time")
    remarks = root.find("detail/remarks").text
    assert "EPWA" in remarks and "CLOSED since 2025-09-09 21:30 UTC" in remarks
    assert root.find("detail/_flankwatch_airport_").get("status") == "closed"
    assert float(root.find("point").get("lat")) == pytest.approx(epwa.lat_deg)


def test_cot_time_and_urls() -> None:
    assert cot_time(START) == "2025-09-09T21:30:00.000Z"
    assert parse_cot_url("udp://239.2.3.1:6969") == ("udp", "239.2.3.1", 6969)
    with pytest.raises(ValueError):
        parse_cot_url("http://example.org")


# Streaming to real listeners
