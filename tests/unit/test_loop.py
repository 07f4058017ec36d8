"""The run loop: windows through stages into sinks, effects back to the source."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from flankwatch import loop
from flankwatch.deployment import Deployment, Origin
from flankwatch.loop import Kill, Picture, SinkBase, SourceInfo, Window
from flankwatch.sim.truth import TruthBatch
from flankwatch.stream import PlotBatch

DEPLOYMENT = Deployment(
    name="test", start="2025-09-10T00:00:00+00:00", origin=Origin(lat=52.0, lon=22.0)
)


class ListSource:
    """Three empty windows of 5 s; keeps the effects it is handed."""

    def __init__(self, seed: int = 1) -> None:
        self.info = SourceInfo(
            name="list",
            seed=seed,
            deployment=DEPLOYMENT,
            sensors=pa.table({"sensor_id": [0], "scan_period_s": [5.0]}),
            duration_s=15.0,
            batch_s=5.0,
            exercise=True,
        )
        self.applied: list[tuple[float, Kill]] = []
        self.now_s = 0.0

    def windows(self) -> Iterator[tuple[Window, TruthBatch | None]]:
        for k in range(3):
            self.now_s = 5.0 * (k + 1)
            yield Window(k, 5.0 * k, self.now_s, PlotBatch.empty()), None

    def apply(self, effects: Sequence[Kill]) -> None:
        self.applied.extend((self.now_s, effect) for effect in effects)


class Recorder(SinkBase):
    def __init__(self) -> None:
        self.pictures: list[Picture] = []
        self.closed = False
        self.failed: BaseException | None = None

    def consume(self, picture: Picture, truth: TruthBatch | None) -> None:
        self.pictures.append(picture)

    def close(self) -> None:
        self.closed = True

    def abort(self, error: BaseException) -> None:
        self.failed = error


class Draws:
    """A stage that notes ``now_s`` and one draw of its generator per window."""

    def __init__(self) -> None:
        self.seen: list[tuple[float, float]] = []

    def step(self, picture: Picture, now_s: float, rng: np.random.Generator) -> Picture:
        self.seen.append((now_s, float(rng.random())))
        return picture


class Shoots:
    """A stage that asks for one kill in the second window."""

    def step(self, picture: Picture, now_s: float, rng: np.random.Generator) -> Picture:
        if picture.window.index == 1:
            return picture.but(effects=(Kill(now_s, 7, 1.0, 2.0, 3.0),))
        return picture


class Fails:
    def step(self, picture: Picture, now_s: float, rng: np.random.Generator) -> Picture:
        if picture.window.index == 2:
            raise RuntimeError("broken stage")
        return picture


def test_every_window_goes_through_the_stages_in_order_into_every_sink() -> None:
    draws, first, second = Draws(), Recorder(), Recorder()
    loop.run(ListSource(), [draws], [first, second])
    assert [now for now, _ in draws.seen] == [5.0, 10.0, 15.0]
    assert [p.now_s for p in first.pictures] == [5.0, 10.0, 15.0]
    assert first.pictures == second.pictures
    assert first.closed and second.closed


def test_effects_reach_the_source_after_their_window() -> None:
    source = ListSource()
    sink = Recorder()
    loop.run(source, [Shoots()], [sink])
    assert source.applied == [(10.0, Kill(10.0, 7, 1.0, 2.0, 3.0))]
    assert sink.pictures[1].effects and not sink.pictures[2].effects


def test_each_stage_has_its_own_seeded_generator() -> None:
    alone, with_another, other_seed = Draws(), Draws(), Draws()
    loop.run(ListSource(seed=1), [alone], [])
    loop.run(ListSource(seed=1), [Draws(), with_another], [])
    loop.run(ListSource(seed=2), [other_seed], [])
    again = Draws()
    loop.run(ListSource(seed=1), [again], [])
    assert again.seen == alone.seen
    assert with_another.seen != alone.seen  # the second stage draws from its own stream
    assert other_seed.seen != alone.seen


def test_a_stage_draws_from_the_stream_given_whichever_stages_run_before_it() -> None:
    fourth = Draws()
    loop.run(ListSource(seed=1), [Draws(), Draws(), Draws(), fourth], [])
    alone = Draws()
    loop.run(ListSource(seed=1), [alone], [], streams=[3])
    assert alone.seen == fourth.seen
    with pytest.raises(ValueError, match="one stream per stage"):
        loop.run(ListSource(seed=1), [Draws(), Draws()], [], streams=[0, 0])
    with pytest.raises(ValueError, match="one stream per stage"):
        loop.run(ListSource(seed=1), [Draws()], [], streams=[0, 1])


def test_a_failing_stage_aborts_every_sink_and_raises() -> None:
    sink = Recorder()
    with pytest.raises(RuntimeError, match="broken stage"):
        loop.run(ListSource(), [Fails()], [sink])
    assert isinstance(sink.failed, RuntimeError) and not sink.closed
    assert len(sink.pictures) == 2


def test_a_run_without_a_recording_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, make_scenario, base_scenario
) -> None:
    from flankwatch.pipeline import run_scenario

    monkeypatch.chdir(tmp_path)
    summary = run_scenario(make_scenario({**base_scenario, "duration_s": 120.0}), "", None)
    assert summary.batches == 24 and summary.simulated_s == 120.0
    assert list(tmp_path.iterdir()) == []
