"""Public CAP alerts: issue, update and cancel, every message valid CAP 1.2."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

import numpy as np
import pytest
from alert_builders import make_assessment, make_tracks
from shapely.geometry import LineString, Point, Polygon

from flankwatch.alert import (
    ALERT_CANCELLED,
    ALERT_ISSUED,
    ALERT_UPDATED,
    AirPicture,
    AlertEngine,
    AlertRules,
    PublicAlerter,
    Target,
)
from flankwatch.alert.cap import CAP_NAMESPACE, validate_cap
from flankwatch.alert.predict import StraightLinePredictor
from flankwatch.alert.ruleset import default_rules, parse_rules
from flankwatch.deployment import Deployment
from flankwatch.geo.frames import LocalFrame
from flankwatch.scenario.schema import Scenario

NS = {"cap": CAP_NAMESPACE}
OFFSET_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$")


def public_engine(scenario: Scenario, frame: LocalFrame) -> AlertEngine:
    engine = AlertEngine.from_deployment(Deployment.from_scenario(scenario))
    engine.advisors = [engine.public]  # airports have their own tests
    return engine


def west(epwa: np.ndarray, track_id: int, east_m: float, north_m: float = 0.0) -> dict:
    """A drone ``east_m`` east of EPWA flying west at 50 m/s."""
    return {
        "track_id": track_id,
        "x_m": epwa[0] + east_m,
        "y_m": epwa[1] + north_m,
        "vx_mps": -50.0,
        "vy_mps": 0.0,
    }


def parse(body: str) -> ET.Element:
    return ET.fromstring(body.encode("utf-8"))


def field(root: ET.Element, path: str) -> str:
    found = root.find(path, NS)
    assert found is not None, path
    return found.text or ""


def test_issue_update_cancel(scenario, frame, epwa_enu) -> None:
    engine = public_engine(scenario, frame)
    messages = []

    tracks = make_tracks([west(epwa_enu, 7, 60_000.0)])
    step = engine.step(tracks, make_assessment(tracks, ["hostile"]), 0.0)
    (issued,) = step.events
    assert issued.kind == ALERT_ISSUED and issued.track_id == 7
    assert "Warsaw" in issued.message
    alert_id = issued.subject
    messages += step.messages

    # 30 s later: too early for an update.
    tracks = make_tracks([west(epwa_enu, 7, 58_500.0)], time_s=30.0)
    assert engine.step(tracks, make_assessment(tracks, ["hostile"]), 30.0).events == []

    # 60 s later: an update, as it moves.
    tracks = make_tracks([west(epwa_enu, 7, 57_000.0)], time_s=60.0)
    step = engine.step(tracks, make_assessment(tracks, ["hostile"]), 60.0)
    (updated,) = step.events
    assert (updated.kind, updated.subject) == (ALERT_UPDATED, alert_id)
    messages += step.messages

    # The track is gone: cancelled.
    step = engine.step(make_tracks([]), make_assessment(make_tracks([]), []), 90.0)
    (cancelled,) = step.events
    assert (cancelled.kind, cancelled.subject) == (ALERT_CANCELLED, alert_id)
    assert "no longer tracked" in cancelled.message
    messages += step.messages
    assert engine.public_alerts() == {}

    assert [m.msg_type for m in messages] == ["Alert", "Update", "Cancel"]
    ids = []
    for message in messages:
        assert message.format == "cap" and message.alert_id == alert_id
        assert validate_cap(message.body) == [], message.body
        root = parse(message.body)
        assert field(root, "cap:msgType") == message.msg_type
        assert field(root, "cap:status") == "Exercise"
        assert field(root, "cap:scope") == "Public"
        assert field(root, "cap:identifier") == message.message_id
        assert OFFSET_TIME.match(field(root, "cap:sent"))
        assert field(root, "cap:info/cap:category") == "Security"
        references = root.find("cap:references", NS)
        if message.msg_type == "Alert":
            assert references is None
        else:
            # every earlier message of the alert, as sender,identifier,sent
            cited = [r.split(",") for r in (references.text or "").split()]
            assert [c[1] for c in cited] == ids
            assert all(c[0] == "flankwatch" and OFFSET_TIME.match(c[2]) for c in cited)
        ids.append(message.message_id)
    assert ids[0] == alert_id and len(set(ids)) == 3
    alert_root = parse(messages[0].body)
    assert field(alert_root, "cap:sent") == "2025-09-10T00:00:00+00:00"
    assert field(alert_root, "cap:info/cap:responseType") == "Shelter"
    assert field(alert_root, "cap:info/cap:urgency") == "Expected"  # about 15 min away
    assert "Warsaw" in field(alert_root, "cap:info/cap:headline")
    assert field(parse(messages[2].body), "cap:info/cap:responseType") == "AllClear"


def test_the_polygon_is_a_closed_corridor_along_the_predicted_path(
    scenario, frame, epwa_enu
) -> None:
    engine = public_engine(scenario, frame)
    tracks = make_tracks([west(epwa_enu, 7, 60_000.0)])
    (message,) = engine.step(tracks, make_assessment(tracks, ["hostile"]), 0.0).messages
    text = field(parse(message.body), "cap:info/cap:area/cap:polygon")
    pairs = [tuple(map(float, pair.split(","))) for pair in text.split()]
    assert len(pairs) >= 4 and pairs[0] == pairs[-1]
    lat, lon = np.array(pairs).T
    assert np.all((49 < lat) & (lat < 55)) and np.all((14 < lon) & (lon < 25))  # lat first
    enu = frame.geodetic_to_enu(lat, lon, np.zeros_like(lat))[:, :2]
    ring = Polygon(enu)
    rules = engine.rules.public
    start = np.array([epwa_enu[0] + 60_000.0, epwa_enu[1]])
    end = start + np.array([-50.0, 0.0]) * rules.path_horizon_s
    path = LineString([start, end])
    assert ring.is_valid
    assert ring.contains(Point(start)) and ring.contains(Point(end))
    assert ring.contains(Point((start + end) / 2))
    distances = [path.distance(Point(p)) for p in enu]
    assert max(distances) == pytest.approx(rules.corridor_half_width_m, rel=0.01)
    assert min(distances) > 0.9 * rules.corridor_half_width_m


def test_an_update_comes_at_once_when_the_threatened_places_change(
    scenario, frame, epwa_enu
) -> None:
    engine = public_engine(scenario, frame)
    # Heading at Warsaw from far out: only Warsaw city within 30 min at first ...
    # (the city's edge about 1750 s away, the airport's 10 km ring about 1880 s)
    tracks = make_tracks([west(epwa_enu, 4, 104_000.0)])
    step = engine.step(tracks, make_assessment(tracks, ["hostile"]), 0.0)
    assert step.events[0].data["targets"] == "Warsaw"
    # ... 10 s later the airport is within reach too.
    tracks = make_tracks([west(epwa_enu, 4, 99_000.0)], time_s=10.0)
    step = engine.step(tracks, make_assessment(tracks, ["hostile"]), 10.0)
    (event,) = step.events
    assert event.kind == ALERT_UPDATED
    assert event.data["targets"] == "Warsaw,Warsaw Chopin Airport"
    assert "now threatens" in event.message


def test_a_track_that_turns_away_is_cancelled_after_the_clear_time(
    scenario, frame, epwa_enu
) -> None:
    engine = public_engine(scenario, frame)
    tracks = make_tracks([west(epwa_enu, 4, 40_000.0)])
    engine.step(tracks, make_assessment(tracks, ["hostile"]), 0.0)
    away = make_tracks([{**west(epwa_enu, 4, 40_000.0), "vx_mps": 50.0}], time_s=10.0)
    assert engine.step(away, make_assessment(away, ["hostile"]), 10.0).events == []
    away = make_tracks([{**west(epwa_enu, 4, 43_000.0), "vx_mps": 50.0}], time_s=60.0)
    step = engine.step(away, make_assessment(away, ["hostile"]), 60.0)
    (event,) = step.events
    assert event.kind == ALERT_CANCELLED
    assert "no longer threatens" in event.message
    (message,) = step.messages
    assert message.msg_type == "Cancel" and validate_cap(message.body) == []


def test_suspect_tracks_and_near_misses_raise_no_public_alert(scenario, frame, epwa_enu) -> None:
    engine = public_engine(scenario, frame)
    tracks = make_tracks([west(epwa_enu, 1, 40_000.0), west(epwa_enu, 2, 40_000.0, 60_000.0)])
    step = engine.step(tracks, make_assessment(tracks, ["suspect", "hostile"]), 0.0)
    assert step.events == [] and step.messages == []


def test_an_imminent_threat_is_immediate(scenario, frame, epwa_enu) -> None:
    engine = public_engine(scenario, frame)
    tracks = make_tracks([west(epwa_enu, 1, 20_000.0)])
    (message,) = engine.step(tracks, make_assessment(tracks, ["hostile"]), 0.0).messages
    assert field(parse(message.body), "cap:info/cap:urgency") == "Immediate"
    assert validate_cap(message.body) == []


def public_alerter(
    scenario: Scenario, frame: LocalFrame, rules: AlertRules, **kwargs: Any
) -> PublicAlerter:
    """An alerter for the scenario's city under ``rules``, built directly."""
    (city,) = scenario.assets
    warsaw = Target(
        name=city.name,
        kind=city.kind,
        lat_deg=city.at.lat,
        lon_deg=city.at.lon,
        enu_m=np.asarray(frame.geodetic_to_enu(city.at.lat, city.at.lon, 0.0), float),
        radius_m=city.radius_m,
        names=(city.name,),
    )
    return PublicAlerter(
        [warsaw],
        rules.public,
        rules.cap,
        StraightLinePredictor(),
        frame,
        scenario.start,
        **kwargs,
    )


def cap_of_one_threat(alerter: PublicAlerter, epwa_enu: np.ndarray) -> ET.Element:
    tracks = make_tracks([west(epwa_enu, 1, 20_000.0)])
    picture = AirPicture.build(tracks, make_assessment(tracks, ["hostile"]), 0.0)
    (message,) = alerter.step(picture).messages
    assert validate_cap(message.body) == []
    return parse(message.body)


ACTUAL_RULES = "cap:\n  status: Actual\n  sender: air-defence.example\n"


def test_rules_that_say_actual_still_give_exercise_by_default(scenario, frame, epwa_enu) -> None:
    rules = parse_rules(ACTUAL_RULES, "x")
    assert rules.cap.status == "Actual"
    root = cap_of_one_threat(public_alerter(scenario, frame, rules), epwa_enu)
    assert field(root, "cap:status") == "Exercise"
    assert field(root, "cap:sender") == "air-defence.example"
    assert "exercise" in field(root, "cap:info/cap:description")


def test_actual_status_only_when_the_alerter_is_told(scenario, frame, epwa_enu) -> None:
    rules = parse_rules(ACTUAL_RULES, "x")
    root = cap_of_one_threat(public_alerter(scenario, frame, rules, cap_status="Actual"), epwa_enu)
    assert field(root, "cap:status") == "Actual"
    assert "exercise" not in field(root, "cap:info/cap:description")


def test_a_cap_status_outside_the_standard_is_refused(scenario, frame) -> None:
    with pytest.raises(ValueError, match="Simulated"):
        public_alerter(scenario, frame, default_rules(), cap_status="Simulated")


def test_every_message_of_a_busy_run_validates(scenario, frame, epwa_enu) -> None:
    """Five drones from several directions, some turning away, some lost, over 20 min."""
    engine = AlertEngine.from_deployment(Deployment.from_scenario(scenario))
    rng = np.random.default_rng(3)
    bearings = rng.uniform(0.0, 2.0 * np.pi, 5)
    start = epwa_enu[:2] + 50_000.0 * np.column_stack((np.cos(bearings), np.sin(bearings)))
    velocity = -50.0 * np.column_stack((np.cos(bearings), np.sin(bearings)))
    velocity[3] *= -1.0  # flies away
    messages, kinds = [], []
    for t_s in np.arange(0.0, 1200.0, 30.0):
        alive = [i for i in range(5) if not (i == 2 and t_s > 400.0)]  # track 3 is lost
        rows = [
            {
                "track_id": i + 1,
                "x_m": start[i, 0] + velocity[i, 0] * t_s,
                "y_m": start[i, 1] + velocity[i, 1] * t_s,
                "vx_mps": velocity[i, 0],
                "vy_mps": velocity[i, 1],
            }
            for i in alive
        ]
        tracks = make_tracks(rows, time_s=t_s)
        step = engine.step(tracks, make_assessment(tracks, ["hostile"] * len(rows)), t_s)
        messages += step.messages
        kinds += [e.kind for e in step.events]
    caps = [m for m in messages if m.format == "cap"]
    assert {m.msg_type for m in caps} == {"Alert", "Update", "Cancel"}
    assert {ALERT_ISSUED, ALERT_UPDATED, ALERT_CANCELLED} <= set(kinds)
    for message in caps:
        assert validate_cap(message.body) == [], message.body
