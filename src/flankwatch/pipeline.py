"""The one place that wires a run together: scenario -> simulation -> tracker -> recording.

:func:`run_scenario` drives the simulation window by window, tracks every
window's plots, writes plots, truth and tracks to the recording as it goes,
scores the tracks against the truth, and returns a :class:`RunSummary`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from flankwatch import __version__
from flankwatch.scenario.schema import Scenario
from flankwatch.scoring import RunScorer, TrackingScore
from flankwatch.sim.engine import Simulation
from flankwatch.sim.truth import TRUTH_SCHEMA
from flankwatch.store.recording import RecordingWriter
from flankwatch.stream import PLOT_SCHEMA, PlotKind
from flankwatch.track import TRACK_SCHEMA, TrackerSettings, build_tracker
from flankwatch.track.output import TrackStatus

Progress = Callable[[float], None]
"""Called after each step with the simulated time reached, s."""


@dataclass(frozen=True)
class CategoryCount:
    """What happened to the objects of one category during a run."""

    category: str
    objects: int
    launched: int
    detected: int
    median_detection_delay_s: float | None


@dataclass(frozen=True)
class RunSummary:
    """A run's figures: what flew, what was seen, how many plots of each kind."""

    scenario: str
    seed: int
    simulated_s: float
    batches: int
    plots: dict[str, int]
    false_plots: int
    tracking: TrackingScore
    peak_confirmed_tracks: int
    categories: list[CategoryCount] = field(default_factory=list)

    def to_dict(self) -> dict:
        """The summary as plain data (for the recording's metadata)."""
        return asdict(self)


def run_scenario(
    scenario: Scenario,
    scenario_text: str,
    out: Path,
    progress: Progress | None = None,
    tracker_settings: TrackerSettings | None = None,
) -> RunSummary:
    """Simulate and track ``scenario`` and record it in folder ``out``."""
    sim = Simulation(scenario)
    tracker = build_tracker(tracker_settings)
    scorer = RunScorer(len(sim.plans))
    metadata = {
        "flankwatch_version": __version__,
        "scenario": scenario.name,
        "seed": scenario.seed,
        "start": scenario.start.isoformat(),
        "duration_s": scenario.duration_s,
        "step_s": scenario.step_s,
        "frame": {
            "lat_deg": sim.frame.lat_deg,
            "lon_deg": sim.frame.lon_deg,
            "alt_m": sim.frame.alt_m,
        },
    }
    first_seen_s = np.full(len(sim.plans), np.inf)
    plots_by_kind = {kind.name.lower(): 0 for kind in PlotKind}
    false_plots = 0
    batches = 0
    simulated_s = 0.0
    peak_confirmed = 0
    with RecordingWriter(out, metadata, scenario_text) as recording:
        recording.write_table("sensors", sim.sensor_table())
        recording.write_table("objects", sim.plans.to_arrow())
        recording.declare("plots", PLOT_SCHEMA)
        recording.declare("truth", TRUTH_SCHEMA)
        recording.declare("tracks", TRACK_SCHEMA)
        for step in sim.steps():
            plots = step.plots
            tracks = tracker.step(plots, now_s=step.t1_s)
            scorer.add(plots, step.truth, tracks, step.t1_s)
            recording.append("plots", plots.to_arrow(), step.t1_s)
            recording.append("truth", step.truth.to_arrow(), step.t1_s)
            recording.append("tracks", tracks.to_arrow(), step.t1_s)
            confirmed = int(np.sum(tracks.status == TrackStatus.CONFIRMED))
            peak_confirmed = max(peak_confirmed, confirmed)
            seen = plots.truth_id >= 0
            np.minimum.at(first_seen_s, plots.truth_id[seen], plots.t_s[seen])
            false_plots += int((~seen).sum())
            for kind in PlotKind:
                plots_by_kind[kind.name.lower()] += int((plots.kind == kind).sum())
            batches += 1
            simulated_s = step.t1_s
            if progress is not None:
                progress(step.t1_s)
        summary = RunSummary(
            scenario=scenario.name,
            seed=scenario.seed,
            simulated_s=simulated_s,
            batches=batches,
            plots=plots_by_kind,
            false_plots=false_plots,
            tracking=scorer.score(),
            peak_confirmed_tracks=peak_confirmed,
            categories=_categories(sim, first_seen_s),
        )
        recording.close(summary.to_dict())
    return summary


def _categories(sim: Simulation, first_seen_s: np.ndarray) -> list[CategoryCount]:
    plans = sim.plans
    launched = sim.kinematics.launched
    counts = []
    for category in sorted(set(plans.category)):
        mine = plans.category == category
        seen = mine & np.isfinite(first_seen_s)
        delays = first_seen_s[seen] - plans.launch_t_s[seen]
        counts.append(
            CategoryCount(
                category=str(category),
                objects=int(mine.sum()),
                launched=int((mine & launched).sum()),
                detected=int(seen.sum()),
                median_detection_delay_s=float(np.median(delays)) if len(delays) else None,
            )
        )
    return counts
