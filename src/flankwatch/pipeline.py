"""The one place that wires a run together.

scenario -> simulation -> tracker -> assessment -> alerts -> recording (and CoT).

:func:`run_scenario` drives the simulation window by window: the window's plots
are tracked, the tracks assessed (class, identity, border, threats) and the
alert rules applied; plots, truth, tracks, events, threat rankings and alert
messages are written to the recording as the run goes (CAP messages also as
files under ``cap/``), and CoT is streamed when an endpoint is given. At the
end the tracks are scored against the truth and every threat's night is
summed up in a :class:`RunSummary`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa

from flankwatch import __version__
from flankwatch.alert import (
    ALERT_CANCELLED,
    ALERT_ISSUED,
    AlertEngine,
    AlertMessage,
    AlertStep,
    load_rules,
    validate_cap,
)
from flankwatch.assess.assessment import THREAT_SCHEMA, Assessment
from flankwatch.assess.assessor import build_assessor
from flankwatch.events import EVENT_SCHEMA, Event, events_to_arrow
from flankwatch.io.cot import airport_status_event, track_events
from flankwatch.io.cot_stream import CotSender, CotStats
from flankwatch.report import ThreatLedger, ThreatRecord
from flankwatch.scenario.schema import Scenario
from flankwatch.scoring import RunScorer, TrackingScore
from flankwatch.sim.engine import SimStep, Simulation
from flankwatch.sim.truth import TRUTH_SCHEMA
from flankwatch.store.recording import RecordingWriter
from flankwatch.stream import PLOT_SCHEMA, PlotBatch, PlotKind
from flankwatch.track import TRACK_SCHEMA, TrackerSettings, build_tracker
from flankwatch.track.output import TrackBatch, TrackStatus

Progress = Callable[[float], None]
"""Called after each window with the simulated time reached, s."""

ALERT_SCHEMA = pa.schema(
    [
        ("t_s", pa.float64()),
        ("format", pa.string()),
        ("msg_type", pa.string()),
        ("alert_id", pa.string()),
        ("message_id", pa.string()),
        ("body", pa.string()),
    ]
)


TABLES = {
    "plots": PLOT_SCHEMA,
    "truth": TRUTH_SCHEMA,
    "tracks": TRACK_SCHEMA,
    "events": EVENT_SCHEMA,
    "alerts": ALERT_SCHEMA,
    "threat_ranking": THREAT_SCHEMA.append(pa.field("t_s", pa.float64())),
}
"""The recording's growing tables."""

HELD = (TrackStatus.CONFIRMED, TrackStatus.COASTING)
"""Track states shared with the outside world (CoT): tentative tracks stay inside."""


class InvalidCapError(RuntimeError):
    """A CAP message the alert stage made that the OASIS CAP 1.2 schema rejects (a bug)."""


@dataclass(frozen=True)
class RunOptions:
    """How to run: tracker settings, rule files and a CoT endpoint (all optional)."""

    tracker: TrackerSettings | None = None
    identity_rules: Path | None = None
    alert_rules: Path | None = None
    cot_url: str | None = None


@dataclass(frozen=True)
class CategoryCount:
    """What happened to the objects of one category during a run."""

    category: str
    objects: int
    launched: int
    detected: int
    median_detection_delay_s: float | None


@dataclass(frozen=True)
class AirportClosure:
    """One closure of an airport; times in s since the run's start."""

    icao: str
    closed_s: float
    reopened_s: float | None


@dataclass(frozen=True)
class RunSummary:
    """A run's figures: what flew and was seen, how well it was tracked, what was decided."""

    scenario: str
    seed: int
    simulated_s: float
    batches: int
    plots: dict[str, int]
    false_plots: int
    tracking: TrackingScore
    peak_confirmed_tracks: int
    categories: list[CategoryCount] = field(default_factory=list)
    threats: list[ThreatRecord] = field(default_factory=list)
    civil_misidentified: int = 0
    closures: list[AirportClosure] = field(default_factory=list)
    alerts_issued: int = 0
    cap_messages: int = 0
    cot: CotStats | None = None

    def to_dict(self) -> dict:
        """The summary as plain data (for the recording's metadata)."""
        return asdict(self)


def run_scenario(
    scenario: Scenario,
    scenario_text: str,
    out: Path,
    progress: Progress | None = None,
    options: RunOptions | None = None,
) -> RunSummary:
    """Simulate, track, assess and alert ``scenario``; record it all in folder ``out``."""
    options = options or RunOptions()
    sim = Simulation(scenario)
    tracker = build_tracker(options.tracker)
    tracker.set_revisit_periods(*_revisit_periods(sim))
    assessor = build_assessor(scenario, sim.frame, rules_path=options.identity_rules)
    alert_rules = load_rules(options.alert_rules) if options.alert_rules else None
    alerts = AlertEngine.from_scenario(scenario, sim.frame, alert_rules)
    scorer = RunScorer(len(sim.plans))
    ledger = ThreatLedger(sim.plans)
    counts = _Counts()
    metadata = {
        "flankwatch_version": __version__,
        "scenario": scenario.name,
        "seed": scenario.seed,
        "start": scenario.start.isoformat(),
        "duration_s": scenario.duration_s,
        "step_s": scenario.step_s,
        "batch_s": scenario.batch_s,
        "frame": {
            "lat_deg": sim.frame.lat_deg,
            "lon_deg": sim.frame.lon_deg,
            "alt_m": sim.frame.alt_m,
        },
    }
    cot = _CotFeed(options.cot_url, sim, alerts) if options.cot_url else None
    try:
        with RecordingWriter(out, metadata, scenario_text) as recording:
            recording.write_table("sensors", sim.sensor_table())
            recording.write_table("objects", sim.plans.to_arrow())
            for name, schema in TABLES.items():
                recording.declare(name, schema)
            for step in sim.steps():
                t1 = step.t1_s
                tracks = tracker.step(step.plots, now_s=t1)
                assessment = assessor.step(tracks, t1)
                alert_step = alerts.step(tracks, assessment, t1)
                scorer.add(step.plots, step.truth, tracks, t1)
                ledger.add(step.plots, step.truth, tracks, assessment, alert_step.events, t1)
                counts.add(step.plots, tracks, alert_step, t1)
                _record(recording, step, tracks, assessment, alert_step)
                if cot is not None:
                    cot.send(tracks, assessment, t1)
                if progress is not None:
                    progress(t1)
            summary = RunSummary(
                scenario=scenario.name,
                seed=scenario.seed,
                simulated_s=counts.simulated_s,
                batches=counts.batches,
                plots=counts.plots_by_kind,
                false_plots=counts.false_plots,
                tracking=scorer.score(),
                peak_confirmed_tracks=counts.peak_confirmed,
                categories=_categories(sim, ledger.detected_s),
                threats=ledger.threats(sim.kinematics.launched),
                civil_misidentified=ledger.civil_misidentified(),
                closures=_closures(counts.alert_events),
                alerts_issued=sum(1 for m in counts.messages if m.msg_type == "Alert"),
                cap_messages=sum(1 for m in counts.messages if m.format == "cap"),
                cot=cot.close() if cot is not None else None,
            )
            recording.close(summary.to_dict())
    finally:
        if cot is not None:
            cot.close()
    return summary


def _record(
    recording: RecordingWriter,
    step: SimStep,
    tracks: TrackBatch,
    assessment: Assessment,
    alert_step: AlertStep,
) -> None:
    """Write one window: plots, truth, tracks, events, ranking, alert messages, CAP files."""
    t1 = step.t1_s
    recording.append("plots", step.plots.to_arrow(), t1)
    recording.append("truth", step.truth.to_arrow(), t1)
    recording.append("tracks", tracks.to_arrow(), t1)
    recording.append("events", events_to_arrow([*assessment.events, *alert_step.events]), t1)
    recording.append("alerts", _alerts_table(alert_step.messages), t1)
    ranked = assessment.threats.append_column(
        "t_s", pa.array(np.full(len(assessment.threats), t1), pa.float64())
    )
    recording.append("threat_ranking", ranked, t1)
    for message in alert_step.messages:
        if message.format == "cap":
            _check_cap(message)
            recording.write_file(f"cap/{message.message_id}.xml", message.body)


class _CotFeed:
    """Streams the held tracks every window, and airports whenever their status changes."""

    def __init__(self, url: str, sim: Simulation, alerts: AlertEngine) -> None:
        self.sender = CotSender(url).start()
        self.frame = sim.frame
        self.start = sim.scenario.start
        self.alerts = alerts
        self.closed: dict[str, bool] = {}

    def send(self, tracks: TrackBatch, assessment: Assessment, t_s: float) -> None:
        """Queue the window's events (never blocks, never raises)."""
        held = np.isin(tracks.status, HELD)
        self.sender.send_many(
            track_events(
                tracks.take(held),
                self.frame,
                self.start,
                assessment.identity[held],
                assessment.category[held],
            )
        )
        when = self.start + timedelta(seconds=t_s)
        for status in self.alerts.airport_status().values():
            if self.closed.get(status.icao) != status.closed:
                self.closed[status.icao] = status.closed
                self.sender.send(airport_status_event(status, when))

    def close(self) -> CotStats:
        """Deliver what is queued (within the sender's time limit) and stop; the counts."""
        return self.sender.close()


class _Counts:
    """Running counts of plots, batches, confirmed tracks and alert messages."""

    def __init__(self) -> None:
        self.plots_by_kind = {kind.name.lower(): 0 for kind in PlotKind}
        self.false_plots = 0
        self.batches = 0
        self.simulated_s = 0.0
        self.peak_confirmed = 0
        self.messages: list[AlertMessage] = []
        self.alert_events: list[Event] = []

    def add(
        self,
        plots: PlotBatch,
        tracks: TrackBatch,
        alert_step: AlertStep,
        t_s: float,
    ) -> None:
        """Count one window."""
        self.false_plots += int((plots.truth_id < 0).sum())
        for kind in PlotKind:
            self.plots_by_kind[kind.name.lower()] += int((plots.kind == kind).sum())
        confirmed = int(np.sum(tracks.status == TrackStatus.CONFIRMED))
        self.peak_confirmed = max(self.peak_confirmed, confirmed)
        self.messages.extend(alert_step.messages)
        self.alert_events.extend(alert_step.events)
        self.batches += 1
        self.simulated_s = t_s


def _revisit_periods(sim: Simulation) -> tuple[np.ndarray, np.ndarray]:
    """Each sensor's id and the time between two of its looks at one target, s."""
    table = sim.sensor_table()
    return table["sensor_id"].to_numpy(), table["scan_period_s"].to_numpy()


def _alerts_table(messages: list[AlertMessage]) -> pa.Table:
    return pa.table(
        {
            "t_s": [m.t_s for m in messages],
            "format": [m.format for m in messages],
            "msg_type": [m.msg_type for m in messages],
            "alert_id": [m.alert_id for m in messages],
            "message_id": [m.message_id for m in messages],
            "body": [m.body for m in messages],
        },
        schema=ALERT_SCHEMA,
    )


def _check_cap(message: AlertMessage) -> None:
    """Refuse to write a CAP message that the OASIS schema rejects."""
    faults = validate_cap(message.body)
    if faults:
        raise InvalidCapError(f"CAP message {message.message_id} is not valid: {faults}")


def _closures(events: list[Event]) -> list[AirportClosure]:
    """Airport closures from the airport alerts' life-cycle events, in time order."""
    closures: list[AirportClosure] = []
    open_closure: dict[str, int] = {}
    for event in events:
        if event.data.get("alert") != "airport":
            continue
        icao = str(event.data["icao"])
        if event.kind == ALERT_ISSUED:
            open_closure[icao] = len(closures)
            closures.append(AirportClosure(icao, event.t_s, None))
        elif event.kind == ALERT_CANCELLED and icao in open_closure:
            index = open_closure.pop(icao)
            closures[index] = AirportClosure(icao, closures[index].closed_s, event.t_s)
    return closures


def _categories(sim: Simulation, first_seen_s: np.ndarray) -> list[CategoryCount]:
    plans = sim.plans
    launched = sim.kinematics.launched
    counts = []
    for category in sorted(set(plans.category)):
        mine = plans.category == category
        seen = mine & np.isfinite(first_seen_s)
        delays = first_seen_s[seen] - plans.launch_t_s[seen]
        counts.append(
            CategoryCount(
                category=str(category),
                objects=int(mine.sum()),
                launched=int((mine & launched).sum()),
                detected=int(seen.sum()),
                median_detection_delay_s=float(np.median(delays)) if len(delays) else None,
            )
        )
    return counts
