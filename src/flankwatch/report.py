"""The after-action ledger of a simulated run: what happened to every object.

Window by window, the ledger matches confirmed and coasting tracks to the
simulated objects (the nearest truth within ``match_m`` at the window's truth
time) and notes, per object: its first detection by any sensor, its first
confirmed track, the first time the system warned of it (a track on it became
suspect or hostile, or got a predicted border crossing), its entry into the
watched national airspace (from the truth), and the alerts issued for its
tracks. Civil aircraft (cooperative objects) whose track was ever marked
suspect or hostile are counted as misidentified.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
from scipy.spatial import cKDTree

from flankwatch.assess.assessment import Assessment
from flankwatch.events import Event, EventKind
from flankwatch.geo.borders import inside
from flankwatch.sim.truth import TruthBatch
from flankwatch.stream import PlotBatch
from flankwatch.track.output import TrackBatch, TrackStatus

WARNING_IDENTITIES = ("suspect", "hostile")


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

    @property
    def lead_time_s(self) -> float | None:
        """Warning lead time before the border crossing, s (negative: warned after it)."""
        if self.crossed_s is None or self.warned_s is None:
            return None
        return self.crossed_s - self.warned_s


class ThreatLedger:
    """Collects the per-object facts of a run; see the module docstring."""

    def __init__(self, objects: pa.Table, country: str = "POL", match_m: float = 2000.0) -> None:
        """``objects``: one row per simulated object (the recording's ``objects`` table:
        ``name``, ``category``, ``origin``, ``launch_t_s``, ``cooperative``)."""
        n = objects.num_rows
        self.name = np.asarray(objects.column("name").to_pylist(), object)
        self.category = np.asarray(objects.column("category").to_pylist(), object)
        self.origin = np.asarray(objects.column("origin").to_pylist(), object)
        self.launch_t_s = objects.column("launch_t_s").to_numpy()
        self.cooperative = objects.column("cooperative").to_numpy(zero_copy_only=False)
        self.country = country
        self.match_m = match_m
        self.appeared = np.zeros(n, dtype=bool)
        self.detected_s = np.full(n, np.inf)
        self.tracked_s = np.full(n, np.inf)
        self.warned_s = np.full(n, np.inf)
        self.crossed_s = np.full(n, np.inf)
        self.was_outside = np.zeros(n, dtype=bool)
        self.misidentified = np.zeros(n, dtype=bool)
        self.alerts = np.zeros(n, dtype=np.int64)
        self._object_of_track: dict[int, int] = {}

    def add(
        self,
        plots: PlotBatch,
        truth: TruthBatch,
        tracks: TrackBatch,
        assessment: Assessment,
        alert_events: list[Event],
        t_s: float,
    ) -> None:
        """Take one window: its plots, truth, tracks at ``t_s``, assessment and alert events."""
        seen = plots.truth_id >= 0
        np.minimum.at(self.detected_s, plots.truth_id[seen], plots.t_s[seen])
        if len(truth):
            self.appeared[truth.object_id] = True
            self._border(truth)
            self._match(truth, tracks, assessment, t_s)
        for event in alert_events:
            if event.kind == EventKind.ALERT_ISSUED and event.track_id in self._object_of_track:
                self.alerts[self._object_of_track[event.track_id]] += 1

    def _border(self, truth: TruthBatch) -> None:
        now_inside = inside(self.country, truth.lat_deg, truth.lon_deg)
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
                )
            )
        return records

    def civil_misidentified(self) -> int:
        """Civil aircraft whose track was ever marked suspect or hostile."""
        return int(self.misidentified.sum())


def _time(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None
