"""A study as users run it: ``flankwatch compare`` over 2 policies x 20 runs, against 10 min.

Runs the command itself, in a process of its own with its own local Dask cluster
(``--workers`` worker processes), its table written into a temporary folder, and
measures what ``/usr/bin/time`` does: the wall-clock time, and the CPU time of the
command and of every process it started (the cluster's workers), all reaped by the end.
Prints both against the target (10 minutes on 2 cores for 2 policies x 20 runs of
``poland-2025-09-10``) as a ratio, and the CPU time per run.

Then, unless ``--no-breakdown``, one run of the study (its first policy, its first seed,
with nothing recorded, as the workers run it) again in this process, each part timed
where the run loop calls it (the timers of ``night_speed.py``): where a run's time goes.

    python benchmarks/compare_speed.py [--scenario NAME] [--policy P ...] [--runs N]
                                       [--workers N] [--no-breakdown] [--keep FILE]
"""

from __future__ import annotations

import os

# The settings of the `flankwatch` command (one BLAS thread, freed memory kept; see
# flankwatch/process_settings.py), made before NumPy is imported, so that what is measured
# is what the command runs.
from flankwatch.process_settings import apply_process_settings  # noqa: E402

apply_process_settings()

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from arguments import one_line, positive_int, scenario_argument
from night_speed import Timings, timed_run_loop

from flankwatch.respond.policy import PolicyError, load_policy
from flankwatch.scenario.schema import Scenario
from flankwatch.study.runs import draw_seeds, run_one, study_specs

SCENARIO = "poland-2025-09-10"
POLICIES = ("fighters-only", "layered")
RUNS = 20
WORKERS = 2
TARGET_S = 600.0
TARGET_RUNS = len(POLICIES) * RUNS
"""The target: the 40 runs of 2 policies x 20 in under 10 minutes on 2 cores."""


def children_cpu_s() -> float:
    """User and system CPU seconds of this process's reaped children (and theirs)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def minutes(seconds: float) -> str:
    """``12 min 50 s``."""
    whole = round(seconds)
    return f"{whole // 60} min {whole % 60} s" if whole % 60 else f"{whole // 60} min"


def run_command(
    scenario: str, policies: list[str], runs: int, workers: int, keep: Path | None = None
) -> None:
    """Run ``flankwatch compare`` and print its wall and CPU time against the target; keep
    its table (JSON) at ``keep`` if given."""
    executable = shutil.which("flankwatch")
    if executable is None:
        sys.exit("the `flankwatch` command is not on PATH (install flankwatch first)")
    with tempfile.TemporaryDirectory() as folder:
        table = Path(folder) / "table.json"
        command = [executable, "compare", scenario]
        for policy in policies:
            command += ["--policy", policy]
        command += ["--runs", str(runs), "--workers", str(workers), "--out", str(table)]
        load_before = os.getloadavg()[0]
        cpu, wall = children_cpu_s(), time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True)
        wall_s, cpu_s = time.perf_counter() - wall, children_cpu_s() - cpu
        load_after = os.getloadavg()[0]
        if done.returncode != 0:
            sys.exit(f"flankwatch compare failed (exit {done.returncode}):\n{done.stderr}")
        every_run = json.loads(table.read_text())["results"]
        if keep is not None:
            shutil.copyfile(table, keep)
    n = len(every_run)
    print(f"$ flankwatch {' '.join(command[1:-2])}")
    target = (
        f" = {wall_s / TARGET_S:.2f} x the {minutes(TARGET_S)} target"
        if n == TARGET_RUNS and workers == WORKERS
        else f" (the {minutes(TARGET_S)} target is for {TARGET_RUNS} runs on {WORKERS} workers)"
    )
    print(
        f"{n} runs ({len(policies)} policies x {runs}, {workers} workers): "
        f"{minutes(wall_s)} wall ({wall_s:,.0f} s){target}; "
        f"{cpu_s:,.0f} s CPU, {cpu_s / n:.1f} s a run"
    )
    print(
        f"load average (1 min) on {os.cpu_count()} cores: {load_before:.1f} at the start, "
        f"{load_after:.1f} at the end"
    )


def breakdown(scenario: Scenario, text: str, scenario_name: str, policy: str) -> None:
    """One study run (``policy``, the first seed) of ``scenario`` (its YAML ``text``, named
    ``scenario_name``) in this process, part by part."""
    seed = draw_seeds(scenario.seed, 1)[0]
    spec = study_specs(scenario, text, scenario_name, [policy], [seed])[0]
    timings = Timings()
    with timed_run_loop(timings):
        wall, cpu = time.perf_counter(), time.thread_time()
        timings.started = (wall, cpu)
        run_one(spec)
        wall_s, cpu_s = time.perf_counter() - wall, time.thread_time() - cpu
    print(
        f"one run ({policy}, seed {seed}) in this process: {wall_s:.1f} s wall, "
        f"{cpu_s:.1f} s CPU; {timings.windows:,} windows, {timings.plots:,} plots, "
        f"{1000 * cpu_s / max(timings.windows, 1):.1f} ms of CPU a window"
    )
    print(f"{'part':>34} {'cpu s':>8} {'share':>6}")
    timed = 0.0
    for name, clock in timings.parts.items():
        timed += clock.cpu_s
        print(f"{name:>34} {clock.cpu_s:8.1f} {clock.cpu_s / cpu_s:6.1%}")
    rest = cpu_s - timed
    print(f"{'the loop and the rest':>34} {rest:8.1f} {rest / cpu_s:6.1%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default=SCENARIO, help="a built-in scenario or a file")
    parser.add_argument(
        "--policy", action="append", help="a policy (repeat; default: fighters-only, layered)"
    )
    parser.add_argument("--runs", type=positive_int, default=RUNS, help="runs per policy")
    parser.add_argument("--workers", type=positive_int, default=WORKERS, help="worker processes")
    parser.add_argument(
        "--no-breakdown", action="store_true", help="do not time one run part by part"
    )
    parser.add_argument("--keep", type=Path, help="keep the table (JSON) in this new file")
    args = parser.parse_args()
    if args.keep is not None and (args.keep.exists() or not args.keep.parent.is_dir()):
        parser.error(f"--keep {args.keep}: give a new file in an existing folder")
    scenario, text = scenario_argument(parser, args.scenario)
    policies = args.policy or list(POLICIES)
    for policy in policies:
        try:
            load_policy(policy)
        except PolicyError as error:
            parser.error(f"--policy {one_line(error)}")
    run_command(args.scenario, policies, args.runs, args.workers, args.keep)
    if not args.no_breakdown:
        breakdown(scenario, text, args.scenario, policies[0])


if __name__ == "__main__":
    main()
