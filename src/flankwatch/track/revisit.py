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

    def observe(self, t_s: np.ndarray, sensor_id: np.ndarray, azimuth_rad: np.ndarray) -> None:
        """Learn from plots at ``t_s`` (s, sorted) of ``sensor_id`` with ``azimuth_rad`` (rad
        clockwise from north, NaN when unknown)."""
        if not len(t_s):
            return
        order = np.argsort(sensor_id, kind="stable")
        sensors, starts = np.unique(sensor_id[order], return_index=True)
        for sensor, rows in zip(sensors.tolist(), np.split(order, starts[1:]), strict=True):
            self._observe_sensor(int(sensor), t_s[rows], azimuth_rad[rows])

    def _observe_sensor(self, sensor: int, t: np.ndarray, azimuth: np.ndarray) -> None:
        stamps = np.unique(t)
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
        order = np.argsort(sensor_id, kind="stable")
        sensors, starts = np.unique(sensor_id[order], return_index=True)
        for sensor, rows in zip(sensors.tolist(), np.split(order, starts[1:]), strict=True):
            self._add(int(sensor), gap_s[rows][-SAMPLES:].tolist())

    def periods(self, sensor_id: np.ndarray) -> np.ndarray:
        """The estimated revisit period of each of ``sensor_id``, s (NaN when unknown)."""
        for sensor in self._stale:
            self._period[sensor] = float(np.median(self._gaps[sensor]))
        self._stale.clear()
        known = self._period
        if not known:
            return np.full(len(sensor_id), np.nan)
        return np.array([known.get(s, np.nan) for s in np.asarray(sensor_id).tolist()])
