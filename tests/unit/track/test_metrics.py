"""GOSPA and track quality, checked against Stone Soup's GOSPAMetric."""

from __future__ import annotations

import datetime
import time

import numpy as np
import pytest
from stonesoup.metricgenerator.ospametric import GOSPAMetric
from stonesoup.types.array import StateVector
from stonesoup.types.state import State

from flankwatch.track.metrics import gospa, track_quality

EPOCH = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)


def _random_sets(rng: np.random.Generator, n_times: int):
    truth_t, truth_pos, est_t, est_pos = [], [], [], []
    for k in range(n_times):
        n_truth, n_est = rng.integers(0, 12), rng.integers(0, 12)
        centre = rng.uniform(0, 300, (n_truth, 2))
        truth_t += [k] * n_truth
        truth_pos.append(centre)
        near = centre[: min(n_truth, n_est)] + rng.normal(0, 20, (min(n_truth, n_est), 2))
        far = rng.uniform(0, 300, (n_est - len(near), 2))
        est_t += [k] * n_est
        est_pos.append(np.vstack((near, far)))
    return (
        np.array(truth_t, float),
        np.vstack(truth_pos),
        np.array(est_t, float),
        np.vstack(est_pos),
    )


def _states(t: np.ndarray, pos: np.ndarray) -> list[State]:
    return [
        State(StateVector(p), timestamp=EPOCH + datetime.timedelta(seconds=float(s)))
        for s, p in zip(t, pos, strict=True)
    ]


@pytest.mark.parametrize(("c", "p"), [(40.0, 2.0), (100.0, 1.0), (25.0, 3.0)])
def test_gospa_equals_stone_soup(c: float, p: float) -> None:
    rng = np.random.default_rng(int(c * p))
    truth_t, truth_pos, est_t, est_pos = _random_sets(rng, 15)
    ours = gospa(truth_t, truth_pos, est_t, est_pos, c, p)
    metric = GOSPAMetric(c=c, p=p)
    theirs = metric.compute_over_time(
        _states(est_t, est_pos),
        list(range(len(est_t))),
        _states(truth_t, truth_pos),
        list(range(len(truth_t))),
    ).value
    times = [(m.timestamp - EPOCH).total_seconds() for m in theirs]
    assert np.allclose(ours.time_s, times)
    for part in ("distance", "localisation", "missed", "false"):
        expected = np.array([m.value[part] for m in theirs], float)
        assert np.allclose(getattr(ours, part), expected, rtol=1e-9, atol=1e-9), part
    total = {
        part: sum(m.value[part] for m in theirs)
        for part in ("distance", "localisation", "missed", "false")
    }
    assert ours.totals() == pytest.approx(total)
    assert ours.totals()["missed"] > 0 and ours.totals()["false"] > 0
    assert ours.totals()["localisation"] > 0


def test_gospa_of_empty_sets() -> None:
    result = gospa(np.array([0.0, 0.0]), np.zeros((2, 2)), np.empty(0), np.empty((0, 2)), 10.0)
    assert result.missed.tolist() == [100.0] and result.false.tolist() == [0.0]
    assert np.isclose(result.distance[0], np.sqrt(100.0))
    result = gospa(np.empty(0), np.empty((0, 2)), np.array([1.0]), np.ones((1, 2)), 10.0)
    assert result.false.tolist() == [50.0]


def test_gospa_of_500_targets_over_100_scans_is_fast() -> None:
    rng = np.random.default_rng(0)
    n, scans = 500, 100
    truth = rng.uniform(0, 50_000, (n, 2))
    truth_t = np.repeat(np.arange(scans, dtype=float), n)
    truth_pos = np.tile(truth, (scans, 1)) + np.repeat(np.arange(scans), n)[:, None] * 10.0
    est_pos = truth_pos + rng.normal(0, 10, truth_pos.shape)
    start = time.perf_counter()
    result = gospa(truth_t, truth_pos, truth_t, est_pos, 50.0)
    assert time.perf_counter() - start < 1.0
    assert len(result.time_s) == scans
    assert np.all(result.localisation > 0)


def test_id_switches_fragmentation_confirmation_and_false_tracks() -> None:
    times = np.arange(10, dtype=float)
    truth_t = np.concatenate((times, times))
    truth_id = np.repeat([1, 2], 10)
    truth_pos = np.column_stack(
        (np.concatenate((times * 10, times * 10)), np.repeat([0.0, 1000.0], 10))
    )
    # truth 1: track 7 from t=2, replaced by track 8 at t=6 (one switch)
    # truth 2: track 9 from t=0, lost at t=4..5, back at t=6 (one fragmentation)
    # track 99: far from everything (a false track)
    est_t, est_id, est_pos = [], [], []
    for t in times:
        if t >= 2:
            est_t.append(t)
            est_id.append(7 if t < 6 else 8)
            est_pos.append((t * 10 + 1, 0.0))
        if t < 4 or t >= 6:
            est_t.append(t)
            est_id.append(9)
            est_pos.append((t * 10, 1001.0))
        est_t.append(t)
        est_id.append(99)
        est_pos.append((5000.0, 5000.0))
    quality = track_quality(
        truth_t, truth_id, truth_pos, np.array(est_t), np.array(est_id), np.array(est_pos), c_m=50.0
    )
    assert quality.id_switches == 1
    assert quality.fragmentations == 1
    assert quality.truth_ids.tolist() == [1, 2]
    assert quality.time_to_confirm_s.tolist() == [2.0, 0.0]
    assert quality.false_tracks == 1
    assert np.isclose(quality.false_tracks_per_hour, 3600.0 / 9.0)
