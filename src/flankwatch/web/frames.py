"""Frames: the picture at one window, rounded, and the WebSocket message between two.

A :class:`Frame` is a window of a :class:`~flankwatch.web.timeline.Timeline` as
the page sees it: each live track and own force as a tuple of rounded values
(positions 1e-5 degree, altitude 10 m, speed 1 m/s, course 1 degree, time to
the border 1 s, its predicted path 1e-3 degree) and each airport's state.
:func:`frame_message` is the ``frame`` message from the frame last sent to a
client to the next one: only the tracks whose rounded values changed, the
tracks gone, the airports that changed, and the alert messages, shots and
events of the windows in between. With no frame before it the message is a
full frame (``full: true``): every track, own force and airport, every alert
message and shot so far and the latest :data:`FULL_EVENTS` events.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from flankwatch.web.rows import OwnRows, TrackRows
from flankwatch.web.timeline import AirportState, Record, Timeline

FULL_EVENTS = 200
"""Most events a full frame carries (the latest ones)."""
PATH_POINTS = 4
"""Points of a predicted path to the border, from the track to the crossing."""
EARTH_RADIUS_M = 6_371_000.0
"""Mean earth radius for drawing predicted paths, m."""

TRACK_FIELDS = (
    "id",
    "lat",
    "lon",
    "alt",
    "crs",
    "spd",
    "st",
    "idn",
    "cls",
    "rank",
    "ttb",
    "icao",
    "cs",
    "path",
)
"""The keys of a track object, in the order of a frame's track tuples."""
OWN_FIELDS = ("id", "kind", "cs", "lat", "lon", "alt", "crs", "spd")
"""The keys of an own-force object, in the order of a frame's own tuples."""


@dataclass(frozen=True)
class Frame:
    """Window ``index`` (ending at ``t_s``, s since the run's start) as the page sees it."""

    index: int
    t_s: float
    tracks: dict[int, tuple[Any, ...]]
    own: dict[int, tuple[Any, ...]]
    airports: dict[str, AirportState]


def _rounded(values: np.ndarray, decimals: int) -> list[Any]:
    """Rounded values as plain Python numbers (ints when ``decimals <= 0``; None for a
    value that is not finite, which JSON cannot hold)."""
    rounded = np.round(np.asarray(values, float), decimals)
    finite = np.isfinite(rounded).tolist()
    if decimals <= 0:
        whole = np.where(np.isfinite(rounded), rounded, 0.0).astype(np.int64).tolist()
        return [v if ok else None for v, ok in zip(whole, finite, strict=True)]
    return [v if ok else None for v, ok in zip(rounded.tolist(), finite, strict=True)]


def _degrees(course_deg: np.ndarray) -> list[Any]:
    """Courses rounded to whole degrees, 0-359."""
    return [v % 360 if v is not None else None for v in _rounded(course_deg, 0)]


def predicted_paths(rows: TrackRows, t_s: float) -> list[tuple[tuple[float, float], ...]]:
    """Each track's path to the border on its present course, ``PATH_POINTS`` [lon, lat]
    points (1e-3 degree) from where it is to where it crosses; empty if no crossing is
    predicted."""
    ttb = rows.crossing_t_s - t_s
    paths: list[tuple[tuple[float, float], ...]] = [()] * len(rows)
    for i in np.flatnonzero(np.isfinite(ttb) & (ttb > 0)):
        lead = np.linspace(0.0, ttb[i], PATH_POINTS)
        lat = rows.lat_deg[i] + np.degrees(rows.vn_mps[i] * lead / EARTH_RADIUS_M)
        coslat = max(np.cos(np.radians(rows.lat_deg[i])), 1e-6)
        lon = rows.lon_deg[i] + np.degrees(rows.ve_mps[i] * lead / (EARTH_RADIUS_M * coslat))
        paths[i] = tuple(
            (round(float(x), 3), round(float(y), 3)) for x, y in zip(lon, lat, strict=True)
        )
    return paths


def track_tuples(rows: TrackRows, t_s: float) -> dict[int, tuple[Any, ...]]:
    """The rounded values of each track (in :data:`TRACK_FIELDS` order), by track id."""
    ttb = rows.crossing_t_s - t_s
    ttb_s = [int(round(v)) if np.isfinite(v) and v > 0 else None for v in ttb.tolist()]
    rank = [int(v) if v > 0 else None for v in rows.rank.tolist()]
    columns = zip(
        rows.track_id.tolist(),
        _rounded(rows.lat_deg, 5),
        _rounded(rows.lon_deg, 5),
        _rounded(rows.alt_m, -1),
        _degrees(rows.course_deg),
        _rounded(rows.speed_mps, 0),
        rows.status.tolist(),
        rows.identity.tolist(),
        rows.category.tolist(),
        rank,
        ttb_s,
        rows.icao.tolist(),
        rows.callsign.tolist(),
        predicted_paths(rows, t_s),
        strict=True,
    )
    return {int(row[0]): row for row in columns}


def own_tuples(rows: OwnRows) -> dict[int, tuple[Any, ...]]:
    """The rounded values of each own force (in :data:`OWN_FIELDS` order), by object id."""
    columns = zip(
        rows.object_id.tolist(),
        rows.kind.tolist(),
        rows.callsign.tolist(),
        _rounded(rows.lat_deg, 5),
        _rounded(rows.lon_deg, 5),
        _rounded(rows.alt_m, -1),
        _degrees(rows.course_deg),
        _rounded(rows.speed_mps, 0),
        strict=True,
    )
    return {int(row[0]): row for row in columns}


def frame_at(timeline: Timeline, index: int) -> Frame:
    """Window ``index`` of ``timeline`` as a frame."""
    t_s = timeline.t1_s[index]
    return Frame(
        index=index,
        t_s=t_s,
        tracks=track_tuples(timeline.tracks(index), t_s),
        own=own_tuples(timeline.own(index)),
        airports=timeline.airports_at(index),
    )


def _track_json(values: tuple[Any, ...]) -> Record:
    record = dict(zip(TRACK_FIELDS, values, strict=True))
    record["path"] = [list(point) for point in values[-1]]
    return record


def _changed(
    before: dict[int, tuple[Any, ...]] | None, after: dict[int, tuple[Any, ...]]
) -> tuple[list[tuple[Any, ...]], list[int]]:
    """Rows of ``after`` that are new or differ from ``before``, and ids gone."""
    if before is None:
        return list(after.values()), []
    changed = [values for key, values in after.items() if before.get(key) != values]
    return changed, [key for key in before if key not in after]


def _event_json(event: Record) -> Record:
    return {
        "t_s": round(float(event["t_s"]), 1),
        "kind": event["kind"],
        "track_id": int(event["track_id"]),
        "text": event["message"],
    }


def _alert_json(message: Record) -> Record:
    return {
        "alert_id": message["alert_id"],
        "kind": message["kind"],
        "msg_type": message["msg_type"],
        "format": message["format"],
        "t_s": round(float(message["t_s"]), 1),
        "track_id": int(message["track_id"]),
        "headline": message["headline"],
    }


def frame_message(
    timeline: Timeline,
    before: Frame | None,
    after: Frame,
    start: datetime,
    *,
    playing: bool,
    speed: float,
) -> Record:
    """The ``frame`` message taking a client from ``before`` (None: nothing, a full
    frame) to ``after``; ``start`` is the UTC time of ``t_s = 0``."""
    full = before is None or before.index > after.index
    previous = None if full or before is None else before
    since = previous.index if previous is not None else -1
    tracks, gone = _changed(previous.tracks if previous else None, after.tracks)
    own, own_gone = _changed(previous.own if previous else None, after.own)
    airports = [
        state.to_json()
        for icao, state in after.airports.items()
        if previous is None or previous.airports.get(icao) != state
    ]
    events = timeline.events_between(since, after.index)
    if full:
        events = events[-FULL_EVENTS:]
    return {
        "type": "frame",
        "t_s": round(after.t_s, 3),
        "utc": (start + timedelta(seconds=after.t_s)).isoformat(),
        "playing": playing,
        "speed": speed,
        "full": full,
        "tracks": {"set": [_track_json(values) for values in tracks], "del": gone},
        "own": {"set": [dict(zip(OWN_FIELDS, v, strict=True)) for v in own], "del": own_gone},
        "airports": airports,
        "alerts": [_alert_json(m) for m in timeline.alerts_between(since, after.index)],
        "shots": timeline.shots_between(since, after.index),
        "events": [_event_json(e) for e in events],
    }
