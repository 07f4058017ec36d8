"""The whole night tracked: ``mass-raid-2025-09-07`` simulated and tracked end to end.

Every window of the simulation goes through the tracker
(``Simulation(scenario).steps()`` -> ``tracker.step(step.plots, now_s=step.t1_s)``),
each sensor's association window set to its revisit period from the
simulation's sensor table. Prints the simulated and wall-clock seconds, the
real-time factor against the 600x target, the simulation's own share (its time
inside the tracked run, and a run of the simulation alone in the same process),
the number of confirmed tracks at the peak, and GOSPA (c = 1000 m, p = 2) of
the confirmed and coasting tracks against the truth of each window, restricted
to the objects some sensor saw in the last 60 s.

    python benchmarks/night_speed.py [--duration SECONDS] [--bearing-group-s SECONDS]
"""

from __future__ import annotations

import argparse
import dataclasses
import time

import numpy as np

from flankwatch.scenario.loader import load_scenario
from flankwatch.sim.engine import Simulation
from flankwatch.track.metrics import gospa
from flankwatch.track.output import TrackStatus
from flankwatch.track.settings import TrackerSettings, settings_from_assignments
from flankwatch.track.tracker import build_tracker

SCENARIO = "mass-raid-2025-09-07"
TARGET_FACTOR = 600.0
GOSPA_C_M = 1000.0
SEEN_WITHIN_S = 60.0


def simulation_alone(scenario) -> float:
    """Wall seconds to run the simulation with nothing downstream."""
    started = time.perf_counter()
    for _ in Simulation(scenario).steps():
        pass
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, help="simulate only the first SECONDS")
    parser.add_argument(
        "--set", action="append", default=[], metavar="NAME=VALUE", help="a tracker setting"
    )
    parser.add_argument(
        "--bearing-group-s",
        type=float,
        default=TrackerSettings.bearing_group_s,
        help="stack each track's bearings within spans of SECONDS in one update (0: one by one)",
    )
    args = parser.parse_args()
    scenario, _ = load_scenario(SCENARIO)
    if args.duration:
        scenario = scenario.model_copy(update={"duration_s": args.duration})

    sim_alone_s = simulation_alone(scenario)

    sim = Simulation(scenario)
    sensors = sim.sensor_table()
    settings = settings_from_assignments(args.set)
    tracker = build_tracker(dataclasses.replace(settings, bearing_group_s=args.bearing_group_s))
    tracker.set_revisit_periods(
        np.asarray(sensors.column("sensor_id")), np.asarray(sensors.column("scan_period_s"))
    )
    last_seen = np.full(len(sim.plans.name), -np.inf)
    truth_t, truth_xyz, track_t, track_xyz = [], [], [], []
    n_plots, peak, peak_t = 0, 0, 0.0
    sim_s = track_s = 0.0
    steps = sim.steps()
    started = time.perf_counter()
    while True:
        began = time.perf_counter()
        step = next(steps, None)
        sim_s += time.perf_counter() - began
        if step is None:
            break
        began = time.perf_counter()
        out = tracker.step(step.plots, now_s=step.t1_s)
        track_s += time.perf_counter() - began

        plots = step.plots
        n_plots += len(plots)
        seen = plots.truth_id >= 0
        np.maximum.at(last_seen, plots.truth_id[seen], plots.t_s[seen])
        truth = step.truth
        if len(truth):
            latest = truth.t_s == truth.t_s.max()
            ids = truth.object_id[latest]
            recent = last_seen[ids] >= step.t1_s - SEEN_WITHIN_S
            xyz = np.column_stack((truth.x_m, truth.y_m, truth.z_m))[latest][recent]
            truth_t.append(np.full(len(xyz), step.t1_s))
            truth_xyz.append(xyz)
        held = np.isin(out.status, (TrackStatus.CONFIRMED, TrackStatus.COASTING))
        if held.sum() > peak:
            peak, peak_t = int(held.sum()), step.t1_s
        track_t.append(np.full(int(held.sum()), step.t1_s))
        track_xyz.append(out.position()[held])
    total_s = sim_s + track_s
    loop_s = time.perf_counter() - started

    score = gospa(
        np.concatenate(truth_t),
        np.vstack(truth_xyz),
        np.concatenate(track_t),
        np.vstack(track_xyz),
        GOSPA_C_M,
    )
    simulated = scenario.duration_s
    factor = simulated / total_s
    n_steps = len(score.time_s)
    print(f"{SCENARIO}: {simulated:,.0f} simulated s ({simulated / 3600:.1f} h), {n_plots:,} plots")
    print(
        f"simulation + tracking: {total_s:7.1f} s wall, {factor:6.0f}x real time, "
        f"{factor / TARGET_FACTOR:.2f} x the {TARGET_FACTOR:.0f}x target"
    )
    print(
        f"  simulation {sim_s:7.1f} s ({100 * sim_s / total_s:.0f}%), "
        f"tracking {track_s:7.1f} s ({100 * track_s / total_s:.0f}%, "
        f"{simulated / track_s:,.0f}x real time alone, "
        f"{1e6 * track_s / max(n_plots, 1):.0f} us per plot)"
    )
    print(
        f"  simulation alone (same process, nothing downstream): {sim_alone_s:7.1f} s wall, "
        f"{simulated / sim_alone_s:6.0f}x real time"
    )
    print(f"  metric bookkeeping outside the timed calls: {loop_s - total_s:.1f} s")
    print(f"confirmed tracks at the peak: {peak} (t = {peak_t:,.0f} s)")
    parts = score.totals()
    print(
        f"GOSPA (c = {GOSPA_C_M:.0f} m, p = 2) against the objects seen in the last "
        f"{SEEN_WITHIN_S:.0f} s, mean over {n_steps} steps: {score.mean_distance:.0f} m; "
        f"per step: localisation {np.sqrt(parts['localisation'] / n_steps):.0f} m, "
        f"missed {parts['missed'] / n_steps / (GOSPA_C_M**2 / 2):.1f} objects, "
        f"false {parts['false'] / n_steps / (GOSPA_C_M**2 / 2):.1f} tracks"
    )


if __name__ == "__main__":
    main()
