"""Radar detection probability from the radar equation, with Swerling fluctuation.

The signal-to-noise ratio of a target of mean cross-section ``rcs`` at range
``R`` is ``SNR = SNR_ref (R_ref / R)^4 (rcs / rcs_ref)``. A single look with a
square-law detector at false-alarm probability ``Pfa`` (threshold
``T = -ln Pfa``) detects it with probability

- Swerling 0 (steady target): ``Q1(sqrt(2 SNR), sqrt(2 T))``, Marcum's Q;
- Swerling 1 (scan-to-scan Rayleigh): ``exp(-T / (1 + SNR))``;
- Swerling 3 (scan-to-scan chi-square, 4 degrees of freedom):
  ``exp(-T / (1 + SNR/2)) (1 + (SNR/2) T / (1 + SNR/2)^2)``.

SNR values here are power ratios, not decibels.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy.stats import ncx2


def detection_probability(snr: ArrayLike, pfa: float, swerling: ArrayLike) -> np.ndarray:
    """Probability of detection for each SNR (power ratio) and Swerling case (0, 1 or 3)."""
    return detection_probability_at(snr, detection_threshold(pfa), swerling)


def detection_threshold(pfa: float) -> float:
    """The square-law detector's threshold ``T = -ln Pfa`` (a power ratio) for ``pfa``."""
    return float(-np.log(pfa))


def detection_probability_at(
    snr: ArrayLike, threshold: ArrayLike, swerling: ArrayLike
) -> np.ndarray:
    """:func:`detection_probability` given the threshold (:func:`detection_threshold`), one
    for all SNRs or one per SNR (radars of different false-alarm probabilities at once)."""
    snr = np.asarray(snr, float)
    swerling = np.broadcast_to(np.asarray(swerling), snr.shape)
    threshold = np.broadcast_to(np.asarray(threshold, float), snr.shape)
    pd = np.array(np.exp(-threshold / (1.0 + snr)))  # an array even for a scalar SNR
    case3 = swerling == 3
    if case3.any():
        half, t3 = snr[case3] / 2.0, threshold[case3]
        pd[case3] = np.exp(-t3 / (1.0 + half)) * (1.0 + half * t3 / (1.0 + half) ** 2)
    case0 = swerling == 0
    if case0.any():
        # ncx2's own survival function: the numbers of ncx2.sf without its argument checks
        # (a threshold above 0, 2 degrees of freedom, a non-negative non-centrality),
        # which cost ten times the function itself
        pd[case0] = ncx2._sf(2.0 * threshold[case0], 2, 2.0 * snr[case0])
    return pd


def reference_snr(reference_pd: float, pfa: float) -> float:
    """The SNR (power ratio) at which a Swerling 1 target is detected with ``reference_pd``."""
    return float(np.log(pfa) / np.log(reference_pd) - 1.0)


def radar_snr(
    range_m: ArrayLike,
    rcs_m2: ArrayLike,
    snr_ref: float,
    reference_range_m: float,
    reference_rcs_m2: float,
) -> np.ndarray:
    """SNR (power ratio) by the radar equation: fourth power of range, linear in cross-section."""
    distance_m = np.maximum(np.asarray(range_m, float), 1.0)
    return (
        snr_ref
        * (reference_range_m / distance_m) ** 4
        * (np.asarray(rcs_m2, float) / reference_rcs_m2)
    )
