"""Track initiation from single plots, with M-of-N confirmation."""

from __future__ import annotations

import numpy as np

from flankwatch.stream import PlotBatch
from flankwatch.track.base import STATE_DIM, Predictor


class MOfNInitiator:
    """A tentative track per unused position plot, confirmed by M updates in its first N steps.

    The new track sits at the plot with the plot's position covariance, at rest,
    with a velocity standard deviation of ``speed_sigma_mps`` horizontally and
    ``vertical_speed_sigma_mps`` vertically (m/s).
    """

    def __init__(
        self,
        predictor: Predictor,
        confirm_m: int,
        confirm_n: int,
        speed_sigma_mps: float,
        vertical_speed_sigma_mps: float,
    ) -> None:
        self.predictor = predictor
        self.confirm_m = confirm_m
        self.confirm_n = confirm_n
        self.speed_sigma_mps = speed_sigma_mps
        self.vertical_speed_sigma_mps = vertical_speed_sigma_mps

    def initiate(self, plots: PlotBatch) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Mode probabilities ``(k, M)``, means ``(k, M, 6)`` and covariances of new tracks."""
        k, m = len(plots), self.predictor.n_modes
        mean = np.zeros((k, STATE_DIM))
        mean[:, :3] = plots.position()
        cov = np.zeros((k, STATE_DIM, STATE_DIM))
        cov[:, :3, :3] = plots.covariance()
        cov[:, 3, 3] = cov[:, 4, 4] = self.speed_sigma_mps**2
        cov[:, 5, 5] = self.vertical_speed_sigma_mps**2
        return (
            self.predictor.initial_prob(k),
            np.repeat(mean[:, None], m, axis=1),
            np.repeat(cov[:, None], m, axis=1),
        )

    def confirmed(self, hits: np.ndarray, steps: np.ndarray) -> np.ndarray:
        """Tentative tracks with at least M updates (within their first N steps)."""
        return (hits >= self.confirm_m) & (steps <= self.confirm_n)

    def hopeless(self, hits: np.ndarray, steps: np.ndarray) -> np.ndarray:
        """Tentative tracks that cannot reach M updates in their remaining steps of N."""
        return hits + np.maximum(self.confirm_n - steps, 0) < self.confirm_m
