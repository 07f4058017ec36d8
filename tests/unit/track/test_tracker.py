"""The tracker: initiation, confirmation, deletion, each plot kind, manoeuvres, late plots."""

from __future__ import annotations

import dataclasses
import time

import numpy as np

from flankwatch.stream import PlotBatch
from flankwatch.track.output import TrackBatch, TrackStatus
from flankwatch.track.settings import TrackerSettings
from flankwatch.track.tracker import build_tracker, track_stream

CV = TrackerSettings(motion="cv", confirmation="m_of_n")


def _straight(t_s: float, start=(0.0, 0.0, 1000.0), velocity=(100.0, 50.0, 0.0)) -> np.ndarray:
    return np.asarray(start) + t_s * np.asarray(velocity)


def test_tentative_then_confirmed_by_m_plots_in_a_window(position_plots) -> None:
    settings = dataclasses.replace(CV, confirm_m=3, confirm_window_s=4.0)
    tracker = build_tracker(settings)
    statuses = []
    for k in range(4):
        out = tracker.step(position_plots(float(k), _straight(k)))
        assert len(out) == 1
        statuses.append(TrackStatus(out.status[0]))
    assert statuses == [
        TrackStatus.TENTATIVE,
        TrackStatus.TENTATIVE,
        TrackStatus.CONFIRMED,
        TrackStatus.CONFIRMED,
    ]
    assert np.allclose(out.position()[0], _straight(3.0), atol=15.0)
    assert np.allclose([out.vx_mps[0], out.vy_mps[0]], [100.0, 50.0], atol=10.0)


def test_confirmation_does_not_depend_on_the_batch_length(position_plots) -> None:
    # a 10 s radar seen in 1 s batches (nine of ten empty) and in 10 s batches
    def run(batch_s: float) -> list[TrackStatus]:
        tracker = build_tracker(CV)
        tracker.set_revisit_periods(np.array([0]), np.array([10.0]))
        statuses = []
        for k in range(int(40 / batch_s)):
            t0 = k * batch_s
            scans = [t for t in np.arange(0.3, 40.0, 10.0) if t0 <= t < t0 + batch_s]
            plots = [position_plots(t, _straight(t)) for t in scans]
            out = tracker.step(PlotBatch.concat(plots), now_s=t0 + batch_s)
            assert len(out) == 1
            statuses.append(TrackStatus(out.status[0]))
        return statuses

    tentative, confirmed = TrackStatus.TENTATIVE, TrackStatus.CONFIRMED
    assert run(10.0)[:3] == [tentative, tentative, confirmed]
    one = run(1.0)
    # confirmed by the third scan, then coasting between scans
    assert one[:20] == [tentative] * 20 and one[20] == confirmed
    assert set(one[21:]) == {confirmed, TrackStatus.COASTING}


def test_plots_of_several_sensors_count_towards_confirmation(position_plots) -> None:
    tracker = build_tracker(CV)
    batch = PlotBatch.concat(
        [position_plots(0.1 * s, _straight(0.1 * s), sensor_id=s) for s in range(3)]
    )
    out = tracker.step(batch)
    assert out.status.tolist() == [TrackStatus.CONFIRMED]


def test_unconfirmable_tentative_track_is_deleted(position_plots) -> None:
    tracker = build_tracker(dataclasses.replace(CV, confirm_m=3, confirm_window_s=3.0))
    tracker.step(position_plots(0.0, _straight(0.0)))
    for now_s in (1.0, 2.0):
        out = tracker.step(PlotBatch.empty(), now_s=now_s)
        assert out.status.tolist() == [TrackStatus.TENTATIVE]
    # the window has closed with one plot of three
    out = tracker.step(PlotBatch.empty(), now_s=3.0)
    assert out.status.tolist() == [TrackStatus.DELETED]
    assert len(tracker.table) == 0
    assert len(tracker.step(PlotBatch.empty(), now_s=4.0)) == 0


def test_confirmed_track_coasts_then_is_deleted_and_numbers_are_not_reused(
    position_plots,
) -> None:
    tracker = build_tracker(dataclasses.replace(CV, delete_after_s=3.0))
    for k in range(4):
        out = tracker.step(position_plots(float(k), _straight(k)))
    first_id = int(out.track_id[0])
    history = []
    for k in range(4, 8):
        out = tracker.step(PlotBatch.empty(), now_s=float(k))
        history.append(TrackStatus(out.status[0]))
    assert history == [TrackStatus.COASTING] * 3 + [TrackStatus.DELETED]
    # the coasting track was predicted along its course
    assert np.allclose(out.position()[0], _straight(7.0), atol=30.0)
    out = tracker.step(position_plots(8.0, _straight(8.0)))
    assert out.track_id[0] > first_id


def test_two_close_targets_keep_their_tracks(position_plots) -> None:
    rng = np.random.default_rng(4)
    tracker = build_tracker(CV)
    ids = None
    for k in range(20):
        a = _straight(k, start=(0.0, 0.0, 1000.0), velocity=(50.0, 0.0, 0.0))
        b = _straight(k, start=(0.0, 150.0, 1000.0), velocity=(50.0, 0.0, 0.0))
        plots = np.vstack((a, b)) + rng.normal(0.0, 5.0, (2, 3))
        out = tracker.step(position_plots(float(k), plots))
        confirmed = out.take(out.status == TrackStatus.CONFIRMED)
        if len(confirmed) == 2:
            order = np.argsort(confirmed.y_m)
            now = confirmed.track_id[order].tolist()
            assert ids is None or now == ids
            ids = now
    assert ids is not None


def test_radar_plots_spread_over_a_scan_are_predicted_to_their_own_times(position_plots) -> None:
    # a rotating radar: ten fast targets, each seen at a different time within the 1 s batch
    rng = np.random.default_rng(8)
    starts = np.column_stack((np.arange(10) * 3000.0, np.zeros(10), np.full(10, 500.0)))
    velocity = np.array([250.0, 0.0, 0.0])
    tracker = build_tracker(CV)
    for k in range(12):
        t = k + np.arange(10) / 10.0
        plots = starts + t[:, None] * velocity + rng.normal(0.0, 5.0, (10, 3))
        out = tracker.step(position_plots(t, plots))
    confirmed = out.take(out.status == TrackStatus.CONFIRMED)
    assert len(confirmed) == 10
    assert np.allclose(confirmed.vx_mps, 250.0, atol=10.0)
    expected = starts[np.argsort(starts[:, 0])] + out.time_s[0] * velocity
    assert np.allclose(confirmed.position()[np.argsort(confirmed.x_m)], expected, atol=20.0)


def test_acoustic_bearings_update_existing_tracks_only(position_plots, bearing_plots) -> None:
    node = np.array([2000.0, -3000.0, 0.0])
    truth_start, velocity = np.array([0.0, 0.0, 300.0]), np.array([30.0, 0.0, 0.0])
    # a bearing with no track starts nothing
    empty = build_tracker(CV)
    assert len(empty.step(bearing_plots(0.0, node, [0.3], 0.01))) == 0
    assert len(empty.table) == 0

    def run(with_bearings: bool) -> TrackBatch:
        rng = np.random.default_rng(12)
        tracker = build_tracker(dataclasses.replace(CV, delete_after_s=60.0))
        for k in range(5):
            truth = truth_start + k * velocity
            out = tracker.step(position_plots(float(k), truth + rng.normal(0, 50, 3), sigma_m=50.0))
        for k in range(5, 25):
            truth = truth_start + k * velocity
            offset = truth - node
            bearing = np.arctan2(offset[0], offset[1]) + rng.normal(0, 0.005)
            batch = (
                bearing_plots(float(k), node, [bearing], 0.005)
                if with_bearings
                else PlotBatch.empty()
            )
            out = tracker.step(batch, now_s=float(k))
        return out

    coasted, helped = run(False), run(True)
    assert len(helped) == 1
    assert helped.status[0] == TrackStatus.CONFIRMED
    assert coasted.status[0] == TrackStatus.COASTING
    truth = truth_start + 24 * velocity
    # the bearing is perpendicular-ish to the node-target line: the cross-bearing error shrinks
    line = (truth - node)[:2] / np.linalg.norm((truth - node)[:2])
    across = np.array([line[1], -line[0]])
    error_helped = abs((helped.position()[0, :2] - truth[:2]) @ across)
    error_coasted = abs((coasted.position()[0, :2] - truth[:2]) @ across)
    assert error_helped < error_coasted
    assert error_helped < 30.0


def test_every_track_covariance_stays_exactly_symmetric(position_plots, bearing_plots) -> None:
    # the compiled IMM mixing forms the upper triangle and mirrors it: every way a covariance
    # enters the table (start, position, stacked, bearing and late updates) must keep it so
    rng = np.random.default_rng(31)
    tracker = build_tracker(TrackerSettings())
    starts = rng.uniform(-4e3, 4e3, (6, 3)) * [1.0, 1.0, 0.05] + [0.0, 0.0, 1500.0]
    velocity = rng.normal(0.0, 30.0, (6, 3)) * [1.0, 1.0, 0.05]
    node = np.array([0.0, 6e3, 0.0])  # every target within its hearing
    for k in range(30):
        t = 4.0 * k
        truth = starts + t * velocity
        batches = [position_plots(t, truth + rng.normal(0.0, 40.0, truth.shape), sigma_m=40.0)]
        if k % 3 == 0:  # two more sensors in the same batch: tracks take three plots, stacked
            for sensor, dt in ((2, 1.5), (4, 1.0)):
                batches.append(
                    position_plots(t + dt, truth + dt * velocity, sigma_m=80.0, sensor_id=sensor)
                )
        offset = truth - node
        bearings = np.arctan2(offset[:, 0], offset[:, 1]) + rng.normal(0.0, 0.005, 6)
        batches.append(bearing_plots(t + 0.5, node, bearings, 0.005))
        steps = [PlotBatch.concat(batches).sorted_by_time()]
        if k % 5 == 4:  # then a late plot of the first target, older than its track
            steps.append(position_plots(t - 1.0, truth[:1] - velocity[:1], sensor_id=3))
        for batch in steps:
            tracker.step(batch, now_s=t + 1.5)
            cov = tracker.table.cov
            assert np.array_equal(cov, np.swapaxes(cov, -1, -2))
    assert len(tracker.table) >= 6


def test_imm_turn_mode_rises_during_a_turn(position_plots) -> None:
    rng = np.random.default_rng(21)
    settings = TrackerSettings(motion="imm", turn_rate_dps=8.0)
    tracker = build_tracker(settings)
    position, heading, speed = np.array([0.0, 0.0, 500.0]), 0.0, 60.0
    turning = lambda k: 20 <= k < 40  # noqa: E731
    rate = np.radians(8.0)
    probability = {}
    for k in range(60):
        out = tracker.step(position_plots(float(k), position + rng.normal(0, 5, 3)))
        confirmed = out.take(out.status == TrackStatus.CONFIRMED)
        if len(confirmed) == 1:
            probability[k] = float(confirmed.manoeuvre_prob[0])
        for _ in range(10):  # integrate the turn finely
            if turning(k):
                heading += rate * 0.1
            position = position + 0.1 * speed * np.array([np.sin(heading), np.cos(heading), 0.0])
    straight = np.mean([probability[k] for k in range(12, 20)])
    turn = np.mean([probability[k] for k in range(28, 40)])
    after = np.mean([probability[k] for k in range(52, 60)])
    assert turn > 0.8
    assert straight < 0.5 and after < 0.5
    assert len({int(i) for i in out.track_id}) == 1


def test_late_plot_updates_the_track_instead_of_starting_one(position_plots) -> None:
    tracker = build_tracker(CV)
    for k in range(6):
        tracker.step(position_plots(float(k), _straight(k)))
    before = tracker.table.cov[0, 0].copy()
    last_time = tracker.table.t_s[0]
    # a plot from 0.5 s ago arrives after the track was updated at t = 5
    out = tracker.step(position_plots(4.5, _straight(4.5)), now_s=5.0)
    assert len(out) == 1
    assert tracker.table.t_s[0] == last_time
    assert np.trace(tracker.table.cov[0, 0, :3, :3]) < np.trace(before[:3, :3])
    assert np.allclose(out.position()[0], _straight(5.0), atol=10.0)


def test_track_stream_and_arrow_output(position_plots) -> None:
    batches = [position_plots(float(k), _straight(k)) for k in range(5)]
    outs = list(track_stream(batches, build_tracker(CV)))
    assert len(outs) == 5
    table = TrackBatch.concat(outs).to_arrow()
    assert table.num_rows == 5
    assert {
        "time_s",
        "track_id",
        "x_m",
        "vx_mps",
        "status",
        "cov_xx_m2",
        "icao24",
        "callsign",
    } <= set(table.column_names)
    assert TrackBatch.from_arrow(table).track_id.tolist() == [1] * 5


def test_keeps_up_with_a_thousand_targets_from_a_dozen_sensors(position_plots) -> None:
    rng = np.random.default_rng(30)
    n = 1000
    start = np.column_stack((rng.uniform(-1e5, 1e5, (n, 2)), rng.uniform(100, 5000, n)))
    velocity = np.column_stack((rng.normal(0, 80, (n, 2)), np.zeros(n)))
    tracker = build_tracker(TrackerSettings())
    elapsed = 0.0
    for k in range(8):
        parts = []
        for sensor in range(12):
            seen = rng.random(n) < 0.3  # each sensor sees part of the picture
            t = k + rng.uniform(0.0, 0.99, int(seen.sum()))
            truth = start[seen] + t[:, None] * velocity[seen]
            parts.append(
                position_plots(
                    t, truth + rng.normal(0, 20, truth.shape), sigma_m=20.0, sensor_id=sensor
                )
            )
        batch = PlotBatch.concat(parts).sorted_by_time()
        began = time.perf_counter()
        out = tracker.step(batch)
        elapsed += time.perf_counter() - began
    confirmed = out.take(out.status == TrackStatus.CONFIRMED)
    assert len(confirmed) > 0.95 * n
    assert len(confirmed) < 1.05 * n
    assert elapsed / 8 < 1.0  # well inside a 1 s batch


def test_max_association_distance_limits_the_gate(position_plots) -> None:
    # a new track's velocity is unknown, so its statistical gate is wide (hundreds of m)
    wide = build_tracker(CV)
    wide.step(position_plots(0.0, [0.0, 0.0, 0.0]))
    assert len(wide.step(position_plots(1.0, [400.0, 0.0, 0.0]))) == 1
    capped = build_tracker(dataclasses.replace(CV, max_association_distance_m=300.0))
    capped.step(position_plots(0.0, [0.0, 0.0, 0.0]))
    assert len(capped.step(position_plots(1.0, [400.0, 0.0, 0.0]))) == 2


def test_a_track_takes_at_most_one_plot_per_sensor_window(position_plots) -> None:
    # two plots of one radar in one scan near one track: one updates it, the other starts
    # a track; a second radar's plot of the same target in the same batch still updates it
    tracker = build_tracker(CV)
    tracker.set_revisit_periods(np.array([0, 1]), np.array([4.0, 4.0]))
    for k in range(3):
        tracker.step(position_plots(4.0 * k, _straight(4.0 * k)), now_s=4.0 * k)
    assert len(tracker.table) == 1
    t = 12.0
    batch = PlotBatch.concat(
        [
            position_plots([t, t + 0.1], [_straight(t), _straight(t + 0.1) + [30.0, 0, 0]]),
            position_plots(t + 0.5, _straight(t + 0.5), sensor_id=1),
        ]
    ).sorted_by_time()
    out = tracker.step(batch, now_s=t + 1.0)
    assert len(out) == 2
    confirmed = out.take(out.status == TrackStatus.CONFIRMED)
    assert len(confirmed) == 1
    assert tracker.table.last_update_s[0] == t + 0.5
    assert np.allclose(confirmed.position()[0], _straight(t + 1.0), atol=15.0)


def test_one_new_target_seen_by_several_sensors_in_a_batch_starts_one_track(
    position_plots,
) -> None:
    rng = np.random.default_rng(5)
    tracker = build_tracker(TrackerSettings())
    tracker.set_revisit_periods(np.arange(3), np.array([4.0, 10.0, 4.0]))
    plots = []
    for sensor, times in ((0, (0.5, 4.5, 8.5)), (1, (3.0,)), (2, (1.0, 5.0, 9.0))):
        for t in times:
            xyz = _straight(t) + rng.normal(0.0, 20.0, 3)
            plots.append(position_plots(t, xyz, sigma_m=20.0, sensor_id=sensor))
    clutter = position_plots(2.0, [40e3, -30e3, 500.0], sigma_m=20.0, sensor_id=1)
    out = tracker.step(PlotBatch.concat([*plots, clutter]).sorted_by_time(), now_s=10.0)
    assert len(out) == 2  # the target's track and the clutter's tentative one
    confirmed = out.take(out.status == TrackStatus.CONFIRMED)
    assert len(confirmed) == 1
    assert np.allclose(confirmed.position()[0], _straight(10.0), atol=100.0)
    assert np.allclose([confirmed.vx_mps[0], confirmed.vy_mps[0]], [100.0, 50.0], atol=25.0)


def test_joint_and_sequential_association_agree(position_plots, bearing_plots) -> None:
    rng = np.random.default_rng(31)
    n = 200
    start = np.column_stack((rng.uniform(-5e4, 5e4, (n, 2)), rng.uniform(100, 5000, n)))
    velocity = np.column_stack((rng.normal(0, 80, (n, 2)), np.zeros(n)))
    node = np.array([0.0, 0.0, 0.0])
    batches = []
    for k in range(6):
        parts = []
        for sensor, period in enumerate((4.0, 10.0, 5.0)):
            for t0 in np.arange(0.0, 10.0, period):
                seen = rng.random(n) < 0.9
                t = 10.0 * k + t0 + rng.uniform(0.0, 0.9 * period, int(seen.sum()))
                truth = start[seen] + t[:, None] * velocity[seen]
                noisy = truth + rng.normal(0, 20, truth.shape)
                parts.append(position_plots(t, noisy, sigma_m=20.0, sensor_id=sensor))
        for t in 10.0 * k + np.arange(0.0, 10.0, 2.0):
            offset = start + t * velocity - node
            near = np.hypot(offset[:, 0], offset[:, 1]) < 8000.0
            bearing = np.arctan2(offset[near, 0], offset[near, 1]) + rng.normal(0, 0.01, near.sum())
            parts.append(bearing_plots(t, node, bearing, 0.01, sensor_id=3))
        batches.append((PlotBatch.concat(parts).sorted_by_time(), 10.0 * (k + 1)))
    outs = {}
    for association in ("joint", "sequential"):
        tracker = build_tracker(dataclasses.replace(TrackerSettings(), association=association))
        tracker.set_revisit_periods(np.arange(4), np.array([4.0, 10.0, 5.0, 2.0]))
        for batch, now_s in batches:
            out = tracker.step(batch, now_s=now_s)
        outs[association] = out.take(out.status == TrackStatus.CONFIRMED)
    truth = start + 60.0 * velocity
    for out in outs.values():
        assert abs(len(out) - n) <= 2
        gap = np.linalg.norm(out.position()[:, None, :] - truth[None], axis=2).min(axis=1)
        assert np.median(gap) < 30.0


def test_stacked_bearings_match_one_by_one_and_triangulate(position_plots, bearing_plots) -> None:
    """Four bearings from two nodes within one group span: one stacked update gives the
    estimate of four extended Kalman updates one by one, and pins the track down."""
    rng = np.random.default_rng(8)
    start, velocity = np.array([0.0, 0.0, 500.0]), np.array([40.0, 10.0, 0.0])
    nodes = (np.array([3000.0, -4000.0, 0.0]), np.array([-2000.0, 5000.0, 0.0]))
    radar = [start + t * velocity + rng.normal(0, 30.0, 3) for t in (0.0, 10.0, 20.0, 30.0)]
    times = (40.0, 40.5, 41.0, 41.5)
    noise = rng.normal(0, 0.002, len(times))
    bearings = []
    for i, t in enumerate(times):
        node = nodes[i % 2]
        offset = start + t * velocity - node
        angle = np.arctan2(offset[0], offset[1]) + noise[i]
        bearings.append(bearing_plots(t, node, [angle], 0.002, sensor_id=7 + i % 2))
    acoustic = PlotBatch.concat(bearings)

    def run(motion: str, group_s: float, with_bearings: bool = True):
        settings = dataclasses.replace(TrackerSettings(), motion=motion, bearing_group_s=group_s)
        tracker = build_tracker(settings)
        stacked = []
        plain = tracker.bearing_model.stacked_innovation
        tracker.bearing_model.stacked_innovation = lambda *a: stacked.append(1) or plain(*a)
        for t, xyz in zip((0.0, 10.0, 20.0, 30.0), radar, strict=True):
            tracker.step(position_plots(t, xyz, sigma_m=30.0), now_s=t)
        out = tracker.step(acoustic if with_bearings else PlotBatch.empty(), now_s=42.0)
        assert len(out) == 1
        return out, bool(stacked)

    truth = start + 42.0 * velocity
    for motion, within in (("cv", 0.2), ("imm", 0.3)):
        together, used = run(motion, 2.0)
        one_by_one, not_used = run(motion, 0.0)
        assert used and not not_used
        # the same within a fraction of a standard deviation: the stacked update linearises
        # every bearing about the prediction, one by one each about the previous estimate
        # (which moves the IMM's turn modes, far from the straight line, the most)
        sigma_m = np.sqrt(np.minimum(together.cov_xx_m2, together.cov_yy_m2))
        gap_m = np.linalg.norm(together.position() - one_by_one.position(), axis=1)
        assert np.all(gap_m < within * sigma_m)
        if motion == "cv":
            assert np.allclose(together.cov_xx_m2, one_by_one.cov_xx_m2, rtol=0.1)
            assert np.allclose(together.cov_yy_m2, one_by_one.cov_yy_m2, rtol=0.1)
        coasted, _ = run(motion, 2.0, with_bearings=False)
        assert together.status[0] == TrackStatus.CONFIRMED
        error = np.linalg.norm(together.position()[0, :2] - truth[:2])
        assert error < np.linalg.norm(coasted.position()[0, :2] - truth[:2])
        spread = together.cov_xx_m2[0] + together.cov_yy_m2[0]
        assert spread < 0.5 * (coasted.cov_xx_m2[0] + coasted.cov_yy_m2[0])


def test_revisit_periods_may_be_given_for_any_sensor_id_and_given_again() -> None:
    tracker = build_tracker(TrackerSettings())
    huge = 2**31 - 1  # a sensor id a plot file may carry: kept without an array of that size
    tracker.set_revisit_periods(np.array([huge, 4]), np.array([6.0, 3.0]))
    assert np.allclose(tracker.association_windows(np.array([huge, 4, 0])), [6.0, 3.0, 1.0])
    tracker.set_revisit_periods(np.array([4, 0]), np.array([np.nan, 5.0]))
    assert np.allclose(tracker.association_windows(np.array([huge, 4, 0])), [6.0, 1.0, 5.0])
