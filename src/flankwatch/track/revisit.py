"""Each sensor's revisit period, estimated from its plots' time stamps.

Two patterns are recognised, per sensor:

* scan-stamped plots: a scan's plots share one time stamp (at least two plots per
  distinct time on average); the period is the median gap between distinct
  times;
* rotating radars whose plots carry an azimuth: the azimuth, taken in time
  order, wraps from 360 to 0 degrees once per scan; the period is the median
  time between wraps.

Plots with their own time each and no azimuth (a rotating radar's plots in a Cartesian
file) are timed by the tracks instead: the tracker reports the time between two plots of
one sensor on one confirmed track (:meth:`RevisitEstimator.observe_gaps`); with a detection
probability above one half, their median is the period.
"""

from __future__ import annotations

from collections import deque

import numpy as np

SAMPLES = 64
"""Gaps kept per sensor; the estimate is their median."""
PLOTS_PER_STAMP = 2.0
"""Least mean number of plots per distinct time stamp of a scan-stamped sensor."""
MIN_GAP_S = 0.05
"""Gaps shorter than this are not scans, s: no sensor revisits a target faster, and plots
stamped to the millisecond by a sensor sweeping thousands of targets a second share
stamps without being scan-stamped."""

DENSE_IDS = 1 << 16
"""Sensor ids below this are looked up by indexing an array of every id up to the largest
(the usual case: a sensor id is its row in the run's sensor table); larger ones by a
binary search."""


class SensorPeriods:
    """Revisit periods (s) of some sensors, looked up by sensor id."""

    def __init__(self, ids: np.ndarray, period_s: np.ndarray) -> None:
        self.ids = ids
        """Sensor ids, sorted (int64)."""
        self.period_s = period_s
        """Their periods, s."""
        self._by_id: np.ndarray | None = None
        if len(ids) and ids[0] >= 0 and ids[-1] < DENSE_IDS:
            self._by_id = np.full(int(ids[-1]) + 1, np.nan)
            self._by_id[ids] = period_s

    @staticmethod
    def none() -> SensorPeriods:
        """No sensor's period."""
        return SensorPeriods(np.empty(0, np.int64), np.empty(0))

    def of(self, sensor_id: np.ndarray) -> np.ndarray:
        """The period of each of ``sensor_id`` (int64), s; NaN for a sensor not held."""
        if self._by_id is not None and (not len(sensor_id) or sensor_id.min() >= 0):
            try:
                return self._by_id[sensor_id]
            except IndexError:  # a sensor id beyond those held
                pass
        if not len(self.ids):
            return np.full(len(sensor_id), np.nan)
        at = np.minimum(np.searchsorted(self.ids, sensor_id), len(self.ids) - 1)
        return np.where(self.ids[at] == sensor_id, self.period_s[at], np.nan)


class RevisitEstimator:
    """Running estimates of each sensor's revisit period from the plots it sees."""

    def __init__(self) -> None:
        self._last_t: dict[int, float] = {}
        self._last_azimuth: dict[int, tuple[float, float]] = {}
        self._last_wrap: dict[int, float] = {}
        self._gaps: dict[int, deque[float]] = {}
        self._period: dict[int, float] = {}
        self._stale: set[int] = set()
        """Sensors with gaps added since their period was last taken."""
        self._known = SensorPeriods.none()
        """The sensors with a period and their periods, as last taken (:meth:`known`)."""

    def observe(self, t_s: np.ndarray, sensor_id: np.ndarray, azimuth_rad: np.ndarray) -> None:
        """Learn from plots at ``t_s`` (s, sorted) of ``sensor_id`` with ``azimuth_rad`` (rad
        clockwise from north, NaN when unknown)."""
        if not len(t_s):
            return
        if _one_sensor(sensor_id):
            self._observe_sensor(int(sensor_id[0]), t_s, azimuth_rad)
            return
        order = np.argsort(sensor_id, kind="stable")
        sensors, starts = np.unique(sensor_id[order], return_index=True)
        for sensor, rows in zip(sensors.tolist(), np.split(order, starts[1:]), strict=True):
            self._observe_sensor(int(sensor), t_s[rows], azimuth_rad[rows])

    def _observe_sensor(self, sensor: int, t: np.ndarray, azimuth: np.ndarray) -> None:
        stamps = _distinct(t)
        gaps: list[float] = []
        if len(t) >= PLOTS_PER_STAMP * len(stamps):
            last = self._last_t.get(sensor)
            times = stamps if last is None else np.concatenate(([last], stamps))
            step = np.diff(times)
            gaps = step[step > MIN_GAP_S].tolist()
        elif np.isfinite(azimuth).all():
            previous = self._last_azimuth.get(sensor)
            times, angle = t, np.mod(azimuth, 2.0 * np.pi)
            if previous is not None:
                times = np.concatenate(([previous[0]], t))
                angle = np.concatenate(([previous[1]], angle))
            wraps = times[1:][np.diff(angle) < -np.pi]
            last_wrap = self._last_wrap.get(sensor)
            if len(wraps):
                marks = wraps if last_wrap is None else np.concatenate(([last_wrap], wraps))
                gaps = np.diff(marks)[np.diff(marks) > MIN_GAP_S].tolist()
                self._last_wrap[sensor] = float(wraps[-1])
            self._last_azimuth[sensor] = (float(t[-1]), float(angle[-1]))
        self._last_t[sensor] = float(stamps[-1])
        self._add(sensor, gaps)

    def _add(self, sensor: int, gaps: list[float]) -> None:
        if gaps:
            self._gaps.setdefault(sensor, deque(maxlen=SAMPLES)).extend(gaps)
            self._stale.add(sensor)

    def observe_gaps(self, sensor_id: np.ndarray, gap_s: np.ndarray) -> None:
        """Learn from times ``gap_s`` (s) between two plots of one target from ``sensor_id``
        (the same sensor), with none of that sensor in between."""
        keep = gap_s > MIN_GAP_S
        if not keep.any():
            return
        sensor_id, gap_s = sensor_id[keep], gap_s[keep]
        if _one_sensor(sensor_id):
            self._add(int(sensor_id[0]), gap_s[-SAMPLES:].tolist())
            return
        order = np.argsort(sensor_id, kind="stable")
        sensors, starts = np.unique(sensor_id[order], return_index=True)
        for sensor, rows in zip(sensors.tolist(), np.split(order, starts[1:]), strict=True):
            self._add(int(sensor), gap_s[rows][-SAMPLES:].tolist())

    def known(self) -> SensorPeriods:
        """The sensors with an estimated revisit period and their periods; the same object
        until a period changes, so that a caller may keep what it derives from it while it
        is the same."""
        if self._stale:
            changed = False
            for sensor in self._stale:
                period = _median(self._gaps[sensor])
                changed |= self._period.get(sensor) != period
                self._period[sensor] = period
            self._stale.clear()
            if changed:
                ids = np.array(sorted(self._period), np.int64)
                periods = np.array([self._period[i] for i in ids.tolist()], float)
                self._known = SensorPeriods(ids, periods)
        return self._known


def _distinct(t_s: np.ndarray) -> np.ndarray:
    """The distinct times of sorted ``t_s`` (s), in order (``np.unique`` without its sort)."""
    first = np.empty(len(t_s), bool)
    first[:1] = True
    np.not_equal(t_s[1:], t_s[:-1], out=first[1:])
    return t_s[first]


def _one_sensor(sensor_id: np.ndarray) -> bool:
    """Whether the (non-empty) ``sensor_id`` are all one sensor's (the common case, which
    needs no grouping)."""
    return bool(sensor_id[0] == sensor_id[-1] and np.all(sensor_id == sensor_id[0]))


def _median(gaps: deque[float]) -> float:
    """The median of a few gaps (s; never NaN: only gaps above ``MIN_GAP_S`` are kept), as
    ``np.median`` gives it (the mean of the middle two of an even number) without the
    cost of making an array of them."""
    ordered = sorted(gaps)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2.0
