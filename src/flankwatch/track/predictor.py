"""Predictors: a Kalman predictor for one motion model, and an IMM predictor for several.

Both work on whole arrays of tracks (or track-plot pairs) at once, each row with
its own time step; see :class:`~flankwatch.track.base.Prediction` for how a
negative step (a late plot) is handled.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from flankwatch.track.base import MotionModel, Prediction


def _propagate(
    models: Sequence[MotionModel],
    prob: np.ndarray,
    mean: np.ndarray,
    cov: np.ndarray,
    mixed_mean: np.ndarray,
    mixed_cov: np.ndarray,
    t_s: np.ndarray,
    to_t_s: np.ndarray,
) -> Prediction:
    """Mode states (already mixed) moved by each model over ``to_t_s - t_s``."""
    dt = np.asarray(to_t_s, float) - np.asarray(t_s, float)
    late = dt < 0.0
    if not late.any():
        if len(models) == 1:
            at_mean, at_cov = models[0].propagate(mixed_mean[:, 0], mixed_cov[:, 0], dt)
            at_mean, at_cov = at_mean[:, None], at_cov[:, None]
        else:
            at_mean, at_cov = np.empty_like(mixed_mean), np.empty_like(mixed_cov)
            for m, model in enumerate(models):
                at_mean[:, m], at_cov[:, m] = model.propagate(mixed_mean[:, m], mixed_cov[:, m], dt)
        to_t = np.asarray(to_t_s, float)
        return Prediction(prob, at_mean, at_cov, at_mean, at_cov, at_cov, to_t)
    transitions = [model.transition(dt) for model in models]
    if len(transitions) == 1:
        f, q = transitions[0][0][:, None], transitions[0][1][:, None]
    else:
        f = np.stack([tr[0] for tr in transitions], axis=1)
        q = np.stack([tr[1] for tr in transitions], axis=1)
    at_mean = np.einsum("pmij,pmj->pmi", f, mixed_mean)
    pf = mixed_cov @ np.swapaxes(f, -1, -2)
    at_cov = f @ pf + q
    on_time = ~late
    out_mean = np.where(late[:, None, None], mean, at_mean)
    out_cov = np.where(late[:, None, None, None], cov, at_cov)
    cross = np.where(late[:, None, None, None], pf, at_cov)
    new_t = np.where(on_time, to_t_s, t_s)
    return Prediction(prob, out_mean, out_cov, at_mean, at_cov, cross, new_t)


class KalmanPredictor:
    """Linear Kalman prediction with a single motion model (``M = 1``)."""

    n_modes = 1

    def __init__(self, model: MotionModel) -> None:
        self.model = model

    def predict(
        self,
        prob: np.ndarray,
        mean: np.ndarray,
        cov: np.ndarray,
        t_s: np.ndarray,
        to_t_s: np.ndarray,
    ) -> Prediction:
        """States at ``t_s`` predicted to ``to_t_s`` (``(p,)``, s)."""
        return _propagate([self.model], prob, mean, cov, mean, cov, t_s, to_t_s)

    def initial_prob(self, n: int) -> np.ndarray:
        """Mode probabilities of ``n`` new tracks: all ones, ``(n, 1)``."""
        return np.ones((n, 1))

    def reach_m(self, speed_mps: np.ndarray, dt_s: np.ndarray) -> np.ndarray:
        """The model's bound on the straying of a prediction from a straight line, m."""
        return self.model.reach_m(speed_mps, dt_s)


class IMMPredictor:
    """Interacting multiple model prediction: mode mixing, then each model's prediction.

    Modes switch as a continuous-time Markov chain in which each mode jumps to each
    other one at ``switch_rate_per_s``; over a step ``dt`` the chance of staying is
    ``1/M + (M-1)/M exp(-M rate dt)``. A late plot (negative step) mixes nothing.
    """

    def __init__(
        self,
        models: Sequence[MotionModel],
        switch_rate_per_s: float,
        initial_prob: Sequence[float],
    ) -> None:
        if len(models) != len(initial_prob):
            raise ValueError("one initial probability per model is needed")
        self.models = list(models)
        self.n_modes = len(self.models)
        self.switch_rate_per_s = switch_rate_per_s
        self._initial_prob = np.asarray(initial_prob, float) / np.sum(initial_prob)

    def initial_prob(self, n: int) -> np.ndarray:
        """Mode probabilities of ``n`` new tracks, ``(n, M)``."""
        return np.broadcast_to(self._initial_prob, (n, self.n_modes)).copy()

    def reach_m(self, speed_mps: np.ndarray, dt_s: np.ndarray) -> np.ndarray:
        """The largest of the models' bounds, m (mixing keeps the combined mean)."""
        return np.max([model.reach_m(speed_mps, dt_s) for model in self.models], axis=0)

    def switch_matrix(self, dt_s: np.ndarray) -> np.ndarray:
        """Mode transition probabilities ``(p, M, M)``, row = from, column = to, over ``dt_s``."""
        m = self.n_modes
        decay = np.exp(-m * self.switch_rate_per_s * np.maximum(dt_s, 0.0))
        off = (1.0 - decay) / m
        pi = np.broadcast_to(off[:, None, None], (len(decay), m, m)).copy()
        diag = np.arange(m)
        pi[:, diag, diag] = 1.0 / m + (m - 1) / m * decay[:, None]
        return pi

    def predict(
        self,
        prob: np.ndarray,
        mean: np.ndarray,
        cov: np.ndarray,
        t_s: np.ndarray,
        to_t_s: np.ndarray,
    ) -> Prediction:
        """Mode states at ``t_s`` mixed and predicted to ``to_t_s`` (``(p,)``, s)."""
        pi = self.switch_matrix(np.asarray(to_t_s, float) - np.asarray(t_s, float))
        joint = pi * prob[:, :, None]
        predicted_prob = np.maximum(joint.sum(axis=1), 1e-300)
        weight = joint / predicted_prob[:, None, :]
        mixed_mean = np.einsum("pij,pik->pjk", weight, mean)
        spread = mean[:, :, None, :] - mixed_mean[:, None, :, :]
        mixed_cov = np.einsum("pij,pikl->pjkl", weight, cov) + np.einsum(
            "pij,pijk,pijl->pjkl", weight, spread, spread
        )
        return _propagate(
            self.models, predicted_prob, mean, cov, mixed_mean, mixed_cov, t_s, to_t_s
        )


def combine(prob: np.ndarray, mean: np.ndarray, cov: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The moment-matched single state ``(p, 6)`` and covariance ``(p, 6, 6)`` of a mixture."""
    if mean.shape[1] == 1:
        return mean[:, 0], cov[:, 0]
    combined = np.einsum("pm,pmi->pi", prob, mean)
    spread = mean - combined[:, None, :]
    combined_cov = np.einsum("pm,pmij->pij", prob, cov) + np.einsum(
        "pm,pmi,pmj->pij", prob, spread, spread
    )
    return combined, combined_cov
