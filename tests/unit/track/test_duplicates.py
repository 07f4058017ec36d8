"""Duplicate tracks: two held tracks of one target become one; distinct targets stay two."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest

from flankwatch.stream import PlotBatch
from flankwatch.track.duplicates import TwinWatch, twin_candidates
from flankwatch.track.gating import gate_threshold
from flankwatch.track.output import TrackStatus
from flankwatch.track.settings import TrackerSettings
from flankwatch.track.tracker import build_tracker

GATE = gate_threshold(0.99, 6)
HALF_SCAN_S = np.array([2.5, 5.0])
"""Half the revisit periods of two sensors, s."""


def _states(*rows: tuple[float, float, float, float]) -> tuple[np.ndarray, np.ndarray]:
    """States from (x, y, vx, vy), 100 m and 5 m/s standard deviations."""
    state = np.array([[x, y, 1000.0, vx, vy, 0.0] for x, y, vx, vy in rows])
    cov = np.tile(np.diag([100.0**2] * 3 + [5.0**2] * 3), (len(rows), 1, 1))
    return state, cov


def _pairs(state, cov, held=None, icao=None, sensor_t_s=None, gate=GATE) -> list[tuple[int, int]]:
    n = len(state)
    if sensor_t_s is None:  # each track's latest plots a scan apart from the others'
        sensor_t_s = np.column_stack((10.0 * np.arange(n), 10.0 * np.arange(n) + 1.0))
    a, b = twin_candidates(
        state,
        cov,
        np.ones(n, bool) if held is None else np.asarray(held),
        np.zeros(n, np.uint32) if icao is None else np.asarray(icao, np.uint32),
        np.asarray(sensor_t_s, float),
        HALF_SCAN_S,
        gate,
    )
    return sorted(zip(a.tolist(), b.tolist(), strict=True))


def test_two_tracks_of_one_state_are_candidates_and_far_or_fast_ones_are_not() -> None:
    state, cov = _states((0, 0, 45, 0), (120, -60, 44, 2), (5000, 0, 45, 0))
    assert _pairs(state, cov) == [(0, 1)]
    # a fighter passing a drone: a few hundred metres apart, 200 m/s apart in speed
    state, cov = _states((0, 0, 45, 0), (300, 0, -230, 40))
    assert _pairs(state, cov) == []


def test_a_sensor_that_gave_both_a_plot_in_one_scan_saw_two_targets() -> None:
    state, cov = _states((0, 0, 45, 0), (120, -60, 44, 2))
    same_scan = [[100.0, 101.0], [100.2, 93.0]]  # sensor 0: 0.2 s apart; sensor 1: 8 s
    assert _pairs(state, cov, sensor_t_s=same_scan) == []
    a_scan_apart = [[100.0, 101.0], [95.0, 91.0]]
    assert _pairs(state, cov, sensor_t_s=a_scan_apart) == [(0, 1)]
    never_both = [[100.0, np.nan], [np.nan, 101.0]]
    assert _pairs(state, cov, sensor_t_s=never_both) == [(0, 1)]


def test_tentative_tracks_addresses_and_a_zero_gate_are_respected() -> None:
    state, cov = _states((0, 0, 45, 0), (50, 0, 45, 0))
    assert _pairs(state, cov, held=[True, False]) == []
    assert _pairs(state, cov, icao=[0x48AE01, 0x48AE02]) == []
    assert _pairs(state, cov, icao=[0, 0x48AE02]) == [(0, 1)]
    assert _pairs(state, cov, gate=0.0) == []


def test_twins_are_dropped_only_after_the_hold_the_younger_or_the_unaddressed() -> None:
    watch = TwinWatch(hold_s=30.0)
    ids, first, icao = np.array([7, 9, 12]), np.array([0.0, 50.0, 60.0]), np.zeros(3, np.uint32)
    a, b = np.array([0, 1]), np.array([1, 2])
    assert watch.drop(100.0, a, b, ids, first, icao).tolist() == [False] * 3
    assert watch.drop(120.0, a, b, ids, first, icao).tolist() == [False] * 3
    # 7 and 9 twins for 30 s: 9, the younger, goes (and is no twin of 12 any more)
    assert watch.drop(130.0, a, b, ids, first, icao).tolist() == [False, True, False]
    # a pair missing for one step starts its hold again
    watch = TwinWatch(hold_s=30.0)
    pair = (np.array([0]), np.array([2]))
    for t_s in (0.0, 20.0, 40.0):
        assert not watch.drop(t_s, *pair, ids, first, icao).any()
        if t_s == 0.0:
            assert not watch.drop(10.0, a[:0], b[:0], ids, first, icao).any()
    assert watch.drop(50.0, *pair, ids, first, icao).tolist() == [False, False, True]
    addressed = np.array([0, 0x48AE01, 0], np.uint32)
    watch = TwinWatch(hold_s=0.0)
    assert watch.drop(0.0, a[:1], b[:1], ids, first, addressed).tolist() == [True, False, False]


def test_a_twin_track_is_dropped_and_the_first_number_kept(position_plots) -> None:
    """Two radars see one drone; the second's plots start 1.5 km off (a registration error
    corrected over 100 s) and start a track of their own. Once both tracks lie on the
    drone, both keep finding plots: without the duplicate test (and the replacement test,
    which drops a twin that misses 3 scans) they live on side by side."""

    def plots_at(k: int, rng: np.random.Generator) -> PlotBatch:
        t = 5.0 * k
        drone = np.array([[45.0 * t, 0.0, 1000.0]])
        bias = np.array([0.0, max(0.0, 1500.0 - 15.0 * t), 0.0])
        return PlotBatch.concat(
            [
                position_plots(t + 0.5, drone + rng.normal(0, 30, (1, 3)), 30.0, sensor_id=1),
                position_plots(
                    t + 1.0, drone + bias + rng.normal(0, 30, (1, 3)), 30.0, sensor_id=2
                ),
            ]
        )

    def held_tracks(settings: TrackerSettings) -> list[list[int]]:
        return _held_after_each_step(settings, 60, 3, plots_at)

    pruned = held_tracks(TrackerSettings())
    assert pruned[5] == [1, 2]  # two targets, as far as the plots tell
    assert all(tracks == [1] for tracks in pruned[30:])
    unpruned = TrackerSettings(duplicate_gate_probability=0.0, replace_after_scans=math.inf)
    assert held_tracks(unpruned)[-1] == [1, 2]


@pytest.mark.parametrize("n", [300, 40])
def test_the_search_finds_every_pair_within_the_sum_of_their_reaches(n: int) -> None:
    """Through the grid (300 tracks) and pair by pair (40); each pair once, in order."""
    from flankwatch.track.duplicates import _near_pairs

    rng = np.random.default_rng(5)
    points = rng.uniform(0, 20_000, (n, 3))
    reach = rng.choice([50.0, 200.0, 3000.0], n, p=[0.6, 0.35, 0.05])
    found = {tuple(pair) for pair in _near_pairs(points, reach).tolist()}
    gap = np.linalg.norm(points[:, None] - points[None, :], axis=2)
    i, j = np.nonzero(np.triu(gap <= reach[:, None] + reach[None, :], k=1))
    assert set(zip(i.tolist(), j.tolist(), strict=True)) <= found
    pairs = _near_pairs(points, reach)
    assert all(a < b for a, b in found)
    assert len(found) == len(pairs)
    assert np.all(np.diff(pairs[:, 0] * n + pairs[:, 1]) > 0)


def test_a_stale_track_is_replaced_only_by_a_fresh_one_inside_its_position_gate() -> None:
    from flankwatch.track.duplicates import replaced

    pos = np.array([[0.0, 0.0], [150.0, 0.0], [5000.0, 0.0], [5100.0, 0.0], [9000.0, 0.0]])
    cov = np.repeat(np.eye(2)[None] * 50.0**2, 5, axis=0)
    stale = np.array([True, False, True, False, True])
    fresh = np.array([False, True, False, False, False])
    gate = gate_threshold(0.99, 2)
    # 0 has fresh 1 150 m away (2.1 sigma of the summed covariances); 2 has only an
    # unupdated track near; 4 nothing
    none, silent = np.zeros(5, np.uint32), np.zeros(5, bool)
    assert replaced(pos, cov, stale, fresh, none, silent, gate).tolist() == [
        True,
        False,
        False,
        False,
        False,
    ]
    cov[1] = np.eye(2) * 10.0**2  # 150 m is now 2.9 sigma: outside the 0.99 gate (3.03)
    cov[0] = np.eye(2) * 10.0**2
    assert not replaced(pos, cov, stale, fresh, none, silent, gate).any()
    assert not replaced(pos, cov, stale, np.zeros(5, bool), none, silent, gate).any()


def test_an_addressed_track_never_replaces_an_unaddressed_or_otherwise_addressed_one() -> None:
    from flankwatch.track.duplicates import replaced

    pos = np.array([[0.0, 0.0], [100.0, 0.0]])
    cov = np.repeat(np.eye(2)[None] * 50.0**2, 2, axis=0)
    stale, fresh, gate = np.array([True, False]), np.array([False, True]), gate_threshold(0.99, 2)

    def replaced_with(addresses: list[int]) -> bool:
        addressed = np.array(addresses, np.uint32)
        return bool(replaced(pos, cov, stale, fresh, addressed, np.zeros(2, bool), gate)[0])

    assert replaced_with([0, 0])
    assert replaced_with([0x48AE01, 0])  # a lost aircraft's track, taken on by radar alone
    assert replaced_with([0x48AE01, 0x48AE01])
    assert not replaced_with([0, 0x48AE01])  # an unidentified track beside an airliner's
    assert not replaced_with([0x48AE02, 0x48AE01])


def test_a_track_answering_mode5_never_replaces_one_that_did_not() -> None:
    """An own fighter's track (IFF Mode 5) beside a drone's lost track leaves it be."""
    from flankwatch.track.duplicates import replaced

    pos = np.array([[0.0, 0.0], [100.0, 0.0]])
    cov = np.repeat(np.eye(2)[None] * 50.0**2, 2, axis=0)
    stale, fresh, gate = np.array([True, False]), np.array([False, True]), gate_threshold(0.99, 2)
    none = np.zeros(2, np.uint32)

    def replaced_with(answered: list[bool]) -> bool:
        return bool(replaced(pos, cov, stale, fresh, none, np.array(answered), gate)[0])

    assert replaced_with([False, False])
    assert replaced_with([True, True])
    assert replaced_with([True, False])  # an own aircraft's track, taken on by a primary radar
    assert not replaced_with([False, True])  # a drone's track beside an own fighter's


def test_a_track_lost_to_a_jump_is_dropped_once_its_target_is_tracked_again(
    position_plots,
) -> None:
    """A drone seen every 2 s jumps 600 m sideways (a leg change far outside its gate): a
    new track takes it on, and the old one, coasting on the old line, is dropped within
    20 s instead of coasting for ``delete_after_s`` (90 s)."""

    def plots_at(k: int, rng: np.random.Generator) -> PlotBatch:
        t = 2.0 * k
        drone = np.array([[50.0 * t, 600.0 if k >= 15 else 0.0, 1000.0]])
        return position_plots(t, drone + rng.normal(0, 20, (1, 3)), 20.0)

    def held_tracks(settings: TrackerSettings) -> list[list[int]]:
        return _held_after_each_step(settings, 40, 8, plots_at)

    replacing = held_tracks(TrackerSettings())
    assert replacing[10] == [1]
    assert len(replacing[-1]) == 1 and replacing[-1] != [1]
    dropped_at = next(k for k, tracks in enumerate(replacing) if k > 15 and 1 not in tracks)
    # 3 missed scans, and the old track's gate grown to hold the new one 600 m away
    assert dropped_at <= 15 + 10
    coasting = held_tracks(TrackerSettings(replace_after_scans=math.inf))
    assert 1 in coasting[-1] and len(coasting[-1]) == 2


def _held_after_each_step(
    settings: TrackerSettings,
    steps: int,
    seed: int,
    plots_at: Callable[[int, np.random.Generator], PlotBatch],
) -> list[list[int]]:
    """The numbers of the confirmed and coasting tracks after each of ``steps`` steps of a
    tracker with ``settings``, step ``k`` given ``plots_at(k, rng)``."""
    rng = np.random.default_rng(seed)
    tracker = build_tracker(settings)
    held = []
    for k in range(steps):
        out = tracker.step(plots_at(k, rng))
        kept = (out.status == TrackStatus.CONFIRMED) | (out.status == TrackStatus.COASTING)
        held.append(sorted(out.track_id[kept].tolist()))
    return held
