"""Staged gating of position plots: the candidate pairs of tracks and plots, cheapest
test first.

1. A ball about each track's straight-line position
   (:meth:`StagedGating._ball`), whose radius no plot beyond can pass the
   later tests: searched on a grid of cells
   (:func:`~flankwatch.track.gating.candidate_pairs`) at the least precise plot's
   radius, then each pair held to its own plot's.
2. Each candidate track predicted once with its full motion model, carried in a
   straight line to each candidate plot's time (:mod:`~flankwatch.track.pair_gate`);
   each pair held to ``max_speed_mps`` and to the chi-square gate
   (:meth:`StagedGating._pair_distances`).

Only the pairs kept are predicted mode by mode, and only when they are assigned.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from flankwatch.stream import PlotBatch
from flankwatch.track.gating import candidate_pairs, squared_gaps
from flankwatch.track.output import TENTATIVE
from flankwatch.track.pair_gate import pair_distances, within_reach
from flankwatch.track.predictor import combine
from flankwatch.track.tracker_core import PRIORITY, RADIUS_MARGIN, TrackerCore

PLOT_COV_UPPER = ("xx", "xy", "xz", "yy", "yz", "zz")
"""A plot's covariance columns (``cov_xx_m2`` ...) in the pair gate's upper-form order."""


class StagedGating(TrackerCore):
    """The candidate pairs of tracks and position plots, gated in stages."""

    def _position_pairs(
        self, batch: PlotBatch, rows: np.ndarray, tracks: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """Gated pairs of the tracks at ``tracks`` (table rows) with the position plots at
        ``rows`` of ``batch`` (in time order): the pairs' tracks (table rows), plots
        (positions in ``rows``) and assignment costs (see :meth:`_associate_positions`);
        ``None`` without pairs.

        Gating is staged, cheapest first: a ball about each track's
        straight-line position (:meth:`_ball`); then each candidate track
        predicted once (:mod:`~flankwatch.track.pair_gate`) and every pair held to
        ``max_speed_mps`` and to the chi-square gate. Only pairs inside the ball are
        ever scored, and the pairs kept are those the two last tests alone would keep."""
        table = self.table
        centre, ball = self._ball(batch, rows, tracks)
        plot_sigma = _plot_sigma(batch, rows)
        points = np.column_stack((batch.x_m[rows], batch.y_m[rows], batch.z_m[rows]))
        everyone = np.arange(len(tracks))
        pair_track, pair_plot = candidate_pairs(
            centre, ball(everyone, float(plot_sigma.max())), points
        )
        if len(pair_track):
            # each pair's own ball, for its plot's standard deviation
            gap2 = squared_gaps(centre, points, pair_track, pair_plot)
            near = gap2 <= ball(pair_track, plot_sigma[pair_plot]) ** 2
            pair_track, pair_plot = pair_track[near], pair_plot[near]
        plot_identity = self._plot_identity(batch)[rows]
        has_identity = bool(np.any(plot_identity != 0))
        if has_identity and len(pair_track):
            a, b = table.identity[tracks[pair_track]], plot_identity[pair_plot]
            compatible = (a == 0) | (b == 0) | (a == b)
            if not compatible.all():
                pair_track, pair_plot = pair_track[compatible], pair_plot[compatible]
        if not len(pair_track):
            return None
        pair_track = tracks[pair_track]
        pair_rows = rows[pair_plot]
        residual, d2, speed_ok = self._pair_distances(batch, rows, points, pair_track, pair_plot)
        miss_m = np.sqrt(np.einsum("pi,pi->p", residual, residual))
        gate = self._position_gate
        statistical = (d2 < gate) & (miss_m <= self.settings.max_association_distance_m)
        statistical &= speed_ok
        identity = None
        if has_identity:
            pair_identity = plot_identity[pair_plot]
            owner = table.identity[pair_track]
            identity = (pair_identity != 0) & (pair_identity == owner)
            identity &= miss_m < self._identity_reach_m(batch, pair_rows)
            statistical |= identity
        keep = np.flatnonzero(statistical)
        if not len(keep):
            return None
        replied = batch.mode5[pair_rows[keep]]
        if replied.any():
            keep = keep[~(replied & self._seen_silent(batch, pair_track[keep], pair_rows[keep]))]
            if not len(keep):
                return None
            replied = batch.mode5[pair_rows[keep]]
        pair_track, pair_plot, d2 = pair_track[keep], pair_plot[keep], d2[keep]
        priority = (table.status[pair_track] != TENTATIVE).astype(np.int64)
        if identity is not None:
            priority += 2 * identity[keep]
        if replied.any():
            # a Mode 5 reply goes first to a track that has answered before
            priority += replied & ~np.isnan(table.mode5_t_s[pair_track])
        cost = np.minimum(d2, gate) - gate - PRIORITY * gate * priority
        return pair_track, pair_plot, cost

    def _seen_silent(
        self, batch: PlotBatch, pair_track: np.ndarray, pair_rows: np.ndarray
    ) -> np.ndarray:
        """For pairs of tracks (table rows) and plots (rows of ``batch``): whether the track
        never answered IFF Mode 5 yet took a plot of the pair's sensor before. Such a track
        cannot take a Mode 5 reply of that sensor: an interrogator that got no reply from
        it before gets none now, so the reply is another aircraft's (a fighter closing on
        a drone must not make the drone's track a friend)."""
        table = self.table
        slot = self.sensor_columns.of(batch.sensor_id[pair_rows].astype(np.int64))
        seen = table.sensor_t_s[pair_track, np.maximum(slot, 0)]
        silent: np.ndarray = (slot >= 0) & np.isfinite(seen) & np.isnan(table.mode5_t_s[pair_track])
        return silent

    def _ball(
        self, batch: PlotBatch, rows: np.ndarray, tracks: np.ndarray
    ) -> tuple[np.ndarray, Callable[[np.ndarray, np.ndarray | float], np.ndarray]]:
        """For the tracks at ``tracks`` and the plots at ``rows``: each track's straight-line
        position at the plots' middle time ``(n, 3)``, and a function of track indices
        (into ``tracks``) and plot standard deviations (m, the root of the covariance's
        trace) giving the radius (m) about that position outside which such a plot
        cannot pass the later stages: the least of the chi-square bound (from the
        track's and the plot's uncertainty and how far the motion models bend),
        ``max_association_distance_m`` and the distance ``max_speed_mps`` allows (see
        :meth:`_pair_distances`)."""
        settings = self.settings
        table = self.table
        plot_t = batch.t_s[rows]
        t_lo, t_hi = float(plot_t[0]), float(plot_t[-1])
        centre, sigma, reach, speed = self._search_radius(tracks, t_lo, t_hi)
        root_gate = math.sqrt(self._position_gate)
        half = 0.5 * (t_hi - t_lo)
        dt_mid = np.abs((t_lo + half) - table.t_s[tracks])
        pos_sigma = table.ref_pos_sigma_m[tracks]
        travel = np.maximum(settings.max_speed_mps, speed) * (dt_mid + half) + speed * dt_mid
        identity = np.full(len(tracks), -np.inf)
        if np.any(self._plot_identity(batch)[rows] != 0):
            identified = table.identity[tracks] != 0
            identity[identified] = settings.identity_gate_m + reach[identified]

        def radius(at: np.ndarray, plot_sigma: np.ndarray | float) -> np.ndarray:
            by_identity = identity[at] + settings.identity_gate_sigmas * plot_sigma
            chi_square = np.minimum(
                root_gate * (sigma[at] + plot_sigma + reach[at]),
                settings.max_association_distance_m,
            )
            reachable = travel[at] + root_gate * (pos_sigma[at] + plot_sigma)
            bound = np.minimum(chi_square, reachable) + reach[at]
            return RADIUS_MARGIN * np.maximum(bound, by_identity)

        return centre, radius

    def _pair_distances(
        self,
        batch: PlotBatch,
        rows: np.ndarray,
        points: np.ndarray,
        pair_track: np.ndarray,
        pair_plot: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The second stage of gating, for pairs of tracks (table rows) and plots (positions
        in ``rows`` of ``batch``, in time order, at ``points`` ``(len(rows), 3)``, m):
        residuals ``(p, 3)`` (m) and their squared Mahalanobis distances, each candidate
        track predicted once (see :mod:`~flankwatch.track.pair_gate`), and whether the plot
        is within reach of the track at ``max_speed_mps`` (or the track's own speed, if
        faster), with ``sqrt(gate)`` times the track's and the plot's position standard
        deviations as slack."""
        table = self.table
        settings = self.settings
        tracks, inverse = _unique_rows(pair_track, len(table))
        plot_t = batch.t_s[rows]
        t = plot_t[pair_plot]
        count = np.bincount(inverse)
        t_ref = np.bincount(inverse, t) / count
        if np.all(t == plot_t[0]):
            t_ref[:] = plot_t[0]
        if len(tracks) == len(table):  # every track, in table order
            prediction = self._predict_every_track(t_ref)
        else:
            prediction = self._predict_tracks(tracks, t_ref)
        self._gated = (tracks, t_ref, prediction)
        state, cov = combine(prediction.prob, prediction.at_mean, prediction.at_cov)
        plot_cov = np.column_stack(
            [getattr(batch, f"cov_{name}_m2")[rows] for name in PLOT_COV_UPPER]
        )
        residual, d2 = pair_distances(
            state, cov, inverse, t - t_ref[inverse], self._cv_q, points, plot_cov, pair_plot
        )
        speed_ok = within_reach(
            points,
            plot_cov,
            pair_plot,
            table.ref_state,
            table.ref_pos_sigma_m,
            table.ref_speed_mps,
            table.t_s,
            pair_track,
            t,
            settings.max_speed_mps,
            math.sqrt(self._position_gate),
        )
        return residual, d2, speed_ok


def _unique_rows(rows: np.ndarray, n_rows: int) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values of ``rows`` (table rows, below ``n_rows``) in increasing order,
    and where each of ``rows`` is among them: ``np.unique(rows, return_inverse=True)``
    without its sort."""
    present = np.zeros(n_rows, bool)
    present[rows] = True
    position = np.cumsum(present) - 1
    return np.flatnonzero(present), position[rows]


def _plot_sigma(batch: PlotBatch, rows: np.ndarray) -> np.ndarray:
    """The root of the trace of each position covariance of the plots at ``rows``, m."""
    return np.sqrt(batch.cov_xx_m2[rows] + batch.cov_yy_m2[rows] + batch.cov_zz_m2[rows])
