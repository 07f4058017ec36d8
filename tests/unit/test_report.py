"""The after-action ledger: detection, warning, border crossing and alerts per object."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyarrow as pa
import pytest

from flankwatch.assess.assessment import THREAT_SCHEMA, Assessment
from flankwatch.events import Event
from flankwatch.geo.admin import PopulatedPlaces
from flankwatch.geo.frames import LocalFrame
from flankwatch.report import GapWatch, PlaceWatch, ThreatLedger
from flankwatch.sim.plans import FlightPlans, draw_plans
from flankwatch.sim.truth import TruthBatch
from flankwatch.stream import PlotBatch
from flankwatch.track.output import TrackBatch, TrackStatus
from truth_builders import truth_at

FRAME = LocalFrame(52.05, 23.5)
BELARUS = (52.05, 23.9)
POLAND = (52.05, 23.3)


@pytest.fixture
def plans(base_scenario: dict, make_scenario: Callable) -> FlightPlans:
    """One decoy (object 0) and one civil flight (object 1)."""
    data = {
        **base_scenario,
        "raids": [
            {
                "name": "d",
                "threat": "gerbera",
                "count": 1,
                "launch": list(BELARUS),
                "target": list(POLAND),
            }
        ],
        "civil_traffic": [{"name": "lot", "departure": "EPWA", "arrival": "EPLB", "count": 1}],
    }
    return draw_plans(make_scenario(data), np.random.default_rng(0))


def _truth(t_s: float, points: list[tuple[float, float]]) -> TruthBatch:
    return truth_at(FRAME, t_s, points, 500.0)


def _tracks(truth: TruthBatch) -> TrackBatch:
    n = len(truth)
    state = np.column_stack((truth.x_m, truth.y_m, truth.z_m, np.zeros((n, 3))))
    return TrackBatch.from_states(
        time_s=truth.t_s,
        track_id=np.arange(10, 10 + n),
        status=np.full(n, TrackStatus.CONFIRMED),
        state=state,
        cov=np.tile(np.eye(6), (n, 1, 1)),
        manoeuvre_prob=np.zeros(n),
        last_update_s=truth.t_s,
        icao24=np.zeros(n, np.uint32),
        callsign=[""] * n,
    )


def _assessment(tracks: TrackBatch, identity: list[str]) -> Assessment:
    n = len(tracks)
    return Assessment(
        t_s=float(tracks.time_s[0]),
        track_id=tracks.track_id,
        category=np.full(n, "decoy", object),
        category_prob=np.ones(n),
        identity=np.array(identity, object),
        inside=np.zeros(n, bool),
        crossing_t_s=np.full(n, np.nan),
        crossing_sigma_s=np.full(n, np.nan),
        threats=pa.table({f.name: [] for f in THREAT_SCHEMA}, schema=THREAT_SCHEMA),
    )


def test_a_decoy_warned_before_it_crosses_has_a_positive_lead(plans: FlightPlans) -> None:
    ledger = ThreatLedger(plans.to_arrow())
    plots = PlotBatch.build(1, t_s=np.array([95.0]), truth_id=np.array([0]))
    steps = [(100.0, BELARUS, "unknown"), (200.0, BELARUS, "suspect"), (500.0, POLAND, "hostile")]
    for t, where, identity in steps:
        truth = _truth(t, [where, (52.2, 21.0)])
        tracks = _tracks(truth)
        alerts = [Event(t, "alert-issued", "closing EPLB", track_id=10)] if t == 500.0 else []
        ledger.add(plots, truth, tracks, _assessment(tracks, [identity, "neutral"]), alerts, t)
    (decoy,) = ledger.threats()
    assert decoy.detected_s == 95.0 and decoy.tracked_s == 100.0
    assert decoy.warned_s == 200.0 and decoy.crossed_s == 500.0
    assert decoy.lead_time_s == 300.0
    assert decoy.alerts == 1
    assert ledger.civil_misidentified() == 0


def test_a_civil_flight_marked_suspect_is_counted(plans: FlightPlans) -> None:
    ledger = ThreatLedger(plans.to_arrow())
    truth = _truth(100.0, [BELARUS, (52.2, 21.0)])
    tracks = _tracks(truth)
    ledger.add(
        PlotBatch.empty(), truth, tracks, _assessment(tracks, ["unknown", "suspect"]), [], 100.0
    )
    assert ledger.civil_misidentified() == 1


def test_an_object_that_starts_inside_never_crosses(plans: FlightPlans) -> None:
    ledger = ThreatLedger(plans.to_arrow())
    for t in (100.0, 200.0):
        truth = _truth(t, [POLAND, (52.2, 21.0)])
        tracks = _tracks(truth)
        ledger.add(
            PlotBatch.empty(), truth, tracks, _assessment(tracks, ["hostile", "neutral"]), [], t
        )
    (decoy,) = ledger.threats()
    assert decoy.crossed_s is None and decoy.lead_time_s is None


def _rows(t_s: list[float], ended: list[bool] | None = None) -> TruthBatch:
    """Truth rows of object 0 at these times (positions do not matter here)."""
    n = len(t_s)
    columns = {name: np.zeros(n) for name in TruthBatch.column_names()}
    columns.update(
        t_s=np.array(t_s),
        object_id=np.zeros(n, np.int32),
        ended=np.array(ended if ended is not None else [False] * n, bool),
    )
    return TruthBatch(**columns)


def _window(t0_s: float, t1_s: float, plot_times: list[float]) -> PlotBatch:
    times = np.array([t for t in plot_times if t0_s <= t < t1_s])
    return PlotBatch.build(len(times), t_s=times, truth_id=np.zeros(len(times), np.int64))


def test_the_longest_undetected_stretch_inside_is_measured_from_the_last_plot() -> None:
    # Object 0 is inside from 10 s to 95 s (truth every 5 s); plots every 10 s except
    # 30-70 s; it leaves at 95 s. The stretch from the plot at 20 s to the one at 70 s
    # is the longest: 50 s, starting at 20 s.
    gaps = GapWatch(1)
    plot_times = [0.0, 10.0, 20.0, 70.0, 80.0, 90.0, 100.0]
    for t0 in range(0, 120, 10):
        truth_times = [t0 + 5.0, t0 + 10.0]
        truth = _rows(truth_times)
        inside = np.array([10.0 <= t < 95.0 for t in truth_times])
        gaps.add(_window(t0, t0 + 10.0, plot_times), truth, inside)
    assert gaps.longest_s[0] == 50.0
    assert gaps.longest_from_s[0] == 20.0


def test_an_undetected_stretch_runs_from_entry_to_the_end_of_the_flight() -> None:
    # Never seen: the stretch runs from the first truth time inside (30 s) to its
    # last truth row (it came down at 60 s), not from the start of the run.
    gaps = GapWatch(1)
    for t in (10.0, 20.0, 30.0, 40.0, 50.0, 60.0):
        truth = _rows([t], [t == 60.0])
        gaps.add(PlotBatch.empty(), truth, np.array([t >= 30.0]))
    assert gaps.longest_s[0] == 30.0 and gaps.longest_from_s[0] == 30.0
    assert np.isnan(gaps.since_s[0])


def test_a_threat_unseen_over_poland_has_its_gap_from_its_last_plot(
    plans: FlightPlans,
) -> None:
    ledger = ThreatLedger(plans.to_arrow(), min_gap_s=10.0)
    for k in range(1, 13):
        t = 10.0 * k
        where = BELARUS if t < 40.0 else POLAND
        n = int(t <= 60.0)
        plots = PlotBatch.build(n, t_s=np.full(n, t - 1.0), truth_id=np.zeros(n))
        truth = _truth(t, [where, (52.2, 21.0)])
        tracks = _tracks(truth)
        ledger.add(plots, truth, tracks, _assessment(tracks, ["hostile", "neutral"]), [], t)
        if t == 60.0:
            # Seen every 10 s scan since it crossed at 40 s: nothing longer than a scan.
            (decoy,) = ledger.threats()
            assert decoy.longest_gap_s is None and decoy.longest_gap_from_s is None
    (decoy,) = ledger.threats()
    # Last plot at 59 s; still unseen at the last truth time, 120 s.
    assert decoy.longest_gap_s == 61.0 and decoy.longest_gap_from_s == 59.0


def test_public_warnings_are_counted_apart_from_airport_alerts(plans: FlightPlans) -> None:
    ledger = ThreatLedger(plans.to_arrow())
    truth = _truth(100.0, [POLAND, (52.2, 21.0)])
    tracks = _tracks(truth)
    alerts = [
        Event(100.0, "alert-issued", "closing EPLB", track_id=10, data={"alert": "airport"}),
        Event(
            100.0, "alert-issued", "warning", track_id=10, subject="p1", data={"alert": "public"}
        ),
    ]
    ledger.add(
        PlotBatch.empty(), truth, tracks, _assessment(tracks, ["hostile", "neutral"]), alerts, 100.0
    )
    assert ledger.warned_objects() == {0}
    cancel = [
        Event(110.0, "alert-cancelled", "gone", track_id=10, subject="p1", data={"alert": "public"})
    ]
    ledger.add(
        PlotBatch.empty(), truth, tracks, _assessment(tracks, ["hostile", "neutral"]), cancel, 110.0
    )
    (decoy,) = ledger.threats()
    assert decoy.alerts == 2 and decoy.warnings == 1
    assert ledger.warned_objects() == set()


def _places(points: dict[str, tuple[float, float, int]]) -> PopulatedPlaces:
    return PopulatedPlaces(
        name=np.array(list(points), dtype=str),
        lat_deg=np.array([p[0] for p in points.values()]),
        lon_deg=np.array([p[1] for p in points.values()]),
        population=np.array([p[2] for p in points.values()], np.int64),
        admin1_code=np.array(["PL-06"] * len(points)),
        admin1_name=np.array(["Lublin"] * len(points)),
    )


def test_places_passed_without_a_warning_are_listed_and_warned_ones_are_not(
    plans: FlightPlans,
) -> None:
    places = _places(
        {
            "Before": (52.06, 23.3, 900),  # about 1.1 km from the first position
            "Nearby": (52.05, 23.34, 2000),  # about 2.7 km from it
            "Warned": (52.05, 23.0, 5000),  # passed while the warning is in force
            "Far": (52.4, 22.0, 100_000),  # never within 5 km
        }
    )
    ledger = ThreatLedger(plans.to_arrow(), places=PlaceWatch(FRAME, places, radius_m=5000.0))
    public = {"alert": "public"}
    steps = [
        (100.0, POLAND, []),
        (110.0, (52.05, 23.15), [Event(110.0, "alert-issued", "w", 10, "p1", public)]),
        (120.0, (52.05, 23.0), []),
        (130.0, (52.05, 22.8), [Event(130.0, "alert-cancelled", "gone", 10, "p1", public)]),
    ]
    for t, where, alerts in steps:
        truth = _truth(t, [where, (52.06, 23.3)])  # the civil flight sits on "Before"
        tracks = _tracks(truth)
        assessment = _assessment(tracks, ["hostile", "neutral"])
        ledger.add(PlotBatch.empty(), truth, tracks, assessment, alerts, t)
    (decoy,) = ledger.threats()
    assert [p.name for p in decoy.unwarned_places] == ["Nearby", "Before"]
    before = decoy.unwarned_places[1]
    assert before.t_s == 100.0 and 1000.0 < before.closest_m < 1200.0
    assert before.population == 900 and before.admin1_name == "Lublin"


def test_a_place_radius_must_be_positive() -> None:
    with pytest.raises(ValueError, match="radius_m"):
        PlaceWatch(FRAME, _places({"A": (52.0, 23.0, 1)}), radius_m=0.0)
