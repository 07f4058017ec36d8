"""The one place that wires a run: a source, the standard stages, the sinks.

::

    SimulationSource | ReplaySource
        -> TrackingStage -> AssessmentStage (inside an OperatorStage, with a decision inbox)
        -> ResponseStage (with a defence) -> AlertStage (its kills end warnings)
        -> CountingSink, EvaluationSink (with truth), ResponseSink (with a defence),
           CotSink (--cot), progress, RecordingSink (with a folder)

:func:`execute` runs any source through the standard stages and returns the
run's summary; :func:`run_scenario` simulates a scenario and :func:`replay`
replays a recording. A run with no folder writes nothing (for studies). Where it cannot
change the run, the tracker may work in a process of its own, a few windows ahead
(:attr:`RunOptions.tracking_process`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from flankwatch import loop
from flankwatch.alert import AlertEngine, load_rules
from flankwatch.assess.assessor import build_assessor
from flankwatch.decisions import DecisionInbox
from flankwatch.io.asterix_sink import AsterixSink
from flankwatch.io.cot_sink import CotSink
from flankwatch.loop import Picture, Sink, SinkBase, Source, SourceInfo, Stage
from flankwatch.operator import OperatorStage
from flankwatch.respond.catalogue import effector_catalogue
from flankwatch.respond.evaluation import ResponseSink, source_threat_costs_eur
from flankwatch.respond.policy import Policy, load_policy
from flankwatch.respond.stage import ResponseStage
from flankwatch.scenario.schema import Scenario
from flankwatch.sim.source import SimulationSource
from flankwatch.sim.truth import TruthBatch
from flankwatch.stages import AlertStage, AssessmentStage, TrackingStage
from flankwatch.store.replay import ReplaySource
from flankwatch.store.sink import RecordingSink
from flankwatch.summary import (
    CountingSink,
    EvaluationSink,
    RunSummary,
    longest_scan_s,
    summarise,
)
from flankwatch.track import TrackerSettings, build_tracker
from flankwatch.tracking_process import TrackingAhead, usable_cores

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
    asterix_sac: int = 0
    """System area code of those CAT062 records."""
    asterix_sic: int = 1
    """System identification code of those CAT062 records."""
    response_only: bool = False
    """Study runs: no alert stage and no tracking score; only what the response and its
    figures need (tracks, assessment, response)."""
    tracking_process: bool = False
    """Track in a process of its own, a few windows ahead of the rest of the run
    (:mod:`flankwatch.tracking_process`), where that cannot change the run: with 2 cores or
    more, for a replay or a simulation with no response stage (nothing then acts on the
    source's windows). The outputs are the same either way."""


TRACKING, ASSESSMENT, ALERTS, RESPONSE = range(4)
"""The standard stages' random streams (children of the run's seed, see
:func:`flankwatch.loop.run`): fixed by the kind of stage, so that a stage draws the same
numbers whichever others run (a study's runs leave the alerts out, and a run of a
scenario with a defence, recorded or not, resolves the same shots)."""


def standard_stages(
    info: SourceInfo, options: RunOptions, decisions: bool = False
) -> tuple[dict[int, Stage], AlertEngine]:
    """Tracker, assessment, (when the deployment has a defence) the response and alerts
    for the source's deployment, in order (the alerts see the window's kills), each by its
    random stream; the alert engine too. With ``decisions``, operator decisions are
    applied around the assessment (:class:`OperatorStage`).

    Raises ``ValueError`` for a policy given to a deployment with no defence.
    """
    tracker = build_tracker(options.tracker)
    assessor = build_assessor(info.deployment, rules_path=options.identity_rules)
    rules = load_rules(options.alert_rules) if options.alert_rules else None
    alerts = AlertEngine.from_deployment(info.deployment, rules, exercise=info.exercise)
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
    if not options.response_only:
        stages[ALERTS] = AlertStage(alerts)
    return stages, alerts


def execute(
    source: Source,
    out: Path | None,
    options: RunOptions | None = None,
    progress: Progress | None = None,
    metadata: dict[str, Any] | None = None,
    inbox: DecisionInbox | None = None,
    extra_sinks: Sequence[Sink] = (),
) -> RunSummary:
    """Run ``source`` through the standard stages; record into ``out`` unless it is None.

    Operator decisions submitted to ``inbox`` enter the run at the next window;
    ``extra_sinks`` consume each window after the standard sinks.
    """
    options = options or RunOptions()
    info = source.info
    stages, alerts = standard_stages(info, options, decisions=inbox is not None)
    counts = CountingSink()
    evaluation = (
        EvaluationSink(info.objects, info.deployment, min_gap_s=longest_scan_s(info.sensors))
        if info.objects is not None and not options.response_only
        else None
    )
    response = (
        ResponseSink(info.deployment, info.objects, source_threat_costs_eur(info))
        if info.deployment.defence is not None
        else None
    )
    cot = CotSink(options.cot_url, info.deployment, alerts) if options.cot_url else None
    asterix = (
        AsterixSink(options.asterix_url, info.deployment, options.asterix_sac, options.asterix_sic)
        if options.asterix_url
        else None
    )

    @functools.cache
    def summary() -> RunSummary:
        return summarise(
            info.name,
            info.seed,
            counts,
            evaluation,
            cot.stats if cot else None,
            response.summary() if response is not None else None,
        )

    sinks: list[Sink] = [counts]
    if evaluation is not None:
        sinks.append(evaluation)
    if response is not None:
        sinks.append(response)
    if cot is not None:
        sinks.append(cot)
    if asterix is not None:
        sinks.append(asterix)
    if progress is not None:
        sinks.append(ProgressSink(progress))
    if out is not None:
        sinks.append(
            RecordingSink(
                out, info, lambda: summary().to_dict(), force=options.force, metadata=metadata
            )
        )
    sinks.extend(extra_sinks)
    try:
        with _tracking(source, stages, options) as (run_source, run_stages):
            loop.run(run_source, list(run_stages.values()), sinks, inbox, streams=list(run_stages))
    finally:
        if cot is not None and cot.stats is None:
            cot.close()
        if asterix is not None:
            asterix.close()
    return summary()


@contextmanager
def _tracking(
    source: Source, stages: dict[int, Stage], options: RunOptions
) -> Iterator[tuple[Source, dict[int, Stage]]]:
    """``source`` and ``stages`` as they are, or with the tracker in a process of its own
    a few windows ahead (see :attr:`RunOptions.tracking_process`)."""
    ahead_safe = isinstance(source, ReplaySource) or (
        isinstance(source, SimulationSource) and RESPONSE not in stages
    )
    if not (options.tracking_process and ahead_safe and usable_cores() >= 2):
        yield source, stages
        return
    sensors = source.info.sensors
    with TrackingAhead(
        options.tracker,
        np.asarray(sensors.column("sensor_id")),
        np.asarray(sensors.column("scan_period_s")),
    ) as ahead:
        yield ahead.source(source), {**stages, TRACKING: ahead.stage()}


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
