"""Operator decisions: what is valid, and the inbox between threads."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from flankwatch.decisions import Decision, DecisionError, DecisionInbox, DecisionKind


def declare(track_id: int = 3, identity: str = "hostile", operator: str = "alice") -> Decision:
    return Decision(
        DecisionKind.DECLARE_IDENTITY,
        operator,
        "launched from Belarus",
        track_id=track_id,
        identity=identity,
    )


def test_a_kind_given_as_text_becomes_the_member_and_text_is_stripped() -> None:
    kind = "veto-engagement"
    decision = Decision(kind, "  bob ", " debris over Lublin ", track_id=4)  # type: ignore[arg-type]
    assert decision.kind is DecisionKind.VETO_ENGAGEMENT
    assert (decision.operator, decision.reason) == ("bob", "debris over Lublin")
    assert decision.what == "vetoed engaging track 4" and decision.why == "debris over Lublin"


@pytest.mark.parametrize(
    ("make", "field", "words"),
    [
        (lambda: Decision("shoot", "al", "x", track_id=1), "kind", "unknown decision 'shoot'"),  # type: ignore[arg-type]
        (lambda: declare(identity="enemy"), "identity", "unknown identity 'enemy'"),
        (lambda: declare(identity=""), "identity", "unknown identity ''"),
        (lambda: declare(operator="   "), "operator", "must not be empty"),
        (lambda: declare(operator="a" * 65), "operator", "at most 64"),
        (lambda: declare(operator="eve\x1b[2J"), "operator", "control characters"),
        (lambda: declare(track_id=-1), "track_id", "track number from 0 to"),
        (lambda: declare(track_id=True), "track_id", "track number from 0 to"),
        (lambda: declare(track_id=2**63), "track_id", "track number from 0 to"),
        (
            lambda: Decision(DecisionKind.APPROVE_ENGAGEMENT, "alice", "ok"),
            "track_id",
            "approve-engagement needs a track number",
        ),
        (
            lambda: Decision(DecisionKind.ACKNOWLEDGE_ALERT, "alice", "seen"),
            "alert_id",
            "names the alert",
        ),
        (
            lambda: Decision(DecisionKind.ACKNOWLEDGE_ALERT, "alice", "r" * 501, alert_id="a1"),
            "reason",
            "at most 500",
        ),
        (lambda: Decision(DecisionKind.VETO_ENGAGEMENT, 7, "x", 1), "operator", "text"),  # type: ignore[arg-type]
    ],
)
def test_an_invalid_decision_names_its_field_and_fault(
    make: Callable[[], Decision], field: str, words: str
) -> None:
    with pytest.raises(DecisionError) as caught:
        make()
    message = str(caught.value)
    assert message.startswith(f"{field}: ") and words in message
    assert isinstance(caught.value, ValueError)


def test_an_empty_reason_is_allowed_and_said_so() -> None:
    decision = Decision(DecisionKind.ACKNOWLEDGE_ALERT, "alice", "", alert_id="PL-06-1")
    assert decision.what == "acknowledged alert PL-06-1" and decision.why == "no reason given"


def test_the_inbox_numbers_decisions_in_arrival_order_and_take_empties_it() -> None:
    inbox = DecisionInbox()
    assert inbox.take() == ()
    assert [inbox.submit(declare(track_id=t)) for t in (5, 6, 7)] == [1, 2, 3]
    taken = inbox.take()
    assert [(d.decision_id, d.track_id) for d in taken] == [(1, 5), (2, 6), (3, 7)]
    assert inbox.take() == ()
    assert inbox.submit(declare()) == 4


def test_decisions_from_many_threads_are_each_taken_once_in_each_threads_order() -> None:
    inbox = DecisionInbox()
    threads, per_thread = 8, 300
    taken: list[Decision] = []
    done = threading.Event()

    def take_while_running() -> None:
        while not done.is_set():
            taken.extend(inbox.take())
        taken.extend(inbox.take())

    def submit(operator: str) -> None:
        for k in range(per_thread):
            inbox.submit(declare(track_id=k, operator=operator))

    taker = threading.Thread(target=take_while_running)
    taker.start()
    workers = [threading.Thread(target=submit, args=(f"op{i}",)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    done.set()
    taker.join()

    assert sorted(d.decision_id for d in taken) == list(range(1, threads * per_thread + 1))
    assert [d.decision_id for d in taken] == sorted(d.decision_id for d in taken)
    for i in range(threads):
        mine = [d.track_id for d in taken if d.operator == f"op{i}"]
        assert mine == list(range(per_thread))
