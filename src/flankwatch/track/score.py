"""Track score: the log-likelihood ratio of a tentative track, with sequential tests.

A tentative track's score is the log of the ratio of the likelihood that its
plots come from one target to the likelihood that they are clutter (Blackman
and Popoli, *Design and Analysis of Modern Tracking Systems*, 1999, sec. 6.2).
It starts at 0 with the track's first plot; each plot that updates it adds
``ln(Pd) + ln N(r; 0, S) - ln(beta)``, where ``N(r; 0, S)`` is the Gaussian
density of the innovation and ``beta`` the density of false plots per scan (per
m^3, or per m^2 in planar mode); each scan of its sensor without a plot adds
``ln(1 - Pd)``. Wald's sequential probability ratio test then confirms the track
once the score reaches ``ln((1 - b) / a)`` and deletes it once it falls to
``ln(b / (1 - a))``, with ``a`` the probability of confirming a false track and
``b`` that of deleting a true one.

``Pd`` and ``beta`` are estimated from the data as it comes
(:class:`DensityEstimate`): ``beta`` from the position plots that start tracks, per
sensor scan, over the volume the plots have spanned; ``Pd`` from how often
confirmed and coasting tracks are updated against the scans due on them from every
sensor (of known revisit period) that has lately seen them.
"""

from __future__ import annotations

import math

import numpy as np

MIN_HEIGHT_M = 1000.0
"""Least vertical extent of the surveillance volume, m (plots at one altitude)."""
MIN_SIDE_M = 10000.0
"""Least horizontal side of the surveillance volume, m (a few plots close together)."""
PD_RANGE = (0.3, 0.99)
"""Bounds of the estimated detection probability."""
MEMORY_STEPS = 30
"""The estimates average over about this many steps."""
PD_PRIOR_SCANS = 20.0
"""Weight, in expected detections, of the prior detection probability."""


def thresholds(
    false_confirm_probability: float, true_delete_probability: float
) -> tuple[float, float]:
    """Wald's thresholds (confirm, delete) on a track score for the probabilities of
    confirming a false track and of deleting a true one."""
    a, b = false_confirm_probability, true_delete_probability
    return math.log((1.0 - b) / a), math.log(b / (1.0 - a))


class DensityEstimate:
    """Running estimates of the false plot density per scan and of the detection probability."""

    def __init__(self, prior_pd: float, planar: bool) -> None:
        self.planar = planar
        self._lo = np.full(3, np.inf)
        self._hi = np.full(3, -np.inf)
        self._false_per_scan = math.nan
        self._provisional = True
        self._steps = 0
        self._detected = PD_PRIOR_SCANS * prior_pd
        self._expected = PD_PRIOR_SCANS

    @property
    def detection_probability(self) -> float:
        """Estimated probability that a sensor scan detects a target it covers."""
        low, high = PD_RANGE
        return min(max(float(self._detected / self._expected), low), high)

    @property
    def false_density(self) -> float:
        """Estimated density of false plots per sensor scan, 1/m^3 (1/m^2 in planar mode)."""
        if not np.isfinite(self._false_per_scan) or not np.all(self._hi >= self._lo):
            return math.nan
        side = np.maximum(self._hi - self._lo, MIN_SIDE_M)
        volume = side[0] * side[1]
        if not self.planar:
            volume *= max(float(self._hi[2] - self._lo[2]), MIN_HEIGHT_M)
        return max(self._false_per_scan, 0.5) / volume

    def observe_plots(self, x_m: np.ndarray, y_m: np.ndarray, z_m: np.ndarray) -> None:
        """Grow the surveillance volume to hold the positions ``x_m``, ``y_m``, ``z_m`` (m)."""
        if len(x_m):
            axes = (x_m, y_m, z_m)
            self._lo = np.minimum(self._lo, [axis.min() for axis in axes])
            self._hi = np.maximum(self._hi, [axis.max() for axis in axes])

    @property
    def known(self) -> bool:
        """Whether the false plot density has an estimate, if only a provisional one."""
        return bool(np.isfinite(self._false_per_scan))

    def observe_starts(self, n_started: int, n_scans: int, informative: bool) -> None:
        """Count ``n_started`` plots that started tracks in a step of ``n_scans`` sensor scans
        (association windows) with position plots. A step that began without tracks
        (every plot starts one, targets too) is not ``informative``: it only gives a
        provisional estimate, replaced by the first informative one."""
        if n_scans <= 0:
            return
        rate = n_started / n_scans
        if not informative:
            if self._provisional:
                self._false_per_scan = rate
            return
        if self._provisional:
            self._provisional = False
            self._false_per_scan = math.nan
        self._steps += 1
        weight = 1.0 / min(self._steps, MEMORY_STEPS)
        if not np.isfinite(self._false_per_scan):
            self._false_per_scan = rate
        else:
            self._false_per_scan += weight * (rate - self._false_per_scan)

    def observe_detections(self, detected: float, expected: float) -> None:
        """Count ``detected`` updates of confirmed tracks where ``expected`` were due (on
        average: a step can hold more of a sensor's scans than its share, the next fewer)."""
        if expected <= 0.0:
            return
        keep = 1.0 - 1.0 / MEMORY_STEPS
        self._detected = keep * self._detected + detected
        self._expected = keep * self._expected + expected

    def plot_score(self, log_likelihood: np.ndarray) -> np.ndarray:
        """Score increments of plots updating tentative tracks, from the log-likelihoods of
        their innovations (1/m^3, or 1/m^2 in planar mode)."""
        density = self.false_density
        log_density = math.log(density) if np.isfinite(density) else 0.0
        return math.log(self.detection_probability) + log_likelihood - log_density

    def miss_score(self) -> float:
        """Score increment of one scan that missed a track."""
        return math.log(1.0 - self.detection_probability)
