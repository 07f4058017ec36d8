"""The identification authority: rules propose an identity, an authority declares it.

Alerts and threat ranking act on the *declared* identity only. A declaration
comes from one of two places:

* an **operator** (:meth:`IdentificationAuthority.declare`, who and why given):
  queued, applied at the next step, and recorded; it stands until another
  operator's declaration: the authority rule never overrules an operator (new
  proposals are still recorded, for the operator to see);
* in unattended runs, the **authority rule** (``who`` = ``authority-rule``): a
  proposal of an identity listed in :attr:`AuthoritySettings.declare` that has
  been held for that many seconds is declared. A proposal of an identity not
  listed waits for an operator.

Every change of the declared identity is an ``identity-declared`` event (who,
why, the proposal and its rule) and an ``identity-changed`` event (from, to).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

import numpy as np
from pydantic import ConfigDict, Field, Strict

from flankwatch.assess.assessment import IDENTITIES
from flankwatch.assess.memory import TrackMemory
from flankwatch.events import Event, EventKind
from flankwatch.plain_numbers import NumbersAsWritten
from flankwatch.track.output import TrackBatch, TrackStatus

AUTHORITY_RULE = "authority-rule"
"""Who declares when no operator does."""

PENDING = IDENTITIES.index("pending")

IdentityName = Literal[IDENTITIES]  # type: ignore[valid-type]
Delay = Annotated[float, Strict(), Field(ge=0.0, le=86_400.0)]
"""A decision delay, s: a number written as one (``"60"`` or ``true`` is refused)."""


class AuthoritySettings(NumbersAsWritten):
    """Which proposals the authority rule declares, and after how long (s) held."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    declare: dict[IdentityName, Delay] = Field(
        default_factory=lambda: {
            "pending": 0.0,
            "unknown": 0.0,
            "assumed-friend": 0.0,
            "friend": 0.0,
            "neutral": 0.0,
            "suspect": 0.0,
            "hostile": 60.0,
        },
        description="identity -> decision delay, s; identities left out need an operator",
    )


@dataclass(frozen=True)
class Declaration:
    """An operator's declaration of a track's identity, waiting for the next step."""

    track_id: int
    identity: str
    who: str
    why: str
    t_s: float


class IdentificationAuthority:
    """Declared identities per track, from proposals and operators' declarations."""

    def __init__(self, settings: AuthoritySettings) -> None:
        self.settings = settings
        self._delay_s = np.array([settings.declare.get(name, np.inf) for name in IDENTITIES])
        self._queue: list[Declaration] = []
        self.memory = TrackMemory(
            {
                "declared": (np.int8, PENDING, ()),
                "proposed": (np.int8, -1, ()),
                "proposed_since_s": (np.float64, np.nan, ()),
                "by_operator": (bool, False, ()),
            }
        )

    def declare(self, track_id: int, identity: str, who: str, why: str, t_s: float) -> None:
        """Queue an operator's declaration; raises ``ValueError`` for an unknown identity or
        an anonymous declaration."""
        if identity not in IDENTITIES:
            raise ValueError(f"no identity {identity!r}: one of {', '.join(IDENTITIES)}")
        if not who.strip():
            raise ValueError("a declaration names who makes it")
        self._queue.append(Declaration(int(track_id), identity, who.strip(), why.strip(), t_s))

    def step(
        self, tracks: TrackBatch, proposed: np.ndarray, rule: np.ndarray, now_s: float
    ) -> tuple[np.ndarray, list[Event]]:
        """Declared identity codes of ``tracks`` given this step's proposals, and events.

        ``proposed`` holds proposed identity codes, ``rule`` the name of the rule behind
        each proposal ("" if none).
        """
        mem = self.memory
        rows, _ = mem.rows(tracks.track_id)
        changed = mem["proposed"][rows] != proposed
        mem["proposed_since_s"][rows[changed]] = now_s
        mem["proposed"][rows] = proposed
        before = mem["declared"][rows].copy()
        # Who declared and why, by the batch row of each track declared this step.
        who: dict[int, str] = {}
        why: dict[int, str] = {}

        held_s = now_s - mem["proposed_since_s"][rows]
        follows = ~mem["by_operator"][rows] & (held_s >= self._delay_s[proposed])
        follows &= (proposed != before) & (tracks.status != int(TrackStatus.DELETED))
        mem["declared"][rows[follows]] = proposed[follows]
        for i in np.flatnonzero(follows).tolist():
            who[i] = AUTHORITY_RULE
            why[i] = f"proposed by rule {rule[i]}, held {held_s[i]:.0f} s"

        by_operator = self._apply_queue(tracks, rows, who, why)
        after = mem["declared"][rows]
        events: list[Event] = []
        for i in np.flatnonzero((after != before) | by_operator).tolist():
            codes = (int(before[i]), int(after[i]), int(proposed[i]))
            events.extend(_events(int(tracks.track_id[i]), codes, who[i], why[i], rule[i], now_s))
        return after.astype(np.int64), events

    def _apply_queue(
        self, tracks: TrackBatch, rows: np.ndarray, who: dict[int, str], why: dict[int, str]
    ) -> np.ndarray:
        """Apply the queued declarations of tracks in this batch; keep the others queued,
        and note who declared and why by batch row. Returns the mask of the tracks an
        operator declared."""
        declared = np.zeros(len(tracks), bool)
        if not self._queue:
            return declared
        where = {int(t): i for i, t in enumerate(tracks.track_id)}
        waiting = []
        for item in self._queue:
            i = where.get(item.track_id)
            if i is None:
                waiting.append(item)
                continue
            row = rows[i]
            self.memory["declared"][row] = IDENTITIES.index(item.identity)
            self.memory["by_operator"][row] = True
            who[i] = item.who
            why[i] = item.why or "operator's declaration"
            declared[i] = True
        self._queue = [item for item in waiting if item.track_id in self._known()]
        return declared

    def _known(self) -> set[int]:
        return set(self.memory.track_id.tolist())

    def forget(self, track_id: np.ndarray) -> None:
        """Drop the declared identities of these tracks (and their queued declarations)."""
        self.memory.forget(track_id)
        gone = set(np.asarray(track_id).tolist())
        self._queue = [item for item in self._queue if item.track_id not in gone]


def _events(
    track_id: int, codes: tuple[int, int, int], who: str, why: str, rule: str, now_s: float
) -> list[Event]:
    """The ``identity-declared`` event of one declaration and, when it changes the
    identity, its ``identity-changed`` event; ``codes`` are the identities before, after
    and proposed."""
    old, new, proposed = (IDENTITIES[code] for code in codes)
    data = {"from": old, "to": new, "by": who, "why": why, "proposed": proposed, "rule": rule}
    events = [
        Event(
            t_s=now_s,
            kind=EventKind.IDENTITY_DECLARED,
            message=f"track {track_id} declared {new} by {who}: {why}",
            track_id=track_id,
            subject=who,
            data=dict(data),
        ),
        Event(
            t_s=now_s,
            kind=EventKind.IDENTITY_CHANGED,
            message=f"track {track_id} {old} -> {new} declared by {who}",
            track_id=track_id,
            subject=who,
            data=dict(data),
        ),
    ]
    return events if old != new else events[:1]
