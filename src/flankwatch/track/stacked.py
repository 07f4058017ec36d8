"""Stacked Kalman update: all of a track's position plots of a step in one call.

A track with plots at times ``t_1 <= ... <= t_w`` is predicted to ``t_1`` (its modes
mixed once, there); each mode is then filtered through the plots one by one, in
compiled code (:func:`~flankwatch.track.position_kernels.sequential_position_update`): moved
from each plot's time to the next by its own model (``F`` and ``Q`` of the step) and
corrected by the plot (``z_i = H x_i + n_i``, ``H`` taking the position, ``n_i`` with
the plot's covariance ``R_i``). The modes' probabilities are then weighted by the
likelihood of all the plots together, each mode's being the product of its plots'
densities given the plots before them.

Each plot's residual and its covariance given the plots before it, which the filter
sees plot by plot, gate each plot given the earlier ones.

Shapes: ``n`` tracks, ``M`` modes, ``w`` plot slots per track (padded; ``valid``
marks the real ones, which come first and in time order), states of 6.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from flankwatch.track.position_kernels import sequential_position_update

Transition = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]
"""``F`` and ``Q`` ``(n, k, M, 6, 6)`` of each mode of each of ``n`` tracks over steps
``(n, k)`` (s)."""


@dataclass(frozen=True, slots=True)
class StackedResult:
    """A stacked update's posterior at each track's last plot, and each plot's view."""

    prob: np.ndarray
    """Mode probabilities after all plots, ``(n, M)``."""
    mean: np.ndarray
    """Mode states at the last plot's time, ``(n, M, 6)``, m and m/s."""
    cov: np.ndarray
    """Their covariances, ``(n, M, 6, 6)``."""
    residual: np.ndarray
    """Each plot's residual given the plots before it, ``(n, M, w, 3)``, m."""
    residual_cov: np.ndarray
    """Its covariance, ``(n, M, w, 3, 3)``, m^2."""
    log_likelihood: np.ndarray
    """Log density of each plot given those before, per mode, less ``1.5 log 2 pi``,
    ``(n, M, w)``; 0 where a slot is empty."""


def stacked_update(
    prob: np.ndarray,
    mean: np.ndarray,
    cov: np.ndarray,
    tau_s: np.ndarray,
    z_m: np.ndarray,
    r_m2: np.ndarray,
    valid: np.ndarray,
    transition: Transition,
) -> StackedResult:
    """Condition tracks predicted to their first plot's time (``prob`` ``(n, M)``,
    ``mean`` ``(n, M, 6)``, ``cov`` ``(n, M, 6, 6)``) on all their plots: positions
    ``z_m`` ``(n, w, 3)`` with covariances ``r_m2`` ``(n, w, 3, 3)`` at ``tau_s``
    ``(n, w)`` seconds after the first, where ``valid`` ``(n, w)``; see the module
    docstring. ``transition`` gives each mode's ``F`` and ``Q`` over given steps.

    Raises ``numpy.linalg.LinAlgError`` when a plot's residual covariance is not
    positive definite (plots of extreme scales)."""
    tau = np.where(valid, tau_s, 0.0)
    steps = np.diff(tau, axis=1, prepend=tau[:, :1])
    f, q = transition(steps)
    prob, mean, cov, residual, residual_cov, log_likelihood, ok = sequential_position_update(
        np.ascontiguousarray(prob, float),
        np.ascontiguousarray(mean, float),
        np.ascontiguousarray(cov, float),
        np.ascontiguousarray(z_m, float),
        np.ascontiguousarray(r_m2, float),
        np.ascontiguousarray(valid),
        np.ascontiguousarray(f),
        np.ascontiguousarray(q),
    )
    if not ok:
        raise np.linalg.LinAlgError("a plot's residual covariance is not positive definite")
    return StackedResult(prob, mean, cov, residual, residual_cov, log_likelihood)
