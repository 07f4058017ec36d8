"""Airspace violations: which tracks are inside the watched national airspace, when
they cross its border, and when tracks heading for it will.

The watched airspace is a country's Natural Earth territory (``"POL"`` by
default) or any polygon given as a list of ``[lon, lat]`` points (degrees),
projected once into the run's frame (:mod:`.area`). Per step, vectorised over
the batch:

* ``inside``: a point-in-polygon test of each track's ground point;
* a confirmed (or coasting) track that was outside at its previous step and is
  inside now crossed the border: a ``border-crossed`` event, at the time and
  place where the straight path between the two steps meets the boundary (time
  interpolated linearly), naming the neighbour whose border it crossed (the
  nearest of ``neighbours`` within :data:`SEGMENT_TOLERANCE_M`; empty for a
  coast or an unlisted border) and the boundary edge's two ends. Leaving is an
  ``airspace-exited`` event of the same form;
* a track outside and moving gets a predicted crossing time: its ground track
  extrapolated in a straight line for at most ``horizon_s`` (and
  ``max_distance_m``) until it meets the
  boundary. Its standard deviation is first order in the track's covariance:
  with ``n`` the crossed edge's normal, ``d`` the distance to the edge along
  ``n`` and ``v_n`` the velocity along ``n``, ``t = d / v_n`` and
  ``sigma_t^2 = (n' P n + t^2 n' V n) / v_n^2`` (``P`` the position and ``V``
  the velocity covariance in the ground plane). For confirmed tracks a
  ``crossing-predicted`` event is emitted when a prediction first appears and
  whenever it moves by more than ``max(change_s, change_fraction * time to go)``;
  a ``crossing-cancelled`` event when a track outside stops heading in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import Polygon

from flankwatch.assess.area import ProjectedArea, project, unproject
from flankwatch.assess.base import AirspaceState
from flankwatch.assess.kernels import announcements
from flankwatch.assess.kinematics import Kinematics, earth_radius_m
from flankwatch.assess.memory import TrackMemory
from flankwatch.events import Event, EventData, EventKind
from flankwatch.geo.borders import border_line, country
from flankwatch.geo.frames import LocalFrame
from flankwatch.track.output import TrackBatch, TrackStatus

NEIGHBOURS = {"POL": ("BLR", "UKR", "RUS", "LTU", "SVK", "CZE", "DEU")}
"""Land neighbours of the countries watched by default (ISO 3166-1 alpha-3)."""
SEGMENT_TOLERANCE_M = 1_000.0
"""How near (m) a crossing must be to a neighbour's border line to be named after it."""

_CONFIRMED = np.zeros(max(TrackStatus) + 1, bool)
_CONFIRMED[[TrackStatus.CONFIRMED, TrackStatus.COASTING]] = True
"""By status code: True for the statuses whose crossings are events (confirmed, coasting)."""

AirspaceSpec = str | Sequence[Sequence[float]]
"""A country code (``"POL"``) or a polygon as ``[[lon, lat], ...]`` (degrees)."""


@dataclass(frozen=True)
class AirspaceSettings:
    """How far ahead crossings are predicted and when a new prediction is news."""

    horizon_s: float = 3600.0
    """Longest extrapolation of a track's course, s..."""
    max_distance_m: float = 200_000.0
    """...and m."""
    min_speed_mps: float = 5.0
    """No prediction for tracks slower than this over ground, m/s."""
    change_s: float = 30.0
    """A prediction that moves by more than this (s) is announced again..."""
    change_fraction: float = 0.1
    """...or by more than this fraction of the time still to go."""


def watched_area(frame: LocalFrame, spec: AirspaceSpec = "POL") -> ProjectedArea:
    """The watched airspace of ``spec`` projected into ``frame``."""
    if isinstance(spec, str):
        return ProjectedArea.from_lonlat(country(spec), frame, spec.upper())
    return ProjectedArea.from_lonlat(Polygon([tuple(p) for p in spec]), frame, "airspace")


class AirspaceWatch:
    """Inside/outside, border crossings and predicted crossings of one watched airspace.

    ``borders`` maps a neighbour's code to its shared border line, already in the
    frame's ground x, y (m); see :func:`build_airspace_watch`.
    """

    def __init__(
        self,
        area: ProjectedArea,
        frame: LocalFrame,
        borders: dict[str, shapely.Geometry] | None = None,
        settings: AirspaceSettings | None = None,
    ) -> None:
        self.area = area
        self.frame = frame
        self.radius_m = earth_radius_m(frame)
        self.border_names = list(borders or {})
        self.border_lines = np.array(list((borders or {}).values()), dtype=object)
        self.settings = settings or AirspaceSettings()
        self._edges: dict[int, tuple[str, dict[str, float]]] = {}
        """Per boundary edge met so far: its neighbour and its ends (see :meth:`_edge`)."""
        self.memory = TrackMemory(
            {
                "inside": (bool, False, ()),
                "x_m": (np.float64, np.nan, ()),
                "y_m": (np.float64, np.nan, ()),
                "t_s": (np.float64, np.nan, ()),
                "announced_t_s": (np.float64, np.nan, ()),
            }
        )

    def observe(self, tracks: TrackBatch, kin: Kinematics, now_s: float) -> AirspaceState:
        """Inside, predicted crossings and events for one batch; remembers positions."""
        memory = self.memory
        rows, new = memory.rows(tracks.track_id)
        x, y, t = kin.ground_x_m, kin.ground_y_m, tracks.time_s
        inside = self.area.contains(x, y)
        confirmed = _CONFIRMED[tracks.status]
        was_inside = memory["inside"][rows]
        crossed = np.flatnonzero(~new & confirmed & (was_inside != inside))
        events = self._crossings(tracks, crossed, rows, x, y, inside)
        crossing_t, sigma, edge = self._predict(tracks, kin, inside)
        events += self._announcements(
            tracks, rows, confirmed, inside, crossing_t, sigma, edge, now_s
        )
        memory["inside"][rows] = inside
        memory["x_m"][rows] = x
        memory["y_m"][rows] = y
        memory["t_s"][rows] = t
        return AirspaceState(inside, crossing_t, sigma, events)

    def _crossings(
        self,
        tracks: TrackBatch,
        crossed: np.ndarray,
        rows: np.ndarray,
        x: np.ndarray,
        y: np.ndarray,
        inside: np.ndarray,
    ) -> list[Event]:
        """Border events of the tracks at ``crossed`` (their rows moved across the boundary)."""
        if not len(crossed):
            return []
        r = rows[crossed]
        x0, y0, t0 = self.memory["x_m"][r], self.memory["y_m"][r], self.memory["t_s"][r]
        dx, dy = x[crossed] - x0, y[crossed] - y0
        frac, edge = self.area.first_hit(x0, y0, dx, dy)
        frac = np.where(np.isnan(frac), 1.0, frac)
        hit_x, hit_y = x0 + frac * dx, y0 + frac * dy
        hit_t = t0 + frac * (tracks.time_s[crossed] - t0)
        lat, lon = unproject(self.frame, self.radius_m, hit_x, hit_y)
        neighbour = self._neighbours(hit_x, hit_y)
        events = []
        for k, i in enumerate(crossed):
            entering = bool(inside[i])
            data: EventData = {
                "direction": "entry" if entering else "exit",
                "lat_deg": float(lat[k]),
                "lon_deg": float(lon[k]),
                "x_m": float(hit_x[k]),
                "y_m": float(hit_y[k]),
                "neighbour": neighbour[k],
                **self._edge(int(edge[k]))[1],
            }
            track_id = int(tracks.track_id[i])
            side = f" from {neighbour[k]}" if entering else f" into {neighbour[k]}"
            where = side if neighbour[k] else ""
            events.append(
                Event(
                    t_s=float(hit_t[k]),
                    kind=EventKind.BORDER_CROSSED if entering else EventKind.AIRSPACE_EXITED,
                    message=(
                        f"track {track_id} {'entered' if entering else 'left'} "
                        f"{self.area.name}{where} at {lat[k]:.4f} N {lon[k]:.4f} E"
                    ),
                    track_id=track_id,
                    subject=neighbour[k],
                    data=data,
                )
            )
        return events

    def _predict(
        self, tracks: TrackBatch, kin: Kinematics, inside: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Predicted entry time (s), its sigma (s) and the edge met, per track (NaN, -1: none)."""
        n = len(tracks)
        crossing_t, sigma = np.full(n, np.nan), np.full(n, np.nan)
        edge = np.full(n, -1, np.int64)
        vx, vy = kin.ground_vx_mps, kin.ground_vy_mps
        ground_speed = np.hypot(vx, vy)
        moving = np.flatnonzero(~inside & (ground_speed >= self.settings.min_speed_mps))
        if not len(moving):
            return crossing_t, sigma, edge
        speed = ground_speed[moving]
        reach_s = np.minimum(self.settings.horizon_s, self.settings.max_distance_m / speed)
        frac, met = self.area.first_hit(
            kin.ground_x_m[moving],
            kin.ground_y_m[moving],
            vx[moving] * reach_s,
            vy[moving] * reach_s,
        )
        hit = ~np.isnan(frac)
        i, met = moving[hit], met[hit]
        normal = self.area.edge_normals(met)
        nx, ny = normal[:, 0], normal[:, 1]
        start = self.area.edges_m[met, 0]
        distance = (start[:, 0] - kin.ground_x_m[i]) * nx + (start[:, 1] - kin.ground_y_m[i]) * ny
        v_n = vx[i] * nx + vy[i] * ny
        t_go = distance / v_n
        pos_var = (
            nx * nx * tracks.cov_xx_m2[i]
            + 2 * nx * ny * tracks.cov_xy_m2[i]
            + ny * ny * tracks.cov_yy_m2[i]
        )
        vel_var = nx * nx * tracks.var_vx_m2ps2[i] + ny * ny * tracks.var_vy_m2ps2[i]
        crossing_t[i] = tracks.time_s[i] + t_go
        sigma[i] = np.sqrt(pos_var + t_go * t_go * vel_var) / np.abs(v_n)
        edge[i] = met
        return crossing_t, sigma, edge

    def _announcements(
        self,
        tracks: TrackBatch,
        rows: np.ndarray,
        confirmed: np.ndarray,
        inside: np.ndarray,
        crossing_t: np.ndarray,
        sigma: np.ndarray,
        edge: np.ndarray,
        now_s: float,
    ) -> list[Event]:
        """``crossing-predicted`` and ``crossing-cancelled`` events, and what was announced."""
        announced = self.memory["announced_t_s"][rows]
        s = self.settings
        news, cancelled = announcements(
            crossing_t, announced, tracks.time_s, confirmed, inside, s.change_s, s.change_fraction
        )
        self.memory["announced_t_s"][rows] = announced
        events = []
        for i in news:
            neighbour, ends = self._edge(int(edge[i]))
            track_id = int(tracks.track_id[i])
            lead_s = float(crossing_t[i] - now_s)
            where = f" from {neighbour}" if neighbour else ""
            events.append(
                Event(
                    t_s=now_s,
                    kind=EventKind.CROSSING_PREDICTED,
                    message=(
                        f"track {track_id} expected to enter {self.area.name}{where} in "
                        f"{lead_s:.0f} s (+/- {sigma[i]:.0f} s)"
                    ),
                    track_id=track_id,
                    subject=neighbour,
                    data={
                        "crossing_t_s": float(crossing_t[i]),
                        "sigma_s": float(sigma[i]),
                        "lead_s": lead_s,
                        "neighbour": neighbour,
                        **ends,
                    },
                )
            )
        for i in cancelled:
            track_id = int(tracks.track_id[i])
            events.append(
                Event(
                    t_s=now_s,
                    kind=EventKind.CROSSING_CANCELLED,
                    message=f"track {track_id} no longer heading into {self.area.name}",
                    track_id=track_id,
                )
            )
        return events

    def _neighbours(self, x: np.ndarray, y: np.ndarray) -> list[str]:
        """The neighbour whose border is nearest each point, within tolerance ("" if none)."""
        if not len(self.border_names):
            return [""] * len(x)
        points = shapely.points(x, y)
        distance = shapely.distance(points[:, None], self.border_lines[None, :])
        nearest = np.argmin(distance, axis=1)
        near = distance[np.arange(len(x)), nearest] <= SEGMENT_TOLERANCE_M
        return [self.border_names[j] if ok else "" for j, ok in zip(nearest, near, strict=True)]

    def _edge(self, edge: int) -> tuple[str, dict[str, float]]:
        """The neighbour nearest a boundary edge's midpoint ("" if none) and the edge's ends
        in latitude and longitude (degrees), worked out once per edge; no edge (-1): ""
        and no ends."""
        if edge < 0:
            return "", {}
        if edge not in self._edges:
            mid = self.area.edges_m[[edge]].mean(axis=1)
            ends = self.area.edges_m[edge]
            lat, lon = unproject(self.frame, self.radius_m, ends[:, 0], ends[:, 1])
            self._edges[edge] = (
                self._neighbours(mid[:, 0], mid[:, 1])[0],
                {
                    "segment_start_lat_deg": float(lat[0]),
                    "segment_start_lon_deg": float(lon[0]),
                    "segment_end_lat_deg": float(lat[1]),
                    "segment_end_lon_deg": float(lon[1]),
                },
            )
        return self._edges[edge]

    def forget(self, track_id: np.ndarray) -> None:
        """Drop the remembered state of these tracks."""
        self.memory.forget(track_id)


def build_airspace_watch(
    frame: LocalFrame,
    spec: AirspaceSpec = "POL",
    neighbours: Sequence[str] | None = None,
    settings: AirspaceSettings | None = None,
) -> AirspaceWatch:
    """An :class:`AirspaceWatch` of ``spec`` in ``frame``.

    ``neighbours`` are the countries whose borders name crossings: by default
    those of :data:`NEIGHBOURS` for a country code (their shared border lines),
    none for a polygon (for which given neighbours' whole outlines are used).
    """
    area = watched_area(frame, spec)
    if neighbours is None:
        neighbours = NEIGHBOURS.get(spec.upper(), ()) if isinstance(spec, str) else ()
    borders = {}
    for code in neighbours:
        line = border_line(spec, code) if isinstance(spec, str) else country(code).boundary
        if not line.is_empty:
            borders[code.upper()] = project(frame, line)
    return AirspaceWatch(area, frame, borders, settings)
