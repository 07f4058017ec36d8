"""Operator decisions: what a person decides during a run, and the inbox they wait in.

A :class:`Decision` is one of four kinds (:class:`DecisionKind`), each naming who
made it (``operator``) and why (``reason``):

* ``declare-identity``: track ``track_id`` is ``identity`` (one of the
  assessment's :data:`~flankwatch.assess.assessment.IDENTITIES`) from now on;
* ``acknowledge-alert``: alert ``alert_id`` has been seen;
* ``approve-engagement``: track ``track_id`` may be engaged (needed before any
  shot when the defence says ``operator_approval: true``);
* ``veto-engagement``: track ``track_id`` is never to be engaged.

Decisions arrive from another thread (a web server's) through a
:class:`DecisionInbox`; the run loop takes what has arrived at each window and
hands it to the stages on :attr:`flankwatch.loop.Picture.decisions`.
"""

from __future__ import annotations

import dataclasses
import threading
from dataclasses import dataclass
from enum import StrEnum

from flankwatch.assess.assessment import IDENTITIES

__all__ = ["Decision", "DecisionError", "DecisionInbox", "DecisionKind"]

MAX_OPERATOR_CHARS = 64
"""Longest operator name."""
MAX_REASON_CHARS = 500
"""Longest reason."""
MAX_ALERT_ID_CHARS = 200
"""Longest alert identifier."""
MAX_TRACK_ID = 2**63 - 1
"""The largest track number a decision may name: track numbers are 64-bit integers."""


class DecisionKind(StrEnum):
    """What an operator may decide; the value is how it is written (web, events)."""

    DECLARE_IDENTITY = "declare-identity"
    ACKNOWLEDGE_ALERT = "acknowledge-alert"
    APPROVE_ENGAGEMENT = "approve-engagement"
    VETO_ENGAGEMENT = "veto-engagement"


ABOUT_TRACKS = frozenset(
    {
        DecisionKind.DECLARE_IDENTITY,
        DecisionKind.APPROVE_ENGAGEMENT,
        DecisionKind.VETO_ENGAGEMENT,
    }
)
"""The kinds that are about one track."""


class DecisionError(ValueError):
    """A decision that cannot be taken; the message names the field and the fault."""


@dataclass(frozen=True)
class Decision:
    """One operator decision; see the module docstring. ``decision_id`` is given by the
    inbox that accepts it (-1 before). Raises :class:`DecisionError` when invalid."""

    kind: DecisionKind
    operator: str
    reason: str
    track_id: int = -1
    alert_id: str = ""
    identity: str = ""
    decision_id: int = -1

    def __post_init__(self) -> None:
        try:
            kind = DecisionKind(self.kind)
        except ValueError:
            known = ", ".join(k.value for k in DecisionKind)
            raise DecisionError(f"kind: unknown decision {self.kind!r}; one of {known}") from None
        set_ = object.__setattr__
        set_(self, "kind", kind)
        set_(self, "operator", _text("operator", self.operator, MAX_OPERATOR_CHARS))
        set_(self, "reason", _text("reason", self.reason, MAX_REASON_CHARS, required=False))
        set_(self, "alert_id", _text("alert_id", self.alert_id, MAX_ALERT_ID_CHARS, False))
        if kind in ABOUT_TRACKS and not _is_track_number(self.track_id):
            raise DecisionError(
                f"track_id: {kind} needs a track number from 0 to {MAX_TRACK_ID}, "
                f"not {self.track_id!r}"
            )
        if kind is DecisionKind.DECLARE_IDENTITY and not (
            isinstance(self.identity, str) and self.identity in IDENTITIES
        ):
            raise DecisionError(
                f"identity: unknown identity {self.identity!r}; one of {', '.join(IDENTITIES)}"
            )
        if kind is DecisionKind.ACKNOWLEDGE_ALERT and not self.alert_id:
            raise DecisionError("alert_id: acknowledge-alert names the alert it acknowledges")

    @property
    def what(self) -> str:
        """What was decided, in words (without who and why)."""
        if self.kind is DecisionKind.DECLARE_IDENTITY:
            return f"declared track {self.track_id} {self.identity}"
        if self.kind is DecisionKind.ACKNOWLEDGE_ALERT:
            return f"acknowledged alert {self.alert_id}"
        if self.kind is DecisionKind.APPROVE_ENGAGEMENT:
            return f"approved engaging track {self.track_id}"
        return f"vetoed engaging track {self.track_id}"

    @property
    def why(self) -> str:
        """The reason, or a note that none was given."""
        return self.reason or "no reason given"


def _is_track_number(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_TRACK_ID


def _text(field: str, value: object, limit: int, required: bool = True) -> str:
    """``value`` stripped, checked to be a string of at most ``limit`` printable characters
    (and not empty when ``required``)."""
    if not isinstance(value, str):
        raise DecisionError(f"{field}: must be text, not {type(value).__name__}")
    text = value.strip()
    if required and not text:
        raise DecisionError(f"{field}: must not be empty")
    if len(text) > limit:
        raise DecisionError(f"{field}: at most {limit} characters, not {len(text)}")
    if not text.isprintable():
        raise DecisionError(f"{field}: must not hold control characters")
    return text


class DecisionInbox:
    """Decisions waiting for the run loop; safe to use from several threads.

    :meth:`submit` (any thread) numbers each decision 1, 2, 3... in arrival order;
    :meth:`take` (the loop, once a window) returns and removes all that are waiting.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiting: list[Decision] = []
        self._next_id = 1

    def submit(self, decision: Decision) -> int:
        """Queue ``decision`` for the next window; returns its decision id."""
        with self._lock:
            decision_id = self._next_id
            self._next_id += 1
            self._waiting.append(dataclasses.replace(decision, decision_id=decision_id))
        return decision_id

    def take(self) -> tuple[Decision, ...]:
        """Every decision waiting, in arrival order; the inbox is then empty."""
        with self._lock:
            taken, self._waiting = tuple(self._waiting), []
        return taken
