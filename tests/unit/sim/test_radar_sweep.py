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


def test_a_windows_radars_are_where_their_poses_put_them() -> None:
    """Fixed radars placed once and orbiting ones moved each window, with each beam's
    azimuth at the window's start, as each radar alone gives them."""
    from flankwatch.sim.sensors.base import FixedPose
    from flankwatch.sim.sensors.radar import Radar
    from flankwatch.sim.sensors.radar_sweep import RadarGroup

    scenario, _ = load_scenario("poland-2025-09-10")
    simulation = Simulation(with_changes(scenario, "poland", duration_s=120.0))
    radars = tuple(sensor for sensor in simulation.sensors if isinstance(sensor, Radar))
    group = RadarGroup(radars)
    assert any(not isinstance(radar.pose, FixedPose) for radar in radars)
    for step in simulation.steps():
        scene = simulation._last_scene
        assert scene is not None
        window = group._window(scene)
        for j, radar in enumerate(radars):
            (start, turn), (end, _) = radar.pose.at(scene.t0_s), radar.pose.at(scene.t1_s)
            np.testing.assert_array_equal(window.position0_m[j], start)
            np.testing.assert_array_equal(window.position1_m[j], end)
            assert window.turns[j] is turn
            assert window.beam0_rad[j] == radar.beam_azimuth(scene.t0_s)
            moved = 0.0 if end is start else float(np.linalg.norm(end - start))
            assert window.reach_m[j] == radar.spec.range_m + scene.max_travel_m + moved
        assert step.t1_s > step.t0_s
