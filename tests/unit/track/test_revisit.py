"""Revisit periods estimated from plot time stamps (and azimuths)."""

from __future__ import annotations

import numpy as np

from flankwatch.track.revisit import SAMPLES, RevisitEstimator, SensorPeriods


def test_scan_stamped_sensors_get_the_gap_between_their_scans() -> None:
    estimator = RevisitEstimator()
    rng = np.random.default_rng(0)
    for start in np.arange(0.0, 40.0, 1.0):  # batches of 1 s
        t, sensor = [], []
        for sid, period in ((3, 2.0), (9, 5.0)):
            for scan in np.arange(0.0, 40.0, period):
                if start <= scan < start + 1.0:
                    k = int(rng.integers(3, 8))
                    t += [scan] * k
                    sensor += [sid] * k
        order = np.argsort(t, kind="stable")
        estimator.observe(np.array(t)[order], np.array(sensor)[order], np.full(len(t), np.nan))
    assert np.allclose(
        estimator.known().of(np.array([3, 9, 4])), [2.0, 5.0, np.nan], equal_nan=True
    )


def test_a_rotating_radar_is_timed_by_its_azimuth_wrapping() -> None:
    estimator = RevisitEstimator()
    rng = np.random.default_rng(1)
    period = 4.5
    t = np.sort(rng.uniform(0.0, 60.0, 600))
    azimuth = 2.0 * np.pi * t / period + rng.normal(0.0, 0.01, len(t))
    for lo in range(60):
        rows = (t >= lo) & (t < lo + 1)
        estimator.observe(t[rows], np.full(rows.sum(), 2), azimuth[rows])
    assert np.isclose(estimator.known().of(np.array([2]))[0], period, rtol=0.05)


def test_plots_with_their_own_times_and_no_azimuth_give_no_period() -> None:
    estimator = RevisitEstimator()
    t = np.linspace(0.0, 30.0, 300)
    estimator.observe(t, np.zeros(300, np.int64), np.full(300, np.nan))
    assert np.isnan(estimator.known().of(np.array([0]))[0])


def test_millisecond_stamps_shared_by_a_busy_sweep_are_not_scans() -> None:
    # 2,000 plots a second from one rotating radar, stamped to the millisecond: two plots
    # share each stamp, yet the sensor revisits each target once a second, not every 1 ms
    estimator = RevisitEstimator()
    t = np.repeat(np.arange(1, 1001) / 1000.0, 2)
    estimator.observe(t, np.ones(len(t), np.int64), np.full(len(t), np.nan))
    assert np.isnan(estimator.known().of(np.array([1]))[0])


def test_the_period_is_the_median_of_the_last_gaps_odd_or_even() -> None:
    rng = np.random.default_rng(2)
    for n_gaps in (1, 2, 7, 10, 64, 100):
        gaps = rng.uniform(1.0, 9.0, n_gaps)
        estimator = RevisitEstimator()
        estimator.observe_gaps(np.zeros(n_gaps, np.int64), gaps)
        expected = np.median(gaps[-SAMPLES:])
        assert estimator.known().of(np.array([0]))[0] == expected


def test_the_known_periods_change_only_when_an_estimate_does() -> None:
    estimator = RevisitEstimator()
    estimator.observe_gaps(np.array([2, 2]), np.array([3.0, 5.0]))
    known = estimator.known()
    assert known.ids.tolist() == [2] and known.period_s.tolist() == [4.0]
    assert estimator.known() is known  # nothing new: the same arrays
    estimator.observe_gaps(np.array([2]), np.array([4.0]))
    assert estimator.known() is known  # a new gap, the same median: the same arrays
    estimator.observe_gaps(np.array([2**31 - 1, 0]), np.array([1.5, 2.5]))
    assert estimator.known().ids.tolist() == [0, 2, 2**31 - 1]
    periods = estimator.known().of(np.array([2**31 - 1, 5, 2, 0]))
    assert np.allclose(periods, [1.5, np.nan, 4.0, 2.5], equal_nan=True)


def test_gaps_of_several_sensors_at_once_are_each_sensors_own() -> None:
    rng = np.random.default_rng(3)
    sensor = rng.integers(0, 3, 90)
    gaps = rng.uniform(1.0, 9.0, 90)
    together, apart = RevisitEstimator(), RevisitEstimator()
    together.observe_gaps(sensor, gaps)
    for sid in (0, 1, 2):  # one sensor a call
        apart.observe_gaps(sensor[sensor == sid], gaps[sensor == sid])
    ids = np.array([0, 1, 2])
    assert together.known().of(ids).tolist() == apart.known().of(ids).tolist()
    assert apart.known().of(ids).tolist() == [np.median(gaps[sensor == i][-SAMPLES:]) for i in ids]


def test_sensor_periods_are_found_by_id_small_or_large() -> None:
    small = SensorPeriods(np.array([0, 3, 7]), np.array([1.0, 4.0, 12.0]))
    large = SensorPeriods(np.array([3, 2**31 - 1]), np.array([4.0, 9.0]))
    asked = np.array([7, 3, 5, 0, 2**31 - 1, -1, 3])
    assert np.allclose(
        small.of(asked), [12.0, 4.0, np.nan, 1.0, np.nan, np.nan, 4.0], equal_nan=True
    )
    assert np.allclose(
        large.of(asked), [np.nan, 4.0, np.nan, np.nan, 9.0, np.nan, 4.0], equal_nan=True
    )
    assert np.isnan(SensorPeriods.none().of(np.array([0, 1]))).all()
    assert small.of(np.empty(0, np.int64)).shape == (0,)
