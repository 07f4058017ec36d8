"""Real-time factor of the simulation alone, on the load case ``mass-raid-2025-09-07``.

Runs the whole scenario (10 simulated hours, 823 objects, 12 radars, 380
acoustic nodes) through the simulator with nothing downstream and prints how many
times faster than real time it ran, on wall-clock and on CPU (process) time,
against the simulation's target of 500x. The whole ``flankwatch run`` chain
(simulation, tracking, assessment, alerts, response, recording) is measured by
``benchmarks/night_speed.py``.

    python benchmarks/sim_speed.py [--scenario NAME] [--duration SECONDS]
"""

from __future__ import annotations

import os

# The settings of the `flankwatch` command (one BLAS thread, freed memory kept; see
# flankwatch/process_settings.py), made before NumPy is imported, so that what is measured
# is what the command runs.
from flankwatch.process_settings import apply_process_settings  # noqa: E402

apply_process_settings()

import argparse
import time

from arguments import positive_float, scenario_argument

from flankwatch.sim.engine import Simulation

SCENARIO = "mass-raid-2025-09-07"
TARGET_FACTOR = 500.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default=SCENARIO, help="a built-in scenario or a file")
    parser.add_argument("--duration", type=positive_float, help="simulate only the first SECONDS")
    args = parser.parse_args()
    scenario, _ = scenario_argument(parser, args.scenario, args.duration)

    load = os.getloadavg()[0]
    wall, cpu = time.perf_counter(), time.process_time()
    plots = sum(len(step.plots) for step in Simulation(scenario).steps())
    wall_s, cpu_s = time.perf_counter() - wall, time.process_time() - cpu

    simulated = scenario.duration_s
    print(f"{scenario.name}: {simulated / 3600:.1f} simulated hours, {plots:,} plots")
    for label, seconds in (("wall", wall_s), ("CPU", cpu_s)):
        factor = simulated / seconds
        print(
            f"simulation only: {seconds:6.1f} s {label:<4} {factor:7.0f}x real time, "
            f"{factor / TARGET_FACTOR:.2f} x the {TARGET_FACTOR:.0f}x target"
        )
    print(f"load average (1 min) at the start: {load:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
