"""The IMM's switch rate estimated from the tracks: the count itself, and a tracker whose
estimate follows the targets it sees."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from flankwatch.track.settings import TrackerSettings
from flankwatch.track.switch_rate import SwitchRateEstimate
from flankwatch.track.tracker import build_tracker

CV, LEFT = [0.9, 0.05, 0.05], [0.2, 0.7, 0.1]


def test_the_prior_holds_until_changes_of_the_most_probable_mode_are_counted() -> None:
    estimate = SwitchRateEstimate(0.002, 1000.0, 3)
    assert estimate.rate_per_s == pytest.approx(0.002)
    before = np.array([CV, CV, LEFT])
    after = np.array([LEFT, [0.8, 0.1, 0.1], LEFT])
    estimate.observe(before, after, np.array([2.0, 2.0, 1.0]))
    # 2 switches of the prior (0.002 x 2 other modes x 1000 s) and one seen, over 1005 s
    assert estimate.rate_per_s == pytest.approx((4.0 + 1.0) / 2.0 / 1005.0)


def test_steps_of_no_length_count_nothing() -> None:
    estimate = SwitchRateEstimate(0.01, 100.0, 3)
    estimate.observe(np.array([CV]), np.array([LEFT]), np.array([0.0]))
    estimate.observe(np.array([CV]), np.array([LEFT]), np.array([-3.0]))
    assert estimate.rate_per_s == pytest.approx(0.01)


def test_a_prior_needs_two_modes_and_some_track_time() -> None:
    with pytest.raises(ValueError, match="two modes"):
        SwitchRateEstimate(0.01, 100.0, 1)
    with pytest.raises(ValueError, match="positive"):
        SwitchRateEstimate(0.01, 0.0, 3)


def _rate_after(turning: bool, settings: TrackerSettings, position_plots) -> float:
    """The rate the tracker's IMM uses after 120 scans of 1 s of 30 targets 3 km apart, flying
    straight or (``turning``) changing every 8 s between straight legs and 5 deg/s turns."""
    rng = np.random.default_rng(5)
    tracker = build_tracker(settings)
    n = 30
    pos = np.column_stack((np.arange(n) * 3000.0, np.zeros(n), np.full(n, 1000.0)))
    heading = np.zeros(n)
    for k in range(120):
        rate = np.radians(5.0) * ((k // 8) % 2) * (1.0 if turning else 0.0)
        heading = heading + rate
        pos = pos + 150.0 * np.column_stack((np.sin(heading), np.cos(heading), np.zeros(n)))
        tracker.step(position_plots(float(k), pos + rng.normal(0.0, 10.0, (n, 3)), 10.0))
    used = tracker._imm.switch_rate_per_s  # the rate the IMM predicts with
    if tracker.switch_rate is not None:
        assert used == tracker.switch_rate.rate_per_s
    return used


def test_the_rate_follows_the_targets(position_plots) -> None:
    settings = TrackerSettings()
    straight = _rate_after(False, settings, position_plots)
    turning = _rate_after(True, settings, position_plots)
    assert straight < settings.mode_switch_rate_per_s < turning
    assert turning > 10 * straight
    fixed = dataclasses.replace(settings, mode_switch_prior_track_s=math.inf)
    assert _rate_after(True, fixed, position_plots) == settings.mode_switch_rate_per_s
