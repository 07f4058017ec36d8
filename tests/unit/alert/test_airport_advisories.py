"""Airport advisories: closing on a persistent predicted threat, updating, the minimum
closure, reopening without closing again at once, and the NOTAMs they send."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime

import numpy as np
import pytest
from alert_builders import make_assessment, make_tracks

from flankwatch.alert import ALERT_CANCELLED, ALERT_ISSUED, ALERT_UPDATED, AlertEngine
from flankwatch.alert.base import AlertStep
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


def with_rules(text: str) -> AlertRules:
    return parse_rules(text, "test rules", base=AIRPORTS_ONLY)


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


def step(
    alerts: AlertEngine,
    rows: Sequence[dict],
    identities: Sequence[str],
    t_s: float,
    updated_s: float | None = None,
) -> AlertStep:
    """One step at ``t_s`` of tracks last updated at ``updated_s`` (default ``t_s``)."""
    tracks = make_tracks(rows, time_s=t_s)
    if updated_s is not None:
        tracks = replace(tracks, last_update_s=np.full(len(rows), updated_s))
    return alerts.step(tracks, make_assessment(tracks, identities), t_s)


def fly(
    alerts: AlertEngine,
    epwa: np.ndarray,
    track_id: int,
    east_m: float,
    times_s: Sequence[float],
    identity: str = "hostile",
    speed_mps: float = 50.0,
) -> list[AlertStep]:
    """A track flying west at EPWA from ``east_m`` east of it at the first time, one
    update per time."""
    t0_s = times_s[0]
    return [
        step(
            alerts,
            [towards(epwa, track_id, east_m - speed_mps * (t_s - t0_s), speed_mps)],
            [identity],
            t_s,
        )
        for t_s in times_s
    ]


def test_a_hostile_drone_heading_at_epwa_closes_it_once_the_prediction_persists(
    scenario, frame, epwa_enu
) -> None:
    alerts = engine(scenario, frame)
    steps = fly(alerts, epwa_enu, 7, 60_000.0, [0.0, 10.0, 20.0, 30.0])
    # Three updates are not enough before 30 s have passed; the fourth, at 30 s, closes it.
    assert [airport_events(s.events) for s in steps[:3]] == [[], [], []]
    (event,) = airport_events(steps[3].events)
    assert event.kind == ALERT_ISSUED
    assert event.track_id == 7
    assert event.subject.endswith("AD-EPWA-1")
    assert event.data["icao"] == "EPWA" and event.data["notam"] == "A0001/25"
    assert "EPWA closed" in event.message and "track 7" in event.message
    # 58.5 km out at 50 m/s at 00:00:30: within 30 km 570 s later, at 00:10 UTC
    assert "00:10 UTC" in event.message
    status = alerts.airport_status()
    assert status["EPWA"].closed and status["EPWA"].since_s == 30.0
    assert status["EPWA"].since == datetime(2025, 9, 10, 0, 0, 30, tzinfo=UTC)
    assert status["EPWA"].notam == "A0001/25"
    assert not status["EPLB"].closed and status["EPLB"].since is None


def test_one_outlier_update_closes_nothing(scenario, frame, epwa_enu) -> None:
    alerts = engine(scenario, frame)
    # A drone 60 km east flying north; one update has its velocity thrown at EPWA.
    north = {"track_id": 4, "x_m": epwa_enu[0] + 60_000.0, "y_m": epwa_enu[1], "vy_mps": 44.0}
    outlier = {**north, "vx_mps": -111.0, "vy_mps": 0.0}
    events = []
    for t_s, row in [(0.0, north), (10.0, outlier), (20.0, north), (30.0, north), (40.0, north)]:
        events += airport_events(step(alerts, [row], ["hostile"], t_s).events)
    assert events == []
    assert not alerts.airport_status()["EPWA"].closed


def test_a_track_without_new_updates_does_not_make_a_prediction_persist(
    scenario, frame, epwa_enu
) -> None:
    alerts = engine(scenario, frame)
    # Coasting on one update from t = 0 for a minute: one update, not three.
    for t_s in (0.0, 20.0, 40.0, 60.0):
        row = towards(epwa_enu, 2, 60_000.0 - 50.0 * t_s)
        assert airport_events(step(alerts, [row], ["hostile"], t_s, updated_s=0.0).events) == []
    assert not alerts.airport_status()["EPWA"].closed


def test_persistence_is_configurable(scenario, frame, epwa_enu) -> None:
    alerts = engine(scenario, frame, with_rules("airports: {persist_updates: 1, persist_s: 0}"))
    (first,) = fly(alerts, epwa_enu, 7, 60_000.0, [0.0])
    assert [e.kind for e in airport_events(first.events)] == [ALERT_ISSUED]


def test_the_notam_is_in_the_icao_format_and_names_no_track(scenario, frame, epwa_enu) -> None:
    alerts = engine(scenario, frame)
    steps = fly(alerts, epwa_enu, 7, 60_000.0, [900.0, 910.0, 920.0, 930.0])
    (notam,) = [m for m in steps[-1].messages if m.format == "notam"]
    assert notam.msg_type == "Alert"
    assert notam.body.splitlines() == [
        "A0001/25 NOTAMN",
        "Q) EPWW/QFALC/IV/NBO/A/000/999/5210N02058E005",
        "A) EPWA B) 2509100015 C) UFN",
        "E) AD CLSD DUE TO UNKNOWN AIRBORNE OBJECTS. AIRSPACE SAFETY MEASURES IN FORCE.",
    ]


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
    fly(alerts, epwa_enu, 3, 40_000.0, [0.0, 15.0, 30.0], identity=identity)
    assert alerts.airport_status()["EPWA"].closed is closes


@pytest.mark.parametrize("predictor", ["cone", "straight-line"])
def test_distance_and_time_both_bound_the_prediction(
    scenario, frame, epwa_enu, predictor: str
) -> None:
    alerts = engine(scenario, frame, with_rules(f"airports: {{predictor: {predictor}}}"))
    for t_s in (0.0, 15.0, 30.0):
        rows = [
            # heading away from EPWA, 40 km out: never within 30 km
            {**towards(epwa_enu, 1, 40_000.0 + 50.0 * t_s), "vx_mps": 50.0},
            # heading at it but 100 km out at 50 m/s: within 30 km only after 1400 s > 1200 s
            towards(epwa_enu, 2, 100_000.0 - 50.0 * t_s),
            # passing 40 km north of it: never within 30 km
            {**towards(epwa_enu, 3, 60_000.0 - 50.0 * t_s), "y_m": epwa_enu[1] + 40_000.0},
        ]
        assert step(alerts, rows, ["hostile"] * 3, t_s).events == []
    assert not alerts.airport_status()["EPWA"].closed
    # A track already within the distance closes it, wherever it is heading.
    for t_s in (100.0, 115.0, 130.0):
        step(alerts, [{**towards(epwa_enu, 4, 20_000.0), "vx_mps": 50.0}], ["hostile"], t_s)
    assert alerts.airport_status()["EPWA"].closed


def test_tentative_and_deleted_tracks_are_not_considered(scenario, frame, epwa_enu) -> None:
    alerts = engine(scenario, frame)
    rows = [
        towards(epwa_enu, 1, 20_000.0, status=TrackStatus.TENTATIVE),
        towards(epwa_enu, 2, 20_000.0, status=TrackStatus.DELETED),
    ]
    for t_s in (0.0, 15.0, 30.0, 45.0):
        step(alerts, rows, ["hostile", "hostile"], t_s)
    assert not alerts.airport_status()["EPWA"].closed


def test_the_threat_table_closes_an_airport_when_asked(scenario, frame, epwa_enu) -> None:
    # A still track 200 km away that the assessment says will pass 5 km from EPWA in 10 min.
    table = [{"track_id": 9, "asset": "EPWA", "cpa_m": 5000.0, "tcpa_s": 600.0}]
    row = {"track_id": 9, "x_m": epwa_enu[0] + 200_000.0, "y_m": epwa_enu[1]}

    def run(rules: AlertRules) -> list:
        alerts = engine(scenario, frame, rules)
        events = []
        for t_s in (0.0, 15.0, 30.0):
            tracks = make_tracks([row], time_s=t_s)
            assessment = make_assessment(tracks, ["hostile"], threats=table)
            events += airport_events(alerts.step(tracks, assessment, t_s).events)
        return [e.kind for e in events]

    assert run(with_rules("airports: {use_threat_table: true}")) == [ALERT_ISSUED]
    # Off by default: the table's closest approaches are straight lines.
    assert run(AIRPORTS_ONLY) == []


def test_life_cycle_close_update_reopen(scenario, frame, epwa_enu) -> None:
    alerts = engine(scenario, frame)
    steps = fly(alerts, epwa_enu, 1, 50_000.0, [0.0, 15.0, 30.0])
    (issued,) = airport_events(steps[-1].events)
    alert_id = issued.subject

    # The same track again: nothing new to say.
    assert fly(alerts, epwa_enu, 1, 45_000.0, [100.0])[0].events == []

    # A second track, held as long: an update of the same alert, with no new NOTAM
    # (item E would not change).
    for t_s in (200.0, 215.0, 230.0):
        both = [towards(epwa_enu, 1, 40_000.0), towards(epwa_enu, 2, 55_000.0)]
        updated = step(alerts, both, ["hostile", "suspect"], t_s)
    (event,) = airport_events(updated.events)
    assert (event.kind, event.subject, event.track_id) == (ALERT_UPDATED, alert_id, 2)
    assert "new threat: suspect one way attack drone track 2" in event.message
    assert updated.messages == []

    # Then the sky clears at 300 s: still closed until 30 min have passed.
    for t_s in (300.0, 1000.0, 2029.0):
        assert step(alerts, [], [], t_s).events == []
        assert alerts.airport_status()["EPWA"].closed
    reopened = step(alerts, [], [], 2030.0)
    (event,) = reopened.events
    assert (event.kind, event.subject) == (ALERT_CANCELLED, alert_id)
    assert "reopened" in event.message
    (notam,) = reopened.messages
    lines = notam.body.splitlines()
    assert lines[0] == "A0002/25 NOTAMC A0001/25"
    assert lines[1] == "Q) EPWW/QFAAK/IV/NBO/A/000/999/5210N02058E005"
    assert lines[2] == "A) EPWA B) 2509100033"
    assert lines[3] == "E) AD OPEN. CLOSURE DUE TO UNKNOWN AIRBORNE OBJECTS CANCELLED."
    status = alerts.airport_status()["EPWA"]
    assert not status.closed and status.since_s == 2030.0 and status.notam == ""

    # A new closure is a new alert with a new NOTAM.
    later = fly(alerts, epwa_enu, 5, 10_000.0, [3000.0, 3015.0, 3030.0])
    assert later[-1].events[0].kind == ALERT_ISSUED
    assert later[-1].events[0].subject.endswith("AD-EPWA-2")
    assert later[-1].messages[0].body.startswith("A0003/25 NOTAMN\n")


def test_a_hostile_track_replaces_the_notam_when_its_reason_differs(
    scenario, frame, epwa_enu
) -> None:
    rules = with_rules("airports: {hostile_reason: HOSTILE AIRBORNE OBJECTS}")
    alerts = engine(scenario, frame, rules)
    fly(alerts, epwa_enu, 1, 50_000.0, [0.0, 15.0, 30.0], identity="suspect")
    for t_s in (100.0, 115.0, 130.0):
        both = [towards(epwa_enu, 1, 40_000.0), towards(epwa_enu, 2, 55_000.0)]
        updated = step(alerts, both, ["suspect", "hostile"], t_s)
    (notam,) = updated.messages
    assert notam.msg_type == "Update"
    lines = notam.body.splitlines()
    assert lines[0] == "A0002/25 NOTAMR A0001/25"
    assert lines[1].startswith("Q) EPWW/QFALC/")
    assert lines[3] == (
        "E) AD CLSD DUE TO HOSTILE AIRBORNE OBJECTS. AIRSPACE SAFETY MEASURES IN FORCE."
    )
    assert alerts.airport_status()["EPWA"].notam == "A0002/25"
    # The NOTAMC cancels the NOTAM in force, the replacement.
    empty = [step(alerts, [], [], t_s) for t_s in (200.0, 1900.0, 3000.0)]
    cancel = [m for s in empty for m in s.messages]
    assert [m.body.splitlines()[0] for m in cancel] == ["A0003/25 NOTAMC A0002/25"]


def test_a_closure_lasts_its_minimum_time(scenario, frame, epwa_enu) -> None:
    rules = with_rules("airports: {clear_s: 60, min_closed_s: 1200}")
    alerts = engine(scenario, frame, rules)
    fly(alerts, epwa_enu, 1, 35_000.0, [0.0, 15.0, 30.0])
    assert alerts.airport_status()["EPWA"].closed
    # The threat is gone at once; clear for far longer than clear_s, still closed.
    for t_s in (100.0, 600.0, 1229.0):
        step(alerts, [], [], t_s)
        assert alerts.airport_status()["EPWA"].closed
    reopened = step(alerts, [], [], 1230.0)
    assert [e.kind for e in reopened.events] == [ALERT_CANCELLED]


def _away_and_back(alerts: AlertEngine, epwa: np.ndarray) -> list:
    """Close EPWA, fly 15 min out to the east, then turn back at it; the events."""
    events: list = []
    for steps in (fly(alerts, epwa, 1, 35_000.0, [0.0, 15.0, 30.0]),):
        events += [e for s in steps for e in airport_events(s.events)]
    # Away from 35 km east at 50 m/s until 60 km out, then back.
    for t_s in np.arange(45.0, 1800.0, 15.0):
        out_s = 500.0
        if t_s <= out_s:
            row = {**towards(epwa, 1, 35_000.0 + 50.0 * t_s), "vx_mps": 50.0}
        else:
            row = towards(epwa, 1, 35_000.0 + 50.0 * out_s - 50.0 * (t_s - out_s))
        events += airport_events(step(alerts, [row], ["hostile"], float(t_s)).events)
    return events


def test_no_reopening_while_a_threat_could_be_back_within_the_guard_time(
    scenario, frame, epwa_enu
) -> None:
    base = "airports: {{clear_s: 60, min_closed_s: 0, reclose_guard_s: {guard}}}"
    guarded = engine(scenario, frame, with_rules(base.format(guard=900)))
    assert [e.kind for e in _away_and_back(guarded, epwa_enu)] == [ALERT_ISSUED]
    # Without the guard it reopens while the track is out and closes again on its return.
    bare = engine(scenario, frame, with_rules(base.format(guard=0)))
    kinds = [(e.kind, e.t_s) for e in _away_and_back(bare, epwa_enu)]
    assert [k for k, _ in kinds] == [ALERT_ISSUED, ALERT_CANCELLED, ALERT_ISSUED]
    assert kinds[2][1] - kinds[1][1] < 900.0


def test_the_guard_lets_an_airport_reopen_once_the_threat_is_out_of_reach(
    scenario, frame, epwa_enu
) -> None:
    alerts = engine(scenario, frame, with_rules("airports: {clear_s: 60, min_closed_s: 0}"))
    fly(alerts, epwa_enu, 1, 35_000.0, [0.0, 15.0, 30.0])
    # Flying away east at 50 m/s: out of reach beyond 30 km + 50 m/s x (1200 s + 900 s),
    # 135 km: no track there could close it again within 15 minutes.
    reopened_at = None
    for t_s in np.arange(45.0, 3000.0, 15.0):
        row = {**towards(epwa_enu, 1, 35_000.0 + 50.0 * t_s), "vx_mps": 50.0}
        if any(e.kind == ALERT_CANCELLED for e in step(alerts, [row], ["hostile"], t_s).events):
            reopened_at = float(t_s)
            break
    assert reopened_at is not None
    assert 35_000.0 + 50.0 * reopened_at > 135_000.0 > 35_000.0 + 50.0 * (reopened_at - 15.0)


def test_a_weaving_missile_passing_far_off_does_not_close_a_drone_at_it_does(
    scenario, frame, epwa_enu
) -> None:
    # A cruise missile 200 km east whose weave points it at EPWA for a moment: the
    # IMM holds it in a turn mode. The cone does not close EPWA; a straight line does.
    missile = towards(epwa_enu, 1, 200_000.0, 240.0)

    def closes(predictor: str, manoeuvre_prob: float) -> bool:
        alerts = engine(scenario, frame, with_rules(f"airports: {{predictor: {predictor}}}"))
        for t_s in (0.0, 15.0, 30.0, 45.0):
            tracks = make_tracks([missile], time_s=t_s)
            tracks = replace(tracks, manoeuvre_prob=np.full(1, manoeuvre_prob))
            alerts.step(tracks, make_assessment(tracks, ["hostile"], ["cruise-missile"]), t_s)
        return alerts.airport_status()["EPWA"].closed

    assert not closes("cone", 0.7)
    assert closes("straight-line", 0.7)
    assert closes("cone", 0.0)
