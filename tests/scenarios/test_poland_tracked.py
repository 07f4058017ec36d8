"""The Poland night of 9-10 September 2025 tracked: one track per radar-seen drone.

The first four hours of ``poland-2025-09-10`` (drones from Belarus and from
Ukraine, airliners with ADS-B) go through the simulation and the tracker, each
sensor's association window set to its revisit period from the sensor table.
Every drone that the radars saw for a minute or more (first to last radar plot)
must hold one confirmed track for most of its radar-visible flight (the steps
with a radar plot of it in the last minute), going through few track numbers,
with tracks assigned to objects at each step as GOSPA assigns them; and
airliners' tracks must carry their identity.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
import pytest

from flankwatch.scenario.loader import load_scenario
from flankwatch.sim.engine import Simulation
from flankwatch.stream import PlotKind
from flankwatch.track.metrics import gospa
from flankwatch.track.output import TrackStatus
from flankwatch.track.tracker import build_tracker

pytestmark = pytest.mark.slow

DURATION_S = 4 * 3600.0
"""The first four hours: drones of both origins are in the air."""
MIN_RADAR_SPAN_S = 60.0
CUT_MARGIN_S = 300.0
"""Drones first seen by radar this close to the end of the four hours are left out: the
cut leaves them no time to be tracked, s."""
GATE_M = 2000.0
"""Cut-off of the assignment of tracks to objects at each step (GOSPA's), m."""
RADAR_MEMORY_S = 60.0
"""A drone counts as radar-visible at a step when a radar saw it within this, s."""
MIN_COVERAGE = 0.5
"""Share of its radar-visible steps in which a drone's majority track must be assigned to it."""
MAX_TRACK_CHANGES = 3
"""Most track numbers, beyond the first, that a drone may be assigned over its flight."""


@dataclass
class Run:
    object_id: np.ndarray
    category: np.ndarray
    origin: np.ndarray
    icao24: np.ndarray
    callsign: np.ndarray
    radar_first_s: np.ndarray
    radar_last_s: np.ndarray
    step_t: list[float]
    truth: list[dict[int, np.ndarray]]
    """Per step: object id -> true position at the step's end, m."""
    tracks: list[tuple[np.ndarray, np.ndarray]]
    """Per step: the held (confirmed, coasting) track numbers and positions, m."""
    identities: set[tuple[int, str]]
    """(icao24, callsign) of every held track at any step."""
    radar_seen: list[set[int]]
    """Per step: the objects with a radar plot in the step."""


@pytest.fixture(scope="module")
def run() -> Run:
    scenario, _ = load_scenario("poland-2025-09-10")
    scenario = scenario.model_copy(update={"duration_s": DURATION_S})
    sim = Simulation(scenario)
    sensors = sim.sensor_table()
    tracker = build_tracker()
    tracker.set_revisit_periods(
        np.asarray(sensors.column("sensor_id")), np.asarray(sensors.column("scan_period_s"))
    )
    n_objects = len(sim.plans.name)
    first = np.full(n_objects, np.inf)
    last = np.full(n_objects, -np.inf)
    step_t, truths, tracks, identities, radar_seen = [], [], [], set(), []
    for step in sim.steps():
        out = tracker.step(step.plots, now_s=step.t1_s)
        plots = step.plots
        radar = (plots.kind == PlotKind.RADAR) & (plots.truth_id >= 0)
        np.minimum.at(first, plots.truth_id[radar], plots.t_s[radar])
        np.maximum.at(last, plots.truth_id[radar], plots.t_s[radar])
        truth = step.truth
        at_end = truth.t_s == step.t1_s
        xyz = np.column_stack((truth.x_m, truth.y_m, truth.z_m))[at_end]
        truths.append(dict(zip(truth.object_id[at_end].tolist(), xyz, strict=True)))
        held = np.isin(out.status, (TrackStatus.CONFIRMED, TrackStatus.COASTING))
        tracks.append((out.track_id[held], out.position()[held]))
        identities.update(zip(out.icao24[held].tolist(), out.callsign[held].tolist(), strict=True))
        step_t.append(step.t1_s)
        radar_seen.append(set(plots.truth_id[radar].tolist()))
    plans = sim.plans
    return Run(
        np.arange(n_objects),
        np.asarray(plans.category, str),
        np.asarray(plans.origin, str),
        np.asarray(plans.icao24),
        np.asarray(plans.callsign, str),
        first,
        last,
        step_t,
        truths,
        tracks,
        identities,
        radar_seen,
    )


def _assigned_tracks(run: Run) -> dict[int, dict[float, int]]:
    """Per object, per step: the held track assigned to it by the GOSPA assignment
    (cut-off ``GATE_M``) of all objects to all held tracks at that step."""
    truth_t, truth_id, truth_pos, est_t, est_id, est_pos = [], [], [], [], [], []
    for t, truth, (ids, pos) in zip(run.step_t, run.truth, run.tracks, strict=True):
        truth_t.append(np.full(len(truth), t))
        truth_id.append(np.fromiter(truth, np.int64, len(truth)))
        truth_pos.append(np.array(list(truth.values())).reshape(-1, 3))
        est_t.append(np.full(len(ids), t))
        est_id.append(ids)
        est_pos.append(pos.reshape(-1, 3))
    truth_t_all, truth_id_all = np.concatenate(truth_t), np.concatenate(truth_id)
    est_id_all = np.concatenate(est_id)
    result = gospa(
        truth_t_all, np.vstack(truth_pos), np.concatenate(est_t), np.vstack(est_pos), GATE_M
    )
    assigned: dict[int, dict[float, int]] = {}
    for row, est in zip(result.truth_row.tolist(), result.estimate_row.tolist(), strict=True):
        assigned.setdefault(int(truth_id_all[row]), {})[float(truth_t_all[row])] = int(
            est_id_all[est]
        )
    return assigned


def test_every_radar_seen_drone_holds_one_track(run: Run) -> None:
    span = run.radar_last_s - run.radar_first_s
    in_time = run.radar_first_s <= DURATION_S - CUT_MARGIN_S
    drones = np.flatnonzero((run.category == "decoy") & (span >= MIN_RADAR_SPAN_S) & in_time)
    assert {"Belarus", "Ukraine"} <= set(run.origin[drones].tolist())
    assigned = _assigned_tracks(run)
    failures = []
    for drone in drones.tolist():
        steps, last_plot_s = [], -np.inf
        for t, truth, seen in zip(run.step_t, run.truth, run.radar_seen, strict=True):
            if drone in seen:
                last_plot_s = t
            visible = t - last_plot_s <= RADAR_MEMORY_S and t <= run.radar_last_s[drone]
            if visible and drone in truth:
                steps.append(t)
        tracks = [assigned.get(drone, {}).get(t, -1) for t in steps]
        held = [i for i in tracks if i >= 0]
        majority, count = Counter(held).most_common(1)[0] if held else (-1, 0)
        coverage = count / max(len(steps), 1)
        changes = len(set(held)) - 1
        if coverage <= MIN_COVERAGE or changes > MAX_TRACK_CHANGES:
            failures.append((drone, str(run.origin[drone]), round(coverage, 2), changes))
    assert not failures, f"drones without one track (id, origin, coverage, changes): {failures}"


def test_airliner_tracks_carry_their_identity(run: Run) -> None:
    airliners = np.flatnonzero(run.icao24 != 0)
    assert len(airliners)
    carried = {icao for icao, callsign in run.identities if icao != 0 and callsign}
    seen = [a for a in airliners.tolist() if int(run.icao24[a]) in carried]
    assert seen, "no airliner track carries an ICAO address and a callsign"
    for a in seen:
        assert (int(run.icao24[a]), str(run.callsign[a])) in run.identities
