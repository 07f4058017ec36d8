"""A run's summary, gathered by two sinks of the run loop.

:class:`CountingSink` counts what every run has (plots by kind, windows,
confirmed tracks at the peak, alert messages and airport closures);
:class:`EvaluationSink` scores the tracks against the ground truth (every threat
inside the watched airspace, and what was seen) and keeps each threat's night,
its longest undetected stretch inside the airspace among it (only when the
source has truth). :func:`summarise` puts
both into a :class:`RunSummary`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np
import pyarrow as pa

from flankwatch.alert.base import AlertMessage
from flankwatch.deployment import Deployment
from flankwatch.events import Event, EventKind
from flankwatch.geo.admin import populated_places
from flankwatch.io.cot_stream import CotStats
from flankwatch.loop import Picture, SinkBase
from flankwatch.report import PlaceWatch, ThreatLedger, ThreatRecord, WatchedAirspace
from flankwatch.respond.summary import ResponseSummary
from flankwatch.scoring import RunScorer, TrackingScore
from flankwatch.sim.own_forces import OwnForceTracks, without_own_forces
from flankwatch.sim.truth import TruthBatch
from flankwatch.stream import PlotKind
from flankwatch.track.output import CONFIRMED


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
    """A run's figures: what flew and was seen, how well it was tracked, what was decided.

    ``tracking`` is ``None`` when the source had no ground truth; ``response`` when
    the deployment has no defence (nothing responded).
    """

    scenario: str
    seed: int
    simulated_s: float
    batches: int
    plots: dict[str, int]
    false_plots: int
    tracking: TrackingScore | None
    peak_confirmed_tracks: int
    categories: list[CategoryCount] = field(default_factory=list)
    threats: list[ThreatRecord] = field(default_factory=list)
    civil_misidentified: int = 0
    closures: list[AirportClosure] = field(default_factory=list)
    alerts_issued: int = 0
    cap_messages: int = 0
    cot: CotStats | None = None
    response: ResponseSummary | None = None

    def to_dict(self) -> dict:
        """The summary as plain data (for the recording's metadata)."""
        return asdict(self)


class CountingSink(SinkBase):
    """Running counts of plots, windows, confirmed tracks and alert messages."""

    def __init__(self) -> None:
        self.plots_by_kind = {kind.name.lower(): 0 for kind in PlotKind}
        self.false_plots = 0
        self.batches = 0
        self.simulated_s = 0.0
        self.peak_confirmed = 0
        self.messages: list[AlertMessage] = []
        self.alert_events: list[Event] = []

    def consume(self, picture: Picture, truth: TruthBatch | None) -> None:
        """Count one window."""
        plots, tracks = picture.window.plots, picture.tracks
        self.false_plots += int((plots.truth_id < 0).sum()) if truth is not None else 0
        counts = np.bincount(plots.kind, minlength=len(PlotKind))
        for kind in PlotKind:
            self.plots_by_kind[kind.name.lower()] += int(counts[kind])
        confirmed = int(np.count_nonzero(tracks.status == CONFIRMED))
        self.peak_confirmed = max(self.peak_confirmed, confirmed)
        self.messages.extend(picture.alerts.messages)
        self.alert_events.extend(picture.alerts.events)
        self.batches += 1
        self.simulated_s = picture.now_s

    def closures(self) -> list[AirportClosure]:
        """Airport closures from the airport alerts' life-cycle events, in time order."""
        closures: list[AirportClosure] = []
        open_closure: dict[str, int] = {}
        for event in self.alert_events:
            if event.data.get("alert") != "airport":
                continue
            icao = str(event.data["icao"])
            if event.kind == EventKind.ALERT_ISSUED:
                open_closure[icao] = len(closures)
                closures.append(AirportClosure(icao, event.t_s, None))
            elif event.kind == EventKind.ALERT_CANCELLED and icao in open_closure:
                index = open_closure.pop(icao)
                closures[index] = AirportClosure(icao, closures[index].closed_s, event.t_s)
        return closures


DEFAULT_SCAN_S = 10.0
"""Undetected stretches no longer than this are not reported when the sensors are not
known, s (assumed: the 10 s scan of the catalogue's surveillance radars)."""


def longest_scan_s(sensors: pa.Table | None) -> float:
    """The longest scan period among a run's sensors, s (:data:`DEFAULT_SCAN_S` if none)."""
    if sensors is None or sensors.num_rows == 0 or "scan_period_s" not in sensors.column_names:
        return DEFAULT_SCAN_S
    return float(np.max(sensors.column("scan_period_s").to_numpy()))


PLACE_RADIUS_M = 5000.0
"""How near a threat's path a populated place counts as passed over, m (assumed)."""


def place_watch(
    deployment: Deployment,
    airspace: WatchedAirspace,
    radius_m: float = PLACE_RADIUS_M,
    min_population: int = 1,
) -> PlaceWatch | None:
    """The populated places of the deployment's watched airspace to note threats passing
    near: its country's (Poland's inside a polygon airspace), with at least
    ``min_population`` inhabitants; None where no place data is shipped."""
    try:
        places = populated_places(deployment.country or "POL")
    except ValueError:
        return None
    if deployment.country is None:
        places = places.within(airspace.geometry)
    places = places.select(places.population >= min_population)
    return PlaceWatch(deployment.frame, places, radius_m)


class EvaluationSink(SinkBase):
    """Tracks scored against the truth, and every threat's night (needs truth).

    The watched airspace is the deployment's (Poland's without one); undetected
    stretches inside it no longer than ``min_gap_s`` (a scan, s) are not reported.
    With a deployment, the populated places of its country (of Poland inside a
    polygon airspace) with at least ``min_population`` inhabitants that a threat
    passed within ``place_radius_m`` of, with no public warning of it in force,
    are listed per threat. Own forces in flight (truth ids after the object table's)
    are left out: their plots and truth rows are not scored, and tracks that follow
    them are not false tracks.
    """

    def __init__(
        self,
        objects: pa.Table,
        deployment: Deployment | None = None,
        *,
        min_gap_s: float = DEFAULT_SCAN_S,
        place_radius_m: float = PLACE_RADIUS_M,
        min_population: int = 1,
    ) -> None:
        self.objects = objects
        self.deployment = deployment
        self.airspace = WatchedAirspace(deployment.airspace if deployment is not None else "POL")
        threats = ~objects.column("cooperative").to_numpy(zero_copy_only=False).astype(bool)
        self.scorer = RunScorer(objects.num_rows, threats=threats)
        self.own_tracks = OwnForceTracks(objects.num_rows)
        places = None
        if deployment is not None:
            places = place_watch(deployment, self.airspace, place_radius_m, min_population)
        self.ledger = ThreatLedger(objects, self.airspace, min_gap_s=min_gap_s, places=places)

    def consume(self, picture: Picture, truth: TruthBatch | None) -> None:
        """Score one window and note what happened to each object in it."""
        if truth is None:
            return
        tracks, now = picture.tracks, picture.now_s
        own = self.own_tracks.update(tracks, truth, now)
        plots, truth = without_own_forces(picture.window.plots, truth, self.objects.num_rows)
        inside = self.airspace.contains(truth.lat_deg, truth.lon_deg)
        self.scorer.add(plots, truth, tracks.take(~own) if own.any() else tracks, now, inside)
        if picture.assessment is not None:
            self.ledger.add(
                plots, truth, tracks, picture.assessment, picture.alerts.events, now, inside
            )

    def categories(self) -> list[CategoryCount]:
        """Per category of object: how many flew, how many were seen, how soon."""
        ledger = self.ledger
        first_seen_s = ledger.detected_s
        counts = []
        for category in sorted(set(ledger.category)):
            mine = ledger.category == category
            seen = mine & np.isfinite(first_seen_s)
            delays = first_seen_s[seen] - ledger.launch_t_s[seen]
            counts.append(
                CategoryCount(
                    category=str(category),
                    objects=int(mine.sum()),
                    launched=int((mine & ledger.appeared).sum()),
                    detected=int(seen.sum()),
                    median_detection_delay_s=float(np.median(delays)) if len(delays) else None,
                )
            )
        return counts


def summarise(
    name: str,
    seed: int,
    counts: CountingSink,
    evaluation: EvaluationSink | None,
    cot: CotStats | None = None,
    response: ResponseSummary | None = None,
) -> RunSummary:
    """The run's summary from its counting sink and, if there was truth, its evaluation
    (with the response's figures, if anything responded)."""
    return RunSummary(
        scenario=name,
        seed=seed,
        simulated_s=counts.simulated_s,
        batches=counts.batches,
        plots=counts.plots_by_kind,
        false_plots=counts.false_plots,
        tracking=evaluation.scorer.score() if evaluation is not None else None,
        peak_confirmed_tracks=counts.peak_confirmed,
        categories=evaluation.categories() if evaluation is not None else [],
        threats=evaluation.ledger.threats() if evaluation is not None else [],
        civil_misidentified=(
            evaluation.ledger.civil_misidentified() if evaluation is not None else 0
        ),
        closures=counts.closures(),
        alerts_issued=sum(1 for m in counts.messages if m.msg_type == "Alert"),
        cap_messages=sum(1 for m in counts.messages if m.format == "cap"),
        cot=cot,
        response=response,
    )
