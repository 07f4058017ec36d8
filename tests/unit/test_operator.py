"""The operator stage around the assessment, on made-up tracks near Warsaw."""

from __future__ import annotations

import numpy as np
import pytest

from flankwatch.assess.assessor import build_assessor
from flankwatch.decisions import Decision, DecisionKind
from flankwatch.deployment import Deployment, Origin
from flankwatch.events import Event, EventKind
from flankwatch.loop import Picture, Window
from flankwatch.operator import OperatorStage
from flankwatch.stages import AssessmentStage
from flankwatch.stream import PlotBatch
from flankwatch.track.output import TrackBatch, TrackStatus

DEPLOYMENT = Deployment(
    name="test",
    start="2025-09-10T00:00:00+00:00",
    origin=Origin(lat=52.2, lon=21.0),
    assets=[{"name": "Warsaw", "kind": "city", "at": [52.2, 21.0], "radius_m": 8000}],
)
BATCH_S = 5.0
RNG = np.random.default_rng(0)


def tracks(t_s: float, ids: list[int], deleted: tuple[int, ...] = ()) -> TrackBatch:
    """Slow, low tracks 20-30 km east of Warsaw flying west at 50 m/s, seen at ``t_s``."""
    n = len(ids)
    state = np.array(
        [[20_000.0 + 2_000.0 * k - 50.0 * t_s, 0.0, 500.0, -50.0, 0.0, 0.0] for k in range(n)]
    ).reshape(n, 6)
    status = [TrackStatus.DELETED if i in deleted else TrackStatus.CONFIRMED for i in ids]
    return TrackBatch.from_states(
        np.full(n, t_s),
        np.array(ids, np.int64),
        np.array(status, np.int8),
        state,
        np.tile(np.eye(6), (n, 1, 1)) * 100.0**2,
        np.zeros(n),
        np.full(n, t_s),
        np.zeros(n, np.uint32),
        np.full(n, "", object),
    )


class Run:
    """An operator stage around a fresh assessment, stepped window by window."""

    def __init__(self) -> None:
        self.stage = OperatorStage(AssessmentStage(build_assessor(DEPLOYMENT)))
        self.index = 0

    def step(self, ids: list[int], *decisions: Decision, deleted: tuple[int, ...] = ()) -> Picture:
        t1 = (self.index + 1) * BATCH_S
        window = Window(self.index, t1 - BATCH_S, t1, PlotBatch.empty())
        self.index += 1
        picture = Picture(window, tracks=tracks(t1, ids, deleted), decisions=decisions)
        return self.stage.step(picture, t1, RNG)


def identity(picture: Picture, track_id: int) -> str:
    assessment = picture.assessment
    assert assessment is not None
    return str(assessment.identity[list(assessment.track_id).index(track_id)])


def events(picture: Picture, kind: EventKind) -> list[Event]:
    assert picture.assessment is not None
    return [e for e in picture.assessment.events if e.kind == kind]


def ranked(picture: Picture) -> set[int]:
    assert picture.assessment is not None
    return set(picture.assessment.threats.column("track_id").to_pylist())


def decide(kind: DecisionKind, track_id: int = -1, decision_id: int = 1, **more: str) -> Decision:
    return Decision(
        kind, "alice", "seen launching", track_id=track_id, decision_id=decision_id, **more
    )


def test_a_declared_identity_is_in_the_same_windows_assessment_and_holds() -> None:
    run = Run()
    before = run.step([3, 4])
    assert identity(before, 3) not in ("hostile", "friend") and 3 not in ranked(before)
    declared = run.step(
        [3, 4],
        decide(DecisionKind.DECLARE_IDENTITY, 3, decision_id=7, identity="hostile"),
        decide(DecisionKind.DECLARE_IDENTITY, 4, decision_id=8, identity="friend"),
    )
    assert identity(declared, 3) == "hostile" and identity(declared, 4) == "friend"
    assert 3 in ranked(declared) and 4 not in ranked(declared)
    by_alice = [e for e in events(declared, EventKind.IDENTITY_DECLARED) if e.track_id == 3]
    assert [e.message for e in by_alice] == ["track 3 declared hostile by alice: seen launching"]
    decided = events(declared, EventKind.OPERATOR_DECISION)
    assert [e.message for e in decided] == [
        "alice declared track 3 hostile: seen launching",
        "alice declared track 4 friend: seen launching",
    ]
    assert [(e.data["decision_id"], e.subject, e.data["applied"]) for e in decided] == [
        (7, "alice", True),
        (8, "alice", True),
    ]
    for _ in range(6):
        later = run.step([3, 4])
        assert identity(later, 3) == "hostile" and identity(later, 4) == "friend"
        assert events(later, EventKind.OPERATOR_DECISION) == []


def test_without_decisions_the_stage_is_the_assessment() -> None:
    alone = AssessmentStage(build_assessor(DEPLOYMENT))
    run = Run()
    for k in range(5):
        t1 = (k + 1) * BATCH_S
        window = Window(k, t1 - BATCH_S, t1, PlotBatch.empty())
        picture = Picture(window, tracks=tracks(t1, [3, 4]))
        expected, got = alone.step(picture, t1, RNG), run.step([3, 4])
        assert expected.assessment is not None and got.assessment is not None
        assert list(got.assessment.identity) == list(expected.assessment.identity)
        assert got.assessment.events == expected.assessment.events
        assert got.vetoed == frozenset() and got.approved == frozenset()


@pytest.mark.parametrize("kind", [DecisionKind.VETO_ENGAGEMENT, DecisionKind.DECLARE_IDENTITY])
def test_a_decision_on_a_track_not_in_the_picture_is_recorded_as_not_applied(
    kind: DecisionKind,
) -> None:
    run = Run()
    run.step([3, 5])
    picture = run.step(
        [3, 5],
        decide(kind, 9, identity="hostile"),
        decide(kind, 5, identity="hostile"),
        deleted=(5,),
    )
    decided = events(picture, EventKind.OPERATOR_DECISION)
    assert [e.data["applied"] for e in decided] == [False, False]
    assert decided[0].message.endswith("(not applied: track 9 is not in the picture)")
    assert picture.vetoed == frozenset() and identity(picture, 3) != "hostile"
    assert [e for e in events(picture, EventKind.IDENTITY_DECLARED) if e.subject == "alice"] == []


def test_vetoes_and_approvals_last_until_the_next_decision_on_the_track() -> None:
    run = Run()
    ids = [3, 4, 5]
    first = run.step(
        ids,
        decide(DecisionKind.VETO_ENGAGEMENT, 3),
        decide(DecisionKind.APPROVE_ENGAGEMENT, 4),
        decide(DecisionKind.ACKNOWLEDGE_ALERT, alert_id="test-airport-EPWA-1"),
    )
    assert (first.vetoed, first.approved) == ({3}, {4})
    ack = events(first, EventKind.OPERATOR_DECISION)[-1]
    assert ack.track_id == -1 and ack.data["alert_id"] == "test-airport-EPWA-1"
    assert ack.message == "alice acknowledged alert test-airport-EPWA-1: seen launching"
    assert (run.step(ids).vetoed, run.step(ids).approved) == ({3}, {4})
    changed = run.step(
        ids, decide(DecisionKind.APPROVE_ENGAGEMENT, 3), decide(DecisionKind.VETO_ENGAGEMENT, 4)
    )
    assert (changed.vetoed, changed.approved) == ({4}, {3})
