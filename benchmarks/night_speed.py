"""The whole night as ``flankwatch run`` runs it: ``mass-raid-2025-09-07`` end to end.

Runs :func:`flankwatch.pipeline.run_scenario` (the function ``flankwatch run``
calls) with its settings (a second process: the tracker's, a few windows ahead, where
nothing acts on the simulation, :mod:`flankwatch.tracking_process`; else the alerts' and
sinks', :mod:`flankwatch.sink_process`; with ``--one-process``, everything in the run's
own process), the recording written into a temporary
folder, and times every part where the run loop calls it: the simulator
source, each stage (tracking, assessment, alerts, response) and each sink
(counts, evaluation, the response's figures, the recording), and their closing
(the recording's last parts and the run's summary, which the recording asks for
first, with the tracking score); parts that took under 0.05 s are not listed. To reach the parts
the pipeline builds, the run loop's ``run`` is wrapped for the length of the
run; nothing else changes.

Prints the simulated time, the whole run's wall-clock and CPU seconds (of the run's
process and of its second process), its real-time factor against the 1,000x target
(on wall time, and on CPU time, which moves less when other work loads the machine),
each part's wall and main-thread CPU seconds and share (with the tracker in its own
process, the tracking stage's time is the run's wait for its tracks; with the sinks in
theirs, the time to send each window there), the CPU spent on other threads (the
recording's writer) and by the second process, the load average,
the confirmed and coasting tracks at the peak and the tracking score of
``flankwatch run`` (:mod:`flankwatch.scoring`: GOSPA with c = 1000 m, p = 2).

    python benchmarks/night_speed.py [--scenario NAME] [--duration SECONDS] [--sim-alone]
                                     [--one-process]
"""

from __future__ import annotations

import os

# The settings of the `flankwatch` command (one BLAS thread, freed memory kept; see
# flankwatch/process_settings.py), made before NumPy is imported, so that what is measured
# is what the command runs.
from flankwatch.process_settings import apply_process_settings  # noqa: E402

apply_process_settings()

import argparse
import resource
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from arguments import positive_float, scenario_argument

from flankwatch import loop
from flankwatch.loop import Picture, Sink, Source, Stage, Window
from flankwatch.pipeline import RunOptions, run_scenario
from flankwatch.scoring import CUTOFF_M
from flankwatch.sim.engine import Simulation
from flankwatch.sim.truth import TruthBatch

SCENARIO = "mass-raid-2025-09-07"
TARGET_FACTOR = 1000.0

PART_NAMES = {
    "TrackingStage": "tracking",
    "_AheadTrackingStage": "tracking (waiting on its process)",
    "AssessmentStage": "assessment",
    "AlertStage": "alerts",
    "ResponseStage": "response",
    "CountingSink": "counts (sink)",
    "EvaluationSink": "evaluation (sink)",
    "ResponseSink": "response figures (sink)",
    "RecordingSink": "recording (sink)",
    "ProgressSink": "progress (sink)",
    "_ForwardingSink": "alerts and sinks (sent on)",
}


@dataclass
class Clock:
    """Wall and main-thread CPU seconds spent in one part of the run."""

    wall_s: float = 0.0
    cpu_s: float = 0.0

    @contextmanager
    def timing(self) -> Iterator[None]:
        """Add the time spent inside the ``with`` block."""
        wall, cpu = time.perf_counter(), time.thread_time()
        try:
            yield
        finally:
            self.wall_s += time.perf_counter() - wall
            self.cpu_s += time.thread_time() - cpu


@dataclass
class Timings:
    """Every part's clock, in the order the run first called it."""

    parts: dict[str, Clock] = field(default_factory=dict)
    started: tuple[float, float] = (0.0, 0.0)
    """Wall and main-thread CPU clocks when the run started (before its set-up)."""
    plots: int = 0
    windows: int = 0

    def clock(self, name: str) -> Clock:
        """The clock of part ``name`` (made on first use)."""
        return self.parts.setdefault(name, Clock())


class TimedSource:
    """A source whose window production is timed as "simulation"."""

    def __init__(self, source: Source, timings: Timings) -> None:
        self.source = source
        self.info = source.info
        self.timings = timings
        self.clock = timings.clock("simulation")

    def windows(self) -> Iterator[tuple[Window, TruthBatch | None]]:
        windows = self.source.windows()
        while True:
            with self.clock.timing():
                item = next(windows, None)
            if item is None:
                return
            self.timings.plots += len(item[0].plots)
            self.timings.windows += 1
            yield item

    def apply(self, effects: Sequence[Any]) -> None:
        with self.clock.timing():
            self.source.apply(effects)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.source, name)


class TimedStage:
    """A stage with its steps timed."""

    def __init__(self, stage: Stage, clock: Clock) -> None:
        self.stage = stage
        self.clock = clock

    def step(self, picture: Picture, now_s: float, rng: np.random.Generator) -> Picture:
        with self.clock.timing():
            return self.stage.step(picture, now_s, rng)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stage, name)


class TimedSink:
    """A sink with its consuming and its closing timed apart."""

    def __init__(self, sink: Sink, clock: Clock, closing: Clock) -> None:
        self.sink = sink
        self.clock = clock
        self.closing = closing

    def consume(self, picture: Picture, truth: TruthBatch | None) -> None:
        with self.clock.timing():
            self.sink.consume(picture, truth)

    def close(self) -> None:
        with self.closing.timing():
            self.sink.close()

    def abort(self, error: BaseException) -> None:
        self.sink.abort(error)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.sink, name)


def _name(part: object) -> str:
    kind = type(part).__name__
    return PART_NAMES.get(kind, kind)


def _closing(sink: object) -> str:
    if type(sink).__name__ in ("RecordingSink", "_ForwardingSink"):
        return "closing: last parts, summary"
    return f"closing: {_name(sink)}"


@contextmanager
def timed_run_loop(timings: Timings) -> Iterator[None]:
    """Time every part of whatever the run loop runs inside the ``with`` block."""
    original = loop.run

    def run(
        source: Source, stages: Sequence[Stage], sinks: Sequence[Sink], *rest: Any, **named: Any
    ) -> None:
        setup = timings.clock("set-up (source, stages, sinks)")
        setup.wall_s = time.perf_counter() - timings.started[0]
        setup.cpu_s = time.thread_time() - timings.started[1]
        original(
            TimedSource(source, timings),
            [TimedStage(stage, timings.clock(_name(stage))) for stage in stages],
            [
                TimedSink(sink, timings.clock(_name(sink)), timings.clock(_closing(sink)))
                for sink in sinks
            ],
            *rest,
            **named,
        )

    loop.run = run  # type: ignore[assignment]
    try:
        yield
    finally:
        loop.run = original  # type: ignore[assignment]


def children_cpu_s() -> float:
    """User and system CPU seconds of this process's reaped children (its second process)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def simulation_alone(scenario: Any) -> tuple[float, float]:
    """Wall and CPU seconds to run the simulation with nothing downstream."""
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in Simulation(scenario).steps():
        pass
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default=SCENARIO, help="a built-in scenario or a file")
    parser.add_argument("--duration", type=positive_float, help="simulate only the first SECONDS")
    parser.add_argument(
        "--sim-alone",
        action="store_true",
        help="also run the simulation alone in the same process (its real-time factor)",
    )
    parser.add_argument(
        "--one-process",
        action="store_true",
        help="everything in the run's own process (`flankwatch run` uses a second one)",
    )
    args = parser.parse_args()
    scenario, text = scenario_argument(parser, args.scenario, args.duration)

    timings = Timings()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as folder, timed_run_loop(timings):
        wall, cpu, main_cpu = time.perf_counter(), time.process_time(), time.thread_time()
        child_cpu = children_cpu_s()
        timings.started = (wall, main_cpu)
        options = RunOptions(
            tracking_process=not args.one_process, sink_process=not args.one_process
        )
        summary = run_scenario(scenario, text, Path(folder) / "run", options=options)
        wall_s = time.perf_counter() - wall
        own_cpu_s = time.process_time() - cpu
        main_cpu_s = time.thread_time() - main_cpu
        second_cpu_s = children_cpu_s() - child_cpu
        cpu_s = own_cpu_s + second_cpu_s
    load_after = os.getloadavg()[0]

    simulated = scenario.duration_s
    factor, cpu_factor = simulated / wall_s, simulated / cpu_s
    print(
        f"{scenario.name}: {simulated:,.0f} simulated s ({simulated / 3600:.1f} h), "
        f"{timings.windows:,} windows, {timings.plots:,} plots"
    )
    print(
        f"whole run (`flankwatch run`, recorded): {wall_s:6.1f} s wall, {cpu_s:6.1f} s CPU; "
        f"{factor:5.0f}x real time = {factor / TARGET_FACTOR:.2f} x the "
        f"{TARGET_FACTOR:.0f}x target (on CPU time {cpu_factor:5.0f}x = "
        f"{cpu_factor / TARGET_FACTOR:.2f} x)"
    )
    print(f"{'part':>30} {'wall s':>8} {'cpu s':>8} {'share':>6} {'alone':>10}")
    timed = sum(clock.wall_s for clock in timings.parts.values())
    timed_cpu = sum(clock.cpu_s for clock in timings.parts.values())
    rows = [*timings.parts.items(), ("the loop and the rest", None)]
    for name, clock in rows:
        if clock is not None and clock.wall_s < 0.05:
            continue
        part_wall = clock.wall_s if clock else wall_s - timed
        part_cpu = clock.cpu_s if clock else main_cpu_s - timed_cpu
        alone = f"{simulated / part_wall:9,.0f}x" if part_wall > 0 else ""
        print(f"{name:>30} {part_wall:8.1f} {part_cpu:8.1f} {part_wall / wall_s:6.1%} {alone:>10}")
    print(f"{'other threads (CPU)':>30} {'':>8} {own_cpu_s - main_cpu_s:8.1f}")
    if second_cpu_s > 0.05:
        print(f"{'the second process (CPU)':>30} {'':>8} {second_cpu_s:8.1f}")
    print(
        f"load average (1 min) on {os.cpu_count()} cores: {load_before:.1f} at the start, "
        f"{load_after:.1f} at the end"
    )
    if args.sim_alone:
        sim_wall, sim_cpu = simulation_alone(scenario)
        print(
            f"simulation alone (same process, nothing downstream): {sim_wall:6.1f} s wall, "
            f"{sim_cpu:6.1f} s CPU, {simulated / sim_wall:,.0f}x real time"
        )
    print(f"confirmed tracks at the peak: {summary.peak_confirmed_tracks}")
    score = summary.tracking
    if score is not None:
        print(
            f"GOSPA (c = {CUTOFF_M:.0f} m, p = 2, as `flankwatch run` scores it): "
            f"mean {score.gospa_mean_m:.0f} m (localisation {score.localisation_share:.0%}, "
            f"missed {score.missed_share:.0%}, false {score.false_share:.0%}); "
            f"{score.targets} targets, {score.tracks} tracks, {score.id_switches} "
            f"track-number changes, {score.false_tracks} false tracks; of what was seen: "
            f"mean {score.seen_gospa_mean_m:.0f} m, {score.seen_targets} targets"
        )


if __name__ == "__main__":
    main()
