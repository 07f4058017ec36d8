"""What the after-action view shows, read from a recording (which is only read).

Per threat, the view needs when it was detected, crossed the border, was
identified, warned of, engaged, and how its night ended. A run's summary (in
``metadata.json``) already holds its threat ledger (see :mod:`flankwatch.report`):
detection, border crossing and the warning counts come from there. What the
ledger keeps no record of (which tracks were which object) is worked out here with
the ledger's own rule: a confirmed or coasting track is an object's track when it
lies within :data:`MATCH_M` of that object's truth at the same time. A recording
without truth (a live run) lists its tracks of interest instead: those declared
suspect or hostile, warned of, or engaged.

Times are in s since the run's start.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
from scipy.spatial import cKDTree

from flankwatch.events import Event, EventKind, events_from_arrow
from flankwatch.report import WARNING_IDENTITIES
from flankwatch.store.reading import check_tables_present, read_parts, read_static, table_parts
from flankwatch.store.recording import RecordingError, read_metadata
from flankwatch.track.output import TrackStatus
from flankwatch.web.aar_airports import Airport, Closure, airport_closures, airports, public_record
from flankwatch.web.aar_alerts import AlertLife, alert_lives

MATCH_M = 2000.0
"""Farthest a track may be from an object's truth to be that object's track, m (the
ledger's default)."""
TIME_DECIMALS = 3
"""Truth and track times are compared rounded to this many decimals of a second."""


@dataclass(frozen=True)
class Shot:
    """A weapon fired at a threat: when, by whom, and how it ended (``outcome``: "kill",
    "miss", or "" while in flight at the recording's end)."""

    t_s: float
    unit: str
    weapon: str
    outcome: str
    outcome_t_s: float | None


@dataclass(frozen=True)
class ThreatLine:
    """One threat's night as the timeline draws it.

    ``warned_s``: when the system first warned of it (a track on it suspect or hostile,
    or predicted to cross the border: the ledger's rule); ``first_s``/``last_s``:
    first and last time it was seen (in the truth, or as a
    track without truth); ``end``: how that last time came ("destroyed", "came down", "lost",
    "still flying", "track lost", "still tracked"); ``identity``: what it was
    identified as at ``identified_s`` (suspect or hostile); ``warnings_s``: when
    public warnings of it were issued.
    """

    label: str
    category: str
    origin: str
    first_s: float
    last_s: float
    end: str
    detected_s: float | None
    crossed_s: float | None
    warned_s: float | None
    identified_s: float | None
    identity: str
    warnings_s: tuple[float, ...]
    shots: tuple[Shot, ...]


@dataclass(frozen=True)
class AfterAction:
    """Everything the view shows of one recording."""

    name: str
    seed: int | None
    start: datetime
    duration_s: float
    status: str
    exercise: bool
    from_truth: bool
    """Whether threats are the simulated objects (True) or tracks of interest (False)."""
    threats: tuple[ThreatLine, ...]
    alerts: tuple[AlertLife, ...]
    closures: tuple[Closure, ...]
    airports: tuple[Airport, ...]
    """The deployment's airports, then any other airport closed, in that order."""
    public_record: tuple[str, ...]
    """The scenario's cited sources that speak of airports."""
    summary: dict[str, Any]
    """The run's summary as recorded (empty while the run goes, or if it failed or was
    interrupted)."""
    event_counts: dict[str, int]


def read_after_action(folder: Path) -> AfterAction:
    """Read what the after-action view of the recording in ``folder`` shows.

    Raises :class:`RecordingError` for a folder that is not a readable recording.
    """
    folder = Path(folder)
    metadata = read_metadata(folder)
    check_tables_present(folder)
    try:
        start = datetime.fromisoformat(str(metadata["start"]))
    except (KeyError, ValueError):
        raise RecordingError(f"{folder}: metadata.json has no valid start time") from None
    if start.tzinfo is None:
        raise RecordingError(f"{folder}: metadata.json start time has no time zone")
    summary = metadata.get("summary") or {}
    parts = table_parts(folder)
    events = events_from_arrow(read_parts(parts, "events")) if "events" in parts else []
    shots = _shots(parts)
    duration_s = float(metadata.get("duration_s") or summary.get("simulated_s") or 0.0)
    if "truth" in parts and "objects" in parts:
        threats = _object_threats(folder, parts, summary, events, shots)
    else:
        threats = _track_threats(parts, events, shots, duration_s)
    closures = airport_closures(summary, events)
    record = public_record(folder)
    counts: dict[str, int] = defaultdict(int)
    for event in events:
        counts[event.kind.value] += 1
    return AfterAction(
        name=str(metadata.get("scenario") or folder.name),
        seed=metadata.get("seed"),
        start=start,
        duration_s=duration_s,
        status=str(metadata.get("status", "")),
        exercise=bool(metadata.get("exercise", False)),
        from_truth="truth" in parts and "objects" in parts,
        threats=tuple(sorted(threats, key=lambda line: (line.first_s, line.label))),
        alerts=alert_lives(parts, events),
        closures=closures,
        airports=airports(folder, closures, record),
        public_record=record,
        summary=summary,
        event_counts=dict(sorted(counts.items())),
    )


def _shots(parts: dict[str, list[Path]]) -> dict[int, list[Shot]]:
    """Shots by the track they were fired at, with their outcomes."""
    if "shots" not in parts:
        return {}
    shots = read_parts(parts, "shots", ["t_s", "shot_id", "unit", "weapon", "track_id"]).to_pylist()
    outcomes: dict[int, tuple[bool, float]] = {}
    if "shot_outcomes" in parts:
        for row in read_parts(parts, "shot_outcomes", ["t_s", "shot_id", "kill"]).to_pylist():
            outcomes[row["shot_id"]] = (row["kill"], row["t_s"])
    by_track: dict[int, list[Shot]] = defaultdict(list)
    for row in shots:
        kill, t_s = outcomes.get(row["shot_id"], (None, None))
        outcome = "" if kill is None else ("kill" if kill else "miss")
        by_track[row["track_id"]].append(Shot(row["t_s"], row["unit"], row["weapon"], outcome, t_s))
    return by_track


def _object_threats(
    folder: Path,
    parts: dict[str, list[Path]],
    summary: dict[str, Any],
    events: list[Event],
    shots: dict[int, list[Shot]],
) -> list[ThreatLine]:
    """One line per non-civil simulated object that flew."""
    objects = read_static(folder, "objects").to_pylist()
    truth = read_parts(
        parts, "truth", ["t_s", "object_id", "x_m", "y_m", "z_m", "ended", "destroyed"]
    )
    ledger = {int(row["object_id"]): row for row in summary.get("threats") or []}
    owner = _track_objects(parts, truth)
    tracks_of: dict[int, list[int]] = defaultdict(list)
    for track, obj in owner.items():
        tracks_of[obj].append(track)
    per_track = _track_facts(events)
    object_id = truth.column("object_id").to_numpy()
    t_s = truth.column("t_s").to_numpy()
    ended = truth.column("ended").to_numpy(zero_copy_only=False)
    destroyed = truth.column("destroyed").to_numpy(zero_copy_only=False)
    last_s = float(t_s.max()) if len(t_s) else 0.0
    lines = []
    for row in objects:
        obj = int(row["object_id"])
        rows = np.flatnonzero(object_id == obj)
        if row["cooperative"] or not len(rows):
            continue
        facts = _merge([per_track[track] for track in tracks_of[obj] if track in per_track])
        fired = sorted(
            (shot for track in tracks_of[obj] for shot in shots.get(track, [])),
            key=lambda shot: shot.t_s,
        )
        known = ledger.get(obj, {})
        end, end_s = _end(t_s[rows], ended[rows], destroyed[rows], last_s)
        lines.append(
            ThreatLine(
                label=str(row["name"]),
                category=str(row["category"]),
                origin=str(row["origin"]),
                first_s=float(t_s[rows].min()),
                last_s=end_s,
                end=end,
                detected_s=known.get("detected_s"),
                crossed_s=known.get("crossed_s") if known else facts.crossed_s,
                warned_s=known.get("warned_s") if known else facts.warned_s,
                identified_s=facts.identified_s,
                identity=facts.identity,
                warnings_s=facts.warnings_s,
                shots=tuple(fired),
            )
        )
    return lines


def _end(
    t_s: np.ndarray, ended: np.ndarray, destroyed: np.ndarray, last_s: float
) -> tuple[str, float]:
    """How and when one object's truth rows end: "destroyed" or "came down" at its
    ending row, "still flying" if it has a row at the last truth time, else "lost"
    (its rows stop without an ending)."""
    if ended.any():
        at = int(np.flatnonzero(ended)[0])
        return ("destroyed" if destroyed[at] else "came down"), float(t_s[at])
    end_s = float(t_s.max())
    return ("still flying" if end_s >= last_s else "lost"), end_s


def _track_objects(parts: dict[str, list[Path]], truth: pa.Table) -> dict[int, int]:
    """Each confirmed or coasting track's object: the one it lay within :data:`MATCH_M`
    of most often, at the times when both have a row."""
    if "tracks" not in parts or not truth.num_rows:
        return {}
    tracks = read_parts(parts, "tracks", ["time_s", "track_id", "status", "x_m", "y_m", "z_m"])
    status = tracks.column("status").to_numpy()
    held = (status == TrackStatus.CONFIRMED) | (status == TrackStatus.COASTING)
    track_t = np.round(tracks.column("time_s").to_numpy()[held], TIME_DECIMALS)
    track_id = tracks.column("track_id").to_numpy()[held]
    if not len(track_id):
        return {}
    track_xyz = np.column_stack([tracks.column(c).to_numpy()[held] for c in ("x_m", "y_m", "z_m")])
    truth_t = np.round(truth.column("t_s").to_numpy(), TIME_DECIMALS)
    truth_id = truth.column("object_id").to_numpy()
    truth_xyz = np.column_stack([truth.column(c).to_numpy() for c in ("x_m", "y_m", "z_m")])
    track_order, truth_order = np.argsort(track_t, kind="stable"), np.argsort(truth_t)
    times, track_start = np.unique(track_t[track_order], return_index=True)
    track_end = np.r_[track_start[1:], len(track_order)]
    sorted_truth_t = truth_t[truth_order]
    pairs: list[tuple[np.ndarray, np.ndarray]] = []
    for t, first, end in zip(times, track_start, track_end, strict=True):
        lo = np.searchsorted(sorted_truth_t, t, side="left")
        hi = np.searchsorted(sorted_truth_t, t, side="right")
        if lo == hi:
            continue
        here = truth_order[lo:hi]
        rows = track_order[first:end]
        distance, nearest = cKDTree(truth_xyz[here]).query(
            track_xyz[rows], distance_upper_bound=MATCH_M
        )
        matched = np.isfinite(distance)
        pairs.append((track_id[rows][matched], truth_id[here][nearest[matched]]))
    if not pairs:
        return {}
    tracks_matched = np.concatenate([p[0] for p in pairs])
    objects_matched = np.concatenate([p[1] for p in pairs])
    combos, counts = np.unique(
        np.column_stack((tracks_matched, objects_matched)), axis=0, return_counts=True
    )
    order = np.lexsort((-counts, combos[:, 0]))
    combos = combos[order]
    first = np.r_[True, combos[1:, 0] != combos[:-1, 0]]
    return {int(t): int(o) for t, o in combos[first]}


@dataclass(frozen=True)
class _Facts:
    """What the events say of one track (or of an object's tracks together)."""

    identified_s: float | None = None
    identity: str = ""
    crossed_s: float | None = None
    predicted_s: float | None = None
    """First predicted border crossing."""
    warnings_s: tuple[float, ...] = ()

    @property
    def warned_s(self) -> float | None:
        """First warning by the system: identity suspect or hostile, or a predicted crossing."""
        times = [t for t in (self.identified_s, self.predicted_s) if t is not None]
        return min(times) if times else None


def _track_facts(events: list[Event]) -> dict[int, _Facts]:
    """Per track: first suspect or hostile identity, first entry, public warnings issued."""
    identified: dict[int, tuple[float, str]] = {}
    crossed: dict[int, float] = {}
    predicted: dict[int, float] = {}
    warnings: dict[int, list[float]] = defaultdict(list)
    for event in events:
        track = event.track_id
        if event.kind == EventKind.IDENTITY_CHANGED:
            to = str(event.data.get("to", ""))
            if to in WARNING_IDENTITIES and track not in identified:
                identified[track] = (event.t_s, to)
        elif event.kind == EventKind.BORDER_CROSSED:
            crossed.setdefault(track, event.t_s)
        elif event.kind == EventKind.CROSSING_PREDICTED:
            predicted.setdefault(track, event.t_s)
        elif event.kind == EventKind.ALERT_ISSUED and event.data.get("alert") == "public":
            warnings[track].append(event.t_s)
    tracks = set(identified) | set(crossed) | set(predicted) | set(warnings)
    return {
        track: _Facts(
            identified_s=identified[track][0] if track in identified else None,
            identity=identified[track][1] if track in identified else "",
            crossed_s=crossed.get(track),
            predicted_s=predicted.get(track),
            warnings_s=tuple(warnings.get(track, ())),
        )
        for track in tracks
    }


def _merge(facts: list[_Facts]) -> _Facts:
    """The facts of several tracks of one object: the earliest of each, all warnings."""
    identified = [(f.identified_s, f.identity) for f in facts if f.identified_s is not None]
    crossed = [f.crossed_s for f in facts if f.crossed_s is not None]
    predicted = [f.predicted_s for f in facts if f.predicted_s is not None]
    first = min(identified) if identified else (None, "")
    return _Facts(
        identified_s=first[0],
        identity=first[1],
        crossed_s=min(crossed) if crossed else None,
        predicted_s=min(predicted) if predicted else None,
        warnings_s=tuple(sorted(t for f in facts for t in f.warnings_s)),
    )


def _track_threats(
    parts: dict[str, list[Path]],
    events: list[Event],
    shots: dict[int, list[Shot]],
    duration_s: float,
) -> list[ThreatLine]:
    """Without truth: one line per track declared suspect or hostile, warned of or engaged."""
    facts = _track_facts(events)
    interesting = {t for t, f in facts.items() if f.identified_s is not None or f.warnings_s}
    interesting |= set(shots)
    interesting.discard(-1)
    if not interesting or "tracks" not in parts:
        return []
    tracks = read_parts(parts, "tracks", ["time_s", "track_id", "status"])
    status = tracks.column("status").to_numpy()
    held = (status == TrackStatus.CONFIRMED) | (status == TrackStatus.COASTING)
    ids = tracks.column("track_id").to_numpy()[held]
    times = tracks.column("time_s").to_numpy()[held]
    last_window_s = float(times.max()) if len(times) else duration_s
    lines = []
    for track in sorted(interesting):
        seen = times[ids == track]
        if not len(seen):
            continue
        fired = tuple(sorted(shots.get(track, []), key=lambda shot: shot.t_s))
        fact = facts.get(track, _Facts())
        if any(shot.outcome == "kill" for shot in fired):
            end = "destroyed"
        elif seen.max() < last_window_s:
            end = "track lost"
        else:
            end = "still tracked"
        lines.append(
            ThreatLine(
                label=f"track {track}",
                category="",
                origin="",
                first_s=float(seen.min()),
                last_s=float(seen.max()),
                end=end,
                detected_s=float(seen.min()),
                crossed_s=fact.crossed_s,
                warned_s=fact.warned_s,
                identified_s=fact.identified_s,
                identity=fact.identity,
                warnings_s=fact.warnings_s,
                shots=fired,
            )
        )
    return lines
