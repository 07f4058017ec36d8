"""What the picture shows of one window, as columns: its tracks and its own forces.

:class:`TrackRows` holds one row per live track of a window (deleted tracks are
left out), with what the page draws of it; :class:`OwnRows` one row per own
aircraft or weapon in flight. A run's :class:`~flankwatch.loop.Picture` gives
them directly (:func:`track_rows_of`, :func:`own_rows_of`); a recording's tables
give them through :mod:`flankwatch.web.recorded`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Self

import numpy as np
import pyarrow as pa

from flankwatch.geo.frames import LocalFrame
from flankwatch.loop import Picture
from flankwatch.track.output import TrackBatch, TrackStatus

STATUS_NAMES = np.array(["tentative", "confirmed", "coasting", "deleted"], dtype=object)
"""The page's name of each :class:`~flankwatch.track.output.TrackStatus`, by value."""


class _Rows:
    """Slicing and selecting rows of a frozen dataclass of equal-length columns."""

    def take(self, index: np.ndarray | slice) -> Self:
        """The rows at ``index`` (positions, a boolean mask or a slice)."""
        return type(self)(
            **{f.name: getattr(self, f.name)[index] for f in dataclasses.fields(self)}  # type: ignore[arg-type]
        )

    def __len__(self) -> int:
        first = dataclasses.fields(self)[0]  # type: ignore[arg-type]
        return len(getattr(self, first.name))


@dataclass(frozen=True)
class TrackRows(_Rows):
    """Live tracks of one window, one row each.

    Columns: ``track_id``; ``lat_deg``, ``lon_deg`` (WGS-84, degrees), ``alt_m``
    (height above the ellipsoid, m); ``course_deg`` (over ground, clockwise from
    north), ``speed_mps`` (over ground), ``ve_mps``, ``vn_mps`` (east and north
    velocity, m/s); ``status``, ``identity``, ``category`` (names, str);
    ``category_prob`` (0-1); ``rank`` (threat rank, 0 = not ranked);
    ``crossing_t_s`` (predicted entry into the watched airspace, s since the run's
    start, NaN if none); ``icao`` (ICAO address as hex, "" if none); ``callsign``.
    """

    track_id: np.ndarray
    lat_deg: np.ndarray
    lon_deg: np.ndarray
    alt_m: np.ndarray
    course_deg: np.ndarray
    speed_mps: np.ndarray
    ve_mps: np.ndarray
    vn_mps: np.ndarray
    status: np.ndarray
    identity: np.ndarray
    category: np.ndarray
    category_prob: np.ndarray
    rank: np.ndarray
    crossing_t_s: np.ndarray
    icao: np.ndarray
    callsign: np.ndarray

    @classmethod
    def empty(cls) -> TrackRows:
        """No tracks."""
        return track_rows(TrackBatch.empty(), LocalFrame(0.0, 0.0), *_no_assessment(0))


@dataclass(frozen=True)
class OwnRows(_Rows):
    """Own aircraft and weapons in flight at one window's end, one row each.

    Columns: ``object_id``; ``kind``, ``callsign`` (str); ``lat_deg``, ``lon_deg``
    (degrees), ``alt_m`` (m); ``course_deg`` (degrees), ``speed_mps`` (over ground).
    """

    object_id: np.ndarray
    kind: np.ndarray
    callsign: np.ndarray
    lat_deg: np.ndarray
    lon_deg: np.ndarray
    alt_m: np.ndarray
    course_deg: np.ndarray
    speed_mps: np.ndarray

    @classmethod
    def empty(cls) -> OwnRows:
        """Nothing in flight."""
        return cls(
            object_id=np.empty(0, np.int64),
            kind=np.empty(0, object),
            callsign=np.empty(0, object),
            **{name: np.empty(0) for name in ("lat_deg", "lon_deg", "alt_m")},
            course_deg=np.empty(0),
            speed_mps=np.empty(0),
        )


def course_speed(ve_mps: np.ndarray, vn_mps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Course over ground (degrees clockwise from north, 0-360) and ground speed (m/s)."""
    course = np.degrees(np.arctan2(ve_mps, vn_mps)) % 360.0
    return course, np.hypot(ve_mps, vn_mps)


def icao_hex(icao24: np.ndarray) -> np.ndarray:
    """ICAO 24-bit addresses as six hex digits ("" for 0, no address)."""
    codes = np.asarray(icao24, np.int64)
    out = np.full(len(codes), "", dtype=object)
    for i in np.flatnonzero(codes):
        out[i] = f"{codes[i]:06X}"
    return out


def track_rows(
    tracks: TrackBatch,
    frame: LocalFrame,
    identity: np.ndarray,
    category: np.ndarray,
    category_prob: np.ndarray,
    rank: np.ndarray,
    crossing_t_s: np.ndarray,
) -> TrackRows:
    """Rows of ``tracks`` (positions in ``frame``'s ENU, m) with their assessment, aligned
    with the batch's rows; deleted tracks left out."""
    n = len(tracks)
    lat, lon, alt = frame.enu_to_geodetic(tracks.position().reshape(n, 3))
    course, speed = course_speed(tracks.vx_mps, tracks.vy_mps)
    rows = TrackRows(
        track_id=np.asarray(tracks.track_id, np.int64),
        lat_deg=np.asarray(lat, float).reshape(n),
        lon_deg=np.asarray(lon, float).reshape(n),
        alt_m=np.asarray(alt, float).reshape(n),
        course_deg=course,
        speed_mps=speed,
        ve_mps=np.asarray(tracks.vx_mps, float),
        vn_mps=np.asarray(tracks.vy_mps, float),
        status=STATUS_NAMES[np.clip(tracks.status.astype(np.int64), 0, 3)],
        identity=np.asarray(identity, object),
        category=np.asarray(category, object),
        category_prob=np.asarray(category_prob, float),
        rank=np.asarray(rank, np.int64),
        crossing_t_s=np.asarray(crossing_t_s, float),
        icao=icao_hex(tracks.icao24),
        callsign=np.asarray(tracks.callsign, object),
    )
    return rows.take(tracks.status != TrackStatus.DELETED)


def _no_assessment(n: int) -> tuple[np.ndarray, ...]:
    """Identity, class, its probability, rank and crossing of ``n`` unassessed tracks."""
    return (
        np.full(n, "pending", object),
        np.full(n, "unknown", object),
        np.zeros(n),
        np.zeros(n, np.int64),
        np.full(n, np.nan),
    )


def best_ranks(threats: pa.Table, track_id: np.ndarray) -> np.ndarray:
    """Each track's best (lowest) threat rank in a threat table; 0 where not ranked."""
    out = np.zeros(len(track_id), np.int64)
    if not threats.num_rows:
        return out
    ids = threats.column("track_id").to_numpy()
    ranks = threats.column("rank").to_numpy().astype(np.int64)
    order = np.lexsort((ranks, ids))
    ids, ranks = ids[order], ranks[order]
    first = np.r_[True, ids[1:] != ids[:-1]]
    ids, ranks = ids[first], ranks[first]
    at = np.clip(np.searchsorted(ids, track_id), 0, len(ids) - 1)
    hit = ids[at] == track_id
    out[hit] = ranks[at[hit]]
    return out


def track_rows_of(picture: Picture, frame: LocalFrame) -> TrackRows:
    """The live tracks of a run's picture with their assessment (if the run assessed)."""
    tracks, assessment = picture.tracks, picture.assessment
    if assessment is None or len(assessment) != len(tracks):
        return track_rows(tracks, frame, *_no_assessment(len(tracks)))
    return track_rows(
        tracks,
        frame,
        assessment.identity,
        assessment.category,
        assessment.category_prob,
        best_ranks(assessment.threats, tracks.track_id),
        assessment.crossing_t_s,
    )


def own_rows(table: pa.Table) -> OwnRows:
    """Rows of an ``own_forces`` table (as the recording holds it)."""
    if not table.num_rows:
        return OwnRows.empty()

    def column(name: str) -> np.ndarray:
        return np.asarray(table.column(name).to_numpy(zero_copy_only=False))

    course, speed = course_speed(column("vx_mps"), column("vy_mps"))
    return OwnRows(
        object_id=column("object_id").astype(np.int64),
        kind=column("kind").astype(object),
        callsign=column("callsign").astype(object),
        lat_deg=column("lat_deg").astype(float),
        lon_deg=column("lon_deg").astype(float),
        alt_m=column("alt_m").astype(float),
        course_deg=course,
        speed_mps=speed,
    )
