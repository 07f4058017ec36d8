"""Stacked Kalman update: all of a track's position plots of a step in one correction.

A track with plots at times ``t_1 <= ... <= t_w`` is predicted to ``t_1`` (state
``x_1`` with covariance ``P``, mode by mode); each mode's linear model then gives the
joint Gaussian of the plots and of the state at the last plot's time:

* the state at ``t_i`` is ``x_i = A_i x_1 + e_i`` with ``A_i = F(t_i - t_1)`` and
  ``e_i`` the process noise gathered since ``t_1``, step by step as a filter gathers
  it: ``e_i = F(t_i - t_i-1) e_i-1 + u_i`` with ``Cov(u_i) = Q(t_i - t_i-1)``;
* the motion models compose (``F(a) F(b) = F(a + b)``, so ``A_i^-1 = F(t_1 - t_i)``),
  hence ``e_i = A_i v_i`` with ``v_i`` the sum of the steps' noises carried back to
  ``t_1``, and ``Cov(x_j, x_i) = A_j (P + V_min(i, j)) A_i'`` with ``V_i = Cov(v_i)``;
* plot ``i`` measures ``z_i = H x_i + n_i`` (``H`` takes the position, ``n_i`` has
  the plot's covariance ``R_i``).

Conditioning on all plots at once gives, for each mode, the state that updating with
them one by one gives (tested), at the cost of one Cholesky factorisation instead of
one filter step per plot. The modes are mixed once, to ``t_1``; their probabilities are
then weighted by the likelihood of all the plots together.

The lower Cholesky factor ``L`` of the plots' covariance also gives what each plot
would show were the plots applied one by one: the block ``L_bb`` times the whitened
residual ``(L^-1 r)_b`` is plot ``b``'s residual given the plots before it, with
covariance ``L_bb L_bb'``; this gates each plot given the earlier ones.

Shapes: ``n`` tracks, ``M`` modes, ``w`` plot slots per track (padded; ``valid``
marks the real ones, which come first and in time order), states of 6.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

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
    docstring. ``transition`` gives each mode's ``F`` and ``Q`` over given steps."""
    n, w = tau_s.shape
    m = mean.shape[1]
    tau = np.where(valid, tau_s, 0.0)
    steps = np.diff(tau, axis=1, prepend=tau[:, :1])
    f, q = transition(np.concatenate((tau, -tau, steps), axis=1))
    a = f[:, :w].swapaxes(1, 2)  # A_i = F(t_i - t_1), (n, M, w, 6, 6)
    a_inv = f[:, w : 2 * w].swapaxes(1, 2)  # F(t_1 - t_i)
    q_step = q[:, 2 * w :].swapaxes(1, 2)  # Q(t_i - t_i-1)
    # the noise gathered since t_1 carried back to t_1, cumulated: V_i
    carried = np.cumsum(a_inv @ q_step @ a_inv.swapaxes(-1, -2), axis=2)
    spread = cov[:, :, None] + carried  # W_i = P + V_i: Cov(x_j, x_i) = A_j W_min(i,j) A_i'
    ha = a[..., :3, :]
    b = spread @ ha.swapaxes(-1, -2)  # W_i A_i' H', (n, M, w, 6, 3)
    b_all = b.transpose(0, 1, 3, 2, 4).reshape(n, m, 6, 3 * w)
    s = ha.reshape(n, m, 3 * w, 6) @ b_all  # block (j, i): H A_j W_i A_i' H', right for j >= i
    block = np.repeat(np.arange(w), 3)
    s = np.where(block[:, None] >= block[None, :], s, s.swapaxes(-1, -2))
    both = np.repeat(valid, 3, axis=1)
    s *= (both[:, :, None] & both[:, None, :])[:, None]
    slot = np.arange(w)
    # the plots' own noise on the diagonal blocks; an empty slot gets a unit block
    diagonal = np.where(valid[..., None, None], r_m2, np.eye(3))  # (n, w, 3, 3)
    s = s.reshape(n, m, w, 3, w, 3)
    s[:, :, slot, :, slot, :] += diagonal.transpose(1, 0, 2, 3)[:, :, None]
    chol = np.linalg.cholesky(s.reshape(n, m, 3 * w, 3 * w))
    residual = np.where(
        valid[:, None, :, None], z_m[:, None] - (ha @ mean[:, :, None, :, None])[..., 0], 0.0
    )
    # the state at each track's last plot, and its covariance with every plot
    last = w - 1 - np.argmax(valid[:, ::-1], axis=1)
    rows = np.arange(n)
    a_last = a[rows, :, last]  # (n, M, 6, 6)
    cross = (a_last @ b_all) * both[:, None, None, :]  # Cov(x_last, z_i), (n, M, 6, 3w)
    # one solve for both: L^-1 r (whitened residuals) and L^-1 C' (the gain's factor)
    solved = np.linalg.solve(
        chol, np.concatenate((residual.reshape(n, m, 3 * w, 1), cross.swapaxes(-1, -2)), axis=-1)
    )
    white, gain_t = solved[..., 0].reshape(n, m, w, 3), solved[..., 1:]
    blocks = chol.reshape(n, m, w, 3, w, 3)[:, :, slot, :, slot, :].transpose(1, 2, 0, 3, 4)
    given = (blocks @ white[..., None])[..., 0]
    log_det = np.log(np.abs(np.diagonal(blocks, axis1=-2, axis2=-1))).sum(axis=-1)
    log_likelihood = np.where(
        valid[:, None], -0.5 * np.einsum("nmwi,nmwi->nmw", white, white) - log_det, 0.0
    )
    prior_mean = (a_last @ mean[..., None])[..., 0]
    prior_cov = a_last @ spread[rows, :, last] @ a_last.swapaxes(-1, -2)
    post_mean = prior_mean + np.einsum("nmka,nmk->nma", gain_t, white.reshape(n, m, 3 * w))
    post_cov = prior_cov - gain_t.swapaxes(-1, -2) @ gain_t
    post_cov = 0.5 * (post_cov + post_cov.swapaxes(-1, -2))
    log_weight = np.log(np.maximum(prob, 1e-300)) + log_likelihood.sum(axis=2)
    log_weight -= log_weight.max(axis=1, keepdims=True)
    weight = np.exp(log_weight)
    return StackedResult(
        weight / weight.sum(axis=1, keepdims=True),
        post_mean,
        post_cov,
        given,
        blocks @ blocks.swapaxes(-1, -2),
        log_likelihood,
    )
