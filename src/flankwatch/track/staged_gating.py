"""Staged gating of position plots: the candidate pairs of tracks and plots, cheapest
test first.

1. A k-d tree ball about each track's straight-line position
   (:meth:`StagedGating._search_radii`), whose radius no plot beyond can pass the
   later tests.
2. Each candidate track predicted once with its full motion model, carried in a
   straight line to each candidate plot's time (:mod:`~flankwatch.track.pair_gate`);
   each pair held to ``max_speed_mps`` and to the chi-square gate
   (:meth:`StagedGating._pair_residuals`).

Only the pairs kept are predicted mode by mode, and only when they are assigned.
"""

from __future__ import annotations

import math

import numpy as np

from flankwatch.stream import PlotBatch
from flankwatch.track.gating import candidate_pairs
from flankwatch.track.output import TrackStatus
from flankwatch.track.pair_gate import extrapolate, mahalanobis2
from flankwatch.track.predictor import combine
from flankwatch.track.tracker_core import PRIORITY, RADIUS_MARGIN, TrackerCore


class StagedGating(TrackerCore):
    """The candidate pairs of tracks and position plots, gated in stages."""

    def _position_pairs(
        self, batch: PlotBatch, rows: np.ndarray, tracks: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """Gated pairs of the tracks at ``tracks`` (table rows) with the position plots at
        ``rows`` of ``batch`` (in time order): the pairs' tracks (table rows), plots
        (positions in ``rows``) and assignment costs (see :meth:`_associate_positions`);
        ``None`` without pairs.

        Gating is staged, cheapest first: a k-d tree ball about each track's
        straight-line position (:meth:`_search_radii`); then each candidate track
        predicted once (:mod:`~flankwatch.track.pair_gate`) and every pair held to
        ``max_speed_mps`` and to the chi-square gate. Only pairs inside the ball are
        ever scored, and the pairs kept are those the two last tests alone would keep."""
        table = self.table
        plot_t = batch.t_s[rows]
        centre, radius = self._search_radii(batch, rows, tracks)
        points = np.column_stack((batch.x_m[rows], batch.y_m[rows], batch.z_m[rows]))
        pair_track, pair_plot = candidate_pairs(centre, radius, points)
        plot_icao = batch.icao24[rows]
        has_identity = bool(np.any(plot_icao != 0))
        if has_identity and len(pair_track):
            a, b = table.icao24[tracks[pair_track]], plot_icao[pair_plot]
            compatible = (a == 0) | (b == 0) | (a == b)
            if not compatible.all():
                pair_track, pair_plot = pair_track[compatible], pair_plot[compatible]
        if not len(pair_track):
            return None
        pair_track = tracks[pair_track]
        pair_rows = rows[pair_plot]
        residual, s, speed_ok = self._pair_residuals(batch, pair_track, pair_rows, plot_t)
        d2 = mahalanobis2(residual, s)
        miss_m = np.sqrt(np.einsum("pi,pi->p", residual, residual))
        gate = self._position_gate
        statistical = (d2 < gate) & (miss_m <= self.settings.max_association_distance_m)
        statistical &= speed_ok
        identity = None
        if has_identity:
            pair_icao = batch.icao24[pair_rows]
            owner = table.icao24[pair_track]
            identity = (pair_icao != 0) & (pair_icao == owner)
            identity &= miss_m < self.settings.identity_gate_m
            statistical |= identity
        keep = np.flatnonzero(statistical)
        if not len(keep):
            return None
        pair_track, pair_plot, d2 = pair_track[keep], pair_plot[keep], d2[keep]
        held = table.status[pair_track] != TrackStatus.TENTATIVE
        priority = held + 2 * identity[keep] if identity is not None else held
        cost = np.minimum(d2, gate) - gate - PRIORITY * gate * priority
        return pair_track, pair_plot, cost

    def _search_radii(
        self, batch: PlotBatch, rows: np.ndarray, tracks: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """The first stage of gating: for the tracks at ``tracks`` and the plots at ``rows``,
        each track's straight-line position at the plots' middle time ``(n, 3)`` and the
        radius about it (m) outside which no plot can pass the later stages: the least
        of the chi-square bound (from the track's and plots' uncertainty and how far
        the motion models bend), ``max_association_distance_m`` and the distance
        ``max_speed_mps`` allows (see :meth:`_pair_residuals`)."""
        settings = self.settings
        table = self.table
        plot_t = batch.t_s[rows]
        t_lo, t_hi = float(plot_t[0]), float(plot_t[-1])
        centre, sigma, reach, speed = self._search_radius(tracks, t_lo, t_hi)
        plot_var = batch.cov_xx_m2[rows] + batch.cov_yy_m2[rows] + batch.cov_zz_m2[rows]
        plot_sigma = math.sqrt(float(plot_var.max()))
        root_gate = math.sqrt(self._position_gate)
        radius = np.minimum(
            root_gate * (sigma + plot_sigma + reach), settings.max_association_distance_m
        )
        half = 0.5 * (t_hi - t_lo)
        dt_mid = np.abs((t_lo + half) - table.t_s[tracks])
        slack = root_gate * (table.ref_pos_sigma_m[tracks] + plot_sigma)
        bound = np.maximum(settings.max_speed_mps, speed)
        radius = np.minimum(radius, bound * (dt_mid + half) + slack + speed * dt_mid)
        radius += reach
        if np.any(batch.icao24[rows] != 0):
            identified = table.icao24[tracks] != 0
            radius = np.where(
                identified, np.maximum(radius, settings.identity_gate_m + reach), radius
            )
        return centre, RADIUS_MARGIN * radius

    def _pair_residuals(
        self, batch: PlotBatch, pair_track: np.ndarray, pair_rows: np.ndarray, plot_t: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The second stage of gating, for pairs of tracks (table rows) and plots (rows of
        ``batch``): residuals ``(p, 3)`` (m), their covariances ``(p, 3, 3)`` (m^2), each
        candidate track predicted once (see :mod:`~flankwatch.track.pair_gate`), and
        whether the plot is within reach of the track at ``max_speed_mps`` (or the
        track's own speed, if faster), with ``sqrt(gate)`` times the track's and the
        plot's position standard deviations as slack."""
        table = self.table
        settings = self.settings
        tracks, inverse = np.unique(pair_track, return_inverse=True)
        t = batch.t_s[pair_rows]
        count = np.bincount(inverse)
        t_ref = np.bincount(inverse, t) / count
        if np.all(t == plot_t[0]):
            t_ref[:] = plot_t[0]
        prediction = self._predict_tracks(tracks, t_ref)
        self._gated = (tracks, t_ref, prediction)
        state, cov = combine(prediction.prob, prediction.at_mean, prediction.at_cov)
        position, s = extrapolate(state[inverse], cov[inverse], t - t_ref[inverse], self._cv_q)
        s = s.copy() if s.base is not None else s
        s[:, 0, 0] += batch.cov_xx_m2[pair_rows]
        s[:, 1, 1] += batch.cov_yy_m2[pair_rows]
        s[:, 2, 2] += batch.cov_zz_m2[pair_rows]
        for i, j, name in ((0, 1, "cov_xy_m2"), (0, 2, "cov_xz_m2"), (1, 2, "cov_yz_m2")):
            term = getattr(batch, name)[pair_rows]
            s[:, i, j] += term
            s[:, j, i] += term
        plot_xyz = np.column_stack(
            (batch.x_m[pair_rows], batch.y_m[pair_rows], batch.z_m[pair_rows])
        )
        residual = plot_xyz - position
        start = table.ref_state[pair_track, :3]
        moved = np.sqrt(np.einsum("pi,pi->p", plot_xyz - start, plot_xyz - start))
        plot_var = (
            batch.cov_xx_m2[pair_rows] + batch.cov_yy_m2[pair_rows] + batch.cov_zz_m2[pair_rows]
        )
        slack = math.sqrt(self._position_gate) * (
            table.ref_pos_sigma_m[pair_track] + np.sqrt(plot_var)
        )
        bound = np.maximum(settings.max_speed_mps, table.ref_speed_mps[pair_track])
        speed_ok = moved <= bound * np.abs(t - table.t_s[pair_track]) + slack
        return residual, s, speed_ok
