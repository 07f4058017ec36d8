"""Duplicate tracks: two held tracks of one target become one; distinct targets stay two."""

from __future__ import annotations

import numpy as np

from flankwatch.stream import PlotBatch
from flankwatch.track.duplicates import duplicates
from flankwatch.track.gating import gate_threshold
from flankwatch.track.output import TrackStatus
from flankwatch.track.settings import TrackerSettings
from flankwatch.track.tracker import build_tracker

GATE = gate_threshold(0.99, 6)


def _states(*rows: tuple[float, float, float, float]) -> tuple[np.ndarray, np.ndarray]:
    """States from (x, y, vx, vy), 100 m and 5 m/s standard deviations."""
    state = np.array([[x, y, 1000.0, vx, vy, 0.0] for x, y, vx, vy in rows])
    cov = np.tile(np.diag([100.0**2] * 3 + [5.0**2] * 3), (len(rows), 1, 1))
    return state, cov


def _drop(state, cov, held=None, first_s=None, icao=None, gate=GATE) -> list[bool]:
    n = len(state)
    return duplicates(
        state,
        cov,
        np.ones(n, bool) if held is None else np.asarray(held),
        np.arange(n, dtype=float) if first_s is None else np.asarray(first_s, float),
        np.arange(1, n + 1),
        np.zeros(n, np.uint32) if icao is None else np.asarray(icao, np.uint32),
        gate,
    ).tolist()


def test_the_younger_of_two_tracks_of_one_target_is_dropped() -> None:
    state, cov = _states((0, 0, 45, 0), (120, -60, 44, 2), (5000, 0, 45, 0))
    assert _drop(state, cov) == [False, True, False]
    assert _drop(state, cov, first_s=[10.0, 5.0, 0.0]) == [True, False, False]


def test_tracks_close_together_with_different_velocities_both_stay() -> None:
    """A fighter passing a drone: a few hundred metres apart, 200 m/s apart in speed."""
    state, cov = _states((0, 0, 45, 0), (300, 0, -230, 40))
    assert _drop(state, cov) == [False, False]


def test_tentative_tracks_addresses_and_a_zero_gate_are_respected() -> None:
    state, cov = _states((0, 0, 45, 0), (50, 0, 45, 0))
    assert _drop(state, cov, held=[True, False]) == [False, False]
    assert _drop(state, cov, icao=[0x48AE01, 0x48AE02]) == [False, False]
    assert _drop(state, cov, icao=[0, 0x48AE02]) == [True, False]  # the address is kept
    assert _drop(state, cov, gate=0.0) == [False, False]


def test_three_tracks_of_one_target_leave_the_oldest() -> None:
    state, cov = _states((0, 0, 45, 0), (40, 0, 45, 0), (80, 0, 45, 0))
    assert _drop(state, cov) == [False, True, True]


def test_a_twin_track_is_dropped_and_the_first_number_kept(position_plots) -> None:
    """Two radars see one drone; the second's plots start 1.5 km off (a registration error
    corrected over 100 s) and start a track of their own. Once both tracks lie on the
    drone, both keep finding plots: without the duplicate test they live on side by side."""

    def held_tracks(settings: TrackerSettings) -> list[list[int]]:
        rng = np.random.default_rng(3)
        tracker = build_tracker(settings)
        held = []
        for k in range(60):
            t = 5.0 * k
            drone = np.array([[45.0 * t, 0.0, 1000.0]])
            bias = np.array([0.0, max(0.0, 1500.0 - 15.0 * t), 0.0])
            plots = PlotBatch.concat(
                [
                    position_plots(t + 0.5, drone + rng.normal(0, 30, (1, 3)), 30.0, sensor_id=1),
                    position_plots(
                        t + 1.0, drone + bias + rng.normal(0, 30, (1, 3)), 30.0, sensor_id=2
                    ),
                ]
            )
            out = tracker.step(plots)
            kept = (out.status == TrackStatus.CONFIRMED) | (out.status == TrackStatus.COASTING)
            held.append(sorted(out.track_id[kept].tolist()))
        return held

    pruned = held_tracks(TrackerSettings())
    assert pruned[5] == [1, 2]  # two targets, as far as the plots tell
    assert all(tracks == [1] for tracks in pruned[30:])
    assert held_tracks(TrackerSettings(duplicate_gate_probability=0.0))[-1] == [1, 2]
