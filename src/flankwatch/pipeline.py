"""The one place that wires a run: a source, the standard stages, the sinks.

::

    SimulationSource | ReplaySource
        -> TrackingStage -> AssessmentStage (inside an OperatorStage, with a decision inbox)
        -> ResponseStage (with a defence) -> AlertStage (its kills end warnings)
        -> CountingSink, EvaluationSink (with truth), ResponseSink (with a defence),
           CotSink (--cot), progress, RecordingSink (with a folder)

:func:`execute` runs any source through the standard stages and returns the
run's summary; :func:`run_scenario` simulates a scenario and :func:`replay`
replays a recording. A run with no folder writes nothing (for studies). A second process
may take the tracker, windows ahead, where nothing acts on the source
(:attr:`RunOptions.tracking_process`), or else the alerts and the sinks
(:attr:`RunOptions.sink_process`); neither changes the run's outputs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from flankwatch import loop
from flankwatch.alert import AlertEngine
from flankwatch.assess.assessor import build_assessor
from flankwatch.decisions import DecisionInbox
from flankwatch.io.asterix_sink import DEFAULT_SAC, DEFAULT_SIC
from flankwatch.loop import Picture, Sink, SinkBase, Source, SourceInfo, Stage
from flankwatch.operator import OperatorStage
from flankwatch.processes import usable_cores
from flankwatch.respond.catalogue import effector_catalogue
from flankwatch.respond.policy import Policy, load_policy
from flankwatch.respond.stage import ResponseStage
from flankwatch.run_sinks import RunSinks, alert_engine
from flankwatch.scenario.schema import Scenario
from flankwatch.sim.source import SimulationSource
from flankwatch.sim.truth import TruthBatch
from flankwatch.sink_process import SinksApart
from flankwatch.stages import AlertStage, AssessmentStage, TrackingStage
from flankwatch.store.replay import ReplaySource
from flankwatch.summary import RunSummary
from flankwatch.track.settings import TrackerSettings
from flankwatch.track.tracker import build_tracker
from flankwatch.tracking_process import TrackingAhead

Progress = Callable[[float], None]
"""Called after each window with the time reached, s since the run's start."""


@dataclass(frozen=True)
class RunOptions:
    """How to run: tracker settings, rule files, a CoT endpoint, replacing a recording,
    the response policy."""

    tracker: TrackerSettings | None = None
    identity_rules: Path | None = None
    alert_rules: Path | None = None
    cot_url: str | None = None
    force: bool = False
    """Replace an existing recording in the output folder (never anything else)."""
    policy: str | Policy | None = None
    """Response policy: a built-in name, a policy file or a policy already loaded (default:
    the defence's own)."""
    asterix_url: str | None = None
    """Send each window's tracks as ASTERIX CAT062 to this ``udp://HOST:PORT``."""
    asterix_sac: int = DEFAULT_SAC
    """System area code of those CAT062 records."""
    asterix_sic: int = DEFAULT_SIC
    """System identification code of those CAT062 records."""
    response_only: bool = False
    """Study runs: no alert stage and no tracking score; only what the response and its
    figures need (tracks, assessment, response)."""
    sink_process: bool = False
    """Alert, count, evaluate, record and stream in a process of their own
    (:mod:`flankwatch.sink_process`) with 2 cores or more, where the tracker has no process
    of its own (two processes keep two cores busy; a third only slows them) and nothing in
    the run's own process needs the alerts (no operator decisions, no sinks of the
    caller's, not a study's run). The outputs are the same either way."""
    tracking_process: bool = False
    """Track in a process of its own, windows ahead of the rest of the run
    (:mod:`flankwatch.tracking_process`), where that cannot change the run: with 2 cores or
    more, for a replay or a simulation with no response stage (nothing then acts on the
    source's windows). The outputs are the same either way."""


TRACKING, ASSESSMENT, ALERTS, RESPONSE = range(4)
"""The standard stages' random streams (children of the run's seed, see
:func:`flankwatch.loop.run`): fixed by the kind of stage, so that a stage draws the same
numbers whichever others run (a study's runs leave the alerts out, and a run of a
scenario with a defence, recorded or not, resolves the same shots)."""


def standard_stages(
    info: SourceInfo,
    options: RunOptions,
    alerts: AlertEngine | None,
    decisions: bool = False,
) -> dict[int, Stage]:
    """Tracker, assessment, (when the deployment has a defence) the response and, with the
    alert engine ``alerts``, the alerts for the source's deployment, in order (the alerts
    see the window's kills), each by its random stream. With ``decisions``, operator
    decisions are applied around the assessment (:class:`OperatorStage`).

    Raises ``ValueError`` for a policy given to a deployment with no defence.
    """
    tracker = build_tracker(options.tracker)
    assessor = build_assessor(info.deployment, rules_path=options.identity_rules)
    assessment = AssessmentStage(assessor)
    stages: dict[int, Stage] = {
        TRACKING: TrackingStage(tracker, info.sensors),
        ASSESSMENT: OperatorStage(assessment) if decisions else assessment,
    }
    defence = info.deployment.defence
    if defence is not None:
        chosen = options.policy or defence.policy
        policy = (
            chosen
            if isinstance(chosen, Policy)
            else load_policy(chosen, effector_catalogue(defence.catalogue))
        )
        stages[RESPONSE] = ResponseStage(info.deployment, policy)
    elif options.policy is not None:
        raise ValueError(
            f"{info.name}: has no defence (no `defence:` section), so no policy can apply"
        )
    if alerts is not None:
        stages[ALERTS] = AlertStage(alerts)
    return stages


def execute(
    source: Source,
    out: Path | None,
    options: RunOptions | None = None,
    progress: Progress | None = None,
    metadata: dict[str, Any] | None = None,
    inbox: DecisionInbox | None = None,
    extra_sinks: Sequence[Sink] = (),
) -> RunSummary:
    """Run ``source`` through the standard stages; record it into ``out`` unless it is None.

    Operator decisions submitted to ``inbox`` enter the run at the next window;
    ``extra_sinks`` consume each window after the standard sinks. With 2 cores or more,
    a second process takes the tracker (:attr:`RunOptions.tracking_process`) or else the
    alerts and sinks (:attr:`RunOptions.sink_process`), as asked and where it can.
    """
    options = options or RunOptions()
    info = source.info
    before = [ProgressSink(progress)] if progress is not None else []
    ahead = _tracks_ahead(source, options)
    if not ahead and _sinks_apart(options, inbox, extra_sinks):
        stages = standard_stages(info, options, None)
        with SinksApart(info, options, out, metadata, ALERTS) as apart:
            loop.run(source, list(stages.values()), [apart.sink(), *before], streams=list(stages))
        assert apart.summary is not None, "the sinks' process sends the summary at the end"
        return apart.summary
    engine = alert_engine(info, options)
    stages = standard_stages(
        info, options, None if options.response_only else engine, decisions=inbox is not None
    )
    sinks = RunSinks(info, options, engine, out, metadata)
    try:
        with _tracking(source, stages, options, ahead) as (run_source, run_stages):
            every = sinks.ordered(before, extra_sinks)
            loop.run(run_source, list(run_stages.values()), every, inbox, list(run_stages))
    finally:
        sinks.release()
    return sinks.summary()


def _tracks_ahead(source: Source, options: RunOptions) -> bool:
    """Whether the tracker goes to a process of its own, windows ahead (see
    :attr:`RunOptions.tracking_process`): asked, with 2 cores or more, and nothing acts on
    the source's windows (a replay, or a simulation with no defence)."""
    unacted = isinstance(source, ReplaySource) or (
        isinstance(source, SimulationSource) and source.info.deployment.defence is None
    )
    return options.tracking_process and unacted and usable_cores() >= 2


def _sinks_apart(
    options: RunOptions, inbox: DecisionInbox | None, extra_sinks: Sequence[Sink]
) -> bool:
    """Whether the alerts and sinks go to a process of their own (see
    :attr:`RunOptions.sink_process`): asked, with 2 cores or more, and nothing in this
    process (operator decisions, the caller's own sinks) needs the window's alerts."""
    return (
        options.sink_process
        and inbox is None
        and not extra_sinks
        and not options.response_only
        and usable_cores() >= 2
    )


@contextmanager
def _tracking(
    source: Source, stages: dict[int, Stage], options: RunOptions, ahead: bool
) -> Iterator[tuple[Source, dict[int, Stage]]]:
    """``source`` and ``stages`` as they are, or, ``ahead``, with the tracker in a process
    of its own windows ahead (see :attr:`RunOptions.tracking_process`)."""
    if not ahead:
        yield source, stages
        return
    sensors = source.info.sensors
    with TrackingAhead(
        options.tracker,
        np.asarray(sensors.column("sensor_id")),
        np.asarray(sensors.column("scan_period_s")),
    ) as tracking:
        yield tracking.source(source), {**stages, TRACKING: tracking.stage()}


def run_scenario(
    scenario: Scenario,
    scenario_text: str,
    out: Path | None,
    progress: Progress | None = None,
    options: RunOptions | None = None,
    inbox: DecisionInbox | None = None,
    extra_sinks: Sequence[Sink] = (),
) -> RunSummary:
    """Simulate, track, assess and alert ``scenario``; record it in ``out`` (if given).

    ``inbox`` and ``extra_sinks`` as in :func:`execute`.
    """
    source = SimulationSource(scenario, scenario_text)
    return execute(source, out, options, progress, inbox=inbox, extra_sinks=extra_sinks)


def replay(
    recording: Path,
    out: Path | None,
    progress: Progress | None = None,
    options: RunOptions | None = None,
) -> RunSummary:
    """Run a recording's plots through the stages again; record it in ``out`` (if given)."""
    source = ReplaySource(recording)
    return execute(source, out, options, progress, metadata={"replay_of": str(recording)})


class ProgressSink(SinkBase):
    """Reports the time reached after each window."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress

    def consume(self, picture: Picture, truth: TruthBatch | None) -> None:
        """Report ``now_s``."""
        self.progress(picture.now_s)
