"""The run's summary: the evaluation sink's scores, gaps and places, and the replay table."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import numpy as np
import pyarrow as pa
import pytest

from flankwatch.assess.assessment import THREAT_SCHEMA, Assessment
from flankwatch.deployment import Deployment, Origin
from flankwatch.loop import Picture, Window
from flankwatch.printing import print_comparison
from flankwatch.report import WatchedAirspace
from flankwatch.sim.truth import TruthBatch
from flankwatch.stream import PlotBatch
from flankwatch.summary import (
    DEFAULT_SCAN_S,
    CountingSink,
    EvaluationSink,
    longest_scan_s,
    place_watch,
    summarise,
)
from flankwatch.track.output import TrackBatch
from truth_builders import truth_at

START = datetime(2025, 9, 9, 21, 30, tzinfo=UTC)
LUBLIN = (51.2465, 22.5684)
"""Lublin's centre, degrees (it is in the shipped place data)."""


def _deployment(airspace: str | list[tuple[float, float]] = "POL") -> Deployment:
    return Deployment(
        name="test", start=START, origin=Origin(lat=51.5, lon=23.0), airspace=airspace
    )


def _objects() -> pa.Table:
    """A drone (object 0) and a civil flight (object 1)."""
    return pa.table(
        {
            "name": ["drone-1", "lot-1"],
            "category": ["attack-drone", "airliner"],
            "origin": ["BLR", ""],
            "launch_t_s": [0.0, 0.0],
            "cooperative": [False, True],
        }
    )


def _truth(deployment: Deployment, t_s: float, points: list[tuple[float, float]]) -> TruthBatch:
    return truth_at(deployment.frame, t_s, points, 300.0)


def _no_assessment(t_s: float) -> Assessment:
    empty = np.empty(0)
    return Assessment(
        t_s=t_s,
        track_id=np.empty(0, np.int64),
        category=np.empty(0, object),
        category_prob=empty,
        identity=np.empty(0, object),
        inside=np.empty(0, bool),
        crossing_t_s=empty,
        crossing_sigma_s=empty,
        threats=pa.table({f.name: [] for f in THREAT_SCHEMA}, schema=THREAT_SCHEMA),
    )


def test_the_longest_scan_of_the_sensors_is_the_gap_threshold() -> None:
    sensors = pa.table({"sensor_id": [0, 1, 2], "scan_period_s": [1.0, 10.0, 4.0]})
    assert longest_scan_s(sensors) == 10.0
    assert longest_scan_s(None) == DEFAULT_SCAN_S
    assert longest_scan_s(sensors.slice(0, 0)) == DEFAULT_SCAN_S


def test_places_come_from_the_country_or_from_inside_the_polygon() -> None:
    country = place_watch(_deployment(), WatchedAirspace("POL"), min_population=10_000)
    assert country is not None and len(country.places) > 50
    assert country.places.population.min() >= 10_000
    box = [(22.4, 51.1), (22.8, 51.1), (22.8, 51.4), (22.4, 51.4)]
    local = place_watch(_deployment(box), WatchedAirspace(box))
    assert local is not None
    assert "Lublin" in local.places.name
    assert "Warszawa" not in local.places.name
    assert place_watch(_deployment("DEU"), WatchedAirspace("DEU")) is None


def test_an_unseen_drone_over_lublin_shows_in_the_summary() -> None:
    deployment = _deployment()
    sink = EvaluationSink(_objects(), deployment, min_gap_s=10.0)
    counts = CountingSink()
    # The drone flies over Lublin from 10 s to 130 s and no sensor sees it; the
    # civil flight (at Warsaw) is seen every window.
    for k in range(1, 14):
        t = 10.0 * k
        plots = PlotBatch.build(1, t_s=np.array([t - 1.0]), truth_id=np.array([1]))
        truth = _truth(deployment, t, [LUBLIN, (52.17, 20.97)])
        picture = Picture(Window(k, t - 10.0, t, plots), TrackBatch.empty(), _no_assessment(t))
        counts.consume(picture, truth)
        sink.consume(picture, truth)
    summary = summarise("test", 1, counts, sink)
    assert summary.tracking is not None
    assert summary.tracking.targets == 2 and summary.tracking.seen_targets == 1
    assert summary.tracking.missed_share == 1.0
    (drone,) = summary.threats
    assert drone.longest_gap_s == 120.0 and drone.longest_gap_from_s == 10.0
    assert drone.warnings == 0
    names = [place.name for place in drone.unwarned_places]
    assert names[0] == "Lublin"
    populations = [place.population for place in drone.unwarned_places]
    assert populations == sorted(populations, reverse=True)
    recorded = json.loads(json.dumps(summary.to_dict()))
    assert recorded["threats"][0]["unwarned_places"][0]["name"] == "Lublin"
    assert recorded["tracking"]["seen_targets"] == 1


@pytest.fixture
def recorded() -> dict:
    """A recorded summary's figures, as metadata.json holds them."""
    place = {"name": "Lublin", "admin1_name": "Lublin", "population": 339_784}
    return {
        "alerts_issued": 1,
        "tracking": {"gospa_mean_m": 700.0, "seen_gospa_mean_m": 100.0},
        "threats": [
            {"warned_s": 5.0, "warnings": 1, "longest_gap_s": 120.0, "unwarned_places": [place]},
            {"warned_s": None, "warnings": 0, "longest_gap_s": None, "unwarned_places": []},
        ],
    }


def test_the_replay_table_shows_gaps_places_and_both_scores(
    recorded: dict, capsys: pytest.CaptureFixture[str]
) -> None:
    replayed = json.loads(json.dumps(recorded))
    replayed["threats"][1]["longest_gap_s"] = 300.0
    replayed["tracking"]["seen_gospa_mean_m"] = 150.0
    print_comparison(recorded, replayed)
    lines = {
        line.split("│")[1].strip(): line
        for line in capsys.readouterr().out.splitlines()
        if line.count("│") >= 4
    }
    assert "+50" in lines["GOSPA of what was seen, m"]
    assert "+1" in lines["threats unseen inside for more than a scan"]
    assert "+180" in lines["longest unseen stretch inside, s"]
    assert "changed" not in lines["places passed without a warning"]
    assert lines["public warnings for threats"].split("│")[2].strip() == "1"


def test_a_replay_summary_not_yet_saved_compares_equal_to_its_recorded_self(
    recorded: dict, capsys: pytest.CaptureFixture[str]
) -> None:
    # a summary's to_dict() holds tuples where its recorded JSON holds lists
    replayed = {
        **recorded,
        "threats": [
            {**t, "unwarned_places": tuple(t["unwarned_places"])} for t in recorded["threats"]
        ],
    }
    print_comparison(recorded, replayed)
    line = next(row for row in capsys.readouterr().out.splitlines() if "places passed" in row)
    assert [cell.strip() for cell in line.split("│")[2:5]] == ["1", "1", ""]


def test_an_old_recording_without_the_new_figures_shows_dashes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    old = {"threats": [{"warned_s": 5.0}], "tracking": {"gospa_mean_m": 10.0}}
    print_comparison(old, old)
    out = capsys.readouterr().out
    line = next(row for row in out.splitlines() if "places passed" in row)
    assert line.split("│")[2].strip() == "-"
