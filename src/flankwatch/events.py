"""Events: what the stages and the operators decide, one frozen object each.

An event says when (``t_s``, seconds since the run's start), what (``kind``, an
:class:`EventKind`),
about which track (``track_id``, -1 if none) and which subject (an airport's
ICAO code, an asset's name, a border's country code, an alert's identifier),
with a human-readable ``message`` that gives the reason, and extra ``data``.
Events are recorded in the recording's ``events`` table, ``kind`` as its string
value and ``data`` as JSON.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

import pyarrow as pa

__all__ = [
    "EVENT_SCHEMA",
    "Event",
    "EventData",
    "EventKind",
    "events_from_arrow",
    "events_to_arrow",
]


class EventKind(StrEnum):
    """Every kind of event the system records; the value is what the recording holds."""

    IDENTITY_CHANGED = "identity-changed"
    """A track's standard identity changed; the subject is the rule that changed it."""
    BORDER_CROSSED = "border-crossed"
    """A track entered the watched airspace; the subject is the neighbour it came from."""
    AIRSPACE_EXITED = "airspace-exited"
    """A track left the watched airspace; the subject is the neighbour it went into."""
    CROSSING_PREDICTED = "crossing-predicted"
    """A track is predicted to enter the watched airspace (first time or a changed time)."""
    CROSSING_CANCELLED = "crossing-cancelled"
    """A predicted entry is no longer expected."""
    ALERT_ISSUED = "alert-issued"
    """An alert was issued (an airport closed, a public warning sent); subject: the alert."""
    ALERT_UPDATED = "alert-updated"
    """An alert in force was updated (a new threat, a changed path); subject: the alert."""
    ALERT_CANCELLED = "alert-cancelled"
    """An alert was withdrawn (an airport reopened, an all clear); subject: the alert."""
    IDENTITY_PROPOSED = "identity-proposed"
    """Identity rules propose a new identity for a track; the subject is the rule."""
    IDENTITY_DECLARED = "identity-declared"
    """A track's identity was declared; the subject is who declared it (an operator, or
    ``authority-rule`` in unattended runs), the data say why."""
    SQUAWK_EMERGENCY = "squawk-emergency"
    """A track squawks an emergency Mode A code (7500, 7600, 7700); subject: the code."""
    SCRAMBLED = "scrambled"
    """Own aircraft were ordered up against a track; the subject is the unit."""
    SHOT_FIRED = "shot-fired"
    """A weapon was used on a track; the subject is the unit, the data give the weapon,
    its cost (EUR) and the predicted debris point."""
    SHOT_WITHHELD = "shot-withheld"
    """A shot was planned but the rules of engagement forbade it; the data say why."""
    TARGET_DESTROYED = "target-destroyed"
    """A shot killed its target; the data give where the debris fell."""
    SHOT_MISSED = "shot-missed"
    """A shot missed; the data give where the weapon's debris fell."""
    TARGET_SURVIVED = "target-survived"
    """A track a shot was counted to have killed is still updated by plots (battle-damage
    assessment): it is a target again; the data give the kill's time."""
    LEAKER = "leaker"
    """A hostile track reached a defended asset or left the defended area unengaged or
    surviving; the subject is the asset (if any)."""
    TARGET_LEFT = "target-left"
    """A unit has fired the most shots its doctrine allows at one target (in a sortie,
    for fighters) and leaves the track to others; the subject is the unit."""
    MAGAZINE_EMPTY = "magazine-empty"
    """A unit has used its last round or missile (it reloads, or returns to base)."""
    RETURNED_TO_BASE = "returned-to-base"
    """Own aircraft landed (fuel, weapons spent, or no target left); subject: the unit."""
    OPERATOR_DECISION = "operator-decision"
    """An operator's decision entered the run (an identity declared, an alert
    acknowledged, an engagement approved or vetoed); the subject is the operator, the
    message says what and why, the data give the decision's id and whether it applied."""


EventData = dict[str, float | int | str | bool | None]
"""An event's extra data: plain values by name, recorded as JSON."""

EVENT_SCHEMA = pa.schema(
    [
        ("t_s", pa.float64()),
        ("kind", pa.string()),
        ("track_id", pa.int64()),
        ("subject", pa.string()),
        ("message", pa.string()),
        ("data", pa.string()),
    ]
)


@dataclass(frozen=True)
class Event:
    """One decision of the system, with its reason; see the module docstring."""

    t_s: float
    kind: EventKind
    message: str
    track_id: int = -1
    subject: str = ""
    data: EventData = field(default_factory=dict)

    def __post_init__(self) -> None:
        # A kind given as its string value becomes the member; any other string is an error.
        if not isinstance(self.kind, EventKind):
            object.__setattr__(self, "kind", EventKind(self.kind))


def events_to_arrow(events: Iterable[Event]) -> pa.Table:
    """Events as an Arrow table with the ``events`` schema, in the given order."""
    events = list(events)
    return pa.table(
        {
            "t_s": [e.t_s for e in events],
            "kind": [e.kind.value for e in events],
            "track_id": [e.track_id for e in events],
            "subject": [e.subject for e in events],
            "message": [e.message for e in events],
            "data": [json.dumps(e.data, sort_keys=True) for e in events],
        },
        schema=EVENT_SCHEMA,
    )


def events_from_arrow(table: pa.Table) -> list[Event]:
    """The events of a table with the ``events`` schema (as read from a recording), in order."""
    columns = table.select(EVENT_SCHEMA.names).to_pydict()
    return [
        Event(
            t_s=t_s,
            kind=EventKind(kind),
            message=message,
            track_id=track_id,
            subject=subject,
            data=json.loads(data),
        )
        for t_s, kind, track_id, subject, message, data in zip(
            *(columns[name] for name in EVENT_SCHEMA.names), strict=True
        )
    ]
