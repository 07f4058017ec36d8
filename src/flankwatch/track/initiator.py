"""Track initiation from single plots, confirmed by M plots within a time window."""

from __future__ import annotations

import numpy as np

from flankwatch.stream import PlotBatch
from flankwatch.track.base import STATE_DIM, Predictor


class WindowInitiator:
    """A tentative track per unused position plot, confirmed by M plots within a time window.

    The new track sits at the plot with the plot's position covariance, at rest,
    with a velocity standard deviation of ``speed_sigma_mps`` horizontally and
    ``vertical_speed_sigma_mps`` vertically (m/s). It is confirmed once
    ``confirm_m`` plots (its first included, from any sensors) have updated it no
    later than ``confirm_window_s`` (s) after its first plot; at the first step
    ending when that window has closed it can no longer be. Counting plots in
    time, not steps, keeps the rule the same whatever the batch length and
    whatever the sensors' revisit periods.
    """

    def __init__(
        self,
        predictor: Predictor,
        confirm_m: int,
        confirm_window_s: float,
        speed_sigma_mps: float,
        vertical_speed_sigma_mps: float,
    ) -> None:
        self.predictor = predictor
        self.confirm_m = confirm_m
        self.confirm_window_s = confirm_window_s
        self.speed_sigma_mps = speed_sigma_mps
        self.vertical_speed_sigma_mps = vertical_speed_sigma_mps

    def initiate(
        self, plots: PlotBatch, index: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Mode probabilities ``(k, M)``, means ``(k, M, 6)`` and covariances of new tracks
        from the plots at ``index`` (all plots by default)."""
        if index is None:
            index = np.arange(len(plots))
        k, m = len(index), self.predictor.n_modes
        mean = np.zeros((k, m, STATE_DIM))
        mean[:, :, 0] = plots.x_m[index, None]
        mean[:, :, 1] = plots.y_m[index, None]
        mean[:, :, 2] = plots.z_m[index, None]
        cov = np.zeros((k, m, STATE_DIM, STATE_DIM))
        cov[:, :, 0, 0] = plots.cov_xx_m2[index, None]
        cov[:, :, 1, 1] = plots.cov_yy_m2[index, None]
        cov[:, :, 2, 2] = plots.cov_zz_m2[index, None]
        cov[:, :, 0, 1] = cov[:, :, 1, 0] = plots.cov_xy_m2[index, None]
        cov[:, :, 0, 2] = cov[:, :, 2, 0] = plots.cov_xz_m2[index, None]
        cov[:, :, 1, 2] = cov[:, :, 2, 1] = plots.cov_yz_m2[index, None]
        cov[:, :, 3, 3] = cov[:, :, 4, 4] = self.speed_sigma_mps**2
        cov[:, :, 5, 5] = self.vertical_speed_sigma_mps**2
        return self.predictor.initial_prob(k), mean, cov

    def counts(self, first_s: np.ndarray, plot_t_s: np.ndarray) -> np.ndarray:
        """Which updates of tentative tracks (first plot at ``first_s``, s) by plots of
        ``plot_t_s`` (s) count towards confirmation: those inside the window."""
        return np.abs(plot_t_s - first_s) <= self.confirm_window_s

    def confirmed(self, hits: np.ndarray) -> np.ndarray:
        """Tentative tracks with at least M counted plots."""
        return hits >= self.confirm_m

    def hopeless(self, first_s: np.ndarray, now_s: float) -> np.ndarray:
        """Tentative tracks whose window has closed at ``now_s`` (s) without confirming them."""
        return now_s - first_s >= self.confirm_window_s
