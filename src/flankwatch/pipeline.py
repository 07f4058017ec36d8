"""The one place that wires a run together: scenario -> simulation -> recording.

:func:`run_scenario` drives the simulation step by step, writes every step's
plots and truth to the recording as it goes, and returns a :class:`RunSummary`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from flankwatch import __version__
from flankwatch.scenario.schema import Scenario
from flankwatch.sim.engine import Simulation
from flankwatch.sim.truth import TRUTH_SCHEMA
from flankwatch.store.recording import RecordingWriter
from flankwatch.stream import PLOT_SCHEMA, PlotKind

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
    categories: list[CategoryCount] = field(default_factory=list)

    def to_dict(self) -> dict:
        """The summary as plain data (for the recording's metadata)."""
        return asdict(self)


def run_scenario(
    scenario: Scenario,
    scenario_text: str,
    out: Path,
    progress: Progress | None = None,
) -> RunSummary:
    """Simulate ``scenario`` and record it in folder ``out``."""
    sim = Simulation(scenario)
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
    with RecordingWriter(out, metadata, scenario_text) as recording:
        recording.write_table("sensors", sim.sensor_table())
        recording.write_table("objects", sim.plans.to_arrow())
        recording.declare("plots", PLOT_SCHEMA)
        recording.declare("truth", TRUTH_SCHEMA)
        for step in sim.steps():
            plots = step.plots
            recording.append("plots", plots.to_arrow(), step.t1_s)
            recording.append("truth", step.truth.to_arrow(), step.t1_s)
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
