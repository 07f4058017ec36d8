"""The after-action ledger of a simulated run: what happened to every object.

Window by window, the ledger matches confirmed and coasting tracks to the
simulated objects (the nearest truth within ``match_m`` at the window's truth
time) and notes, per object: its first detection by any sensor, its first
confirmed track, the first time the system warned of it (a track on it became
suspect or hostile, or got a predicted border crossing), its entry into the
watched national airspace (from the truth), the alerts issued for its
tracks (all of them, and the public warnings among them) and its longest
undetected stretch inside that airspace (see :class:`GapWatch`). Civil aircraft
(cooperative objects) whose track was ever marked suspect or hostile are
counted as misidentified. With a :class:`PlaceWatch`, it also lists the
populated places each threat passed near, inside that airspace, while no public
warning of it was in force.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import shapely
from numpy.typing import ArrayLike
from scipy.spatial import cKDTree
from shapely.geometry import Polygon

from flankwatch.assess.assessment import Assessment
from flankwatch.events import Event, EventKind
from flankwatch.geo.admin import PopulatedPlaces
from flankwatch.geo.borders import country
from flankwatch.geo.frames import LocalFrame
from flankwatch.sim.truth import TruthBatch
from flankwatch.stream import PlotBatch
from flankwatch.track.output import TrackBatch, TrackStatus

WARNING_IDENTITIES = ("suspect", "hostile")

AirspaceSpec = str | Sequence[tuple[float, float]]
"""A watched airspace: a country code (ISO 3166-1 alpha-3) or a ``[lon, lat]`` polygon."""


class WatchedAirspace:
    """The watched airspace as a test on positions (latitude, longitude in degrees)."""

    def __init__(self, spec: AirspaceSpec = "POL") -> None:
        if isinstance(spec, str):
            self.geometry = country(spec)
        else:
            self.geometry = shapely.make_valid(Polygon([tuple(p) for p in spec]))
            shapely.prepare(self.geometry)

    def contains(self, lat_deg: ArrayLike, lon_deg: ArrayLike) -> np.ndarray:
        """True where the points lie inside (points on the boundary count as outside)."""
        lat, lon = np.broadcast_arrays(np.asarray(lat_deg, float), np.asarray(lon_deg, float))
        return np.asarray(shapely.contains_xy(self.geometry, lon, lat), dtype=bool)


class GapWatch:
    """Per object, the longest stretch inside the watched airspace with no plot of it.

    A stretch starts when the object is first found inside the airspace (at a
    truth time) or at its last plot from any sensor while inside, and ends at
    its next plot, when it is found outside again, or at its last truth row
    (it came down or was destroyed). Its length is known to within one truth
    period where it starts or ends at a truth time, exactly where it ends at a
    plot. Stretches still open count at their length so far.
    """

    def __init__(self, n_objects: int) -> None:
        self.since_s = np.full(n_objects, np.nan)
        """Start of the current undetected stretch, s (NaN: not inside)."""
        self.last_plot_s = np.full(n_objects, -np.inf)
        self.longest_s = np.zeros(n_objects)
        """Length of the longest stretch so far, s (0: none)."""
        self.longest_from_s = np.full(n_objects, np.nan)
        """When the longest stretch started, s since the run's start (NaN: none)."""

    def add(self, plots: PlotBatch, truth: TruthBatch, inside: np.ndarray) -> None:
        """Take one window's plots and truth rows (``inside``: per truth row)."""
        known = plots.truth_id >= 0
        plot_id, plot_t = plots.truth_id[known], plots.t_s[known]
        after = -np.inf
        for t in np.unique(truth.t_s):
            due = (plot_t > after) & (plot_t <= t)
            self._plots(plot_id[due], plot_t[due])
            rows = truth.t_s == t
            self._sample(truth.object_id[rows], inside[rows], truth.ended[rows], float(t))
            after = t
        later = plot_t > after
        self._plots(plot_id[later], plot_t[later])

    def _plots(self, ids: np.ndarray, t_s: np.ndarray) -> None:
        """Plots end the stretches of the objects inside and start new ones."""
        if not len(ids):
            return
        order = np.lexsort((t_s, ids))
        ids, t_s = ids[order], t_s[order]
        first = np.r_[True, ids[1:] != ids[:-1]]
        previous = np.where(first, self.since_s[ids], np.r_[np.nan, t_s[:-1]])
        inside = np.isfinite(self.since_s[ids])
        self._record(ids[inside], t_s[inside] - previous[inside], previous[inside])
        last = np.r_[ids[1:] != ids[:-1], True] & inside
        self.since_s[ids[last]] = t_s[last]
        np.maximum.at(self.last_plot_s, ids, t_s)

    def _sample(self, ids: np.ndarray, inside: np.ndarray, ended: np.ndarray, t_s: float) -> None:
        """Truth rows at ``t_s`` open, extend or close the objects' stretches."""
        since = self.since_s[ids]
        was_inside = np.isfinite(since)
        self._record(ids[was_inside], t_s - since[was_inside], since[was_inside])
        entering = inside & ~was_inside & ~ended
        self.since_s[ids[entering]] = t_s
        self.since_s[ids[~inside | ended]] = np.nan

    def _record(self, ids: np.ndarray, gap_s: np.ndarray, from_s: np.ndarray) -> None:
        """Keep, per object, the longest of these stretches if it beats the longest so far."""
        if not len(ids):
            return
        order = np.lexsort((gap_s, ids))
        ids, gap_s, from_s = ids[order], gap_s[order], from_s[order]
        best = np.r_[ids[1:] != ids[:-1], True]
        ids, gap_s, from_s = ids[best], gap_s[best], from_s[best]
        longer = gap_s > self.longest_s[ids]
        self.longest_s[ids[longer]] = gap_s[longer]
        self.longest_from_s[ids[longer]] = from_s[longer]


@dataclass(frozen=True)
class PassedPlace:
    """A populated place a threat passed near with no public warning of it in force.

    ``closest_m``: its least ground distance from the threat's sampled path, m;
    ``t_s``: when it was that close, s since the run's start.
    """

    name: str
    admin1_name: str
    population: int
    closest_m: float
    t_s: float


@dataclass(frozen=True)
class ThreatRecord:
    """One non-civil object's night; times in s since the run's start (None: never)."""

    object_id: int
    name: str
    category: str
    origin: str
    launched_s: float
    detected_s: float | None
    tracked_s: float | None
    warned_s: float | None
    crossed_s: float | None
    alerts: int
    warnings: int = 0
    """Public warnings issued for its tracks (among ``alerts``)."""
    longest_gap_s: float | None = None
    """Longest stretch inside the watched airspace with no plot of it, s (None: none
    longer than a scan)."""
    longest_gap_from_s: float | None = None
    """When that stretch started, s since the run's start."""
    unwarned_places: tuple[PassedPlace, ...] = field(default_factory=tuple)
    """Populated places it passed near with no public warning of it in force, largest first."""

    @property
    def lead_time_s(self) -> float | None:
        """Warning lead time before the border crossing, s (negative: warned after it)."""
        if self.crossed_s is None or self.warned_s is None:
            return None
        return self.crossed_s - self.warned_s


class PlaceWatch:
    """Which populated places each threat passed near, with and without a warning in force.

    A place is *passed* when a truth position of the threat inside the watched
    airspace lies within ``radius_m`` of it over the ground (positions are
    sampled at the truth times, so a fast threat's path is checked every truth
    period). It is *unwarned* when no public warning of that threat was in force
    at any of the times it was that close.
    """

    def __init__(
        self, frame: LocalFrame, places: PopulatedPlaces, radius_m: float = 5000.0
    ) -> None:
        if not radius_m > 0:
            raise ValueError(f"radius_m must be positive, got {radius_m}")
        self.places = places
        self.radius_m = radius_m
        xy = frame.geodetic_to_enu(places.lat_deg, places.lon_deg, np.zeros(len(places)))[:, :2]
        self._tree = cKDTree(xy)
        self._closest: dict[int, dict[int, tuple[float, float]]] = {}
        """object -> place -> least distance (m) while unwarned, and when (s)."""
        self._warned: dict[int, set[int]] = {}
        """object -> places passed while a warning of it was in force."""

    def add(
        self,
        object_id: np.ndarray,
        x_m: np.ndarray,
        y_m: np.ndarray,
        t_s: np.ndarray,
        warned: np.ndarray,
    ) -> None:
        """Take threat positions inside the airspace (local x, y in m, at ``t_s``);
        ``warned`` is true where a public warning of that threat was in force."""
        if not len(object_id) or not len(self.places):
            return
        near = self._tree.query_ball_point(np.column_stack((x_m, y_m)), self.radius_m)
        counts = np.fromiter((len(n) for n in near), np.int64, len(near))
        if not counts.any():
            return
        rows = np.repeat(np.arange(len(near)), counts)
        place = np.concatenate([np.asarray(n, np.int64) for n in near if n])
        gap_m = np.hypot(
            x_m[rows] - self._tree.data[place, 0], y_m[rows] - self._tree.data[place, 1]
        )
        for row, p, d in zip(rows.tolist(), place.tolist(), gap_m.tolist(), strict=True):
            obj = int(object_id[row])
            if warned[row]:
                self._warned.setdefault(obj, set()).add(p)
                continue
            closest = self._closest.setdefault(obj, {})
            if p not in closest or d < closest[p][0]:
                closest[p] = (d, float(t_s[row]))

    def unwarned(self, object_id: int) -> tuple[PassedPlace, ...]:
        """The places ``object_id`` passed near with no warning of it in force, largest first."""
        warned = self._warned.get(object_id, set())
        found = [
            (p, d, t) for p, (d, t) in self._closest.get(object_id, {}).items() if p not in warned
        ]
        found.sort(key=lambda item: (-int(self.places.population[item[0]]), item[0]))
        return tuple(
            PassedPlace(
                name=str(self.places.name[p]),
                admin1_name=str(self.places.admin1_name[p]),
                population=int(self.places.population[p]),
                closest_m=round(d, 1),
                t_s=t,
            )
            for p, d, t in found
        )


class ThreatLedger:
    """Collects the per-object facts of a run; see the module docstring."""

    def __init__(
        self,
        objects: pa.Table,
        airspace: AirspaceSpec | WatchedAirspace = "POL",
        match_m: float = 2000.0,
        min_gap_s: float = 10.0,
        places: PlaceWatch | None = None,
    ) -> None:
        """``objects``: one row per simulated object (the recording's ``objects`` table:
        ``name``, ``category``, ``origin``, ``launch_t_s``, ``cooperative``);
        ``match_m``: farthest a track may be from an object to be its track, m;
        ``min_gap_s``: undetected stretches no longer than this (a scan, s) are not reported;
        ``places``: where to note the populated places threats pass near (none if not given)."""
        n = objects.num_rows
        self.name = np.asarray(objects.column("name").to_pylist(), object)
        self.category = np.asarray(objects.column("category").to_pylist(), object)
        self.origin = np.asarray(objects.column("origin").to_pylist(), object)
        self.launch_t_s = objects.column("launch_t_s").to_numpy()
        self.cooperative = objects.column("cooperative").to_numpy(zero_copy_only=False)
        self.airspace = (
            airspace if isinstance(airspace, WatchedAirspace) else WatchedAirspace(airspace)
        )
        self.match_m = match_m
        self.min_gap_s = min_gap_s
        self.gaps = GapWatch(n)
        self.places = places
        self.appeared = np.zeros(n, dtype=bool)
        self.detected_s = np.full(n, np.inf)
        self.tracked_s = np.full(n, np.inf)
        self.warned_s = np.full(n, np.inf)
        self.crossed_s = np.full(n, np.inf)
        self.was_outside = np.zeros(n, dtype=bool)
        self.misidentified = np.zeros(n, dtype=bool)
        self.alerts = np.zeros(n, dtype=np.int64)
        self.warnings = np.zeros(n, dtype=np.int64)
        self._object_of_track: dict[int, int] = {}
        self._public_in_force: dict[str, int] = {}
        """Public alerts in force: alert identifier -> the object it warns of."""

    def add(
        self,
        plots: PlotBatch,
        truth: TruthBatch,
        tracks: TrackBatch,
        assessment: Assessment,
        alert_events: list[Event],
        t_s: float,
        inside: np.ndarray | None = None,
    ) -> None:
        """Take one window: its plots, truth, tracks at ``t_s``, assessment and alert events.

        ``inside``: per truth row, whether it lies in the watched airspace (worked
        out here when not given).
        """
        seen = plots.truth_id >= 0
        np.minimum.at(self.detected_s, plots.truth_id[seen], plots.t_s[seen])
        if inside is None:
            inside = self.airspace.contains(truth.lat_deg, truth.lon_deg)
        self.gaps.add(plots, truth, inside)
        if len(truth):
            self.appeared[truth.object_id] = True
            self._border(truth, inside)
            self._match(truth, tracks, assessment, t_s)
        self._alerts(alert_events)
        if self.places is not None and len(truth):
            over = inside & ~self.cooperative[truth.object_id]
            ids = truth.object_id[over]
            warned = np.isin(ids, list(self.warned_objects()))
            self.places.add(ids, truth.x_m[over], truth.y_m[over], truth.t_s[over], warned)

    def _alerts(self, events: list[Event]) -> None:
        """Count the alerts issued per object; follow the public ones in force."""
        for event in events:
            public = event.data.get("alert") == "public"
            if event.kind == EventKind.ALERT_CANCELLED:
                self._public_in_force.pop(event.subject, None)
            if event.track_id not in self._object_of_track:
                continue
            obj = self._object_of_track[event.track_id]
            if event.kind == EventKind.ALERT_ISSUED:
                self.alerts[obj] += 1
                self.warnings[obj] += public
            if public and event.kind in (EventKind.ALERT_ISSUED, EventKind.ALERT_UPDATED):
                self._public_in_force[event.subject] = obj

    def warned_objects(self) -> set[int]:
        """The objects a public alert in force now warns of."""
        return set(self._public_in_force.values())

    def _border(self, truth: TruthBatch, now_inside: np.ndarray) -> None:
        ids = truth.object_id
        self.was_outside[ids[~now_inside]] = True
        entering = now_inside & self.was_outside[ids]
        np.minimum.at(self.crossed_s, ids[entering], truth.t_s[entering])

    def _match(
        self, truth: TruthBatch, tracks: TrackBatch, assessment: Assessment, t_s: float
    ) -> None:
        held = (tracks.status == TrackStatus.CONFIRMED) | (tracks.status == TrackStatus.COASTING)
        if not held.any():
            return
        at = float(truth.t_s.max())
        rows = truth.t_s == at
        truth_pos = np.column_stack((truth.x_m, truth.y_m, truth.z_m))[rows]
        velocity = np.column_stack((tracks.vx_mps, tracks.vy_mps, tracks.vz_mps))[held]
        track_pos = tracks.position()[held] + velocity * (at - t_s)
        distance, nearest = cKDTree(truth_pos).query(track_pos, distance_upper_bound=self.match_m)
        matched = np.isfinite(distance)
        objects = truth.object_id[rows][nearest[matched]]
        track_ids = tracks.track_id[held][matched]
        self._object_of_track.update(zip(track_ids.tolist(), objects.tolist(), strict=True))
        np.minimum.at(self.tracked_s, objects, at)
        identity = assessment.identity[held][matched]
        crossing = assessment.crossing_t_s[held][matched]
        warning = np.isin(identity, WARNING_IDENTITIES) | np.isfinite(crossing)
        np.minimum.at(self.warned_s, objects[warning], at)
        civil = self.cooperative[objects]
        self.misidentified[objects[civil & np.isin(identity, WARNING_IDENTITIES)]] = True

    def threats(self) -> list[ThreatRecord]:
        """Every non-civil object that flew (appeared in the truth), in object order."""
        records = []
        for i in np.flatnonzero(self.appeared & ~self.cooperative):
            longest_s = float(self.gaps.longest_s[i])
            gap_s = longest_s if longest_s > self.min_gap_s else None
            records.append(
                ThreatRecord(
                    object_id=int(i),
                    name=str(self.name[i]),
                    category=str(self.category[i]),
                    origin=str(self.origin[i]),
                    launched_s=float(self.launch_t_s[i]),
                    detected_s=_time(self.detected_s[i]),
                    tracked_s=_time(self.tracked_s[i]),
                    warned_s=_time(self.warned_s[i]),
                    crossed_s=_time(self.crossed_s[i]),
                    alerts=int(self.alerts[i]),
                    warnings=int(self.warnings[i]),
                    longest_gap_s=gap_s,
                    longest_gap_from_s=_time(self.gaps.longest_from_s[i]) if gap_s else None,
                    unwarned_places=(
                        self.places.unwarned(int(i)) if self.places is not None else ()
                    ),
                )
            )
        return records

    def civil_misidentified(self) -> int:
        """Civil aircraft whose track was ever marked suspect or hostile."""
        return int(self.misidentified.sum())


def _time(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None
