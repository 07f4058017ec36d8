"""The run loop hands each window the operator decisions that arrived before it."""

from __future__ import annotations

import numpy as np
from test_loop import ListSource, Recorder

from flankwatch import loop
from flankwatch.decisions import Decision, DecisionInbox, DecisionKind
from flankwatch.loop import Picture
from flankwatch.sim.truth import TruthBatch


def ack(alert_id: str) -> Decision:
    return Decision(DecisionKind.ACKNOWLEDGE_ALERT, "alice", "seen", alert_id=alert_id)


class SeesDecisions:
    """A stage noting the ids of the decisions on each window's picture."""

    def __init__(self) -> None:
        self.seen: list[list[str]] = []

    def step(self, picture: Picture, now_s: float, rng: np.random.Generator) -> Picture:
        self.seen.append([d.alert_id for d in picture.decisions])
        return picture


class Submits(Recorder):
    """A sink that, like a web page, submits a decision while the first window is shown."""

    def __init__(self, inbox: DecisionInbox) -> None:
        super().__init__()
        self.inbox = inbox

    def consume(self, picture: Picture, truth: TruthBatch | None) -> None:
        super().consume(picture, truth)
        if picture.window.index == 0:
            self.inbox.submit(ack("during-0"))
            self.inbox.submit(ack("during-0-again"))


def test_each_window_gets_the_decisions_that_arrived_before_it_once() -> None:
    inbox = DecisionInbox()
    inbox.submit(ack("before"))
    stage, sink = SeesDecisions(), Submits(inbox)
    loop.run(ListSource(), [stage], [sink], inbox)
    assert stage.seen == [["before"], ["during-0", "during-0-again"], []]
    # The sinks see the same decisions on the picture the stages made.
    assert [[d.decision_id for d in p.decisions] for p in sink.pictures] == [[1], [2, 3], []]


def test_without_an_inbox_no_picture_has_decisions() -> None:
    stage = SeesDecisions()
    loop.run(ListSource(), [stage], [])
    assert stage.seen == [[], [], []]
