"""Staged gating: a coarse k-d tree ball, then the max-speed and chi-square tests on one
prediction per track."""

from __future__ import annotations

import numpy as np

from flankwatch.stream import PlotBatch
from flankwatch.track.settings import TrackerSettings
from flankwatch.track.tracker import build_tracker


def _scene(position_plots, rng: np.random.Generator, n: int = 150):
    """A tracker holding ``n`` tracks (after four scans, 2 s apart, some turning) and the
    next scan's plots: the targets' and as many clutter plots, all near one another."""
    tracker = build_tracker(TrackerSettings())
    start = np.column_stack((rng.uniform(-8e3, 8e3, (n, 2)), rng.uniform(500, 3000, n)))
    velocity = np.column_stack((rng.normal(0, 120, (n, 2)), np.zeros(n)))
    for k in range(4):
        t = 2.0 * k
        tracker.step(position_plots(t, start + t * velocity + rng.normal(0, 20, (n, 3)), 20.0))
    t = 8.5
    truth = start + t * velocity + rng.normal(0, 20, (n, 3))
    clutter = np.column_stack((rng.uniform(-9e3, 9e3, (n, 2)), rng.uniform(500, 3000, n)))
    plots = PlotBatch.concat(
        [position_plots(t, truth, 20.0), position_plots(t + 0.3, clutter, 20.0)]
    )
    return tracker, plots


def test_no_pair_outside_the_coarse_ball_is_scored(position_plots) -> None:
    tracker, plots = _scene(position_plots, np.random.default_rng(11))
    rows = np.arange(len(plots))
    tracks = np.arange(len(tracker.table))
    centre, ball = tracker._ball(plots, rows, tracks)
    plot_sigma = np.sqrt(plots.cov_xx_m2 + plots.cov_yy_m2 + plots.cov_zz_m2)
    scored: list[tuple[np.ndarray, np.ndarray]] = []
    plain = tracker._pair_distances

    def spy(batch, rows, points, pair_track, pair_plot):
        scored.append((pair_track.copy(), rows[pair_plot]))
        return plain(batch, rows, points, pair_track, pair_plot)

    tracker._pair_distances = spy
    assert tracker._position_pairs(plots, rows, tracks) is not None
    pair_track, pair_rows = scored[0]
    xyz = np.column_stack((plots.x_m, plots.y_m, plots.z_m))
    distance = np.linalg.norm(xyz[pair_rows] - centre[pair_track], axis=1)
    assert np.all(distance <= ball(pair_track, plot_sigma[pair_rows]))
    # far fewer pairs are scored than there are track-plot pairs
    assert len(pair_track) < 0.05 * len(tracks) * len(rows)


def test_staged_gate_keeps_exactly_the_pairs_of_the_full_gate(position_plots) -> None:
    tracker, plots = _scene(position_plots, np.random.default_rng(12))
    rows = np.arange(len(plots))
    tracks = np.arange(len(tracker.table))
    pair_track, pair_plot, cost = tracker._position_pairs(plots, rows, tracks)
    staged = set(zip(pair_track.tolist(), pair_plot.tolist(), strict=True))
    # the full gate: every track with every plot, the same tests
    all_track = np.repeat(tracks, len(rows))
    all_plot = np.tile(rows, len(tracks))
    xyz = np.column_stack((plots.x_m, plots.y_m, plots.z_m))
    _, d2, speed_ok = tracker._pair_distances(plots, rows, xyz, all_track, all_plot)
    inside = (d2 < tracker._position_gate) & speed_ok
    full = set(zip(all_track[inside].tolist(), all_plot[inside].tolist(), strict=True))
    assert staged == full
    assert len(full) >= 0.8 * len(tracks)
    assert np.all(np.isfinite(cost))


def test_max_speed_refuses_plots_a_new_track_cannot_reach(position_plots) -> None:
    settings = TrackerSettings(max_speed_mps=100.0)
    tracker = build_tracker(settings)
    tracker.step(position_plots(0.0, [0.0, 0.0, 1000.0]))
    assert np.isclose(np.sqrt(tracker.table.cov[0, 0, 3, 3]), 100.0 / 3.0)
    # 250 m in 1 s is beyond 100 m/s (and its slack): a second track starts
    out = tracker.step(position_plots(1.0, [250.0, 0.0, 1000.0]))
    assert len(out) == 2
    faster = build_tracker(TrackerSettings(max_speed_mps=400.0))
    faster.step(position_plots(0.0, [0.0, 0.0, 1000.0]))
    assert len(faster.step(position_plots(1.0, [250.0, 0.0, 1000.0]))) == 1
