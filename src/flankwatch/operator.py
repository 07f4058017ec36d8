"""The operator stage: each window's operator decisions, applied around the assessment.

It takes the place of the assessment stage in a run with a decision inbox (same
position, same generator), so that a decision acts in the window it arrives in:

1. before the assessment, each ``declare-identity`` is handed to the assessor
   (:meth:`~flankwatch.assess.assessor.Assessor.declare`): this window's
   assessment already holds the declared identity, ranks the track's threat by
   it and records the ``identity-declared`` event (``track N declared hostile
   by alice: why``); the identification authority never overrules an
   operator, so the identity holds for that track from then on, until another
   operator declares it otherwise. The alerts and the response that follow act
   on it as on any declared identity: a track declared hostile is warned about
   and engaged like a hostile one; one declared friend is not engaged;
2. the assessment stage steps;
3. ``approve-engagement`` and ``veto-engagement`` set the tracks operators
   approved and vetoed, kept from window to window and put on the picture
   (:attr:`~flankwatch.loop.Picture.approved`, :attr:`~flankwatch.loop.Picture.vetoed`)
   for the response; the later decision about a track stands (an approval lifts
   a veto, a veto withdraws an approval); ``acknowledge-alert`` is recorded;
4. every decision becomes an ``operator-decision`` event in the assessment's
   events (so the recording keeps it): who, what and why, with the decision's
   id. A decision about a track not in this window's picture (never seen, or
   ended) is recorded as not applied, with that reason.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from flankwatch.decisions import ABOUT_TRACKS, Decision, DecisionKind
from flankwatch.events import Event, EventKind
from flankwatch.loop import Picture
from flankwatch.stages import AssessmentStage
from flankwatch.track.output import TrackStatus


class OperatorStage:
    """Operator decisions applied around ``assessment``; see the module docstring."""

    def __init__(self, assessment: AssessmentStage) -> None:
        self.assessment = assessment
        self.vetoed: set[int] = set()
        self.approved: set[int] = set()

    def step(self, picture: Picture, now_s: float, rng: np.random.Generator) -> Picture:
        """The window's assessment at ``now_s`` (s) with its decisions applied, and the
        approved and vetoed tracks."""
        tracks = picture.tracks
        live = set(tracks.track_id[tracks.status != TrackStatus.DELETED].tolist())
        refusals = [self._apply(decision, live, now_s) for decision in picture.decisions]
        picture = self.assessment.step(picture, now_s, rng)
        assessment = picture.assessment
        if picture.decisions and assessment is not None:
            events = [
                decision_event(decision, refusal, now_s)
                for decision, refusal in zip(picture.decisions, refusals, strict=True)
            ]
            assessment = dataclasses.replace(assessment, events=[*assessment.events, *events])
            picture = picture.but(assessment=assessment)
        if not (self.vetoed or self.approved):
            return picture
        return picture.but(vetoed=frozenset(self.vetoed), approved=frozenset(self.approved))

    def _apply(self, decision: Decision, live: set[int], now_s: float) -> str:
        """Apply one decision at ``now_s`` (s); the reason it was not applied, or ""."""
        track_id = decision.track_id
        if decision.kind in ABOUT_TRACKS and track_id not in live:
            return f"track {track_id} is not in the picture"
        if decision.kind is DecisionKind.DECLARE_IDENTITY:
            self.assessment.assessor.declare(
                track_id, decision.identity, decision.operator, decision.reason, now_s
            )
        elif decision.kind is DecisionKind.APPROVE_ENGAGEMENT:
            self.approved.add(track_id)
            self.vetoed.discard(track_id)
        elif decision.kind is DecisionKind.VETO_ENGAGEMENT:
            self.vetoed.add(track_id)
            self.approved.discard(track_id)
        return ""


def decision_event(decision: Decision, refusal: str, now_s: float) -> Event:
    """The ``operator-decision`` event of ``decision`` at ``now_s`` (s): who, what, why;
    ``refusal`` is why it was not applied ("" when it was)."""
    message = f"{decision.operator} {decision.what}: {decision.why}"
    if refusal:
        message += f" (not applied: {refusal})"
    return Event(
        now_s,
        EventKind.OPERATOR_DECISION,
        message,
        track_id=decision.track_id,
        subject=decision.operator,
        data={
            "decision_id": decision.decision_id,
            "decision": decision.kind.value,
            "operator": decision.operator,
            "reason": decision.reason,
            "identity": decision.identity,
            "alert_id": decision.alert_id,
            "applied": not refusal,
            "refusal": refusal,
        },
    )
