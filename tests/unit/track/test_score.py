"""The track score: confirmation and deletion by sequential tests, and the estimates of
clutter density and detection probability it rests on."""

from __future__ import annotations

import math

import numpy as np

from flankwatch.stream import PlotBatch
from flankwatch.track.output import TrackStatus
from flankwatch.track.score import DensityEstimate, thresholds
from flankwatch.track.settings import TrackerSettings
from flankwatch.track.tracker import build_tracker

HALF_SIDE_M = 20e3


def _clutter(rng: np.random.Generator, t: float, n: int, position_plots) -> PlotBatch:
    xy = rng.uniform(-HALF_SIDE_M, HALF_SIDE_M, (n, 2))
    xyz = np.column_stack((xy, rng.uniform(0.0, 3000.0, n)))
    return position_plots(t, xyz, 30.0)


def test_thresholds_are_walds() -> None:
    upper, lower = thresholds(1e-5, 0.05)
    assert np.isclose(upper, math.log(0.95 / 1e-5))
    assert np.isclose(lower, math.log(0.05 / (1 - 1e-5)))


def test_a_target_in_clutter_is_confirmed_within_four_scans(position_plots) -> None:
    rng = np.random.default_rng(4)
    tracker = build_tracker(TrackerSettings())
    start, velocity = np.array([1000.0, -2000.0, 1500.0]), np.array([150.0, 60.0, 0.0])
    confirmed_at = None
    for k in range(8):
        t = 2.0 * k
        target = position_plots(t, start + t * velocity + rng.normal(0, 30, 3), 30.0)
        out = tracker.step(PlotBatch.concat([target, _clutter(rng, t, 60, position_plots)]))
        near = np.linalg.norm(out.position() - (start + t * velocity), axis=1) < 300.0
        if confirmed_at is None and np.any(near & (out.status == TrackStatus.CONFIRMED)):
            confirmed_at = k
    assert confirmed_at is not None and confirmed_at <= 3


def test_a_clutter_plot_track_is_deleted_after_missed_scans(position_plots) -> None:
    tracker = build_tracker(TrackerSettings())
    tracker.set_revisit_periods(np.array([0]), np.array([2.0]))
    tracker.step(position_plots(0.0, [5000.0, 5000.0, 1000.0]))
    statuses = []
    for k in range(1, 6):
        out = tracker.step(position_plots(2.0 * k, [-9000.0, -9000.0, 1000.0 + k]))
        statuses.append(out.status[out.track_id == 1].tolist())
    # a scan counts as missed half a period after it was due; two misses at the prior
    # detection probability (2 ln 0.1) take the score below ln 0.05
    assert statuses[:2] == [[TrackStatus.TENTATIVE], [TrackStatus.TENTATIVE]]
    assert statuses[2] == [TrackStatus.DELETED]
    assert statuses[3] == []


def test_clutter_alone_confirms_almost_no_false_tracks(position_plots) -> None:
    """2,400 clutter plots over 40 scans start as many tentative tracks; the score confirms
    at most one, where two plots in three scans (M-of-N) confirms dozens."""
    counts = {}
    for confirmation in ("score", "m_of_n"):
        rng = np.random.default_rng(21)
        settings = TrackerSettings(
            motion="cv", confirmation=confirmation, confirm_m=2, confirm_window_s=6.0
        )
        tracker = build_tracker(settings)
        tracker.set_revisit_periods(np.array([0]), np.array([2.0]))
        confirmed: set[int] = set()
        for k in range(40):
            out = tracker.step(_clutter(rng, 2.0 * k, 60, position_plots))
            held = (out.status == TrackStatus.CONFIRMED) | (out.status == TrackStatus.COASTING)
            confirmed.update(out.track_id[held].tolist())
        counts[confirmation] = len(confirmed)
    assert counts["score"] <= 1
    assert counts["m_of_n"] >= 10


def test_density_estimate_finds_the_clutter_density_and_detection_probability() -> None:
    estimate = DensityEstimate(prior_pd=0.9, planar=True)
    rng = np.random.default_rng(2)
    estimate.observe_plots(*rng.uniform(0.0, 50e3, (3, 1000)))
    estimate.observe_starts(500, 1, informative=False)
    for _ in range(100):
        estimate.observe_starts(int(rng.poisson(40)), 2, informative=True)
        estimate.observe_detections(float(rng.binomial(100, 0.7)), 100.0)
    assert np.isclose(estimate.false_density, 20.0 / 50e3**2, rtol=0.15)
    assert np.isclose(estimate.detection_probability, 0.7, atol=0.05)
    assert np.isclose(estimate.miss_score(), math.log(1 - estimate.detection_probability))


def test_the_tracker_estimates_pd_over_sensors_of_different_revisit_periods(
    position_plots,
) -> None:
    """Two radars (2 s and 5 s) each see 30 targets with probability 0.8; the tracks take
    plots of both, so each track's latest sensor keeps changing. The estimate counts the
    scans due from every sensor that has lately seen a track."""
    rng = np.random.default_rng(8)
    tracker = build_tracker(TrackerSettings())
    tracker.set_revisit_periods(np.array([0, 1]), np.array([2.0, 5.0]))
    start = np.column_stack((rng.uniform(-40e3, 40e3, (30, 2)), rng.uniform(500.0, 5000.0, 30)))
    velocity = np.column_stack((rng.uniform(-150.0, 150.0, (30, 2)), np.zeros(30)))
    for second in range(1, 301):
        parts = []
        for sensor, period in ((0, 2), (1, 5)):
            if second % period == 0:
                seen = rng.random(30) < 0.8
                truth = start[seen] + second * velocity[seen]
                noisy = truth + rng.normal(0.0, 30.0, truth.shape)
                parts.append(position_plots(float(second), noisy, 30.0, sensor_id=sensor))
        tracker.step(PlotBatch.concat(parts) if parts else PlotBatch.empty(), float(second))
    assert np.isclose(tracker.density.detection_probability, 0.8, atol=0.04)
