"""The simulator as a source of the run loop.

:class:`SimulationSource` runs a scenario window by window and yields each
window's plots with the window's ground truth beside them; a stage's
:class:`~flankwatch.loop.Kill` effects end the nearest simulated object, so a
simulated engagement changes the rest of the night, and its
:class:`~flankwatch.respond.step.OwnForces` effects put the defence's aircraft
and weapons in flight into the simulated scene from the next window on, where
the sensors see them (see :mod:`flankwatch.sim.own_forces`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np

from flankwatch.loop import Effect, Kill, SourceInfo, Window
from flankwatch.respond.step import OwnForces
from flankwatch.scenario.schema import Scenario
from flankwatch.sim.engine import Simulation
from flankwatch.sim.truth import TruthBatch


class SimulationSource:
    """A scenario simulated as the run goes; see the module docstring."""

    def __init__(self, scenario: Scenario, scenario_text: str = "") -> None:
        self.simulation = Simulation(scenario)
        self.destroyed: list[tuple[float, int, int]] = []
        """Every object a kill ended: (t_s, object id, the track that was engaged)."""
        self.info = SourceInfo(
            name=scenario.name,
            seed=scenario.seed,
            deployment=self.simulation.deployment,
            sensors=self.simulation.sensor_table(),
            duration_s=scenario.duration_s,
            batch_s=scenario.batch_s,
            exercise=True,
            objects=self.simulation.plans.to_arrow(),
            scenario_text=scenario_text,
        )

    def windows(self) -> Iterator[tuple[Window, TruthBatch | None]]:
        """The simulation's windows: plots, and the truth recorded in each."""
        for step in self.simulation.steps():
            yield Window(step.index, step.t0_s, step.t1_s, step.plots), step.truth

    def apply(self, effects: Sequence[Effect]) -> None:
        """End the object nearest each kill's position, within its radius; show own
        forces in flight to the sensors (the last such effect holds), in the given order."""
        for effect in effects:
            if isinstance(effect, OwnForces):
                self.simulation.show_own_forces(effect)
            elif isinstance(effect, Kill):
                point = np.array([[effect.x_m, effect.y_m, effect.z_m]])
                radius = np.array([effect.radius_m])
                ended = self.simulation.destroy_near(effect.t_s, point, radius)
                self.destroyed.extend((effect.t_s, int(i), effect.track_id) for i in ended)
