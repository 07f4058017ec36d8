"""Airport advisories: closing on a predicted threat, updating, reopening, NOTAM text."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest
from alert_builders import make_assessment, make_tracks

from flankwatch.alert import ALERT_CANCELLED, ALERT_ISSUED, ALERT_UPDATED, AlertEngine
from flankwatch.alert.ruleset import AlertRules, parse_rules
from flankwatch.deployment import Deployment
from flankwatch.geo.frames import LocalFrame
from flankwatch.scenario.schema import Scenario
from flankwatch.track.output import TrackStatus

# Public alerts are left out of these tests: they have their own.
AIRPORTS_ONLY = parse_rules(
    "public:\n  identities: [pending]\n  asset_kinds: []\n  airports: false\n", "test rules"
)


def engine(scenario: Scenario, frame: LocalFrame, rules: AlertRules = AIRPORTS_ONLY) -> AlertEngine:
    return AlertEngine.from_deployment(Deployment.from_scenario(scenario), rules)


def towards(
    epwa: np.ndarray, track_id: int, east_m: float, speed_mps: float = 50.0, **extra: object
) -> dict:
    """A track ``east_m`` east of EPWA flying west at it."""
    return {
        "track_id": track_id,
        "x_m": epwa[0] + east_m,
        "y_m": epwa[1],
        "vx_mps": -speed_mps,
        "vy_mps": 0.0,
        **extra,
    }


def airport_events(events: list) -> list:
    return [e for e in events if e.data.get("alert") == "airport"]


def test_a_hostile_drone_heading_at_epwa_closes_it(scenario, frame, epwa_enu) -> None:
    alerts = engine(scenario, frame)
    tracks = make_tracks([towards(epwa_enu, 7, 60_000.0)])
    step = alerts.step(tracks, make_assessment(tracks, ["hostile"]), 0.0)
    (event,) = airport_events(step.events)
    assert event.kind == ALERT_ISSUED
    assert event.track_id == 7
    assert event.subject.endswith("AD-EPWA-1")
    assert event.data["icao"] == "EPWA"
    assert "EPWA closed" in event.message and "track 7" in event.message
    # 60 km out at 50 m/s: within 30 km in 600 s, at 00:10 UTC
    assert "00:10 UTC" in event.message
    status = alerts.airport_status()
    assert status["EPWA"].closed and status["EPWA"].since_s == 0.0
    assert status["EPWA"].since == datetime(2025, 9, 10, tzinfo=UTC)
    assert not status["EPLB"].closed and status["EPLB"].since is None


def test_the_notam_text_names_the_airport_the_reason_and_the_times(
    scenario, frame, epwa_enu
) -> None:
    alerts = engine(scenario, frame)
    tracks = make_tracks([towards(epwa_enu, 7, 60_000.0)], time_s=900.0)
    step = alerts.step(tracks, make_assessment(tracks, ["hostile"]), 900.0)
    (notam,) = [m for m in step.messages if m.format == "notam"]
    assert notam.msg_type == "Alert"
    lines = notam.body.splitlines()
    assert lines[0] == "NOTAMN"
    assert lines[1] == "A) EPWA (WARSAW CHOPIN AIRPORT)"
    assert lines[2] == "B) 2509100015 C) UFN"
    assert lines[3].startswith("E) AD CLSD DUE TO UNKNOWN AIRBORNE OBJECTS. ")
    assert "HOSTILE ONE WAY ATTACK DRONE TRACK 7 PREDICTED WI 30KM OF AD AT 0025 UTC" in lines[3]


@pytest.mark.parametrize(
    ("identity", "closes"),
    [
        ("hostile", True),
        ("suspect", True),
        ("neutral", False),
        ("friend", False),
        ("unknown", False),
        ("pending", False),
    ],
)
def test_only_suspect_and_hostile_tracks_close_an_airport(
    scenario, frame, epwa_enu, identity: str, closes: bool
) -> None:
    alerts = engine(scenario, frame)
    tracks = make_tracks([towards(epwa_enu, 3, 40_000.0)])
    alerts.step(tracks, make_assessment(tracks, [identity]), 0.0)
    assert alerts.airport_status()["EPWA"].closed is closes


def test_distance_and_time_both_bound_the_prediction(scenario, frame, epwa_enu) -> None:
    alerts = engine(scenario, frame)
    rows = [
        # heading away from EPWA, 40 km out: never within 30 km
        {**towards(epwa_enu, 1, 40_000.0), "vx_mps": 50.0},
        # heading at it but 100 km out at 50 m/s: within 30 km only after 1400 s > 1200 s
        towards(epwa_enu, 2, 100_000.0),
        # passing 35 km north of it: never within 30 km
        {**towards(epwa_enu, 3, 60_000.0), "y_m": epwa_enu[1] + 35_000.0},
    ]
    tracks = make_tracks(rows)
    step = alerts.step(tracks, make_assessment(tracks, ["hostile"] * 3), 0.0)
    assert step.events == []
    assert not alerts.airport_status()["EPWA"].closed
    # A track already within the distance closes it, wherever it is heading.
    near = make_tracks([{**towards(epwa_enu, 4, 20_000.0), "vx_mps": 50.0}])
    alerts.step(near, make_assessment(near, ["hostile"]), 10.0)
    assert alerts.airport_status()["EPWA"].closed


def test_tentative_and_deleted_tracks_are_not_considered(scenario, frame, epwa_enu) -> None:
    alerts = engine(scenario, frame)
    tracks = make_tracks(
        [
            towards(epwa_enu, 1, 20_000.0, status=TrackStatus.TENTATIVE),
            towards(epwa_enu, 2, 20_000.0, status=TrackStatus.DELETED),
        ]
    )
    alerts.step(tracks, make_assessment(tracks, ["hostile", "hostile"]), 0.0)
    assert not alerts.airport_status()["EPWA"].closed


def test_the_threat_table_closes_an_airport_too(scenario, frame, epwa_enu) -> None:
    alerts = engine(scenario, frame)
    # A still track 200 km away that the assessment says will pass 5 km from EPWA in 10 min.
    tracks = make_tracks([{"track_id": 9, "x_m": epwa_enu[0] + 200_000.0, "y_m": epwa_enu[1]}])
    table = [{"track_id": 9, "asset": "EPWA", "cpa_m": 5000.0, "tcpa_s": 600.0}]
    step = alerts.step(tracks, make_assessment(tracks, ["hostile"], threats=table), 0.0)
    assert [e.kind for e in airport_events(step.events)] == [ALERT_ISSUED]
    # ... unless the rules say not to read it.
    rules = parse_rules("airports:\n  use_threat_table: false\n", "x", base=AIRPORTS_ONLY)
    plain = engine(scenario, frame, rules)
    assert plain.step(tracks, make_assessment(tracks, ["hostile"], threats=table), 0.0).events == []


def test_life_cycle_close_update_reopen(scenario, frame, epwa_enu) -> None:
    alerts = engine(scenario, frame)
    first = make_tracks([towards(epwa_enu, 1, 50_000.0)])
    issued = alerts.step(first, make_assessment(first, ["hostile"]), 0.0)
    alert_id = issued.events[0].subject

    # The same track again: nothing new to say.
    again = make_tracks([towards(epwa_enu, 1, 45_000.0)], time_s=100.0)
    assert alerts.step(again, make_assessment(again, ["hostile"]), 100.0).events == []

    # A second track: an update of the same alert.
    both = make_tracks(
        [towards(epwa_enu, 1, 40_000.0), towards(epwa_enu, 2, 55_000.0)], time_s=200.0
    )
    updated = alerts.step(both, make_assessment(both, ["hostile", "suspect"]), 200.0)
    (event,) = airport_events(updated.events)
    assert (event.kind, event.subject, event.track_id) == (ALERT_UPDATED, alert_id, 2)
    (notam,) = updated.messages
    assert notam.msg_type == "Update" and notam.body.startswith("NOTAMR")

    # Then the sky clears at 300 s: still closed until 30 min have passed.
    empty = make_tracks([])
    for t_s in (300.0, 1000.0, 1999.0):
        assert alerts.step(empty, make_assessment(empty, []), t_s).events == []
        assert alerts.airport_status()["EPWA"].closed
    reopened = alerts.step(empty, make_assessment(empty, []), 2000.0)
    (event,) = reopened.events
    assert (event.kind, event.subject) == (ALERT_CANCELLED, alert_id)
    assert "reopened" in event.message
    (notam,) = reopened.messages
    assert notam.body.startswith("NOTAMC")
    assert "AD OPEN" in notam.body and "SINCE 0003 UTC" in notam.body
    status = alerts.airport_status()["EPWA"]
    assert not status.closed and status.since_s == 2000.0

    # A new closure is a new alert.
    later = make_tracks([towards(epwa_enu, 5, 10_000.0)], time_s=3000.0)
    closed_again = alerts.step(later, make_assessment(later, ["hostile"]), 3000.0)
    assert closed_again.events[0].kind == ALERT_ISSUED
    assert closed_again.events[0].subject.endswith("AD-EPWA-2")
