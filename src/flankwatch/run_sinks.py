"""The standard sinks of a run, its summary from them, and its alert engine.

:class:`RunSinks` builds, for a source and the run's options, what consumes each
window: the counts, the tracking evaluation (with truth), the response's figures (with a
defence), the CoT and ASTERIX streams (when asked) and the recording (with a folder); and
gives the run's :class:`~flankwatch.summary.RunSummary` from them. The same sinks serve a
run in one process and one whose sinks work in a process of their own
(:mod:`flankwatch.sink_process`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flankwatch.alert import AlertEngine, load_rules
from flankwatch.io.asterix_sink import AsterixSink
from flankwatch.io.cot_sink import CotSink
from flankwatch.loop import Sink, SourceInfo
from flankwatch.respond.evaluation import ResponseSink, source_threat_costs_eur
from flankwatch.store.sink import RecordingSink
from flankwatch.summary import CountingSink, EvaluationSink, RunSummary, longest_scan_s, summarise

if TYPE_CHECKING:
    from flankwatch.pipeline import RunOptions


def alert_engine(info: SourceInfo, options: RunOptions) -> AlertEngine:
    """The alert engine of a run of a source with ``info``: its deployment's airports and
    warnings, by the rules in ``options`` (or the built-in ones)."""
    rules = load_rules(options.alert_rules) if options.alert_rules else None
    return AlertEngine.from_deployment(info.deployment, rules, exercise=info.exercise)


class RunSinks:
    """The standard sinks of a run of a source with ``info`` (see the module docstring),
    in the order they consume; ``alerts`` is the run's alert engine (the CoT stream
    sends its warnings), ``out`` the recording's folder (``None``: nothing recorded) and
    ``metadata`` what the recording's metadata adds."""

    def __init__(
        self,
        info: SourceInfo,
        options: RunOptions,
        alerts: AlertEngine,
        out: Path | None,
        metadata: dict[str, Any] | None = None,
    ) -> None:
        self.counts = CountingSink()
        self.evaluation = (
            EvaluationSink(info.objects, info.deployment, min_gap_s=longest_scan_s(info.sensors))
            if info.objects is not None and not options.response_only
            else None
        )
        self.response = (
            ResponseSink(info.deployment, info.objects, source_threat_costs_eur(info))
            if info.deployment.defence is not None
            else None
        )
        self.cot = CotSink(options.cot_url, info.deployment, alerts) if options.cot_url else None
        self.asterix = (
            AsterixSink(
                options.asterix_url, info.deployment, options.asterix_sac, options.asterix_sic
            )
            if options.asterix_url
            else None
        )
        self.info = info
        sinks: list[Sink | None] = [
            self.counts,
            self.evaluation,
            self.response,
            self.cot,
            self.asterix,
        ]
        self.sinks: list[Sink] = [sink for sink in sinks if sink is not None]
        """The sinks, in the order they consume."""
        self.recording = (
            RecordingSink(
                out, info, lambda: self.summary().to_dict(), force=options.force, metadata=metadata
            )
            if out is not None
            else None
        )
        """The recording (after the standard sinks and the run's own: see :meth:`ordered`)."""
        self._summary: RunSummary | None = None

    def ordered(self, before_recording: Sequence[Sink], after: Sequence[Sink]) -> list[Sink]:
        """Every sink in the order they consume: the standard ones, ``before_recording``, the
        recording, ``after``."""
        recording = [self.recording] if self.recording is not None else []
        return [*self.sinks, *before_recording, *recording, *after]

    def summary(self) -> RunSummary:
        """The run's summary (once the run has ended; made once)."""
        if self._summary is None:
            self._summary = summarise(
                self.info.name,
                self.info.seed,
                self.counts,
                self.evaluation,
                self.cot.stats if self.cot else None,
                self.response.summary() if self.response is not None else None,
            )
        return self._summary

    def release(self) -> None:
        """Close the network streams if the run did not (it failed)."""
        if self.cot is not None and self.cot.stats is None:
            self.cot.close()
        if self.asterix is not None:
            self.asterix.close()
