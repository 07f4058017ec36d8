"""Predictors: a Kalman predictor for one motion model, and an IMM predictor for several.

Both work on whole arrays of tracks (or track-plot pairs) at once, each row with
its own time step; see :class:`~flankwatch.track.base.Prediction` for how a
negative step (a late plot) is handled.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from flankwatch.track.base import MotionModel, Prediction
from flankwatch.track.kernels import imm_predict, mixture_moments, mode_transitions
from flankwatch.track.motion import ConstantVelocity, CoordinatedTurn


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
        self._fused = _ModeTransitions.build([model])

    def predict(
        self,
        prob: np.ndarray,
        mean: np.ndarray,
        cov: np.ndarray,
        t_s: np.ndarray,
        to_t_s: np.ndarray,
    ) -> Prediction:
        """States at ``t_s`` predicted to ``to_t_s`` (``(p,)``, s); for a constant-velocity
        or coordinated-turn model, by the compiled :func:`~flankwatch.track.kernels.imm_predict`
        (one mode: nothing to mix)."""
        if self._fused is not None:
            return _fused_predict(self._fused, 0.0, prob, mean, cov, t_s, to_t_s)
        return _propagate([self.model], prob, mean, cov, mean, cov, t_s, to_t_s)

    def transition(self, dt_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The model's ``F`` and ``Q`` over steps ``dt_s`` (s), ``(p, 1, 6, 6)``."""
        if self._fused is not None:
            return self._fused.transition(dt_s)
        f, q = self.model.transition(np.asarray(dt_s, float))
        return f[:, None], q[:, None]

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
        self._fused = _ModeTransitions.build(self.models)
        self._ones = np.ones((self.n_modes, self.n_modes))
        self._diagonal = np.arange(self.n_modes)

    def first_mode_alone(self, predictor: object) -> bool:
        """Whether ``predictor`` is the single-model Kalman predictor of this IMM's first mode
        (constant velocity or a turn), so that :meth:`predict` can stand for it with
        ``single``."""
        return (
            self._fused is not None
            and isinstance(predictor, KalmanPredictor)
            and predictor.model == self.models[0]
        )

    def initial_prob(self, n: int) -> np.ndarray:
        """Mode probabilities of ``n`` new tracks, ``(n, M)``."""
        prob = np.empty((n, self.n_modes))
        prob[:] = self._initial_prob
        return prob

    def reach_m(self, speed_mps: np.ndarray, dt_s: np.ndarray) -> np.ndarray:
        """The largest of the models' bounds, m (mixing keeps the combined mean)."""
        reach = np.asarray(self.models[0].reach_m(speed_mps, dt_s), float)
        for model in self.models[1:]:
            reach = np.maximum(reach, model.reach_m(speed_mps, dt_s))
        return reach

    def transition(self, dt_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each mode's ``F`` and ``Q`` over steps ``dt_s`` (s), ``(p, M, 6, 6)``, without mixing."""
        dt = np.asarray(dt_s, float)
        if self._fused is not None:
            return self._fused.transition(dt)
        transitions = [model.transition(dt) for model in self.models]
        return (
            np.stack([tr[0] for tr in transitions], axis=1),
            np.stack([tr[1] for tr in transitions], axis=1),
        )

    def switch_matrix(self, dt_s: np.ndarray) -> np.ndarray:
        """Mode transition probabilities ``(p, M, M)``, row = from, column = to, over ``dt_s``."""
        m = self.n_modes
        decay = np.exp(-m * self.switch_rate_per_s * np.maximum(dt_s, 0.0))
        pi = ((1.0 - decay) / m)[:, None, None] * self._ones
        diag = self._diagonal
        pi[:, diag, diag] = 1.0 / m + (m - 1) / m * decay[:, None]
        return pi

    def predict(
        self,
        prob: np.ndarray,
        mean: np.ndarray,
        cov: np.ndarray,
        t_s: np.ndarray,
        to_t_s: np.ndarray,
        single: np.ndarray | None = None,
        rows: np.ndarray | None = None,
    ) -> Prediction:
        """Mode states at ``t_s`` mixed and predicted to ``to_t_s`` (``(p,)``, s); for
        constant-velocity and coordinated-turn modes, by the compiled
        :func:`~flankwatch.track.kernels.imm_predict`, which moves the rows where
        ``single`` holds (tentative tracks, see :meth:`first_mode_alone`) by the first
        mode's model alone, their modes kept equal and their probabilities unchanged.

        With ``rows`` ``(p,)``, ``prob``, ``mean`` and ``cov`` are a table's columns and the
        states predicted are those at ``rows`` (``t_s``, ``to_t_s`` and ``single`` are
        theirs); the compiled kernel reads them in place instead of a gathered copy."""
        if self._fused is not None:
            rate = self.switch_rate_per_s
            return _fused_predict(self._fused, rate, prob, mean, cov, t_s, to_t_s, single, rows)
        if rows is not None:
            prob, mean, cov = prob[rows], mean[rows], cov[rows]
        if single is not None and single.any():
            raise ValueError("only constant-velocity and turn modes predict a first mode alone")
        dt = np.asarray(to_t_s, float) - np.asarray(t_s, float)
        pi = self.switch_matrix(dt)
        joint = pi * prob[:, :, None]
        predicted_prob = np.maximum(joint.sum(axis=1), 1e-300)
        weight = joint / predicted_prob[:, None, :]
        # the same sums as einsum("pij,pik->pjk") and friends, as batched matrix products
        weight_t = np.swapaxes(weight, 1, 2)
        p, m = weight.shape[:2]
        mixed_mean = weight_t @ mean
        spread = mean[:, :, None, :] - mixed_mean[:, None, :, :]
        weighted = weight[..., None] * spread
        mixed_cov = (weight_t @ cov.reshape(p, m, -1)).reshape(cov.shape) + (
            np.transpose(weighted, (0, 2, 3, 1)) @ np.swapaxes(spread, 1, 2)
        )
        return _propagate(
            self.models, predicted_prob, mean, cov, mixed_mean, mixed_cov, t_s, to_t_s
        )


def _fused_predict(
    fused: _ModeTransitions,
    switch_rate_per_s: float,
    prob: np.ndarray,
    mean: np.ndarray,
    cov: np.ndarray,
    t_s: np.ndarray,
    to_t_s: np.ndarray,
    single: np.ndarray | None = None,
    rows: np.ndarray | None = None,
) -> Prediction:
    """Modes ``prob``, ``mean``, ``cov`` at ``t_s`` mixed (modes switching at
    ``switch_rate_per_s``) and moved by ``fused``'s models to ``to_t_s`` (s), by the
    compiled kernel (rows where ``single`` holds by the first model alone, see
    :func:`~flankwatch.track.kernels.imm_predict`); only the modes at ``rows``, if given
    (read in place). A track whose step is negative (a late plot) keeps its state (see
    :class:`~flankwatch.track.base.Prediction`)."""
    t = np.asarray(t_s, float)
    to_t = np.asarray(to_t_s, float)
    late = to_t < t
    any_late = bool(late.any())
    prob, at_mean, at_cov, pf = imm_predict(
        np.ascontiguousarray(prob, float),
        np.ascontiguousarray(mean, float),
        np.ascontiguousarray(cov, float),
        np.arange(len(t)) if rows is None else np.ascontiguousarray(rows, np.intp),
        np.ascontiguousarray(to_t - t),
        float(switch_rate_per_s),
        fused.rate,
        fused.noise_by_mode,
        np.zeros(len(t), bool) if single is None else np.ascontiguousarray(single, bool),
        any_late,
    )
    if not any_late:
        return Prediction(prob, at_mean, at_cov, at_mean, at_cov, at_cov, to_t)
    if rows is not None:
        mean, cov = mean[rows], cov[rows]
    out_mean = np.where(late[:, None, None], mean, at_mean)
    out_cov = np.where(late[:, None, None, None], cov, at_cov)
    cross = np.where(late[:, None, None, None], pf, at_cov)
    new_t = np.where(late, t, to_t)
    return Prediction(prob, out_mean, out_cov, at_mean, at_cov, cross, new_t)


class _ModeTransitions:
    """The turn rates and process noises of an IMM's constant-velocity and coordinated-turn
    models, for the compiled kernels that move every mode at once."""

    def __init__(self, models: Sequence[ConstantVelocity | CoordinatedTurn]) -> None:
        rates = [getattr(model, "turn_rate_rps", 0.0) for model in models]
        self.rate = np.asarray(rates, float)
        """Each mode's turn rate, rad/s (0 for constant velocity)."""
        density = np.array(
            [[model.noise_m2ps3, model.noise_m2ps3, model.vertical_noise_m2ps3] for model in models]
        )
        self.noise_by_mode = np.stack((density / 3.0, density / 2.0, density))
        """White-acceleration process noise per power of the step (``|dt|^3``, ``|dt|^2``,
        ``|dt|``), mode and axis (x, y, z): ``q/3``, ``q/2`` and ``q`` for an axis's
        density ``q`` (m^2/s^3), ``(3, M, 3)`` (see
        :func:`~flankwatch.track.kernels.imm_predict`)."""

    @staticmethod
    def build(models: Sequence[MotionModel]) -> _ModeTransitions | None:
        """The fused transitions of ``models``, or ``None`` unless all are CV or CT models."""
        if all(type(model) in (ConstantVelocity, CoordinatedTurn) for model in models):
            return _ModeTransitions(models)  # type: ignore[arg-type]
        return None

    def transition(self, dt_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``F`` and ``Q`` ``(p, M, 6, 6)`` over steps ``dt_s`` (s); ``Q`` uses ``|dt_s|``."""
        return mode_transitions(np.ascontiguousarray(dt_s, float), self.rate, self.noise_by_mode)


def combine(prob: np.ndarray, mean: np.ndarray, cov: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The moment-matched single state ``(p, 6)`` and covariance ``(p, 6, 6)`` of a mixture
    (by the compiled :func:`~flankwatch.track.kernels.mixture_moments`)."""
    if mean.shape[1] == 1:
        return mean[:, 0], cov[:, 0]
    return mixture_moments(
        np.ascontiguousarray(prob, float),
        np.ascontiguousarray(mean, float),
        np.ascontiguousarray(cov, float),
    )
