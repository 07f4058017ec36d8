"""Operator decisions in whole runs: three decoys from Belarus by day, a 35 mm gun on
their way, an operator deciding as the tracks appear (as a web page would, between
windows)."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
import yaml

from flankwatch import pipeline
from flankwatch.decisions import Decision, DecisionInbox, DecisionKind
from flankwatch.events import Event, EventKind
from flankwatch.loop import Picture, SinkBase
from flankwatch.respond.stage import AWAITING_APPROVAL
from flankwatch.scenario.loader import parse_scenario
from flankwatch.sim.truth import TruthBatch
from flankwatch.store.query import query

Decide = Callable[[int, int], Decision | None]
"""The operator's choice for the k-th suspect track seen (k, track id), or None."""


@pytest.fixture(scope="module")
def scenario_text(new_scenario_data: Callable[[], dict[str, Any]]) -> str:
    """Three decoys 20 s apart, launched 6 km east of the border near Terespol at noon
    toward Biala Podlaska; a gap-filler radar and a Skynex gun just inside Poland; 300 s."""
    data = new_scenario_data()
    data.update(
        start="2025-09-10T12:00:00+00:00",
        duration_s=300.0,
        origin={"lat": 52.05, "lon": 23.5},
        sensors=[{"name": "gf", "type": "gap-filler", "at": [52.06, 23.58]}],
        raids=[
            {
                "name": "decoys",
                "threat": "gerbera",
                "origin": "Belarus",
                "count": 3,
                "launch": [52.07, 23.72],
                "interval_s": 20,
                "target": [52.03, 23.12],
                "cruise_alt_m": 800,
            }
        ],
        assets=[{"name": "Biala Podlaska", "kind": "city", "at": [52.03, 23.12], "radius_m": 5000}],
        defence={
            "policy": "layered",
            "units": [{"name": "gun", "type": "skynex", "at": [52.06, 23.56], "count": 1}],
        },
    )
    return yaml.safe_dump(data, sort_keys=False)


@pytest.fixture(scope="module")
def hostile_by_operator_only(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built-in identity rules with the authority rule never declaring hostile."""
    text = files("flankwatch.assess").joinpath("rules", "identity.yaml").read_text("utf-8")
    assert text.count("\n    hostile: 60\n") == 1
    path = tmp_path_factory.mktemp("rules") / "identity.yaml"
    path.write_text(text.replace("\n    hostile: 60\n", "\n"), encoding="utf-8")
    return path


class Operator(SinkBase):
    """Watches the picture and, the first time a track is declared suspect, submits what
    ``decide`` says about it; keeps every event of the run."""

    def __init__(self, inbox: DecisionInbox, decide: Decide) -> None:
        self.inbox = inbox
        self.decide = decide
        self.seen: list[int] = []
        self.events: list[Event] = []

    def consume(self, picture: Picture, truth: TruthBatch | None) -> None:
        assessment = picture.assessment
        assert assessment is not None
        self.events += [*assessment.events, *picture.alerts.events, *picture.response.events]
        for track_id, identity in zip(assessment.track_id, assessment.identity, strict=True):
            if identity == "suspect" and int(track_id) not in self.seen:
                self.seen.append(int(track_id))
                decision = self.decide(len(self.seen) - 1, int(track_id))
                if decision is not None:
                    self.inbox.submit(decision)

    def of(self, kind: EventKind) -> list[Event]:
        return [e for e in self.events if e.kind == kind]

    def tracks_of(self, kind: EventKind) -> set[int]:
        return {e.track_id for e in self.of(kind)}


def run(
    text: str,
    decide: Decide,
    out: Path | None = None,
    rules: Path | None = None,
) -> Operator:
    """Run the scenario ``text`` with an operator deciding by ``decide``."""
    inbox = DecisionInbox()
    operator = Operator(inbox, decide)
    options = pipeline.RunOptions(identity_rules=rules)
    pipeline.run_scenario(
        parse_scenario(text, "decisions"), text, out, None, options, inbox, [operator]
    )
    return operator


def declare(identity: str) -> Decide:
    return lambda k, track_id: Decision(
        DecisionKind.DECLARE_IDENTITY,
        "alice",
        "launched from Belarus",
        track_id=track_id,
        identity=identity,
    )


def test_a_track_declared_hostile_is_warned_about_and_engaged_as_a_hostile_one(
    scenario_text: str, hostile_by_operator_only: Path
) -> None:
    unattended = run(scenario_text, lambda k, t: None, rules=hostile_by_operator_only)
    assert len(unattended.seen) == 3
    assert unattended.of(EventKind.SHOT_FIRED) == []
    assert unattended.of(EventKind.ALERT_ISSUED) == []

    declared = run(scenario_text, declare("hostile"), rules=hostile_by_operator_only)
    assert len(declared.seen) == 3
    by_alice = [e for e in declared.of(EventKind.IDENTITY_DECLARED) if e.subject == "alice"]
    assert {e.track_id for e in by_alice} == set(declared.seen)
    assert all(
        e.message == f"track {e.track_id} declared hostile by alice: launched from Belarus"
        for e in by_alice
    )
    # What a hostile raises: a public warning and the gun's shots.
    assert declared.tracks_of(EventKind.ALERT_ISSUED) & set(declared.seen)
    assert declared.tracks_of(EventKind.SHOT_FIRED) == set(declared.seen)
    assert declared.tracks_of(EventKind.TARGET_DESTROYED)


def test_a_vetoed_track_and_one_declared_friend_are_never_engaged_and_are_recorded(
    scenario_text: str, tmp_path: Path
) -> None:
    def decide(k: int, track_id: int) -> Decision | None:
        if k == 0:
            return Decision(
                DecisionKind.VETO_ENGAGEMENT, "bob", "debris over Terespol", track_id=track_id
            )
        return declare("friend")(k, track_id) if k == 1 else None

    out = tmp_path / "rec"
    operator = run(scenario_text, decide, out)
    vetoed, friend, free = operator.seen
    # The vetoed track is still declared hostile (and warned about), never fired at.
    assert vetoed in operator.tracks_of(EventKind.IDENTITY_DECLARED)
    assert friend not in operator.tracks_of(EventKind.ALERT_ISSUED)
    assert operator.tracks_of(EventKind.SHOT_FIRED) == {free}

    _, rows = query(
        out,
        "SELECT track_id, subject, message, data FROM events "
        "WHERE kind = 'operator-decision' ORDER BY t_s",
    )
    assert [(r[0], r[1]) for r in rows] == [(vetoed, "bob"), (friend, "alice")]
    assert rows[0][2] == f"bob vetoed engaging track {vetoed}: debris over Terespol"
    assert rows[1][2] == f"alice declared track {friend} friend: launched from Belarus"
    assert [json.loads(r[3])["decision_id"] for r in rows] == [1, 2]


def test_with_operator_approval_only_the_approved_track_is_fired_at(scenario_text: str) -> None:
    data = yaml.safe_load(scenario_text)
    data["defence"]["operator_approval"] = True
    text = yaml.safe_dump(data, sort_keys=False)

    def decide(k: int, track_id: int) -> Decision | None:
        if k != 1:
            return None
        return Decision(DecisionKind.APPROVE_ENGAGEMENT, "carol", "clear of Terespol", track_id)

    operator = run(text, decide)
    approved = operator.seen[1]
    assert operator.tracks_of(EventKind.SHOT_FIRED) == {approved}
    waiting = [e for e in operator.of(EventKind.SHOT_WITHHELD) if e.track_id != approved]
    assert waiting and all(e.data["reason"] == AWAITING_APPROVAL for e in waiting)


def test_an_empty_inbox_leaves_the_recording_byte_identical(
    scenario_text: str, tmp_path: Path
) -> None:
    scenario = parse_scenario(scenario_text, "decisions")
    pipeline.run_scenario(scenario, scenario_text, tmp_path / "a")
    pipeline.run_scenario(
        copy.deepcopy(scenario), scenario_text, tmp_path / "b", inbox=DecisionInbox()
    )
    files_a = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*"))
    files_b = sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*"))
    assert files_a == files_b and any(str(p).startswith("shots") for p in files_a)
    for name in files_a:
        if (tmp_path / "a" / name).is_file():
            a, b = (tmp_path / "a" / name).read_bytes(), (tmp_path / "b" / name).read_bytes()
            assert a == b, name
    _, shots = query(tmp_path / "a", "SELECT count(*) FROM shots")
    assert shots[0][0] > 0
