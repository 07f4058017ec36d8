"""A whole simulated run of a scenario, kept for tests that look at its plots and truth."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from flankwatch.scenario.schema import Scenario
from flankwatch.sim.engine import SimStep, Simulation
from flankwatch.sim.truth import TruthBatch
from flankwatch.stream import PlotBatch


@dataclass
class Run:
    """A whole simulated run: its simulation, windows, plots and truth."""

    sim: Simulation
    steps: list[SimStep]
    plots: PlotBatch
    truth: TruthBatch

    def object_id(self, group: str) -> int:
        """The object of a one-object raid."""
        (found,) = np.flatnonzero(self.sim.plans.group == group)
        return int(found)

    def truth_at(self, object_id: np.ndarray, t_s: np.ndarray) -> np.ndarray:
        """True local ENU positions (m, (n, 3)) of objects at times, interpolated linearly."""
        out = np.full((len(t_s), 3), np.nan)
        for obj in np.unique(object_id):
            mine = self.truth.object_id == obj
            order = np.argsort(self.truth.t_s[mine])
            times = self.truth.t_s[mine][order]
            rows = object_id == obj
            for axis, name in enumerate(("x_m", "y_m", "z_m")):
                values = getattr(self.truth, name)[mine][order]
                out[rows, axis] = np.interp(t_s[rows], times, values, left=np.nan, right=np.nan)
        return out

    def truth_alt_at(self, object_id: np.ndarray, t_s: np.ndarray) -> np.ndarray:
        """True heights (m) of objects at times, interpolated linearly."""
        out = np.full(len(t_s), np.nan)
        for obj in np.unique(object_id):
            mine = self.truth.object_id == obj
            order = np.argsort(self.truth.t_s[mine])
            rows = object_id == obj
            out[rows] = np.interp(
                t_s[rows], self.truth.t_s[mine][order], self.truth.alt_m[mine][order]
            )
        return out


def simulate(scenario: Scenario) -> Run:
    """Run ``scenario`` to its end, every window kept."""
    sim = Simulation(scenario)
    steps = list(sim.steps())
    plots = PlotBatch.concat([step.plots for step in steps])
    truth = TruthBatch.concat([step.truth for step in steps])
    return Run(sim, steps, plots, truth)
