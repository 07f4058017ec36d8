"""The tracker's stacked round: a track's position plots of a batch applied at once."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from flankwatch.stream import PlotBatch, PlotKind
from flankwatch.track import stacked_round
from flankwatch.track.settings import TrackerSettings
from flankwatch.track.tracker import build_tracker

VELOCITY = np.array([120.0, -40.0, 0.0])


def _adsb_batches(position_plots, rng, seconds: int = 30, batch_s: int = 5):
    """An aircraft flying straight, reported every second by ADS-B (10 m), in batches."""
    batches = []
    for start in range(0, seconds, batch_s):
        t = np.arange(start, start + batch_s, dtype=float)
        xyz = np.array([1000.0, 2000.0, 9000.0]) + t[:, None] * VELOCITY
        batches.append(
            position_plots(
                t,
                xyz + rng.normal(0, 10.0, xyz.shape),
                sigma_m=10.0,
                kind=PlotKind.ADSB,
                icao24=0x48AE01,
                callsign="LOT3AB",
            )
        )
    return batches


def _run(settings: TrackerSettings, batches: list[PlotBatch], monkeypatch=None):
    calls = []
    if monkeypatch is not None:
        plain = stacked_round.stacked_update
        monkeypatch.setattr(
            stacked_round, "stacked_update", lambda *a: calls.append(1) or plain(*a)
        )
    tracker = build_tracker(settings)
    for batch in batches:
        out = tracker.step(batch, now_s=float(batch.t_s[-1]) + 1.0)
    return out, len(calls)


@pytest.mark.parametrize("motion", ["cv", "imm"])
def test_stacked_plots_give_the_estimate_of_plots_one_by_one(position_plots, motion, monkeypatch):
    batches = _adsb_batches(position_plots, np.random.default_rng(4))
    settings = dataclasses.replace(TrackerSettings(), motion=motion)
    stacked, calls = _run(settings, batches, monkeypatch)
    one_by_one, _ = _run(dataclasses.replace(settings, stacked_updates=False), batches)
    assert calls == len(batches)  # the first batch's later plots join the track they start
    assert len(stacked) == len(one_by_one) == 1
    assert stacked.status[0] == one_by_one.status[0]
    sigma_m = np.sqrt(one_by_one.cov_xx_m2[0])
    gap_m = np.linalg.norm(stacked.position()[0] - one_by_one.position()[0])
    if motion == "cv":  # one model: the same filter, to rounding
        assert gap_m < 1e-6 * sigma_m
        assert np.isclose(stacked.cov_xx_m2[0], one_by_one.cov_xx_m2[0], rtol=1e-6)
    else:  # the modes mixed once per batch instead of once per plot
        assert gap_m < 0.2 * sigma_m
    assert np.allclose([stacked.vx_mps[0], stacked.vy_mps[0]], VELOCITY[:2], atol=5.0)


def test_a_plot_outside_the_gate_given_the_earlier_ones_is_left_out(position_plots):
    rng = np.random.default_rng(5)
    batches = _adsb_batches(position_plots, rng, seconds=20)
    settings = dataclasses.replace(TrackerSettings(), motion="cv")
    tracker = build_tracker(settings)
    for batch in batches:
        tracker.step(batch, now_s=float(batch.t_s[-1]) + 1.0)
    t = np.array([20.0, 21.0, 22.0])
    xyz = np.array([1000.0, 2000.0, 9000.0]) + t[:, None] * VELOCITY
    xyz[2] += [800.0, 0.0, 0.0]  # the third plot 800 m off: 80 sigma
    batch = position_plots(t, xyz, sigma_m=10.0, sensor_id=3)
    twin = build_tracker(settings)
    for earlier in batches:
        twin.step(earlier, now_s=float(earlier.t_s[-1]) + 1.0)
    rejected = tracker._stacked_position_round(batch, np.zeros(3, np.int64), np.arange(3))
    assert rejected.tolist() == [2]
    twin._stacked_position_round(batch, np.zeros(2, np.int64), np.arange(2))
    assert np.allclose(tracker.table.mean, twin.table.mean, rtol=1e-12)
    assert tracker.table.t_s[0] == twin.table.t_s[0] == 21.0


def test_a_track_with_a_plot_before_its_time_is_updated_in_rounds(position_plots, monkeypatch):
    batches = _adsb_batches(position_plots, np.random.default_rng(6), seconds=10)

    def radar(*t_s: float) -> PlotBatch:
        t = np.array(t_s)
        xyz = np.array([1000.0, 2000.0, 9000.0]) + t[:, None] * VELOCITY
        return position_plots(t, xyz, sigma_m=30.0, sensor_id=4)

    on_time, calls_on_time = _run(
        TrackerSettings(), [*batches, radar(11.0, 12.0, 13.0)], monkeypatch
    )
    monkeypatch.undo()
    late, calls_late = _run(TrackerSettings(), [*batches, radar(8.5, 11.0, 12.0)], monkeypatch)
    assert calls_on_time == len(batches) + 1
    assert calls_late == len(batches)  # the track is at 9 s: its plot of 8.5 s is late
    assert len(on_time) == len(late) == 1
    truth = np.array([1000.0, 2000.0, 9000.0]) + 13.0 * VELOCITY
    assert np.linalg.norm(late.position()[0] - truth) < 100.0


def test_plots_whose_covariance_cannot_be_factorised_go_to_rounds(position_plots, monkeypatch):
    batches = _adsb_batches(position_plots, np.random.default_rng(7))

    def ill_conditioned(*args):
        raise np.linalg.LinAlgError("Matrix is not positive definite")

    monkeypatch.setattr(stacked_round, "stacked_update", ill_conditioned)
    fallen_back, _ = _run(TrackerSettings(), batches)
    monkeypatch.undo()
    in_rounds, _ = _run(TrackerSettings(stacked_updates=False), batches)
    for name in ("track_id", "status", "x_m", "y_m", "z_m", "vx_mps", "cov_xx_m2"):
        assert np.array_equal(getattr(fallen_back, name), getattr(in_rounds, name)), name
