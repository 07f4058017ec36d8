"""What a run or a recording showed, window by window: the store the server reads.

A :class:`Timeline` grows one :class:`WindowData` at a time (a running run's web
sink appends each window as it is made; a recording is loaded into one whole,
see :mod:`flankwatch.web.recorded`). It keeps each window's tracks and own forces
as columns (a track a shot killed no longer, unless a ``target-survived`` event
says it still flies: the killed drone's track coasting on is not drawn), and the
logs that only grow: events, alert messages, shots and their outcomes, airport
closures, each with how many entries the windows up to each index hold, so that
what is new between two windows is a slice.

Times are s since the run's start; positions WGS-84 degrees. Appending is
thread-safe (the run loop's thread appends, the server's reads).
"""

from __future__ import annotations

import bisect
import json
import threading
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa

from flankwatch.events import EventKind
from flankwatch.geo.frames import LocalFrame
from flankwatch.web.rows import OwnRows, TrackRows

Record = dict[str, Any]
"""One log entry as plain JSON values."""


@dataclass(frozen=True)
class AirportState:
    """An airport as the page shows it: ICAO code, name, closed or open since ``since_s``."""

    icao: str
    name: str
    closed: bool
    since_s: float

    def to_json(self) -> Record:
        """The contract's airport object."""
        return {
            "icao": self.icao,
            "name": self.name,
            "closed": self.closed,
            "since_s": round(self.since_s, 1),
        }


@dataclass(frozen=True)
class WindowData:
    """One window's part of the picture: its end ``t1_s``, its tracks and own forces, and
    its new events, alert messages, shots and shot outcomes (as from the recording's
    tables: see :func:`event_records`, :func:`shot_records` ...)."""

    t1_s: float
    tracks: TrackRows
    own: OwnRows
    events: list[Record] = field(default_factory=list)
    alerts: list[Record] = field(default_factory=list)
    shots: list[Record] = field(default_factory=list)
    outcomes: list[tuple[int, bool]] = field(default_factory=list)


class Timeline:
    """The windows seen so far and the logs that grow with them; see the module docstring.

    ``airports``: the deployment's airports (ICAO code to name), open at the start.
    """

    def __init__(self, batch_s: float, airports: dict[str, str]) -> None:
        self.batch_s = batch_s
        self.airport_names = dict(airports)
        self.t1_s: list[float] = []
        self._tracks: list[TrackRows] = []
        self._own: list[OwnRows] = []
        self.events: list[Record] = []
        self.alerts: list[Record] = []
        self._shot_log: list[int] = []
        self.shots: dict[int, Record] = {}
        self._outcome_at: dict[int, int] = {}
        self._destroyed: set[int] = set()
        """Tracks a shot killed (and not since found still flying): not shown."""
        self._airport_log: list[tuple[int, str, bool, float]] = []
        self._alert_info: dict[str, tuple[str, int, str]] = {}
        self._upto: dict[str, list[int]] = {"events": [], "alerts": [], "shots": []}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.t1_s)

    def append(self, window: WindowData) -> None:
        """Add the next window (its events first, then its messages, shots, outcomes)."""
        with self._lock:
            index = len(self.t1_s)
            for event in window.events:
                self._note_event(index, event)
            alerts = [self._alert_record(message) for message in window.alerts]
            self.events.extend(window.events)
            self.alerts.extend(alerts)
            for shot in window.shots:
                self.shots[int(shot["shot_id"])] = {**shot, "outcome": None}
                self._shot_log.append(int(shot["shot_id"]))
            for shot_id, kill in window.outcomes:
                if shot_id in self.shots:
                    self.shots[shot_id]["outcome"] = "kill" if kill else "miss"
                    self._outcome_at[shot_id] = index
                    self._shot_log.append(shot_id)
                    if kill:
                        self._destroyed.add(int(self.shots[shot_id]["track_id"]))
            for event in window.events:
                if event["kind"] == EventKind.TARGET_SURVIVED:
                    self._destroyed.discard(int(event["track_id"]))
            tracks = window.tracks
            if self._destroyed:
                tracks = tracks.take(~np.isin(tracks.track_id, list(self._destroyed)))
            self._tracks.append(tracks)
            self._own.append(window.own)
            self._upto["events"].append(len(self.events))
            self._upto["alerts"].append(len(self.alerts))
            self._upto["shots"].append(len(self._shot_log))
            self.t1_s.append(float(window.t1_s))

    def _note_event(self, index: int, event: Record) -> None:
        """Keep what an alert's life-cycle event says of its alert and airport."""
        data = event.get("data") or {}
        kind = event["kind"]
        if not kind.startswith("alert-"):
            return
        alert_kind = str(data.get("alert", ""))
        self._alert_info[event["subject"]] = (alert_kind, int(event["track_id"]), event["message"])
        icao = data.get("icao")
        if alert_kind == "airport" and isinstance(icao, str):
            if kind == EventKind.ALERT_ISSUED:
                self._airport_log.append((index, icao, True, float(event["t_s"])))
            elif kind == EventKind.ALERT_CANCELLED:
                self._airport_log.append((index, icao, False, float(event["t_s"])))

    def _alert_record(self, message: Record) -> Record:
        kind, track_id, headline = self._alert_info.get(
            message["alert_id"], ("", -1, f"{message['msg_type']} {message['alert_id']}")
        )
        return {**message, "kind": kind, "track_id": track_id, "headline": headline}

    def tracks(self, index: int) -> TrackRows:
        """The live tracks at window ``index``."""
        return self._tracks[index]

    def own(self, index: int) -> OwnRows:
        """Own forces in flight at window ``index``."""
        return self._own[index]

    def index_at(self, t_s: float) -> int:
        """The last window ending at or before ``t_s`` (0 before the first one ends)."""
        return max(bisect.bisect_right(self.t1_s, t_s + 1e-9) - 1, 0)

    def _range(self, log: str, after: int, upto: int) -> tuple[int, int]:
        """Positions in ``log`` of the entries of windows ``after`` (excluded) to ``upto``."""
        counts = self._upto[log]
        start = counts[after] if after >= 0 else 0
        return start, counts[upto] if upto >= 0 else 0

    def events_between(self, after: int, upto: int) -> list[Record]:
        """Events of windows ``after`` (excluded; -1: from the start) to ``upto``."""
        start, end = self._range("events", after, upto)
        return self.events[start:end]

    def alerts_between(self, after: int, upto: int) -> list[Record]:
        """Alert messages of windows ``after`` (excluded) to ``upto``."""
        start, end = self._range("alerts", after, upto)
        return self.alerts[start:end]

    def shots_between(self, after: int, upto: int) -> list[Record]:
        """Shots fired or resolved in windows ``after`` (excluded) to ``upto``, each as it
        stands at ``upto`` (outcome None while in flight)."""
        start, end = self._range("shots", after, upto)
        ids = list(dict.fromkeys(self._shot_log[start:end]))
        return [self.shot_at(shot_id, upto) for shot_id in ids]

    def shot_at(self, shot_id: int, index: int) -> Record:
        """A shot as it stands at window ``index``."""
        shot = self.shots[shot_id]
        resolved = self._outcome_at.get(shot_id, len(self.t1_s)) <= index
        return {**shot, "outcome": shot["outcome"] if resolved else None}

    def airports_at(self, index: int) -> dict[str, AirportState]:
        """Every airport's state at window ``index``."""
        states = {
            icao: AirportState(icao, name, False, 0.0) for icao, name in self.airport_names.items()
        }
        for at, icao, closed, since_s in self._airport_log:
            if at > index:
                break
            name = self.airport_names.get(icao, icao)
            states[icao] = AirportState(icao, name, closed, since_s)
        return states

    def history(self, track_id: int, upto: int) -> tuple[list[list[float]], TrackRows | None]:
        """A track's positions ``[t_s, lon, lat, alt_m]`` up to window ``upto``, and its
        latest row (None if it was never seen by then)."""
        points: list[list[float]] = []
        latest: TrackRows | None = None
        for index in range(min(upto, len(self.t1_s) - 1) + 1):
            rows = self._tracks[index]
            at = np.flatnonzero(rows.track_id == track_id)
            if len(at):
                row = rows.take(at[:1])
                latest = row
                points.append(
                    [
                        self.t1_s[index],
                        round(float(row.lon_deg[0]), 5),
                        round(float(row.lat_deg[0]), 5),
                        round(float(row.alt_m[0]), -1) + 0.0,
                    ]
                )
        return points, latest


def event_records(table: pa.Table) -> list[Record]:
    """Rows of an ``events`` table as records (``data`` decoded from its JSON)."""
    rows = table.to_pylist() if table.num_rows else []
    for row in rows:
        try:
            row["data"] = json.loads(row["data"]) if row["data"] else {}
        except (TypeError, ValueError):
            row["data"] = {}
    return rows


def alert_records(table: pa.Table) -> list[Record]:
    """Rows of an ``alerts`` table (messages) as records."""
    return table.to_pylist() if table.num_rows else []


def shot_records(table: pa.Table, frame: LocalFrame) -> list[Record]:
    """Rows of a ``shots`` table as the page's shot records (where from and the aim point
    in [lon, lat] degrees, through the run's ``frame``)."""
    if not table.num_rows:
        return []
    columns = table.to_pydict()
    n = table.num_rows
    points = {}
    for point in ("shooter", "aim"):
        enu = np.column_stack([np.asarray(columns[f"{point}_{a}_m"], float) for a in "xyz"])
        lat, lon, _ = frame.enu_to_geodetic(enu.reshape(n, 3))
        points[point] = np.column_stack((np.reshape(lon, n), np.reshape(lat, n))).round(5)
    return [
        {
            "shot_id": int(columns["shot_id"][k]),
            "t_s": round(float(columns["t_s"][k]), 1),
            "unit": columns["unit"][k],
            "weapon": columns["weapon"][k],
            "track_id": int(columns["track_id"][k]),
            "from": points["shooter"][k].tolist(),
            "aim": points["aim"][k].tolist(),
        }
        for k in range(n)
    ]


def outcome_records(table: pa.Table) -> list[tuple[int, bool]]:
    """Rows of a ``shot_outcomes`` table as (shot id, killed)."""
    if not table.num_rows:
        return []
    return list(
        zip(
            (int(v) for v in table.column("shot_id").to_pylist()),
            (bool(v) for v in table.column("kill").to_pylist()),
            strict=True,
        )
    )
