"""Radars observing together in one pass give the plots each gives alone."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from flankwatch.scenario.loader import load_scenario, with_changes
from flankwatch.sim.engine import Simulation
from flankwatch.sim.sensors.base import Scene
from flankwatch.stream import PlotBatch, PlotColumns


def _one_by_one(self: Simulation, scene: Scene) -> Iterator[PlotColumns]:
    """Every sensor on watch observing on its own, as before radars were grouped."""
    for sensor in self._on_watch(scene.t0_s, scene.t1_s):
        yield from sensor.observe(scene)


def _plots(grouped: bool, monkeypatch: pytest.MonkeyPatch) -> list[PlotBatch]:
    scenario, _ = load_scenario("poland-2025-09-10")
    scenario = with_changes(scenario, "poland", duration_s=900.0)
    with monkeypatch.context() as patch:
        if not grouped:
            patch.setattr(Simulation, "_observe", _one_by_one)
        return [step.plots for step in Simulation(scenario).steps()]


def test_radars_observing_together_give_the_plots_of_each_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    together, alone = _plots(True, monkeypatch), _plots(False, monkeypatch)
    assert sum(len(batch) for batch in together) > 1000
    assert len(together) == len(alone)
    for a, b in zip(together, alone, strict=True):
        for name in PlotBatch.column_names():
            np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
