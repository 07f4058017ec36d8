"""The parts of a tracker, each behind a small interface, and the arrays they pass.

Track states live in the run's local ENU frame as ``(x, y, z, vx, vy, vz)`` in m
and m/s. A track may carry several motion modes (an IMM filter); a set of ``p``
tracks (or of ``p`` track-plot pairs) is then described by mode-conditioned
means ``(p, M, 6)``, covariances ``(p, M, 6, 6)`` and mode probabilities
``(p, M)``; a single-model filter has ``M = 1``.

The parts, composed by keyword into :class:`~flankwatch.track.tracker.Tracker`:

* :class:`MotionModel` - transition and process noise over a time step;
* :class:`Predictor` - tracks to given times (forward, or back for late plots);
* :class:`MeasurementModel` - innovations of plots against predictions;
* :class:`Updater` - the Kalman correction from those innovations;
* :class:`Associator` - which gated track-plot pairs to use;
* :class:`Initiator` - new tentative tracks from unused plots, and confirmation;
* :class:`Deleter` - which tracks to drop.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from flankwatch.stream import PlotBatch

STATE_DIM = 6
"""Length of a track state: x, y, z (m), vx, vy, vz (m/s)."""


def _positions(index: np.ndarray) -> np.ndarray:
    """Row positions from ``index``: integer positions as they are, a boolean mask's true
    rows. Rows are then gathered by ``np.take``: the same copy as ``array[index]``, but for
    rows of a few hundred numbers, such as the modes' covariances, several times faster."""
    index = np.asarray(index)
    return np.flatnonzero(index) if index.dtype == bool else index


@dataclass(frozen=True, slots=True)
class Prediction:
    """Tracks (or track-plot pairs) predicted to measurement times.

    For a plot later than the track (``dt >= 0``) the filter moves on to the plot's
    time: ``mean``/``cov`` are the predicted state and equal ``at_mean``/``at_cov``,
    and ``cross`` equals ``at_cov``. For a late plot (``dt < 0``) the track stays at
    its own time: ``mean``/``cov`` are its current state, ``at_mean``/``at_cov`` the
    state retrodicted to the plot's time (with the process noise of the gap added)
    and ``cross`` the covariance between the two, which is what an out-of-sequence
    update needs.
    """

    prob: np.ndarray
    """Mode probabilities, ``(p, M)``."""
    mean: np.ndarray
    """State the correction applies to, ``(p, M, 6)``, m and m/s."""
    cov: np.ndarray
    """Its covariance, ``(p, M, 6, 6)``."""
    at_mean: np.ndarray
    """State at the measurement time, ``(p, M, 6)``."""
    at_cov: np.ndarray
    """Its covariance, ``(p, M, 6, 6)``."""
    cross: np.ndarray
    """Covariance of ``mean`` with ``at_mean``, ``(p, M, 6, 6)``."""
    t_s: np.ndarray
    """Time the corrected state will refer to, ``(p,)``, s."""

    def __len__(self) -> int:
        return len(self.prob)

    def map(self, function: Callable[[np.ndarray], np.ndarray]) -> Prediction:
        """``function`` of every field, called once per distinct array (so arrays shared
        between fields stay shared)."""
        done: dict[int, np.ndarray] = {}

        def apply(array: np.ndarray) -> np.ndarray:
            if id(array) not in done:
                done[id(array)] = function(array)
            return done[id(array)]

        return Prediction(
            apply(self.prob),
            apply(self.mean),
            apply(self.cov),
            apply(self.at_mean),
            apply(self.at_cov),
            apply(self.cross),
            apply(self.t_s),
        )

    def take(self, index: np.ndarray) -> Prediction:
        """The predictions at ``index`` (arrays shared between fields stay shared)."""
        at = _positions(index)
        return self.map(lambda array: np.take(array, at, axis=0))

    @staticmethod
    def merge(mask: np.ndarray, where: Prediction, elsewhere: Prediction) -> Prediction:
        """One prediction per element of ``mask``: the next of ``where`` where it holds, else
        the next of ``elsewhere`` (a single-mode side is broadcast over the other's modes).
        Fields that share an array on both sides stay shared (merged once)."""
        inside, outside = np.flatnonzero(mask), np.flatnonzero(~mask)
        merged: dict[tuple[int, int], np.ndarray] = {}
        parts = []
        for name in ("prob", "mean", "cov", "at_mean", "at_cov", "cross", "t_s"):
            a, b = getattr(where, name), getattr(elsewhere, name)
            key = (id(a), id(b))
            if key not in merged:
                out = np.empty((len(mask), *np.broadcast_shapes(a.shape[1:], b.shape[1:])))
                out[inside] = a
                out[outside] = b
                merged[key] = out
            parts.append(merged[key])
        prob, mean, cov, at_mean, at_cov, cross, t_s = parts
        return Prediction(prob, mean, cov, at_mean, at_cov, cross, t_s)


@dataclass(frozen=True, slots=True)
class Innovation:
    """Plots compared with predictions: one row per track-plot pair, per mode."""

    residual: np.ndarray
    """Measured minus predicted measurement, ``(p, M, m)`` (angles wrapped to (-pi, pi])."""
    cov: np.ndarray
    """Innovation covariance ``S``, ``(p, M, m, m)``."""
    cross: np.ndarray
    """Covariance of the corrected state with the predicted measurement, ``(p, M, 6, m)``."""
    cov_inv: np.ndarray
    """Inverse of ``cov``, ``(p, M, m, m)``."""

    def take(self, index: np.ndarray) -> Innovation:
        """The pairs at ``index``."""
        at = _positions(index)
        return Innovation(
            np.take(self.residual, at, axis=0),
            np.take(self.cov, at, axis=0),
            np.take(self.cross, at, axis=0),
            np.take(self.cov_inv, at, axis=0),
        )


class MotionModel(Protocol):
    """A linear motion model over time steps of any length."""

    def transition(self, dt_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Transition matrices ``F`` and process noise ``Q``, both ``(p, 6, 6)``, for steps
        ``dt_s`` ``(p,)`` in s; ``Q`` is that of ``|dt_s|``, so negative steps retrodict."""
        ...

    def propagate(
        self, mean: np.ndarray, cov: np.ndarray, dt_s: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """``F x`` ``(p, 6)`` and ``F P F' + Q`` ``(p, 6, 6)`` of states ``mean`` ``(p, 6)``
        with covariances ``cov`` ``(p, 6, 6)`` over steps ``dt_s`` ``(p,)``, s."""
        ...

    def reach_m(self, speed_mps: np.ndarray, dt_s: np.ndarray) -> np.ndarray:
        """A bound, m, on how far the predicted position of a state moving at ``speed_mps``
        strays from its straight-line extrapolation over ``dt_s`` (s), plus the standard
        deviation of the position noise added; used to find candidate tracks cheaply."""
        ...


class Predictor(Protocol):
    """Predicts mode-conditioned track states to given times."""

    n_modes: int
    """Number of motion modes ``M`` of the states it handles."""

    def predict(
        self,
        prob: np.ndarray,
        mean: np.ndarray,
        cov: np.ndarray,
        t_s: np.ndarray,
        to_t_s: np.ndarray,
    ) -> Prediction:
        """States at times ``t_s`` ``(p,)`` predicted to ``to_t_s`` ``(p,)``, s; see
        :class:`Prediction` for what happens when ``to_t_s < t_s``."""
        ...

    def transition(self, dt_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each mode's transition ``F`` and process noise ``Q``, ``(p, M, 6, 6)``, over steps
        ``dt_s`` ``(p,)`` in s, without mode mixing (``Q`` is that of ``|dt_s|``)."""
        ...

    def initial_prob(self, n: int) -> np.ndarray:
        """Mode probabilities of ``n`` new tracks, ``(n, M)``."""
        ...

    def reach_m(self, speed_mps: np.ndarray, dt_s: np.ndarray) -> np.ndarray:
        """A bound, m, on how far a prediction over ``dt_s`` (s) of a track whose modes move
        at most at ``speed_mps`` strays from the straight-line extrapolation of its combined
        state, plus the standard deviation of the position noise added."""
        ...


class MeasurementModel(Protocol):
    """How one kind of plot measures a track state."""

    dof: int
    """Number of measured quantities (the gate's degrees of freedom)."""

    def innovation(
        self, prediction: Prediction, plots: PlotBatch, index: np.ndarray | None = None
    ) -> Innovation:
        """Innovations of the plots at ``index`` (``p`` of them, repeats allowed; all plots
        by default) against ``prediction``, row by row (``p`` pairs)."""
        ...


class Updater(Protocol):
    """The Kalman correction."""

    def gate_distance(self, prediction: Prediction, innovation: Innovation) -> np.ndarray:
        """Squared Mahalanobis distance of each pair, ``(p,)``, over the mixture of modes."""
        ...

    def update(
        self, prediction: Prediction, innovation: Innovation
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Corrected mode probabilities ``(p, M)``, means ``(p, M, 6)`` and covariances
        ``(p, M, 6, 6)``."""
        ...


class Associator(Protocol):
    """Chooses which gated track-plot pairs to use."""

    def associate(
        self, track_index: np.ndarray, plot_index: np.ndarray, cost: np.ndarray
    ) -> np.ndarray:
        """Indices into the pair arrays of the chosen pairs, each track and each plot at
        most once, minimising the total ``cost`` (only pairs of negative cost are used)."""
        ...


class Initiator(Protocol):
    """Starts tentative tracks and decides when they are confirmed."""

    def initiate(
        self, plots: PlotBatch, index: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Mode probabilities ``(k, M)``, means ``(k, M, 6)`` and covariances
        ``(k, M, 6, 6)`` of new tracks from the ``k`` unused position plots at ``index``."""
        ...

    def counts(self, first_s: np.ndarray, plot_t_s: np.ndarray) -> np.ndarray:
        """Which updates of tentative tracks, started by a plot at ``first_s`` (s), by plots
        of ``plot_t_s`` (s) count towards their confirmation."""
        ...

    def confirmed(self, hits: np.ndarray) -> np.ndarray:
        """Which tentative tracks, with ``hits`` counted plots (the first included), to confirm."""
        ...

    def hopeless(self, first_s: np.ndarray, now_s: float) -> np.ndarray:
        """Which tentative tracks, started at ``first_s`` (s), can no longer be confirmed at
        ``now_s`` (s)."""
        ...


class Deleter(Protocol):
    """Decides which tracks to delete."""

    def delete(
        self,
        status: np.ndarray,
        last_update_s: np.ndarray,
        position_var_m2: np.ndarray,
        now_s: float,
    ) -> np.ndarray:
        """Boolean mask of the tracks to delete at ``now_s`` given their
        :class:`~flankwatch.track.output.TrackStatus`, last update time (s) and the
        trace of their position covariance (m^2)."""
        ...
