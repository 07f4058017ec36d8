"""The Kalman updater: gate distances and the correction, for every mode of every pair at once."""

from __future__ import annotations

import numpy as np

from flankwatch.track.base import Innovation, Prediction
from flankwatch.track.linalg import inverse_small
from flankwatch.track.update_kernels import kalman_update


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
        """Corrected mode probabilities ``(p, M)``, means ``(p, M, 6)`` and covariances, by
        the compiled :func:`~flankwatch.track.update_kernels.kalman_update`. The
        cross-covariances are read where they lie (for positions, columns of the predicted
        covariances): copying them out would take a third as long as the update itself."""
        return kalman_update(
            np.ascontiguousarray(prediction.prob, float),
            np.ascontiguousarray(prediction.mean, float),
            np.ascontiguousarray(prediction.cov, float),
            np.asarray(innovation.cross, float),
            np.ascontiguousarray(innovation.residual, float),
            np.ascontiguousarray(innovation.cov, float),
            np.ascontiguousarray(innovation.cov_inv, float),
        )
