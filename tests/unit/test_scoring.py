"""Scoring tracks against truth window by window."""

from __future__ import annotations

import numpy as np

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
