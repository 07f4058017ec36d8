"""One track's details for the page: its class, identity and the reasons for both.

The class is the kinematic classifier's (its probability, and the motion it was
judged from); the identity's reasons are the identity events of the track (what
the rules proposed, what was declared and by whom, an operator's decisions).
"""

from __future__ import annotations

import math
from typing import Any

from flankwatch.events import EventKind
from flankwatch.web.timeline import Timeline

IDENTITY_KINDS = frozenset(
    {
        EventKind.IDENTITY_PROPOSED,
        EventKind.IDENTITY_DECLARED,
        EventKind.IDENTITY_CHANGED,
        EventKind.OPERATOR_DECISION,
    }
)
"""The events that give a track's identity its reasons."""


def track_details(timeline: Timeline, track_id: int, t_s: float | None) -> dict[str, Any] | None:
    """The details of ``track_id`` as seen at ``t_s`` (s since the run's start; None: the
    latest window), or None if the track was not seen by then."""
    if not len(timeline):
        return None
    index = len(timeline) - 1 if t_s is None or not math.isfinite(t_s) else timeline.index_at(t_s)
    at_s = timeline.t1_s[index]
    history, row = timeline.history(track_id, index)
    if row is None:
        return None
    events = [e for e in timeline.events_between(-1, index) if e["track_id"] == track_id]
    category, probability = str(row.category[0]), float(row.category_prob[0])
    speed, alt, course = float(row.speed_mps[0]), float(row.alt_m[0]), float(row.course_deg[0])
    icao, callsign = str(row.icao[0]), str(row.callsign[0])
    cls_reasons = [
        f"{category}, probability {probability:.2f}, from its motion against the class profiles",
        f"ground speed {speed:.0f} m/s, altitude {alt:.0f} m, course {course:.0f} deg",
        f"transponder: ICAO {icao}{f' callsign {callsign}' if callsign else ''}"
        if icao
        else "no transponder (no ADS-B address)",
    ]
    crossing = float(row.crossing_t_s[0]) - at_s
    return {
        "id": track_id,
        "t_s": at_s,
        "cls": category,
        "cls_reasons": cls_reasons,
        "idn": str(row.identity[0]),
        "idn_reasons": [e["message"] for e in events if e["kind"] in IDENTITY_KINDS],
        "spd": round(speed),
        "alt": round(alt, -1),
        "ttb": round(crossing) if math.isfinite(crossing) and crossing > 0 else None,
        "history": history,
        "events": [
            {
                "t_s": round(e["t_s"], 1),
                "kind": e["kind"],
                "subject": e["subject"],
                "text": e["message"],
            }
            for e in events
        ],
    }
