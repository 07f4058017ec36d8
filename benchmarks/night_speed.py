"""The whole night tracked: ``mass-raid-2025-09-07`` simulated and tracked end to end.

The run loop of ``flankwatch run`` (:func:`flankwatch.loop.run`) drives the
simulator source through the tracking stage (each sensor's association window
set to its revisit period from the sensor table) into the run's evaluation
sink; the source and the stage are timed where they are called. Prints the
simulated and wall-clock seconds, the real-time factor against the 600x target,
the simulation's own share (its time inside the tracked run, and a run of the
simulation alone in the same process),
the number of tracks held at the peak, and the tracking score as ``flankwatch
run`` computes it (:mod:`flankwatch.scoring`: GOSPA with c = 1000 m, p = 2, of
the confirmed and coasting tracks against the objects some sensor saw in the
last 60 s and every threat inside the watched airspace; and of what was seen).

    python benchmarks/night_speed.py [--duration SECONDS] [--bearing-group-s SECONDS]
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from collections.abc import Iterator

import numpy as np

from flankwatch import loop
from flankwatch.loop import Picture, SinkBase, SourceInfo, Window
from flankwatch.scenario.loader import load_scenario
from flankwatch.scoring import CUTOFF_M
from flankwatch.sim.engine import Simulation
from flankwatch.sim.source import SimulationSource
from flankwatch.sim.truth import TruthBatch
from flankwatch.stages import TrackingStage
from flankwatch.summary import EvaluationSink
from flankwatch.track.output import TrackStatus
from flankwatch.track.settings import TrackerSettings, settings_from_assignments
from flankwatch.track.tracker import build_tracker

SCENARIO = "mass-raid-2025-09-07"
TARGET_FACTOR = 600.0


def simulation_alone(scenario) -> float:
    """Wall seconds to run the simulation with nothing downstream."""
    started = time.perf_counter()
    for _ in Simulation(scenario).steps():
        pass
    return time.perf_counter() - started


class TimedSource:
    """The simulator source, with the time spent producing its windows summed."""

    def __init__(self, source: SimulationSource) -> None:
        self.source = source
        self.info: SourceInfo = source.info
        self.seconds = 0.0

    def windows(self) -> Iterator[tuple[Window, TruthBatch | None]]:
        windows = self.source.windows()
        while True:
            began = time.perf_counter()
            item = next(windows, None)
            self.seconds += time.perf_counter() - began
            if item is None:
                return
            yield item

    def apply(self, effects) -> None:
        self.source.apply(effects)


class TimedStage:
    """A stage with the time spent in it summed."""

    def __init__(self, stage: TrackingStage) -> None:
        self.stage = stage
        self.seconds = 0.0

    def step(self, picture: Picture, now_s: float, rng: np.random.Generator) -> Picture:
        began = time.perf_counter()
        picture = self.stage.step(picture, now_s, rng)
        self.seconds += time.perf_counter() - began
        return picture


class Peak(SinkBase):
    """Plots seen and the most confirmed and coasting tracks held at once."""

    def __init__(self) -> None:
        self.plots, self.held, self.at_s = 0, 0, 0.0

    def consume(self, picture: Picture, truth: TruthBatch | None) -> None:
        self.plots += len(picture.window.plots)
        status = picture.tracks.status
        held = int(np.isin(status, (TrackStatus.CONFIRMED, TrackStatus.COASTING)).sum())
        if held > self.held:
            self.held, self.at_s = held, picture.now_s


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

    source = TimedSource(SimulationSource(scenario))
    settings = settings_from_assignments(args.set)
    tracker = build_tracker(dataclasses.replace(settings, bearing_group_s=args.bearing_group_s))
    stage = TimedStage(TrackingStage(tracker, source.info.sensors))
    assert source.info.objects is not None
    evaluation = EvaluationSink(source.info.objects, source.info.deployment)
    peak = Peak()
    started = time.perf_counter()
    loop.run(source, [stage], [evaluation, peak])
    loop_s = time.perf_counter() - started
    sim_s, track_s = source.seconds, stage.seconds
    total_s = sim_s + track_s
    score = evaluation.scorer.score()
    n_plots = peak.plots

    simulated = scenario.duration_s
    factor = simulated / total_s
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
    print(f"  the loop and scoring outside the timed calls: {loop_s - total_s:.1f} s")
    print(f"confirmed and coasting tracks at the peak: {peak.held} (t = {peak.at_s:,.0f} s)")
    print(
        f"GOSPA (c = {CUTOFF_M:.0f} m, p = 2, as `flankwatch run` scores it): "
        f"mean {score.gospa_mean_m:.0f} m (localisation {score.localisation_share:.0%}, "
        f"missed {score.missed_share:.0%}, false {score.false_share:.0%}); "
        f"{score.targets} targets, {score.tracks} tracks, {score.id_switches} track-number "
        f"changes, {score.false_tracks} false tracks; of what was seen: mean "
        f"{score.seen_gospa_mean_m:.0f} m, {score.seen_targets} targets"
    )


if __name__ == "__main__":
    main()
