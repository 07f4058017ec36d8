"""A recording read back into a :class:`~flankwatch.web.timeline.Timeline` (replay mode).

The recording is only read, never written. Its ``tracks`` table gives the
kinematics of each window's tracks; what the assessment said of them is
rebuilt from the other tables:

- identity: the latest ``identity-changed`` event of the track at or before the
  row's time (``pending`` before any);
- time to the border: the latest crossing event of the track (a
  ``crossing-predicted`` event's ``crossing_t_s``; none after a
  ``crossing-cancelled``, ``border-crossed`` or ``airspace-exited``);
- threat rank: the track's best rank in the ``threat_ranking`` rows of the window;
- class: the recording holds no classes, so the tracks are classified again
  by the same kinematic classifier the run's assessment used (built-in class
  profiles), window by window, which gives the run's classes when the run used
  those profiles.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from flankwatch.assess.assessment import CATEGORIES
from flankwatch.assess.classify import KinematicClassifier, load_class_profiles
from flankwatch.assess.kinematics import Kinematics, earth_radius_m
from flankwatch.deployment import Deployment, parse_deployment
from flankwatch.events import EventKind
from flankwatch.geo.airports import UnknownAirportError, airport
from flankwatch.store.reading import check_tables_present, read_parts, read_static, table_parts
from flankwatch.store.recording import RecordingError, read_metadata
from flankwatch.store.sink import DEPLOYMENT_FILE
from flankwatch.track.output import TrackBatch, TrackStatus
from flankwatch.web.rows import OwnRows, TrackRows, own_rows, track_rows
from flankwatch.web.timeline import (
    Timeline,
    WindowData,
    alert_records,
    event_records,
    outcome_records,
    shot_records,
)

_TRACK_COLUMNS = (
    "time_s track_id status x_m y_m z_m vx_mps vy_mps vz_mps "
    "var_vx_m2ps2 var_vy_m2ps2 var_vz_m2ps2 icao24 callsign"
).split()
"""The columns of the ``tracks`` table the picture needs."""
_TABLES = "windows events alerts threat_ranking shots shot_outcomes own_forces".split()
"""The other growing tables the picture reads whole."""
_CROSSING_KINDS = (
    EventKind.CROSSING_PREDICTED,
    EventKind.CROSSING_CANCELLED,
    EventKind.BORDER_CROSSED,
    EventKind.AIRSPACE_EXITED,
)


@dataclass(frozen=True)
class Recorded:
    """A recording loaded for serving: what it is, its deployment and its timeline."""

    folder: Path
    metadata: dict[str, Any]
    deployment: Deployment
    sensors: pa.Table
    timeline: Timeline

    @property
    def name(self) -> str:
        """The scenario's (or live run's) name."""
        return str(self.metadata.get("scenario", self.folder.name))

    @property
    def start(self) -> datetime:
        """UTC time of ``t_s = 0``."""
        return self.deployment.start


def airport_names(deployment: Deployment) -> dict[str, str]:
    """The deployment's airports, ICAO code to name (the code where none is known)."""
    names = {}
    for icao in deployment.airports:
        try:
            names[icao] = airport(icao).name
        except UnknownAirportError:
            names[icao] = icao
    return names


def load_recording(folder: Path) -> Recorded:
    """Read the recording in ``folder``; raises :class:`RecordingError` naming what is
    wrong for a folder that is not a readable recording."""
    folder = Path(folder)
    metadata = read_metadata(folder)
    path = folder / DEPLOYMENT_FILE
    if not path.is_file() or path.is_symlink():
        raise RecordingError(f"{folder}: no {DEPLOYMENT_FILE}; not a recording of a run")
    deployment = parse_deployment(path.read_text(encoding="utf-8"), str(path))
    check_tables_present(folder)
    parts = table_parts(folder)
    tables = {name: read_parts(parts, name) for name in _TABLES}
    t1 = _column(tables["windows"], "t1_s", float)
    if not len(t1):
        raise RecordingError(f"{folder}: the recording holds no window")
    timeline = Timeline(float(metadata.get("batch_s") or 0.0), airport_names(deployment))
    tracks = _tracks(parts, tables, deployment, t1)
    for window in _windows(tables, tracks, deployment, t1):
        timeline.append(window)
    return Recorded(folder, metadata, deployment, read_static(folder, "sensors"), timeline)


def _column(table: pa.Table, name: str, dtype: Any) -> np.ndarray:
    if name not in table.column_names:
        return np.empty(0, dtype)
    return np.asarray(table.column(name).to_numpy(zero_copy_only=False), dtype)


def _window_of(t1: np.ndarray, t_s: np.ndarray) -> np.ndarray:
    """The window holding each time: the first one ending at or after it."""
    return np.clip(np.searchsorted(t1, t_s - 1e-9, side="left"), 0, len(t1) - 1)


def _batch(table: pa.Table) -> TrackBatch:
    """A track batch of the columns read; the columns not read (unused here) are zero."""
    n = table.num_rows
    zero = np.broadcast_to(np.zeros(1), (n,))
    columns = {
        name: _column(table, name, dtype) if name in _TRACK_COLUMNS else zero
        for name, dtype in TrackBatch.DTYPES.items()
    }
    return TrackBatch(**columns)


def _tracks(
    parts: dict[str, list[Path]],
    tables: dict[str, pa.Table],
    deployment: Deployment,
    t1: np.ndarray,
) -> tuple[TrackRows, np.ndarray]:
    """Every recorded live track row with its assessment rebuilt, and each row's window."""
    batch = _batch(read_parts(parts, "tracks", _TRACK_COLUMNS))
    window = _window_of(t1, batch.time_s)
    category, category_prob = _classify(batch, window, deployment)
    events = tables["events"]
    kind = _column(events, "kind", object)
    ev_track = _column(events, "track_id", np.int64)
    ev_t = _column(events, "t_s", float)
    data = [_data(text) for text in _column(events, "data", object)]
    changed = kind == EventKind.IDENTITY_CHANGED
    identity = _latest(
        ev_track[changed],
        ev_t[changed],
        np.array([str(data[i].get("to", "unknown")) for i in np.flatnonzero(changed)], object),
        batch.track_id,
        batch.time_s,
        "pending",
    )
    crossing = np.isin(kind, _CROSSING_KINDS)
    predicted = kind == EventKind.CROSSING_PREDICTED
    crossing_t = np.array(
        [
            float(data[i].get("crossing_t_s", np.nan)) if predicted[i] else np.nan
            for i in np.flatnonzero(crossing)
        ],
        float,
    )
    crossing_t_s = _latest(
        ev_track[crossing], ev_t[crossing], crossing_t, batch.track_id, batch.time_s, np.nan
    )
    rank = _ranks(tables["threat_ranking"], t1, batch.track_id, window)
    rows = track_rows(
        batch, deployment.frame, identity, category, category_prob, rank, crossing_t_s
    )
    return rows, window[batch.status != TrackStatus.DELETED]


def _data(text: object) -> dict[str, Any]:
    """An event's ``data`` JSON as a dict (empty when it is none)."""
    try:
        value = json.loads(text) if isinstance(text, str) and text else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _latest(
    ev_track: np.ndarray,
    ev_t: np.ndarray,
    values: np.ndarray,
    track_id: np.ndarray,
    t_s: np.ndarray,
    default: Any,
) -> np.ndarray:
    """For each (track, time) row, the value of that track's latest event at or before
    the time (events in time order; the later of equal times wins); ``default`` if none."""
    out = np.full(len(track_id), default, dtype=values.dtype if len(values) else object)
    if not len(values):
        return out
    span = float(max(np.nanmax(ev_t), np.nanmax(t_s, initial=0.0))) + 10.0
    order = np.lexsort((np.arange(len(ev_t)), ev_t, ev_track))
    keys = ev_track[order] * span + ev_t[order]
    at = np.searchsorted(keys, track_id * span + t_s, side="right") - 1
    found = at >= 0
    found[found] = ev_track[order][at[found]] == track_id[found]
    out[found] = values[order][at[found]]
    return out


def _ranks(
    ranking: pa.Table, t1: np.ndarray, track_id: np.ndarray, window: np.ndarray
) -> np.ndarray:
    """Each track row's best threat rank in its window (0 where not ranked)."""
    out = np.zeros(len(track_id), np.int64)
    if not ranking.num_rows:
        return out
    rank = _column(ranking, "rank", np.int64)
    key = _window_of(t1, _column(ranking, "t_s", float)) * (1 << 32) + _column(
        ranking, "track_id", np.int64
    )
    order = np.lexsort((rank, key))
    key, rank = key[order], rank[order]
    first = np.r_[True, key[1:] != key[:-1]]
    key, rank = key[first], rank[first]
    wanted = window.astype(np.int64) * (1 << 32) + track_id
    at = np.clip(np.searchsorted(key, wanted), 0, len(key) - 1)
    hit = key[at] == wanted
    out[hit] = rank[at[hit]]
    return out


def _classify(
    batch: TrackBatch, window: np.ndarray, deployment: Deployment
) -> tuple[np.ndarray, np.ndarray]:
    """Each row's class and its probability, classified window by window as the run did."""
    classifier = KinematicClassifier(load_class_profiles())
    frame = deployment.frame
    radius_m = earth_radius_m(frame)
    names = np.array(CATEGORIES, object)
    category = np.empty(len(batch), object)
    prob = np.zeros(len(batch))
    bounds = np.flatnonzero(np.r_[True, window[1:] != window[:-1], True])
    for start, end in zip(bounds[:-1], bounds[1:], strict=True):
        rows = batch.take(slice(start, end))  # type: ignore[arg-type]
        p = classifier.classify(rows, Kinematics.of(rows, radius_m, frame.alt_m))
        best = np.argmax(p, axis=1)
        category[start:end] = names[best]
        prob[start:end] = p[np.arange(len(rows)), best]
        deleted = rows.track_id[rows.status == TrackStatus.DELETED]
        if len(deleted):
            classifier.forget(deleted)
    return category, prob


def _windows(
    tables: dict[str, pa.Table],
    tracks: tuple[TrackRows, np.ndarray],
    deployment: Deployment,
    t1: np.ndarray,
) -> list[WindowData]:
    """The recording cut into windows."""
    rows, row_window = tracks
    n = len(t1)

    def cut(table: pa.Table, time: str = "t_s") -> list[pa.Table]:
        if not table.num_rows:
            return [table] * n
        # rows are in the order written, window by window: a time just before its
        # window's start stays in that window
        at = np.maximum.accumulate(_window_of(t1, _column(table, time, float)))
        bounds = np.searchsorted(at, np.arange(n + 1))
        return [table.slice(a, b - a) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]

    track_bounds = np.searchsorted(row_window, np.arange(n + 1))
    events = cut(tables["events"])
    alerts = cut(tables["alerts"])
    shots = cut(tables["shots"])
    outcomes = cut(tables["shot_outcomes"])
    own = cut(tables["own_forces"])
    frame = deployment.frame
    return [
        WindowData(
            t1_s=float(t1[k]),
            tracks=rows.take(slice(track_bounds[k], track_bounds[k + 1])),
            own=own_rows(own[k]) if own[k].num_rows else OwnRows.empty(),
            events=event_records(events[k]),
            alerts=alert_records(alerts[k]),
            shots=shot_records(shots[k], frame),
            outcomes=outcome_records(outcomes[k]),
        )
        for k in range(n)
    ]
