"""Frames and the frame message between two: what changed, rounded, and nothing else."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pytest

from flankwatch.web.frames import FULL_EVENTS, PATH_POINTS, frame_at, frame_message
from flankwatch.web.recorded import _latest, _ranks
from flankwatch.web.rows import OwnRows, TrackRows
from flankwatch.web.timeline import Timeline, WindowData

START = datetime(2025, 9, 10, tzinfo=UTC)


def rows(*tracks: dict[str, Any]) -> TrackRows:
    """Track rows from a few values per track (the rest plain)."""
    n = len(tracks)

    def column(name: str, default: Any, dtype: Any) -> np.ndarray:
        return np.array([t.get(name, default) for t in tracks], dtype=dtype).reshape(n)

    return TrackRows(
        track_id=column("id", 0, np.int64),
        lat_deg=column("lat", 52.0, float),
        lon_deg=column("lon", 23.0, float),
        alt_m=column("alt", 1000.0, float),
        course_deg=column("crs", 90.0, float),
        speed_mps=column("spd", 50.0, float),
        ve_mps=column("ve", 50.0, float),
        vn_mps=column("vn", 0.0, float),
        status=column("st", "confirmed", object),
        identity=column("idn", "unknown", object),
        category=column("cls", "decoy", object),
        category_prob=column("p", 0.5, float),
        rank=column("rank", 0, np.int64),
        crossing_t_s=column("cross", np.nan, float),
        icao=column("icao", "", object),
        callsign=column("cs", "", object),
    )


def event(t_s: float, kind: str, track_id: int = -1, subject: str = "", **data: Any) -> dict:
    return {
        "t_s": t_s,
        "kind": kind,
        "track_id": track_id,
        "subject": subject,
        "message": f"{kind} {track_id}",
        "data": data,
    }


def timeline_of(*windows: WindowData) -> Timeline:
    timeline = Timeline(5.0, {"EPWA": "Warsaw Chopin Airport", "EPLB": "Lublin Airport"})
    for window in windows:
        timeline.append(window)
    return timeline


def message(timeline: Timeline, before: int | None, after: int) -> dict[str, Any]:
    first = frame_at(timeline, before) if before is not None else None
    return frame_message(
        timeline, first, frame_at(timeline, after), START, playing=True, speed=60.0
    )


def test_a_full_frame_holds_every_track_and_airport_rounded() -> None:
    timeline = timeline_of(
        WindowData(
            5.0,
            rows({"id": 1, "lat": 52.123456789, "alt": 1234.0, "spd": 49.6}, {"id": 2}),
            OwnRows.empty(),
        )
    )
    full = message(timeline, None, 0)
    assert full["type"] == "frame" and full["full"] is True
    assert full["utc"] == "2025-09-10T00:00:05+00:00"
    by_id = {t["id"]: t for t in full["tracks"]["set"]}
    assert set(by_id) == {1, 2}
    assert by_id[1]["lat"] == 52.12346 and by_id[1]["alt"] == 1230 and by_id[1]["spd"] == 50
    assert by_id[1]["rank"] is None and by_id[1]["ttb"] is None and by_id[1]["path"] == []
    assert {a["icao"] for a in full["airports"]} == {"EPWA", "EPLB"}
    json.dumps(full, allow_nan=False)  # plain JSON: no NaN reaches the page


def test_only_tracks_whose_rounded_values_changed_are_sent() -> None:
    timeline = timeline_of(
        WindowData(5.0, rows({"id": 1}, {"id": 2}, {"id": 3}), OwnRows.empty()),
        WindowData(
            10.0,
            rows(
                {"id": 1, "lat": 52.0 + 4e-6},  # below the 1e-5 degree rounding: not sent
                {"id": 2, "lat": 52.0 + 2e-5},  # moved: sent
                {"id": 4},  # new: sent
            ),
            OwnRows.empty(),
        ),
    )
    delta = message(timeline, 0, 1)
    assert delta["full"] is False
    assert sorted(t["id"] for t in delta["tracks"]["set"]) == [2, 4]
    assert delta["tracks"]["del"] == [3]
    assert delta["airports"] == []


def test_a_changed_identity_or_rank_sends_the_track() -> None:
    timeline = timeline_of(
        WindowData(5.0, rows({"id": 1}, {"id": 2}), OwnRows.empty()),
        WindowData(10.0, rows({"id": 1, "idn": "hostile"}, {"id": 2, "rank": 3}), OwnRows.empty()),
    )
    sent = {t["id"]: t for t in message(timeline, 0, 1)["tracks"]["set"]}
    assert sent[1]["idn"] == "hostile" and sent[2]["rank"] == 3


def test_logs_between_frames_are_sent_once_and_a_seek_back_is_full() -> None:
    closed = event(12.0, "alert-issued", 1, "AD-EPLB-1", alert="airport", icao="EPLB")
    timeline = timeline_of(
        WindowData(5.0, rows({"id": 1}), OwnRows.empty(), events=[event(4.0, "border-crossed", 1)]),
        WindowData(
            10.0,
            rows({"id": 1}),
            OwnRows.empty(),
            shots=[
                {
                    "shot_id": 7,
                    "t_s": 9.0,
                    "unit": "u",
                    "weapon": "w",
                    "track_id": 1,
                    "from": [23.0, 52.0],
                    "aim": [23.1, 52.0],
                }
            ],
        ),
        WindowData(
            15.0,
            rows({"id": 1}),
            OwnRows.empty(),
            events=[closed],
            alerts=[
                {
                    "t_s": 15.0,
                    "format": "notam",
                    "msg_type": "Alert",
                    "alert_id": "AD-EPLB-1",
                    "message_id": "AD-EPLB-1",
                    "body": "EPLB CLOSED",
                }
            ],
            outcomes=[(7, True)],
        ),
    )
    first = message(timeline, 0, 1)
    assert first["events"] == [] and [s["outcome"] for s in first["shots"]] == [None]
    second = message(timeline, 1, 2)
    assert [s["outcome"] for s in second["shots"]] == ["kill"]
    assert [e["kind"] for e in second["events"]] == ["alert-issued"]
    assert second["alerts"] == [
        {
            "alert_id": "AD-EPLB-1",
            "kind": "airport",
            "msg_type": "Alert",
            "format": "notam",
            "t_s": 15.0,
            "track_id": 1,
            "headline": "alert-issued 1",
        }
    ]
    assert second["airports"] == [
        {"icao": "EPLB", "name": "Lublin Airport", "closed": True, "since_s": 12.0}
    ]
    back = message(timeline, 2, 1)  # a seek to an earlier time: everything as it was then
    assert back["full"] is True
    assert [s["outcome"] for s in back["shots"]] == [None]
    assert [e["kind"] for e in back["events"]] == ["border-crossed"]
    assert all(not a["closed"] for a in back["airports"])


def test_a_track_shot_down_is_no_longer_drawn_unless_found_still_flying() -> None:
    shot = {"shot_id": 3, "t_s": 6.0, "unit": "u", "weapon": "w", "track_id": 1}
    shot |= {"from": [23.0, 52.0], "aim": [23.1, 52.0]}
    timeline = timeline_of(
        WindowData(5.0, rows({"id": 1}, {"id": 2}), OwnRows.empty()),
        WindowData(10.0, rows({"id": 1}, {"id": 2}), OwnRows.empty(), shots=[shot]),
        WindowData(15.0, rows({"id": 1}, {"id": 2}), OwnRows.empty(), outcomes=[(3, True)]),
        WindowData(20.0, rows({"id": 1}, {"id": 2}), OwnRows.empty()),  # 1 coasts on
        WindowData(
            25.0,
            rows({"id": 1}, {"id": 2}),
            OwnRows.empty(),
            events=[event(25.0, "target-survived", 1)],
        ),
    )
    shown = [timeline.tracks(k).track_id.tolist() for k in range(5)]
    assert shown == [[1, 2], [1, 2], [2], [2], [1, 2]]
    assert message(timeline, 1, 2)["tracks"]["del"] == [1]


def test_a_full_frame_carries_only_the_latest_events() -> None:
    many = [event(float(k) / 1000.0, "crossing-predicted", k) for k in range(FULL_EVENTS + 50)]
    timeline = timeline_of(WindowData(5.0, rows(), OwnRows.empty(), events=many))
    sent = message(timeline, None, 0)["events"]
    assert len(sent) == FULL_EVENTS and sent[-1]["track_id"] == FULL_EVENTS + 49


def test_the_predicted_path_runs_on_the_course_to_the_crossing() -> None:
    # 100 m/s east at the equator for 1000 s: 100 km, about 0.898 degree of longitude
    timeline = timeline_of(
        WindowData(
            5.0,
            rows({"id": 1, "lat": 0.0, "lon": 20.0, "ve": 100.0, "vn": 0.0, "cross": 1005.0}),
            OwnRows.empty(),
        )
    )
    track = message(timeline, None, 0)["tracks"]["set"][0]
    assert track["ttb"] == 1000
    assert len(track["path"]) == PATH_POINTS
    assert track["path"][0] == [20.0, 0.0]
    assert track["path"][-1][0] == pytest.approx(20.0 + np.degrees(1e5 / 6_371_000.0), abs=1e-3)
    assert track["path"][-1][1] == 0.0


def test_own_forces_are_sent_when_they_move_and_removed_when_they_land() -> None:
    def own(*lat: float) -> OwnRows:
        n = len(lat)
        return OwnRows(
            object_id=np.arange(n, dtype=np.int64),
            kind=np.full(n, "fighter", object),
            callsign=np.full(n, "QRA1", object),
            lat_deg=np.array(lat),
            lon_deg=np.full(n, 20.0),
            alt_m=np.full(n, 5000.0),
            course_deg=np.zeros(n),
            speed_mps=np.full(n, 250.0),
        )

    timeline = timeline_of(
        WindowData(5.0, rows(), own(52.0, 52.0)),
        WindowData(10.0, rows(), own(52.1)),
    )
    delta = message(timeline, 0, 1)
    assert [o["lat"] for o in delta["own"]["set"]] == [52.1]
    assert delta["own"]["del"] == [1]


def test_the_latest_event_at_or_before_each_row_gives_its_value() -> None:
    ev_track = np.array([5, 5, 6, 5])
    ev_t = np.array([10.0, 20.0, 15.0, 20.0])
    values = np.array(["unknown", "suspect", "neutral", "hostile"], object)
    track = np.array([5, 5, 5, 6, 6, 7])
    t_s = np.array([5.0, 10.0, 25.0, 10.0, 15.0, 30.0])
    got = _latest(ev_track, ev_t, values, track, t_s, "pending")
    # the later of two events at the same time wins (hostile after suspect)
    assert got.tolist() == ["pending", "unknown", "hostile", "pending", "neutral", "pending"]


def test_a_track_row_takes_its_best_rank_of_its_window() -> None:
    import pyarrow as pa

    ranking = pa.table({"rank": [2, 1, 3], "track_id": [8, 8, 9], "t_s": [10.0, 10.0, 5.0]})
    t1 = np.array([5.0, 10.0])
    got = _ranks(ranking, t1, np.array([8, 9, 8, 9]), np.array([1, 0, 0, 1]))
    assert got.tolist() == [1, 3, 0, 0]


def test_the_same_window_again_sends_only_the_controls() -> None:
    """A speed or pause change re-sends the shown window: a delta with nothing in it,
    never a second full frame."""
    timeline = timeline_of(
        WindowData(5.0, rows({"id": 1}), OwnRows.empty(), events=[event(4.0, "border-crossed", 1)])
    )
    shown = frame_at(timeline, 0)
    again = frame_message(timeline, shown, shown, START, playing=False, speed=600.0)
    assert again["full"] is False and again["playing"] is False and again["speed"] == 600.0
    assert again["tracks"] == {"set": [], "del": []} and again["events"] == []
    assert again["airports"] == [] and again["alerts"] == [] and again["shots"] == []
