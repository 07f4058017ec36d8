"""The run loop: one source, a list of stages, a list of sinks.

::

    source ──window──▶ stage ▶ stage ▶ stage ──picture──▶ sink, sink, sink
       ▲                                 │
       └───────────── effects ───────────┘

- A :class:`Source` yields time-ordered windows of plots (the simulator, a
  replayed recording, later a live feed). Ground truth, where there is any,
  travels beside the window and only sinks see it (evaluation); stages never do.
- A :class:`Stage` is a pure step on the window's :class:`Picture`: it is
  handed the picture, ``now_s`` (the window's end, s since the run's start)
  and its own seeded generator, and returns the picture with its part added
  (tracks, assessment, alerts, response). A stage that acts on the world adds
  :class:`Effect` values to the picture; the loop hands them back to the
  source (a simulated kill ends the object; own forces in flight are shown to
  the simulated sensors).
- A :class:`Sink` consumes each window's picture (recording, CoT, summary,
  evaluation, progress), and is closed in list order when the source ends, or
  told that the run failed.

Adding a stage or a sink is one class and one line of wiring (see
:mod:`flankwatch.pipeline`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import pyarrow as pa

from flankwatch.alert.base import AlertStep
from flankwatch.assess.assessment import Assessment
from flankwatch.decisions import Decision, DecisionInbox
from flankwatch.deployment import Deployment
from flankwatch.respond.step import NO_RESPONSE, OwnForces, ResponseStep
from flankwatch.sim.truth import TruthBatch
from flankwatch.stream import PlotBatch
from flankwatch.track.output import TrackBatch


@dataclass(frozen=True)
class Window:
    """One window of a source: its index, time span (s since the run's start) and plots."""

    index: int
    t0_s: float
    t1_s: float
    plots: PlotBatch


@dataclass(frozen=True)
class Kill:
    """An effect on the world: whatever the track at this position is, it is destroyed.

    Position in the run's local ENU frame (m) at ``t_s`` (s); a simulated
    source ends the nearest live object within ``radius_m`` of it.
    """

    t_s: float
    track_id: int
    x_m: float
    y_m: float
    z_m: float
    radius_m: float = 500.0
    cause: str = ""


Effect = Kill | OwnForces
"""What a stage may ask of the world: end an object, or show own forces in flight."""


NO_TRACKS = TrackBatch.empty()
"""The tracks of a picture no tracking stage has filled (shared: never changed)."""
NO_ALERTS = AlertStep()
"""The alerts of a picture no alert stage has filled (shared: never changed)."""


@dataclass(frozen=True)
class Picture:
    """What the stages made of one window; each stage adds its part."""

    window: Window
    tracks: TrackBatch = NO_TRACKS
    assessment: Assessment | None = None
    alerts: AlertStep = NO_ALERTS
    response: ResponseStep = NO_RESPONSE
    effects: tuple[Effect, ...] = ()
    decisions: tuple[Decision, ...] = ()
    """The operator decisions that arrived for this window, in arrival order."""
    vetoed: frozenset[int] = frozenset()
    """Tracks an operator vetoed engaging: the response does not engage them."""
    approved: frozenset[int] = frozenset()
    """Tracks an operator approved engaging (before any shot, when the defence asks)."""

    @property
    def now_s(self) -> float:
        """The window's end, s since the run's start: the time the picture is valid at."""
        return self.window.t1_s

    def but(self, **changes: object) -> Picture:
        """This picture with some parts replaced."""
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True)
class SourceInfo:
    """What a source tells the stages and sinks before its first window."""

    name: str
    """The scenario's or recording's name."""
    seed: int
    """Seed of the stages' generators (and of the simulation, for a simulated source)."""
    deployment: Deployment
    sensors: pa.Table
    """One row per sensor: ``sensor_id``, ``name``, ``type``, ``kind``, ``scan_period_s``..."""
    duration_s: float
    """Length of the run, s (``inf`` for a live feed)."""
    batch_s: float
    """Length of a window, s."""
    exercise: bool
    """True for simulated and replayed data: every public alert is marked an exercise."""
    objects: pa.Table | None = None
    """The simulated objects behind the truth, when there is truth (else ``None``)."""
    scenario_text: str = ""
    """The scenario the data was simulated from, if any (kept in recordings)."""
    live: bool = False
    """A live feed: its data comes as it happens and the run may end at any moment (a
    given duration is only its longest), so a recording of it is written in short parts
    and its duration is the time reached."""


class Source(Protocol):
    """A time-ordered stream of plot windows, with ground truth beside them when known."""

    info: SourceInfo

    def windows(self) -> Iterator[tuple[Window, TruthBatch | None]]:
        """Each window in time order, with the truth recorded in it (``None`` if none)."""
        ...

    def apply(self, effects: Sequence[Effect]) -> None:
        """Act on the stages' effects (a simulated source ends destroyed objects)."""
        ...


class Stage(Protocol):
    """A pure step on a window's picture."""

    def step(self, picture: Picture, now_s: float, rng: np.random.Generator) -> Picture:
        """The picture with this stage's part added, at ``now_s`` (s since the run's start)."""
        ...


class Sink(Protocol):
    """Consumes what each window produced."""

    def consume(self, picture: Picture, truth: TruthBatch | None) -> None:
        """Take one window's picture (and its truth, for evaluation sinks only)."""
        ...

    def close(self) -> None:
        """The source has ended: finish (sinks are closed in list order)."""
        ...

    def abort(self, error: BaseException) -> None:
        """The run failed with ``error``: keep what is done, release what is held."""
        ...


class SinkBase:
    """A sink that does nothing at close or on failure unless it says so."""

    def consume(self, picture: Picture, truth: TruthBatch | None) -> None:
        """Take one window's picture (subclasses override)."""

    def close(self) -> None:
        """Nothing to finish."""

    def abort(self, error: BaseException) -> None:
        """Nothing to release."""


def run(
    source: Source,
    stages: Sequence[Stage],
    sinks: Sequence[Sink],
    inbox: DecisionInbox | None = None,
    streams: Sequence[int] | None = None,
) -> None:
    """Drive ``source`` window by window through ``stages`` into ``sinks``.

    Each stage has its own generator: the child ``streams[i]`` of the source's seed
    (``SeedSequence(seed, spawn_key=(streams[i],))``; default: the stage's position), so a
    stage's draws do not depend on the stages before it, and with streams fixed by the
    kind of stage, not on which other stages run either. The decisions waiting in
    ``inbox`` when a window begins are put on its picture, for the stages.
    """
    numbers = range(len(stages)) if streams is None else streams
    if len(numbers) != len(stages) or len(set(numbers)) != len(numbers):
        raise ValueError("one stream per stage, each stage its own")
    seed = source.info.seed
    generators = [
        np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(number,)))
        for number in numbers
    ]
    try:
        for window, truth in source.windows():
            picture = Picture(window, decisions=inbox.take() if inbox is not None else ())
            for stage, rng in zip(stages, generators, strict=True):
                picture = stage.step(picture, window.t1_s, rng)
            if picture.effects:
                source.apply(picture.effects)
            for sink in sinks:
                sink.consume(picture, truth)
    except BaseException as error:
        for sink in sinks:
            sink.abort(error)
        raise
    for sink in sinks:
        sink.close()
