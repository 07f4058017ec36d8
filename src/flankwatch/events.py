"""Events: what the assessment and alert stages decide, one frozen object each.

An event says when (``t_s``, seconds since the run's start), what (``kind``),
about which track (``track_id``, -1 if none) and which subject (an airport's
ICAO code, an asset's name, a border's country code, an alert's identifier),
with a human-readable ``message`` that gives the reason, and extra ``data``.
Events are recorded in the recording's ``events`` table, ``data`` as JSON.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyarrow as pa

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
    kind: str
    message: str
    track_id: int = -1
    subject: str = ""
    data: dict[str, float | int | str | bool | None] = field(default_factory=dict)


def events_to_arrow(events: Iterable[Event]) -> pa.Table:
    """Events as an Arrow table with the ``events`` schema, in the given order."""
    events = list(events)
    return pa.table(
        {
            "t_s": [e.t_s for e in events],
            "kind": [e.kind for e in events],
            "track_id": [e.track_id for e in events],
            "subject": [e.subject for e in events],
            "message": [e.message for e in events],
            "data": [json.dumps(e.data, sort_keys=True) for e in events],
        },
        schema=EVENT_SCHEMA,
    )
