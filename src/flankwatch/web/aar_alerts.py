"""The life of each alert of a recording: issued, updated, ended, with its headline.

From the ``alerts`` table (every message sent: CAP for public warnings, NOTAM for
airport closures) and the alert life-cycle events (what the alert was about: its
kind, its track and the system's words for it). The headline is the English CAP
headline where the message is CAP, else the event's text. Times are in s since
the run's start.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from flankwatch.events import Event, EventKind
from flankwatch.store.recording import RecordingError

_INFO = re.compile(r"<info>(.*?)</info>", re.DOTALL)
_ENGLISH = re.compile(r"<language>en[^<]*</language>")
_HEADLINE = re.compile(r"<headline>(.*?)</headline>", re.DOTALL)


@dataclass(frozen=True)
class AlertLife:
    """One alert: ``kind`` "public" or "airport" (as its events say; "" if none does),
    the track it was issued for (-1: unknown), when it was issued and ended (None: in
    force at the end), how many updates it had, the formats of its messages."""

    alert_id: str
    kind: str
    track_id: int
    issued_s: float
    updates: int
    ended_s: float | None
    formats: tuple[str, ...]
    headline: str


def alert_lives(parts: dict[str, list[Path]], events: list[Event]) -> tuple[AlertLife, ...]:
    """Every alert of the recording (``parts``: its tables' files), in order of issue."""
    if "alerts" not in parts:
        return ()
    try:
        table = pa.concat_tables(
            pq.read_table(path, columns=["t_s", "format", "msg_type", "alert_id", "body"])
            for path in parts["alerts"]
        )
    except (OSError, pa.ArrowException) as error:
        raise RecordingError(f"table 'alerts': cannot read it: {error}") from None
    about: dict[str, Event] = {}
    for event in events:
        if event.kind == EventKind.ALERT_ISSUED:
            about.setdefault(event.subject, event)
    messages: dict[str, list[dict]] = {}
    for row in table.to_pylist():
        messages.setdefault(row["alert_id"], []).append(row)
    lives = []
    for alert_id, rows in messages.items():
        rows.sort(key=lambda row: row["t_s"])
        issued = about.get(alert_id)
        headline = _cap_headline(rows[0]["body"]) if rows[0]["format"] == "cap" else ""
        ends = [row["t_s"] for row in rows if row["msg_type"] == "Cancel"]
        lives.append(
            AlertLife(
                alert_id=alert_id,
                kind=str(issued.data.get("alert", "")) if issued else "",
                track_id=issued.track_id if issued else -1,
                issued_s=float(rows[0]["t_s"]),
                updates=sum(row["msg_type"] == "Update" for row in rows),
                ended_s=float(ends[0]) if ends else None,
                formats=tuple(sorted({str(row["format"]) for row in rows})),
                headline=headline or (issued.message if issued else ""),
            )
        )
    return tuple(sorted(lives, key=lambda life: (life.issued_s, life.alert_id)))


def _cap_headline(body: str) -> str:
    """The headline of a CAP message's English part (else of its first part), as text."""
    parts = _INFO.findall(body)
    chosen = next((p for p in parts if _ENGLISH.search(p)), parts[0] if parts else "")
    found = _HEADLINE.search(chosen)
    if not found:
        return ""
    return html.unescape(found.group(1).strip())
