"""Scoring tracks against truth window by window."""

from __future__ import annotations

import numpy as np
import pytest

from flankwatch.scoring import RunScorer
from flankwatch.sim.truth import TruthBatch
from flankwatch.stream import PlotBatch
from flankwatch.track.output import TrackBatch, TrackStatus


def _truth(t_s: float, ids: list[int], x_m: list[float]) -> TruthBatch:
    n = len(ids)
    zeros = np.zeros(n)
    return TruthBatch(
        t_s=np.full(n, t_s),
        object_id=np.array(ids, np.int32),
        lat_deg=zeros,
        lon_deg=zeros,
        alt_m=zeros,
        x_m=np.array(x_m, float),
        y_m=zeros,
        z_m=zeros,
        vx_mps=zeros,
        vy_mps=zeros,
        vz_mps=zeros,
        ended=np.zeros(n, bool),
    )


def _tracks(t_s: float, ids: list[int], x_m: list[float], vx_mps: float = 0.0) -> TrackBatch:
    n = len(ids)
    columns = {name: np.zeros(n) for name in TrackBatch.column_names()}
    columns.update(
        time_s=np.full(n, t_s),
        track_id=np.array(ids, np.int64),
        status=np.full(n, TrackStatus.CONFIRMED, np.int8),
        x_m=np.array(x_m, float),
        vx_mps=np.full(n, vx_mps),
        icao24=np.zeros(n, np.uint32),
        callsign=np.full(n, "", object),
    )
    return TrackBatch(**columns)


def _plots(t_s: float, truth_ids: list[int]) -> PlotBatch:
    n = len(truth_ids)
    return PlotBatch.build(n, t_s=np.full(n, t_s), truth_id=np.array(truth_ids))


def test_perfect_tracks_score_zero() -> None:
    scorer = RunScorer(n_objects=2)
    for k in range(1, 6):
        t = 10.0 * k
        scorer.add(
            _plots(t, [0, 1]),
            _truth(t, [0, 1], [0.0, 5000.0]),
            _tracks(t, [7, 8], [0.0, 5000.0]),
            t,
        )
    score = scorer.score()
    assert score.gospa_mean_m == 0.0
    assert score.id_switches == 0 and score.false_tracks == 0
    assert score.targets == 2 and score.tracks == 2


def test_objects_no_sensor_saw_are_not_targets() -> None:
    scorer = RunScorer(n_objects=2, seen_within_s=60.0)
    scorer.add(
        _plots(10.0, [0]), _truth(10.0, [0, 1], [0.0, 5000.0]), _tracks(10.0, [7], [0.0]), 10.0
    )
    assert scorer.score().targets == 1
    scorer.add(
        _plots(100.0, []), _truth(100.0, [0, 1], [0.0, 5000.0]), _tracks(100.0, [7], [0.0]), 100.0
    )
    score = scorer.score()
    assert score.false_share > 0.0 and score.missed_share == 0.0


def test_a_missed_target_and_a_track_number_change_are_counted() -> None:
    scorer = RunScorer(n_objects=2)
    scorer.add(
        _plots(10.0, [0, 1]), _truth(10.0, [0, 1], [0.0, 5000.0]), _tracks(10.0, [7], [0.0]), 10.0
    )
    scorer.add(
        _plots(20.0, [0, 1]), _truth(20.0, [0, 1], [0.0, 5000.0]), _tracks(20.0, [9], [0.0]), 20.0
    )
    score = scorer.score()
    assert score.missed_share == 1.0
    assert score.id_switches == 1
    assert np.isclose(score.gospa_mean_m, np.sqrt(1000.0**2 / 2))


def test_tracks_are_extrapolated_to_the_truth_time() -> None:
    scorer = RunScorer(n_objects=1)
    scorer.add(
        _plots(10.0, [0]),
        _truth(10.0, [0], [100.0]),
        _tracks(12.0, [7], [120.0], vx_mps=10.0),
        12.0,
    )
    assert scorer.score().gospa_mean_m < 1e-9


def test_an_unseen_threat_inside_the_airspace_is_missed_only_in_the_primary_view() -> None:
    threats = np.array([True, True, False])
    scorer = RunScorer(n_objects=3, threats=threats)
    # Object 0 is tracked and seen; 1 is a threat over the country no sensor sees;
    # 2 is an unseen civil aircraft over the country (never a target).
    for k in range(1, 4):
        t = 10.0 * k
        scorer.add(
            _plots(t, [0]),
            _truth(t, [0, 1, 2], [0.0, 5000.0, 9000.0]),
            _tracks(t, [7], [0.0]),
            t,
            inside=np.array([True, True, True]),
        )
    score = scorer.score()
    assert score.targets == 2 and score.seen_targets == 1
    assert score.missed_share == 1.0
    assert np.isclose(score.gospa_mean_m, np.sqrt(1000.0**2 / 2))
    assert score.seen_gospa_mean_m == 0.0 and score.seen_missed_share == 0.0


def test_an_unseen_threat_outside_the_airspace_is_not_a_target() -> None:
    scorer = RunScorer(n_objects=2, threats=np.array([True, True]))
    scorer.add(
        _plots(10.0, [0]),
        _truth(10.0, [0, 1], [0.0, 5000.0]),
        _tracks(10.0, [7], [0.0]),
        10.0,
        inside=np.array([True, False]),
    )
    score = scorer.score()
    assert score.targets == 1 and score.gospa_mean_m == 0.0


def test_threat_flags_must_match_the_objects() -> None:
    with pytest.raises(ValueError, match="2 flags for 3 objects"):
        RunScorer(n_objects=3, threats=np.array([True, False]))
