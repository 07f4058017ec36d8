"""The Kalman updater: gate distances and the correction, for every mode of every pair at once."""

from __future__ import annotations

import numpy as np

from flankwatch.track.base import Innovation, Prediction
from flankwatch.track.linalg import inverse_small
from flankwatch.track.pair_gate import log_likelihood


def _symmetric(matrix: np.ndarray) -> np.ndarray:
    return 0.5 * (matrix + np.swapaxes(matrix, -1, -2))


class KalmanUpdater:
    """(Extended) Kalman update of each mode; IMM mode probabilities from the mode likelihoods.

    With a late plot the correction is the out-of-sequence update of the state at
    the track's own time through the cross-covariance (Bar-Shalom's one-lag
    retrodiction), see :class:`~flankwatch.track.base.Prediction`.
    """

    def gate_distance(self, prediction: Prediction, innovation: Innovation) -> np.ndarray:
        """Squared Mahalanobis distance ``(p,)`` of the mixture's innovation (dimensionless)."""
        if innovation.residual.shape[1] == 1:
            residual = innovation.residual[:, 0]
            s_inv = innovation.cov_inv[:, 0]
        else:
            prob = prediction.prob
            residual = np.einsum("pm,pmi->pi", prob, innovation.residual)
            spread = innovation.residual - residual[:, None, :]
            s_inv = inverse_small(
                np.einsum("pm,pmij->pij", prob, innovation.cov)
                + np.einsum("pm,pmi,pmj->pij", prob, spread, spread)
            )
        return np.einsum("pi,pij,pj->p", residual, s_inv, residual)

    def update(
        self, prediction: Prediction, innovation: Innovation
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Corrected mode probabilities ``(p, M)``, means ``(p, M, 6)`` and covariances."""
        s_inv = innovation.cov_inv
        gain = innovation.cross @ s_inv
        mean = prediction.mean + np.einsum("pmij,pmj->pmi", gain, innovation.residual)
        cov = _symmetric(prediction.cov - gain @ np.swapaxes(innovation.cross, -1, -2))
        if prediction.prob.shape[1] == 1:
            return prediction.prob, mean, cov
        mahalanobis2 = np.einsum(
            "pmi,pmij,pmj->pm", innovation.residual, s_inv, innovation.residual
        )
        log_weight = np.log(np.maximum(prediction.prob, 1e-300)) + log_likelihood(
            mahalanobis2, innovation.cov
        )
        log_weight -= log_weight.max(axis=1, keepdims=True)
        weight = np.exp(log_weight)
        return weight / weight.sum(axis=1, keepdims=True), mean, cov
