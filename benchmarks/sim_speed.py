"""Real-time factor of the simulation on the load case, ``mass-raid-2025-09-07``.

Runs the whole scenario (10 simulated hours, 823 objects, 12 radars, 380
acoustic nodes) through the simulator alone, then again as ``flankwatch run``
does (simulation, tracking, assessment, alerts and the recording written), and
prints how many times faster than real time each ran, against the target of
500x (which is the simulation's).

    python benchmarks/sim_speed.py [--duration SECONDS]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from flankwatch.pipeline import run_scenario
from flankwatch.scenario.loader import load_scenario
from flankwatch.sim.engine import Simulation

SCENARIO = "mass-raid-2025-09-07"
TARGET_FACTOR = 500.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, help="simulate only the first SECONDS")
    args = parser.parse_args()
    scenario, text = load_scenario(SCENARIO)
    if args.duration:
        scenario = scenario.model_copy(update={"duration_s": args.duration})

    started = time.perf_counter()
    plots = sum(len(step.plots) for step in Simulation(scenario).steps())
    sim_s = time.perf_counter() - started

    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        run_scenario(scenario, text, Path(folder) / "run")
        recorded_s = time.perf_counter() - started

    simulated = scenario.duration_s
    print(f"{SCENARIO}: {simulated / 3600:.1f} simulated hours, {plots:,} plots")
    for label, wall in (("simulation only", sim_s), ("whole run, recorded", recorded_s)):
        factor = simulated / wall
        print(
            f"{label:>24}: {wall:6.1f} s wall, {factor:7.0f}x real time, "
            f"{factor / TARGET_FACTOR:.2f} x the {TARGET_FACTOR:.0f}x target"
        )


if __name__ == "__main__":
    main()
