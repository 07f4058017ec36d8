"""The simulation: a scenario run step by step into plots and ground truth.

Each step of the clock launches what is due and moves every object; each
window of steps, every sensor observes the window and the simulation yields the
window's plots (sorted by time) with the truth recorded in it
(:class:`~flankwatch.sim.source.SimulationSource` makes it a source of the run
loop). Objects can be destroyed between windows (:meth:`Simulation.destroy_near`):
they end where they are, and their last truth row says ``destroyed``. Own
forces in flight can be shown to the sensors between windows
(:meth:`Simulation.show_own_forces`, see :mod:`flankwatch.sim.own_forces`):
they are in the scene and the truth from the next window on. A sensor
observes only within its watch (``active_from`` to ``active_until``). The
run's seed feeds one generator for the flight plans, one per sensor entry and
one for the errors of cooperative aircraft's position squitters, so runs with the
same scenario and seed are identical.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import groupby

import numpy as np
import pyarrow as pa

from flankwatch.deployment import Deployment
from flankwatch.geo.frames import geodetic_to_ecef
from flankwatch.respond.step import OwnForces
from flankwatch.scenario.schema import Scenario, Sensor
from flankwatch.sim.clock import Clock
from flankwatch.sim.kinematics import FLYING, Kinematics, Motion
from flankwatch.sim.own_forces import OwnForceFlights
from flankwatch.sim.plans import FlightPlans, draw_plans
from flankwatch.sim.sensors.base import Scene, SensorModel
from flankwatch.sim.sensors.factory import build_sensors
from flankwatch.sim.sensors.radar import Radar
from flankwatch.sim.sensors.radar_sweep import RadarGroup
from flankwatch.sim.truth import TruthBatch
from flankwatch.stream import PlotBatch, PlotColumns


@dataclass(frozen=True)
class SimStep:
    """What one window produced: its time span, its plots and the truth recorded in it."""

    index: int
    t0_s: float
    t1_s: float
    plots: PlotBatch
    truth: TruthBatch


class Simulation:
    """A scenario made ready to run; iterate :meth:`steps`."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.deployment = Deployment.from_scenario(scenario)
        self.frame = self.deployment.frame
        plan_seed, *sensor_seeds, squitter_seed = np.random.SeedSequence(scenario.seed).spawn(
            2 + len(scenario.sensors)
        )
        self.plans: FlightPlans = draw_plans(scenario, np.random.default_rng(plan_seed))
        self.sensors: list[SensorModel] = build_sensors(scenario, self.frame, sensor_seeds)
        self._radar_groups: dict[tuple[int, ...], RadarGroup] = {}
        """The radars observing together, by their sensor ids (see :meth:`_observe`)."""
        self._squitter_rng = np.random.default_rng(squitter_seed)
        """Draws the error of each position squitter, shared by every station hearing it."""
        self.watch_s = [_watch_s(scenario, sensor) for sensor in scenario.sensors]
        """Per sensor entry: (from, until), s after start, when it observes."""
        self.clock = Clock(scenario.duration_s, scenario.step_s, scenario.batch_s)
        self.kinematics = Kinematics(self.plans)
        self._destroyed: list[TruthBatch] = []
        self._last_scene: Scene | None = None
        """The last window's scene: where the objects were at each of its step boundaries."""
        self.own_forces = OwnForceFlights(self.frame, len(self.plans), scenario.batch_s)
        """Own aircraft and weapons in flight; their ids follow the plans' ids."""

    def sensor_table(self) -> pa.Table:
        """One row per sensor (every acoustic node its own row), by ``sensor_id``."""
        rows = [info for model in self.sensors for info in model.table()]
        watch = [
            w for model, w in zip(self.sensors, self.watch_s, strict=True) for _ in model.table()
        ]
        names = (
            "sensor_id",
            "name",
            "type",
            "kind",
            "platform",
            "lat_deg",
            "lon_deg",
            "height_m",
            "range_m",
            "scan_period_s",
        )
        table = pa.table({name: [getattr(row, name) for row in rows] for name in names})
        table = table.append_column("active_from_s", pa.array([w[0] for w in watch], pa.float64()))
        return table.append_column("active_until_s", pa.array([w[1] for w in watch], pa.float64()))

    def steps(self) -> Iterator[SimStep]:
        """Run the scenario, one window of steps at a time."""
        step_s = self.clock.step_s
        for index, starts in enumerate(self.clock.windows()):
            motions = self.kinematics.advance_steps(starts, step_s)
            t0, t1 = starts[0], starts[-1] + step_s
            scene = self._last_scene = self._scene(motions, t0, t1)
            plots = PlotBatch.from_parts(self._observe(scene))
            stepped = (
                self._truth(m, t + step_s, step_s) for m, t in zip(motions, starts, strict=True)
            )
            truth = TruthBatch.concat(
                self._destroyed
                + [rows for rows in stepped if rows is not None]
                + self._own_truth(starts)
            )
            self._destroyed = []
            yield SimStep(index, t0, t1, plots.sorted_by_time(), truth)

    def _observe(self, scene: Scene) -> Iterator[PlotColumns]:
        """The plots of the sensors on watch in the scene's window, sensor by sensor; radars
        listed one after another observe together (:mod:`~flankwatch.sim.sensors.radar_sweep`)."""
        sensors = self._on_watch(scene.t0_s, scene.t1_s)
        for is_radar, run in groupby(sensors, key=lambda sensor: isinstance(sensor, Radar)):
            if is_radar:
                yield from self._radar_group(tuple(run)).observe(scene)  # type: ignore[arg-type]
            else:
                for sensor in run:
                    yield from sensor.observe(scene)

    def _radar_group(self, radars: tuple[Radar, ...]) -> RadarGroup:
        """The group of ``radars``, made once for each set of radars on watch together."""
        key = tuple(radar.sensor_id for radar in radars)
        group = self._radar_groups.get(key)
        if group is None:
            group = self._radar_groups[key] = RadarGroup(radars)
        return group

    def _on_watch(self, t0_s: float, t1_s: float) -> list[SensorModel]:
        """The sensors whose watch overlaps the window from ``t0_s`` to ``t1_s`` (s)."""
        return [
            sensor
            for sensor, (on_s, off_s) in zip(self.sensors, self.watch_s, strict=True)
            if on_s < t1_s and t0_s < off_s
        ]

    def show_own_forces(self, forces: OwnForces) -> None:
        """Show own forces in flight to the sensors from the next window on (see
        :mod:`flankwatch.sim.own_forces`); those missing from ``forces`` end."""
        self.own_forces.update(forces)

    def _own_truth(self, starts: list[float]) -> list[TruthBatch]:
        """Truth rows of own forces in the window of steps starting at ``starts`` (s)."""
        own = self.own_forces
        if not own.ever:
            return []
        step_s, period_s = self.clock.step_s, self.scenario.truth_period_s
        ends = [t + step_s for t in starts]
        return [own.truth([t for t in ends if self.clock.is_on_grid(t, period_s)])]

    def destroy_near(self, t_s: float, enu_m: np.ndarray, radius_m: np.ndarray) -> np.ndarray:
        """End, at ``t_s`` (s), the flying object nearest each point (local ENU, m, shape
        ``(k, 3)``) at that time, within its radius (m); the ids of the objects ended.

        Where the objects were at ``t_s`` is interpolated between the last window's step
        boundaries: a kill resolves inside the window just observed, and where the
        objects are at the window's end is up to a window's flight away (a cruise missile
        killed 4 s before it is 1 km on). Each ended object gets a last truth row
        (``ended``) in the next window, where it was at ``t_s``.
        """
        kin = self.kinematics
        flying = np.flatnonzero(kin.phase == FLYING)
        points = np.asarray(enu_m, float).reshape(-1, 3)
        if not len(flying) or not len(points):
            return np.empty(0, np.int64)
        positions = self.frame.ecef_to_enu(self._ecef_at(flying, t_s))
        distance = np.linalg.norm(positions[None, :, :] - points[:, None, :], axis=2)
        distance[np.isnan(distance)] = np.inf  # not yet flying at t_s
        nearest = np.argmin(distance, axis=1)
        hit = distance[np.arange(len(points)), nearest] <= np.asarray(radius_m, float)
        ended = kin.destroy(flying[nearest[hit]], t_s)
        if len(ended):
            rows = np.searchsorted(flying, ended)
            self._destroyed.append(self._ended_truth(ended, positions[rows], t_s))
        return ended

    def _ecef_at(self, ids: np.ndarray, t_s: float) -> np.ndarray:
        """ECEF positions (m, ``(n, 3)``) of the flying objects ``ids`` (sorted) at ``t_s``
        (s): interpolated in the last window's scene (extrapolated along its first or last
        step outside it); where they are now for those it did not hold (or before any
        window). NaN for an object not yet flying at ``t_s``."""
        kin = self.kinematics
        ecef = np.stack(geodetic_to_ecef(kin.lat_deg[ids], kin.lon_deg[ids], kin.alt_m[ids]), -1)
        scene = self._last_scene
        if scene is None or not len(scene):
            return ecef
        rows = np.minimum(np.searchsorted(scene.object_id, ids), len(scene) - 1)
        seen = scene.object_id[rows] == ids
        then, _ = scene.at(rows[seen], np.full(int(seen.sum()), t_s))
        ecef[seen] = then
        return ecef

    def _ended_truth(self, ids: np.ndarray, enu_m: np.ndarray, t_s: float) -> TruthBatch:
        """Last truth rows of objects destroyed at ``t_s``, at rest where they were then
        (``enu_m``, local ENU, m)."""
        n = len(ids)
        lat_deg, lon_deg, alt_m = self.frame.enu_to_geodetic(enu_m)
        return TruthBatch(
            t_s=np.full(n, t_s),
            object_id=ids.astype(np.int32),
            lat_deg=lat_deg,
            lon_deg=lon_deg,
            alt_m=alt_m,
            x_m=enu_m[:, 0],
            y_m=enu_m[:, 1],
            z_m=enu_m[:, 2],
            vx_mps=np.zeros(n),
            vy_mps=np.zeros(n),
            vz_mps=np.zeros(n),
            ended=np.ones(n, bool),
            destroyed=np.ones(n, bool),
        )

    def _scene(self, motions: list[Motion], t0: float, t1: float) -> Scene:
        """The window's objects with their positions at every step boundary."""
        ids, ecef, alt = _positions(motions)
        plans = self.plans
        columns = {
            "object_id": ids,
            "ecef_m": ecef,
            "alt_m": alt,
            "rcs_m2": plans.rcs_m2[ids],
            "swerling": plans.swerling[ids],
            "sound_db": plans.sound_db[ids],
            "cooperative": plans.cooperative[ids],
            "icao24": plans.icao24[ids],
            "callsign": plans.callsign[ids],
            "squawk": plans.squawk_at(ids, t0),
            "mode5": plans.mode5[ids],
        }
        if len(self.own_forces):
            instants = t0 + self.clock.step_s * np.arange(len(motions) + 1)
            own = self.own_forces.scene(instants)
            columns = {
                name: np.concatenate((column, getattr(own, name))).astype(column.dtype)
                for name, column in columns.items()
            }
        error = np.zeros((len(columns["object_id"]), len(motions), 3))
        cooperative = np.flatnonzero(columns["cooperative"])
        if len(cooperative):
            error[cooperative] = self._squitter_rng.standard_normal(
                (len(cooperative), len(motions), 3)
            )
        return Scene(t0, t1, self.clock.step_s, self.frame, squitter_error=error, **columns)

    def _truth(self, motion: Motion, t1: float, step_s: float) -> TruthBatch | None:
        """Objects on the truth grid at ``t1``, and every object that ended in the step
        (None when there are none: a step off the grid in which nothing ended)."""
        ended = self.kinematics.end_t_s[motion.object_id] == t1
        on_grid = self.clock.is_on_grid(t1, self.scenario.truth_period_s)
        if not on_grid and not ended.any():
            return None
        keep = ended | on_grid
        start = self.frame.ecef_to_enu(motion.start_ecef_m[keep])
        end = self.frame.ecef_to_enu(motion.end_ecef_m[keep])
        velocity = (end - start) / step_s
        n = int(keep.sum())
        return TruthBatch(
            t_s=np.full(n, t1),
            object_id=motion.object_id[keep].astype(np.int32),
            lat_deg=motion.end_lat_deg[keep],
            lon_deg=motion.end_lon_deg[keep],
            alt_m=motion.end_alt_m[keep],
            x_m=end[:, 0],
            y_m=end[:, 1],
            z_m=end[:, 2],
            vx_mps=velocity[:, 0],
            vy_mps=velocity[:, 1],
            vz_mps=velocity[:, 2],
            ended=ended[keep],
        )


def _positions(motions: list[Motion]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The objects flying in any of a window's steps (``motions``), their ECEF positions
    (m, (n, steps + 1, 3)) and heights (m, (n, steps + 1)) at the steps' boundaries: at
    each step's start, and at the last one's end; NaN when not flying."""
    first = motions[0].object_id
    if all(np.array_equal(m.object_id, first) for m in motions[1:]):
        # the same objects all window long (most windows): no gaps to fill
        ecef = np.stack([m.start_ecef_m for m in motions] + [motions[-1].end_ecef_m], axis=1)
        alt = np.stack([m.start_alt_m for m in motions] + [motions[-1].end_alt_m], axis=1)
        return first, ecef, alt
    ids = np.unique(np.concatenate([m.object_id for m in motions]))
    ecef = np.full((len(ids), len(motions) + 1, 3), np.nan)
    alt = np.full((len(ids), len(motions) + 1), np.nan)
    for k, motion in enumerate(motions):
        rows = np.searchsorted(ids, motion.object_id)
        ecef[rows, k], ecef[rows, k + 1] = motion.start_ecef_m, motion.end_ecef_m
        alt[rows, k], alt[rows, k + 1] = motion.start_alt_m, motion.end_alt_m
    return ids, ecef, alt


def _watch_s(scenario: Scenario, sensor: Sensor) -> tuple[float, float]:
    """When ``sensor`` observes: (from, until), s after the start (-inf and inf: always)."""
    on = sensor.active_from
    off = sensor.active_until
    return (
        scenario.seconds_after_start(on) if on is not None else -np.inf,
        scenario.seconds_after_start(off) if off is not None else np.inf,
    )
