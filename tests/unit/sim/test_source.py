"""The simulator as a run-loop source: windows with truth beside them; kills end objects."""

from __future__ import annotations

import numpy as np

from flankwatch import loop
from flankwatch.loop import Kill, Picture, SinkBase
from flankwatch.sim.source import SimulationSource
from flankwatch.sim.truth import TruthBatch

SITE = (52.05, 22.05)


def _scenario(
    make_scenario,
    base_scenario,
    probe_threat,
    count: int = 2,
    end: tuple[float, float] = (52.05, 22.2),
    **changes,
):
    """``count`` probes launched together at ``SITE`` flying east to ``end``; ``changes`` to
    the scenario's fields (300 s by default)."""
    data = {
        **base_scenario,
        "duration_s": 300.0,
        "catalogue": {"threats": {"probe": probe_threat}},
        "raids": [
            {
                "name": "p",
                "threat": "probe",
                "count": count,
                "launch": list(SITE),
                "interval_s": 0,
                "route": [
                    {"at": [52.05, 22.06], "alt_m": 100.0},
                    {"at": list(end), "alt_m": 100.0},
                ],
            }
        ],
        **changes,
    }
    return make_scenario(data)


class Collect(SinkBase):
    def __init__(self) -> None:
        self.truth: list[TruthBatch] = []
        self.truth_ids: list[np.ndarray] = []

    def consume(self, picture: Picture, truth: TruthBatch | None) -> None:
        assert truth is not None
        self.truth.append(truth)
        self.truth_ids.append(picture.window.plots.truth_id)


class KillAt:
    """Kills whatever flies at ``enu_m`` once, in the window ending at ``t_s``."""

    def __init__(self, enu_m: np.ndarray, t_s: float) -> None:
        self.enu_m, self.t_s = enu_m, t_s

    def step(self, picture: Picture, now_s: float, rng: np.random.Generator) -> Picture:
        if now_s != self.t_s:
            return picture
        x, y, z = self.enu_m
        return picture.but(effects=(Kill(now_s, 1, x, y, z, radius_m=200.0),))


def test_a_kill_ends_the_object_and_its_plots(make_scenario, base_scenario, probe_threat) -> None:
    scenario = _scenario(make_scenario, base_scenario, probe_threat)
    reference = SimulationSource(scenario)
    site = reference.simulation.frame.geodetic_to_enu(*SITE, 100.0)
    source = SimulationSource(scenario)
    sink = Collect()
    loop.run(source, [KillAt(np.asarray(site), 100.0)], [sink])

    assert [object_id for _, object_id, _ in source.destroyed] == [0]
    truth = TruthBatch.concat(sink.truth)
    ended = truth.take(truth.ended & (truth.object_id == 0))
    assert len(ended) == 1 and ended.t_s[0] == 100.0
    assert not np.any(truth.t_s[truth.object_id == 0] > 100.0)
    assert np.any(truth.t_s[truth.object_id == 1] > 100.0)  # the other one flies on
    later = np.concatenate(sink.truth_ids[20:])
    assert 0 not in later and 1 in later


def test_a_kill_with_nothing_near_changes_nothing(
    make_scenario, base_scenario, probe_threat
) -> None:
    scenario = _scenario(make_scenario, base_scenario, probe_threat)
    source = SimulationSource(scenario)
    plain = Collect()
    loop.run(SimulationSource(scenario), [], [plain])
    missed = Collect()
    loop.run(source, [KillAt(np.array([50_000.0, 0.0, 0.0]), 100.0)], [missed])
    assert source.destroyed == []
    before, after = TruthBatch.concat(plain.truth), TruthBatch.concat(missed.truth)
    for column in TruthBatch.column_names():
        assert np.array_equal(getattr(before, column), getattr(after, column)), column


def _fast_scenario(make_scenario, base_scenario, probe_threat):
    """One object at 250 m/s (a cruise missile's speed), its truth every second."""
    fast = {**probe_threat, "speed_mps": [250.0, 250.0]}
    return _scenario(
        make_scenario,
        base_scenario,
        fast,
        count=1,
        end=(52.05, 23.5),
        duration_s=200.0,
        truth_period_s=1.0,
    )


class KillWhere:
    """In the window ending at ``end_s``, kills at ``t_s`` whatever flies at ``enu_m``."""

    def __init__(self, enu_m: np.ndarray, t_s: float, end_s: float) -> None:
        self.enu_m, self.t_s, self.end_s = enu_m, t_s, end_s

    def step(self, picture: Picture, now_s: float, rng: np.random.Generator) -> Picture:
        if now_s != self.end_s:
            return picture
        x, y, z = self.enu_m
        return picture.but(effects=(Kill(self.t_s, 1, x, y, z, radius_m=300.0),))


def test_a_kill_inside_the_window_finds_the_object_where_it_was_then(
    make_scenario, base_scenario, probe_threat
) -> None:
    scenario = _fast_scenario(make_scenario, base_scenario, probe_threat)
    assert scenario.batch_s == 5.0
    flown = Collect()
    loop.run(SimulationSource(scenario), [], [flown])
    truth = TruthBatch.concat(flown.truth)

    def where(t_s: float) -> np.ndarray:
        row = np.flatnonzero((truth.object_id == 0) & (truth.t_s == t_s))[0]
        return np.array([truth.x_m[row], truth.y_m[row], truth.z_m[row]])

    # killed 4 s before the window's end, 1 km before where it is at the end
    assert np.linalg.norm(where(100.0) - where(96.0)) > 900.0
    source = SimulationSource(scenario)
    sink = Collect()
    loop.run(source, [KillWhere(where(96.0), 96.0, 100.0)], [sink])
    assert [(t_s, object_id) for t_s, object_id, _ in source.destroyed] == [(96.0, 0)]
    after = TruthBatch.concat(sink.truth)
    last = after.take(after.ended & (after.object_id == 0))
    assert len(last) == 1 and last.t_s[0] == 96.0 and bool(last.destroyed[0])
    ended_at = np.array([last.x_m[0], last.y_m[0], last.z_m[0]])
    assert np.linalg.norm(ended_at - where(96.0)) < 1.0

    # the same kill time at the window's end position: nothing was there then
    missed = SimulationSource(scenario)
    loop.run(missed, [KillWhere(where(100.0), 96.0, 100.0)], [Collect()])
    assert missed.destroyed == []
