"""Public CAP warnings: persistence, places on the path, Polish and English text,
material updates only, honest endings, every message valid CAP 1.2."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

import numpy as np
import pytest
from alert_builders import make_assessment, make_tracks

from flankwatch.alert import (
    ALERT_CANCELLED,
    ALERT_ISSUED,
    ALERT_UPDATED,
    AirPicture,
    AlertEngine,
    AlertMessage,
    AlertRules,
    PublicAlerter,
    Target,
)
from flankwatch.alert.cap import CAP_NAMESPACE, validate_cap
from flankwatch.alert.predict import StraightLinePredictor
from flankwatch.alert.ruleset import default_rules, parse_rules
from flankwatch.deployment import Deployment
from flankwatch.geo.admin import populated_places
from flankwatch.geo.frames import LocalFrame
from flankwatch.scenario.schema import Scenario

NS = {"cap": CAP_NAMESPACE}
OFFSET_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$")
AT_ONCE = "public:\n  persist_updates: 1\n  persist_s: 0\n"
BELZEC = (50.38453, 23.43839)  # GeoNames: a village of 2,723 in Lublin Voivodeship


def rules(text: str = AT_ONCE) -> AlertRules:
    return parse_rules(text, "test rules")


def public_engine(scenario: Scenario, text: str = AT_ONCE) -> AlertEngine:
    engine = AlertEngine.from_deployment(Deployment.from_scenario(scenario), rules(text))
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


def at(frame: LocalFrame, track_id: int, lat: float, lon: float, **more: Any) -> dict:
    """A track at a latitude and longitude (degrees), flying west at 50 m/s unless told."""
    x, y, _ = frame.geodetic_to_enu(lat, lon, 0.0)
    return {"track_id": track_id, "x_m": x, "y_m": y, "vx_mps": -50.0, **more}


def step(engine: AlertEngine, rows: list[dict], t_s: float, category: str = "decoy") -> Any:
    tracks = make_tracks(rows, time_s=t_s)
    identities = ["hostile"] * len(rows)
    return engine.step(tracks, make_assessment(tracks, identities, [category] * len(rows)), t_s)


def parse(body: str) -> ET.Element:
    return ET.fromstring(body.encode("utf-8"))


def field(root: ET.Element, path: str) -> str:
    found = root.find(path, NS)
    assert found is not None, path
    return found.text or ""


def infos(message: AlertMessage) -> dict[str, ET.Element]:
    return {
        field(info, "cap:language"): info for info in parse(message.body).findall("cap:info", NS)
    }


def public_text(message: AlertMessage) -> str:
    """Every word a citizen reads in a message: the info blocks and the identifier."""
    root = parse(message.body)
    texts = [field(root, "cap:identifier")]
    for info in root.findall("cap:info", NS):
        for tag in ("headline", "description", "instruction", "senderName", "event"):
            texts += [e.text or "" for e in info.findall(f"cap:{tag}", NS)]
        texts += [e.text or "" for e in info.findall("cap:area/cap:areaDesc", NS)]
    return "\n".join(texts)


def check_message(message: AlertMessage) -> None:
    """Valid CAP, Polish and English blocks, areas by voivodeship with geocodes."""
    assert validate_cap(message.body) == [], message.body
    blocks = infos(message)
    assert list(blocks) == ["pl-PL", "en-GB"]
    for language, info in blocks.items():
        areas = info.findall("cap:area", NS)
        assert areas, (language, message.body)
        for area in areas:
            codes = {
                field(g, "cap:valueName"): field(g, "cap:value")
                for g in area.findall("cap:geocode", NS)
            }
            assert set(codes) == {"ISO3166-2", "TERYT"}
            assert codes["ISO3166-2"] == "PL-" + codes["TERYT"]
            word = "województwo" if language == "pl-PL" else "Voivodeship"
            assert word in field(area, "cap:areaDesc")
            assert area.findall("cap:polygon", NS)
    text = public_text(message)
    assert "decoy" not in text.lower() and "wabik" not in text.lower()
    assert not re.search(r"\btrack\b|\bT\d|ślad", text, re.IGNORECASE)


def test_a_warning_waits_for_the_threat_to_persist(scenario, epwa_enu) -> None:
    text = "public:\n  persist_updates: 3\n  persist_s: 20\n"
    engine = public_engine(scenario, text)
    assert step(engine, [west(epwa_enu, 7, 60_000.0)], 0.0).events == []
    assert step(engine, [west(epwa_enu, 7, 59_500.0)], 10.0).events == []
    # one update without the threat starts the count again
    engine_noisy = public_engine(scenario, text)
    step(engine_noisy, [west(epwa_enu, 7, 60_000.0)], 0.0)
    step(engine_noisy, [west(epwa_enu, 7, 59_500.0)], 10.0)
    away = {**west(epwa_enu, 7, 59_000.0), "vx_mps": 50.0, "x_m": epwa_enu[0] + 400_000.0}
    step(engine_noisy, [away], 20.0)
    assert step(engine_noisy, [west(epwa_enu, 7, 58_000.0)], 30.0).events == []
    # the third update in a row, 20 s after the first: the Alert
    (issued,) = step(engine, [west(epwa_enu, 7, 59_000.0)], 20.0).events
    assert issued.kind == ALERT_ISSUED


def test_an_alert_warns_by_voivodeship_and_place_in_polish_and_english(scenario, epwa_enu) -> None:
    engine = public_engine(scenario)
    result = step(engine, [west(epwa_enu, 4711, 60_000.0)], 0.0)
    (issued,) = result.events
    assert issued.kind == ALERT_ISSUED and "Warsaw" in issued.data["targets"]
    assert "PL-14" in issued.data["units"]
    (message,) = result.messages
    check_message(message)
    assert "4711" not in public_text(message)
    root = parse(message.body)
    assert field(root, "cap:sender") == "rcb.gov.pl"
    assert field(root, "cap:status") == "Exercise"
    assert OFFSET_TIME.match(field(root, "cap:sent"))
    polish, english = infos(message)["pl-PL"], infos(message)["en-GB"]
    assert field(polish, "cap:event") == "Zagrożenie atakiem z powietrza"
    assert field(english, "cap:event") == "Air attack threat"
    assert field(polish, "cap:senderName") == "Rządowe Centrum Bezpieczeństwa"
    assert "województwo mazowieckie" in field(polish, "cap:headline")
    assert "Masovian Voivodeship" in field(english, "cap:headline")
    assert "dron" in field(polish, "cap:description")
    assert field(english, "cap:description").startswith("A drone is flying west")
    assert "ćwiczenie" in field(polish, "cap:description")
    assert "exercise" in field(english, "cap:description")
    assert field(english, "cap:responseType") == "Shelter"
    assert field(english, "cap:urgency") == "Immediate"  # towns on the path within 10 min
    # the places on the path, named in the area of their voivodeship
    described = field(polish, "cap:area/cap:areaDesc")
    assert described.startswith("województwo mazowieckie: ")
    assert "Warszawa" in field(polish, "cap:description")


def test_a_village_on_the_path_is_warned_for(frame) -> None:
    """No city or airport near: the village of Bełżec alone raises the warning."""
    rule = rules()
    alerter = PublicAlerter(
        [],
        rule.public,
        rule.cap,
        StraightLinePredictor(),
        frame,
        Deployment.model_validate(
            {"name": "x", "start": "2025-09-10T00:00:00+00:00", "origin": {"lat": 52, "lon": 21}}
        ).start,
        places=populated_places(),
        airspace_country="POL",
    )
    tracks = make_tracks([at(frame, 3, BELZEC[0], BELZEC[1] + 0.3)])
    picture = AirPicture.build(tracks, make_assessment(tracks, ["hostile"]), 0.0)
    result = alerter.step(picture)
    (message,) = result.messages
    check_message(message)
    polish = infos(message)["pl-PL"]
    area = polish.find("cap:area", NS)
    assert area is not None
    assert "Bełżec" in field(area, "cap:areaDesc")
    assert field(area, "cap:geocode/cap:value") == "PL-06"  # GeoNames' voivodeship of Bełżec
    assert "Bełżec" in field(polish, "cap:description")
    assert "w województwie lubelskim" in field(polish, "cap:description")
    # a smaller threshold than the village: no warning
    small = parse_rules(AT_ONCE + "  min_population: 5000\n", "x")
    quiet = PublicAlerter(
        [],
        small.public,
        small.cap,
        StraightLinePredictor(),
        frame,
        alerter.start,
        places=populated_places(),
    )
    names = {str(n) for n in quiet.places.name} if quiet.places is not None else set()
    assert "Bełżec" not in names


def test_updates_only_on_material_change_rate_limited_citing_the_previous_only(
    scenario, epwa_enu
) -> None:
    engine = public_engine(scenario)
    messages: list[AlertMessage] = []
    for t_s in np.arange(0.0, 1500.0, 10.0):
        messages += step(engine, [west(epwa_enu, 5, 100_000.0 - 50.0 * t_s)], float(t_s)).messages
    kinds = [m.msg_type for m in messages]
    assert kinds[0] == "Alert" and set(kinds[1:]) <= {"Update"}
    # 25 min of flight over towns: a handful of updates, not one a minute
    assert 2 <= len(messages) <= 8
    times = [m.t_s for m in messages]
    urgencies = [field(infos(m)["en-GB"], "cap:urgency") for m in messages]
    for k in range(1, len(messages)):
        escalated = urgencies[k] == "Immediate" and urgencies[k - 1] != "Immediate"
        assert escalated or times[k] - times[k - 1] >= 300.0
    for previous, message in zip(messages, messages[1:], strict=False):
        check_message(message)
        root = parse(message.body)
        (cited,) = [r.split(",") for r in field(root, "cap:references").split()]
        assert cited[0] == "rcb.gov.pl" and cited[1] == previous.message_id
        assert OFFSET_TIME.match(cited[2])


def test_urgency_becoming_immediate_updates_at_once(scenario, frame, epwa_enu) -> None:
    alerter = warsaw_only(scenario, frame, rules())

    def at_time(row: dict, t_s: float) -> Any:
        tracks = make_tracks([row], time_s=t_s)
        return alerter.step(AirPicture.build(tracks, make_assessment(tracks, ["hostile"]), t_s))

    (first,) = at_time(west(epwa_enu, 1, 52_000.0), 0.0).messages  # Warsaw about 12 min away
    assert field(infos(first)["en-GB"], "cap:urgency") == "Expected"
    assert at_time(west(epwa_enu, 1, 50_000.0), 40.0).messages == []
    (message,) = at_time(west(epwa_enu, 1, 45_000.0), 140.0).messages
    assert message.msg_type == "Update"
    assert field(infos(message)["en-GB"], "cap:urgency") == "Immediate"


def ending_of(result: Any) -> tuple[str, dict[str, ET.Element]]:
    (event,) = result.events
    (message,) = result.messages
    assert validate_cap(message.body) == []
    return event.data.get("ending", event.data.get("status", "")), infos(message)


def test_a_track_lost_in_flight_gives_contact_lost_then_lapses(scenario, epwa_enu) -> None:
    engine = public_engine(scenario)
    step(engine, [west(epwa_enu, 9, 60_000.0)], 0.0)
    ending, blocks = ending_of(step(engine, [], 30.0))
    assert ending == "contact-lost"
    assert field(blocks["pl-PL"], "cap:headline").startswith("Utracono kontakt")
    assert "zachowaj czujność" in field(blocks["pl-PL"], "cap:headline")
    assert "stay alert" in field(blocks["en-GB"], "cap:headline")
    assert field(blocks["en-GB"], "cap:responseType") == "Monitor"
    assert engine.public_alerts()  # still in force
    assert step(engine, [], 600.0).events == []
    result = step(engine, [], 30.0 + 900.0)
    ending, blocks = ending_of(result)
    assert ending == "lapsed" and result.messages[0].msg_type == "Cancel"
    assert field(blocks["en-GB"], "cap:responseType") != "AllClear"
    assert "lapsed" in field(blocks["en-GB"], "cap:headline")
    assert "not been confirmed" in field(blocks["en-GB"], "cap:description")
    assert "has passed" not in public_text(result.messages[0])
    assert engine.public_alerts() == {}


def test_a_track_that_came_down_ends_as_all_clear(scenario, epwa_enu) -> None:
    engine = public_engine(scenario)
    step(engine, [west(epwa_enu, 9, 60_000.0)], 0.0)
    low = {**west(epwa_enu, 9, 55_000.0), "z_m": 150.0, "vz_mps": -8.0}
    step(engine, [low], 100.0)
    result = step(engine, [], 110.0)
    ending, blocks = ending_of(result)
    assert ending == "down" and result.messages[0].msg_type == "Cancel"
    assert field(blocks["en-GB"], "cap:responseType") == "AllClear"
    assert field(blocks["pl-PL"], "cap:headline") == "Koniec zagrożenia"
    assert "threat has ended" in field(blocks["en-GB"], "cap:headline")
    assert "112" in field(blocks["pl-PL"], "cap:instruction")


def test_a_low_track_whose_sinking_is_within_its_noise_is_lost_not_down(scenario, epwa_enu) -> None:
    """A far radar's elevation noise: the estimate sinks at 8 m/s, give or take 10."""
    engine = public_engine(scenario)
    step(engine, [west(epwa_enu, 9, 60_000.0)], 0.0)
    low = {**west(epwa_enu, 9, 55_000.0), "z_m": 150.0, "vz_mps": -8.0, "sigma_vz_mps": 10.0}
    step(engine, [low], 100.0)
    ending, _ = ending_of(step(engine, [], 110.0))
    assert ending == "contact-lost"


def test_a_destroyed_track_ends_as_all_clear(scenario, epwa_enu) -> None:
    engine = public_engine(scenario)
    step(engine, [west(epwa_enu, 9, 60_000.0)], 0.0)
    assert engine.public is not None
    engine.public.mark_destroyed([9])
    ending, blocks = ending_of(step(engine, [], 20.0))
    assert ending == "destroyed"
    assert field(blocks["en-GB"], "cap:responseType") == "AllClear"


def test_a_destroyed_track_coasting_on_is_not_warned_for_until_found_still_flying(
    scenario, epwa_enu
) -> None:
    engine = public_engine(scenario)
    step(engine, [west(epwa_enu, 9, 60_000.0)], 0.0)
    engine.mark_destroyed([9])
    ending, _ = ending_of(step(engine, [west(epwa_enu, 9, 59_000.0)], 20.0))
    assert ending == "destroyed"
    # Its track coasts on toward the city: no new warning for a destroyed target.
    assert step(engine, [west(epwa_enu, 9, 58_000.0)], 40.0).events == []
    engine.mark_survived([9])
    (issued,) = step(engine, [west(epwa_enu, 9, 57_000.0)], 60.0).events
    assert issued.kind == ALERT_ISSUED and issued.track_id == 9


def test_a_track_that_leaves_the_airspace_ends_as_all_clear(scenario, frame) -> None:
    engine = public_engine(scenario)
    (issued,) = step(engine, [at(frame, 2, 52.05, 23.3)], 0.0).events  # near Biała Podlaska
    assert issued.kind == ALERT_ISSUED
    gone = at(frame, 2, 52.05, 24.0, vx_mps=50.0)  # in Belarus, flying east
    assert step(engine, [gone], 60.0).events == []
    ending, blocks = ending_of(step(engine, [gone], 200.0))
    assert ending == "left"
    assert field(blocks["en-GB"], "cap:responseType") == "AllClear"
    assert "left Polish airspace" in field(blocks["en-GB"], "cap:description")


def warsaw_only(scenario: Scenario, frame: LocalFrame, rule: AlertRules, **kwargs: Any):
    """An alerter for the scenario's city alone (no places), built directly."""
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
        rule.public,
        rule.cap,
        StraightLinePredictor(),
        frame,
        scenario.start,
        airspace_country="POL",
        **kwargs,
    )


def test_a_track_still_inside_that_turns_away_is_not_an_all_clear(
    scenario, frame, epwa_enu
) -> None:
    alerter = warsaw_only(scenario, frame, rules())

    def at_time(row: dict, t_s: float) -> Any:
        tracks = make_tracks([row], time_s=t_s)
        return alerter.step(AirPicture.build(tracks, make_assessment(tracks, ["hostile"]), t_s))

    at_time(west(epwa_enu, 4, 40_000.0), 0.0)
    away = {**west(epwa_enu, 4, 40_000.0), "vx_mps": 50.0}
    assert at_time(away, 60.0).events == []
    result = at_time(away, 130.0)
    (event,) = result.events
    assert event.kind == ALERT_CANCELLED and event.data["ending"] == "moved-away"
    (message,) = result.messages
    assert validate_cap(message.body) == []
    english = infos(message)["en-GB"]
    assert field(english, "cap:responseType") == "Monitor"
    assert "moved away" in field(english, "cap:headline")
    assert "ended" not in public_text(message)


def test_suspect_tracks_and_near_misses_far_from_places_raise_nothing(
    scenario, frame, epwa_enu
) -> None:
    engine = public_engine(scenario)
    assert step(engine, [west(epwa_enu, 1, 40_000.0)], 0.0, "drone").events
    tracks = make_tracks([west(epwa_enu, 2, 40_000.0)])
    other = public_engine(scenario)
    assert other.step(tracks, make_assessment(tracks, ["suspect"]), 0.0).events == []
    alerter = warsaw_only(scenario, frame, rules())
    tracks = make_tracks([west(epwa_enu, 3, 40_000.0, 60_000.0)])
    picture = AirPicture.build(tracks, make_assessment(tracks, ["hostile"]), 0.0)
    assert alerter.step(picture).events == []


def test_missiles_are_named_to_the_public(scenario, epwa_enu) -> None:
    engine = public_engine(scenario)
    (message,) = step(engine, [west(epwa_enu, 1, 60_000.0)], 0.0, "cruise-missile").messages
    blocks = infos(message)
    assert "Pocisk manewrujący" in field(blocks["pl-PL"], "cap:description")
    assert field(blocks["en-GB"], "cap:description").startswith("A cruise missile is")


ACTUAL_RULES = AT_ONCE + "cap:\n  status: Actual\n  sender: air-defence.example\n"


def test_rules_that_say_actual_still_give_exercise_by_default(scenario, frame, epwa_enu) -> None:
    rule = rules(ACTUAL_RULES)
    assert rule.cap.status == "Actual"
    alerter = warsaw_only(scenario, frame, rule)
    tracks = make_tracks([west(epwa_enu, 1, 20_000.0)])
    (message,) = alerter.step(
        AirPicture.build(tracks, make_assessment(tracks, ["hostile"]), 0.0)
    ).messages
    root = parse(message.body)
    assert field(root, "cap:status") == "Exercise"
    assert field(root, "cap:sender") == "air-defence.example"
    actual = warsaw_only(scenario, frame, rule, cap_status="Actual")
    (message,) = actual.step(
        AirPicture.build(tracks, make_assessment(tracks, ["hostile"]), 0.0)
    ).messages
    assert field(parse(message.body), "cap:status") == "Actual"
    assert "exercise" not in public_text(message).lower()


def test_a_cap_status_outside_the_standard_is_refused(scenario, frame) -> None:
    with pytest.raises(ValueError, match="Simulated"):
        warsaw_only(scenario, frame, default_rules(), cap_status="Simulated")


def test_a_language_without_public_text_is_refused() -> None:
    from flankwatch.alert.ruleset import AlertRuleError

    with pytest.raises(AlertRuleError, match="my-rules.yaml"):
        parse_rules("cap:\n  languages: [pl-PL, de-DE]\n", "my-rules.yaml")
    only_english = rules(AT_ONCE + "cap:\n  languages: [en-GB]\n")
    assert only_english.cap.languages == ["en-GB"]


def test_every_message_of_a_busy_run_validates(scenario, epwa_enu) -> None:
    """Five drones from several directions, some turning away, one lost, over 20 min."""
    engine = AlertEngine.from_deployment(Deployment.from_scenario(scenario))
    rng = np.random.default_rng(3)
    bearings = rng.uniform(0.0, 2.0 * np.pi, 5)
    start = epwa_enu[:2] + 50_000.0 * np.column_stack((np.cos(bearings), np.sin(bearings)))
    velocity = -50.0 * np.column_stack((np.cos(bearings), np.sin(bearings)))
    velocity[3] *= -1.0  # flies away
    messages, kinds = [], []
    for t_s in np.arange(0.0, 1200.0, 10.0):
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
        result = step(engine, rows, float(t_s), "one-way-attack-drone")
        messages += result.messages
        kinds += [e.kind for e in result.events]
    caps = [m for m in messages if m.format == "cap"]
    assert {"Alert", "Update"} <= {m.msg_type for m in caps}
    assert {ALERT_ISSUED, ALERT_UPDATED} <= set(kinds)
    for message in caps:
        check_message(message)


def test_a_weaving_track_is_warned_for_over_a_wider_cone(scenario, frame, epwa_enu) -> None:
    from dataclasses import replace

    from shapely.geometry import Polygon

    def area_deg2(manoeuvre_prob: float) -> float:
        alerter = warsaw_only(scenario, frame, rules())
        tracks = make_tracks([west(epwa_enu, 1, 60_000.0)])
        picture = AirPicture.build(tracks, make_assessment(tracks, ["hostile"]), 0.0)
        picture = replace(picture, manoeuvre_prob=np.array([manoeuvre_prob]))
        (message,) = alerter.step(picture).messages
        check_message(message)
        text = field(infos(message)["en-GB"], "cap:area/cap:polygon")
        pairs = [tuple(map(float, p.split(","))) for p in text.split()]
        return Polygon([(lon, lat) for lat, lon in pairs]).area

    steady, weaving = area_deg2(0.0), area_deg2(1.0)
    assert weaving > 1.3 * steady
