"""Joint association's stacked round: all of a track's position plots of a step applied
at once by the stacked Kalman update of :mod:`~flankwatch.track.stacked`.

Each plot is gated given the track's earlier plots (its first excepted, as the
assignment has gated it), as if the plots were applied one by one; the plots that fail
are left out and the rest applied again. The bookkeeping of applying plots one by one
(tentative tracks' scores with the scans missed between plots, revisit times,
confirmation counts, identities) is kept plot by plot.
"""

from __future__ import annotations

import numpy as np

from flankwatch.stream import PlotBatch
from flankwatch.track.base import Prediction
from flankwatch.track.groups import group_starts
from flankwatch.track.linalg import inverse_small
from flankwatch.track.measurement import PositionMeasurement
from flankwatch.track.output import TENTATIVE
from flankwatch.track.stacked import StackedResult, Transition, stacked_update
from flankwatch.track.staged_gating import StagedGating


class StackedRound(StagedGating):
    """The stacked update round of position plots (``stacked_updates``)."""

    def _stacks(self) -> bool:
        """Whether position plots are applied by the stacked round: the setting is on and the
        position model is the linear one the stacked update assumes."""
        return self.settings.stacked_updates and type(self.position_model) is PositionMeasurement

    def _stacked_position_round(
        self, batch: PlotBatch, tracks: np.ndarray, rows: np.ndarray
    ) -> np.ndarray | None:
        """Apply the position plots at ``rows`` of ``batch`` to the tracks at ``tracks``
        (table rows; sorted by track, then time; no plot before its track's time), all
        of a track's plots in one stacked update; the rows of the plots left out. ``None``,
        with nothing changed, when the plots' covariance is too ill-conditioned to factorise
        (plots of extreme scales): they are then for the rounds."""
        starts = group_starts(tracks)
        track_rows = tracks[starts]
        prediction = self._predict_for_update(track_rows, batch.t_s[rows[starts]])
        try:
            result, index, valid = self._stack(batch, track_rows, rows, starts, prediction)
            ok = self._stacked_gates(batch, track_rows, prediction.prob, result, index, valid)
            rejected = index[valid & ~ok]
            if len(rejected):
                kept = np.isin(rows, rejected, invert=True)
                rows, starts = rows[kept], starts[kept]
                result, index, valid = self._stack(batch, track_rows, rows, starts, prediction)
        except np.linalg.LinAlgError:
            return None
        applied = valid.sum(axis=1)
        plot_tracks = np.repeat(track_rows, applied)
        plot_rows = index[valid]
        self._score_plots(
            batch,
            plot_tracks,
            plot_rows,
            result.residual[:, 0][valid],
            result.residual_cov[:, 0][valid],
            repeated=True,
        )
        t_last = batch.t_s[index[np.arange(len(index)), applied - 1]]
        hits = None
        tentative = self.table.status[plot_tracks] == TENTATIVE
        if tentative.any():
            counts = self.initiator.counts(self.table.first_s[plot_tracks], batch.t_s[plot_rows])
            hits = np.add.reduceat(
                (tentative & counts).astype(np.int32), np.cumsum(applied) - applied
            )
        posterior = (result.prob, result.mean, result.cov)
        self._write(track_rows, t_last, posterior, t_last, refresh=False, hits=hits)
        self._take_identity(batch, plot_tracks, plot_rows)
        return rejected

    def _stack(
        self,
        batch: PlotBatch,
        track_rows: np.ndarray,
        rows: np.ndarray,
        starts: np.ndarray,
        prediction: Prediction,
    ) -> tuple[StackedResult, np.ndarray, np.ndarray]:
        """The stacked update of the tracks at ``track_rows``, predicted to their first plots
        (``prediction``), with the plots at ``rows`` (``starts`` true at each track's
        first); with the plots laid out one track a row (``index``, rows of ``batch``)
        and which of those slots are plots (``valid``)."""
        first = np.flatnonzero(starts)
        group = np.cumsum(starts) - 1
        column = np.arange(len(rows)) - first[group]
        index = np.zeros((len(first), int(column.max()) + 1), np.int64)
        index[group, column] = rows
        valid = np.zeros(index.shape, bool)
        valid[group, column] = True
        t = batch.t_s[index]
        z = np.stack((batch.x_m[index], batch.y_m[index], batch.z_m[index]), axis=-1)
        r = np.empty((*index.shape, 3, 3))
        for i, j, name in (
            (0, 0, "xx"), (1, 1, "yy"), (2, 2, "zz"), (0, 1, "xy"), (0, 2, "xz"), (1, 2, "yz")
        ):  # fmt: skip
            r[..., i, j] = r[..., j, i] = getattr(batch, f"cov_{name}_m2")[index]
        result = stacked_update(
            prediction.prob,
            prediction.mean,
            prediction.cov,
            t - t[:, :1],
            z,
            r,
            valid,
            self._transition_of(track_rows),
        )
        return result, index, valid

    def _transition_of(self, track_rows: np.ndarray) -> Transition:
        """The stacked update's transitions for the tracks at ``track_rows``: each mode's
        model, or the single-model ``tentative_predictor``'s for every mode of a tentative
        track (whose modes stay equal)."""
        tentative = np.zeros(len(track_rows), bool)
        if self.tentative_predictor is not None:
            tentative = self.table.status[track_rows] == TENTATIVE
        single = self.tentative_predictor

        def transition(dt_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            n, k = dt_s.shape
            f, q = self.predictor.transition(dt_s.ravel())
            f, q = f.reshape(n, k, *f.shape[1:]), q.reshape(n, k, *q.shape[1:])
            if single is not None and tentative.any():
                f_one, q_one = single.transition(dt_s[tentative].ravel())
                f[tentative] = f_one.reshape(-1, k, *f_one.shape[1:])
                q[tentative] = q_one.reshape(-1, k, *q_one.shape[1:])
            return f, q

        return transition

    def _stacked_gates(
        self,
        batch: PlotBatch,
        track_rows: np.ndarray,
        prob: np.ndarray,
        result: StackedResult,
        index: np.ndarray,
        valid: np.ndarray,
    ) -> np.ndarray:
        """Which slots of ``index`` pass their gates given the track's earlier plots: the
        statistical gate and ``max_association_distance_m`` on the mixture of the modes
        (weighted by their probabilities after the earlier plots), or a matching identity
        (ICAO address or Mode 5 PIN) within its reach (:meth:`_identity_reach_m`); every
        track's first plot and empty slots pass."""
        residual, cov = result.residual, result.residual_cov
        if residual.shape[1] == 1:
            mixed, mixed_cov = residual[:, 0], cov[:, 0]
        else:
            before = np.cumsum(result.log_likelihood, axis=2) - result.log_likelihood
            log_weight = np.log(np.maximum(prob, 1e-300))[:, :, None] + before
            weight = np.exp(log_weight - log_weight.max(axis=1, keepdims=True))
            weight /= weight.sum(axis=1, keepdims=True)
            mixed = np.einsum("nmw,nmwi->nwi", weight, residual)
            spread = residual - mixed[:, None]
            mixed_cov = np.einsum("nmw,nmwij->nwij", weight, cov) + np.einsum(
                "nmw,nmwi,nmwj->nwij", weight, spread, spread
            )
        d2 = np.einsum("nwi,nwij,nwj->nw", mixed, inverse_small(mixed_cov), mixed)
        miss_m = np.sqrt(np.einsum("nwi,nwi->nw", mixed, mixed))
        ok = (d2 < self._position_gate) & (miss_m <= self.settings.max_association_distance_m)
        identity = self._plot_identity(batch)[index]
        owner = self.table.identity[track_rows]
        owner = np.where(owner != 0, owner, identity[:, 0])
        reach = self._identity_reach_m(batch, index.ravel()).reshape(index.shape)
        ok |= (identity != 0) & (identity == owner[:, None]) & (miss_m < reach)
        ok |= ~valid
        ok[:, 0] = True
        return ok
