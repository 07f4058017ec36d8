"""Joint association: all plots of a step associated at once, tracks updated in rounds.

Every plot gets a slot (its sensor's plots within one association window, ADS-B
plots further split so that each aircraft has one plot per slot); every gated pair
of a track and a plot is scored with the track predicted from its state at the
start of the step to the plot's own time; one global nearest neighbour
assignment gives each track at most one plot per slot. Round k then applies
every track's k-th plot (or group of bearings), or one stacked round applies all of a
track's position plots at once (:mod:`~flankwatch.track.stacked_round`), and the
position plots left over start tracks, one per new target. See :mod:`flankwatch.track.tracker`.
"""

from __future__ import annotations

import math

import numpy as np

from flankwatch.stream import ACOUSTIC, PlotBatch
from flankwatch.track.base import Innovation, Prediction
from flankwatch.track.gating import candidate_pairs
from flankwatch.track.groups import group_starts, identity_rank
from flankwatch.track.stacked_round import StackedRound
from flankwatch.track.tracker_core import (
    HELD,
    PRIORITY,
    RADIUS_MARGIN,
)

STACKED_MIN_PLOTS = 3
"""Only tracks taking at least this many position plots in a batch go to the stacked round:
it costs more than a round, so it pays where it saves rounds (an airliner reported by ADS-B
every second). CPU of tracking the first 2 h of each built-in night, least of 3 runs taken
in turn (from 2 plots, from 3, rounds only): ``poland-2025-09-10`` 3.5, 3.6 and 5.0 s;
``mass-raid-2025-09-07`` 1.7, 1.8 and 1.7 s. From 2 plots (and up to 64 tracks) cost up to
a fifth more than rounds on the tracker families; from 3, nothing beyond their spread."""
STACKED_MAX_TRACKS = 32
"""The stacked round takes at most this many tracks, else none: its cost grows with them
(one factorisation each), a round's barely, so with many tracks rounds cost less. On the
tracker families at N = 100 and 500, 32 is within the run-to-run spread of no stacking."""


class JointAssociation(StackedRound):
    """One step's association and update of all plots at once (``association = "joint"``)."""

    def _slots(self, batch: PlotBatch) -> tuple[np.ndarray, int]:
        """The association slot of each plot (a dense label) and the number of slots: the
        plots of one sensor within one association window, ADS-B plots further split
        so that each aircraft has one plot per slot. A track takes at most one plot
        of each slot."""
        n = len(batch)
        sensor = batch.sensor_id.astype(np.int64)
        window = np.floor((batch.t_s - batch.t_s[0]) / self.association_windows(sensor)).astype(
            np.int64
        )
        rank = identity_rank(batch, self._plot_identity(batch), sensor, window)
        rows = np.lexsort((rank, window, sensor))
        starts = group_starts(sensor[rows], window[rows], rank[rows])
        slot = np.empty(n, np.int64)
        slot[rows] = np.cumsum(starts) - 1
        return slot, int(starts.sum())

    def _joint_update(self, batch: PlotBatch, acoustic: np.ndarray, usable: np.ndarray) -> None:
        """One step's association and update, all plots of ``batch`` (time-ordered) at once.

        Every gated pair of a track and a plot (positions: all tracks; bearings:
        confirmed and coasting tracks) is scored with the track predicted from its
        state at the start of the step to the plot's own time; one global nearest
        neighbour assignment then gives each track at most one plot per slot (see
        :meth:`_slots`) and each plot at most one track. The tracks are then updated
        in rounds (:meth:`_update_in_rounds`), and the position plots left over start
        tracks (:meth:`_initiate_joint`).
        """
        slot, n_slots = self._slots(batch)
        positions = np.flatnonzero(~acoustic & usable)
        bearings = np.flatnonzero(acoustic)
        leftover = positions
        if len(self.table):
            node_parts, row_parts, cost_parts = [], [], []
            if len(positions):
                pairs = self._position_pairs(batch, positions, np.arange(len(self.table)))
                if pairs is not None:
                    node_parts.append(pairs[0])
                    row_parts.append(positions[pairs[1]])
                    cost_parts.append(pairs[2])
            if len(bearings):
                pairs_b = self._bearing_pairs(batch, bearings)
                if pairs_b is not None:
                    node_parts.append(pairs_b[0])
                    row_parts.append(pairs_b[1])
                    cost_parts.append(pairs_b[2])
            if node_parts:
                pair_track = np.concatenate(node_parts)
                pair_row = np.concatenate(row_parts)
                chosen = self.associator.associate(
                    pair_track * n_slots + slot[pair_row], pair_row, np.concatenate(cost_parts)
                )
                if len(chosen):
                    rejected = self._update_in_rounds(batch, pair_track[chosen], pair_row[chosen])
                    unused = np.ones(len(batch), bool)
                    unused[pair_row[chosen]] = False
                    unused[rejected] = True
                    leftover = positions[unused[positions]]
        self._initiate_joint(batch, leftover, slot, n_slots)

    def _bearing_pairs(
        self, batch: PlotBatch, rows: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """Gated pairs of the confirmed and coasting tracks with the bearings at ``rows`` of
        ``batch``: their tracks (table rows), plots (rows of ``batch``) and costs."""
        table = self.table
        tracks = np.flatnonzero(np.isin(table.status, HELD))
        if not len(tracks):
            return None
        plot_t = batch.t_s[rows]
        centre, _, reach, _ = self._search_radius(tracks, float(plot_t[0]), float(plot_t[-1]))
        nodes = np.column_stack((batch.sensor_x_m[rows], batch.sensor_y_m[rows]))
        pair_plot, pair_track = candidate_pairs(
            nodes, np.full(len(rows), self.settings.acoustic_range_m), centre[:, :2]
        )
        if not len(pair_plot):
            return None
        pair_rows = rows[pair_plot]
        pair_track = tracks[pair_track]
        prediction = self._predict_tracks(pair_track, batch.t_s[pair_rows])
        innovation = self.bearing_model.innovation(prediction, batch, pair_rows)
        d2 = self.updater.gate_distance(prediction, innovation)
        cost = np.where(d2 < self._bearing_gate, d2 - self._bearing_gate, np.inf)
        return pair_track, pair_rows, cost

    def _update_in_rounds(
        self,
        batch: PlotBatch,
        tracks: np.ndarray,
        rows: np.ndarray,
    ) -> np.ndarray:
        """Update the tracks at ``tracks`` (table rows) with the plots at ``rows`` of
        ``batch`` (one pair each) in rounds: round k applies every track's k-th update in
        time order, all tracks at once, each predicted from its state after the
        previous round. An update is one position plot, or one group of bearings (see
        :meth:`_bearing_groups`) applied by a stacked extended Kalman update. With
        ``stacked_updates``, the tracks that take ``STACKED_MIN_PLOTS`` position plots or
        more and no bearing take them all in one stacked round first (:meth:`_stackable`).
        A plot that falls outside its track's gate after the track's earlier updates is
        not applied; the rows of those plots."""
        order = np.lexsort((batch.t_s[rows], tracks))
        tracks, rows = tracks[order], rows[order]
        starts = group_starts(tracks)
        every_track = tracks[starts]
        acoustic = batch.kind[rows] == ACOUSTIC
        rejected = [np.empty(0, np.int64)]
        if self._stacks():
            stack = self._stackable(batch, tracks, rows, starts, acoustic)
            stacked = (
                self._stacked_position_round(batch, tracks[stack], rows[stack])
                if stack.any()
                else None
            )
            if stacked is not None:
                rejected.append(stacked)
                rest = ~stack
                tracks, rows, starts, acoustic = (
                    tracks[rest],
                    rows[rest],
                    starts[rest],
                    acoustic[rest],
                )
        if not len(tracks):
            self.table.refresh(every_track)
            return np.concatenate(rejected)
        update = np.cumsum(self._bearing_groups(batch, rows, starts, acoustic)) - 1
        rank = update - np.maximum.accumulate(np.where(starts, update, 0))
        by_rank = np.argsort(rank, kind="stable")
        bounds = np.flatnonzero(group_starts(rank[by_rank]))
        for k, at in enumerate(np.split(by_rank, bounds[1:])):
            kinds = acoustic[at]
            if not kinds.all():
                position = at[~kinds] if kinds.any() else at
                rejected.append(self._position_round(batch, tracks[position], rows[position], k))
            if kinds.any():
                bearing = at[kinds] if not kinds.all() else at
                groups = group_starts(update[bearing])
                if groups.all():
                    rejected.append(self._bearing_round(batch, tracks[bearing], rows[bearing], k))
                else:
                    rejected.append(
                        self._stacked_bearing_round(
                            batch, tracks[bearing], rows[bearing], groups, k
                        )
                    )
        self.table.refresh(every_track)
        return np.concatenate(rejected)

    def _stackable(
        self,
        batch: PlotBatch,
        tracks: np.ndarray,
        rows: np.ndarray,
        starts: np.ndarray,
        acoustic: np.ndarray,
    ) -> np.ndarray:
        """For plots sorted by track and time (``starts`` true at each track's first), which
        go to the stacked round: those of tracks with ``STACKED_MIN_PLOTS`` plots or more,
        position plots only, none before the track's own time; none when more than
        ``STACKED_MAX_TRACKS`` tracks qualify, as rounds then cost less."""
        group = np.cumsum(starts) - 1
        first = np.flatnonzero(starts)
        count = np.diff(np.append(first, len(rows)))
        positions_only = np.bincount(group, acoustic, minlength=len(first)) == 0
        on_time = batch.t_s[rows[first]] >= self.table.t_s[tracks[first]]
        chosen = positions_only & on_time & (count >= STACKED_MIN_PLOTS)
        if np.count_nonzero(chosen) > STACKED_MAX_TRACKS:
            return np.zeros(len(rows), bool)
        return chosen[group]

    def _bearing_groups(
        self, batch: PlotBatch, rows: np.ndarray, starts: np.ndarray, acoustic: np.ndarray
    ) -> np.ndarray:
        """For plots sorted by track and time (``starts`` marking each track's first), true
        where a plot begins a new update: every position plot, and a bearing unless it
        follows a bearing of the same track in the same ``bearing_group_s`` span."""
        span = self.settings.bearing_group_s
        if (
            span <= 0.0
            or not acoustic.any()
            or not hasattr(self.bearing_model, "stacked_innovation")
        ):
            return np.ones(len(rows), bool)
        t = batch.t_s[rows]
        bins = np.floor((t - t.min()) / span)
        new = starts | ~acoustic
        new[1:] |= ~acoustic[:-1] | (bins[1:] != bins[:-1])
        return new

    def _position_round(
        self,
        batch: PlotBatch,
        tracks: np.ndarray,
        rows: np.ndarray,
        k: int,
    ) -> np.ndarray:
        """Round ``k`` of the position plots at ``rows`` (one per track at ``tracks``): gated
        against the tracks' current states unless ``k == 0``, scored and applied; the rows
        not applied."""
        prediction = self._predict_for_update(tracks, batch.t_s[rows])
        innovation = self.position_model.innovation(prediction, batch, rows)
        ok = np.ones(len(rows), bool)
        if k:
            d2 = self.updater.gate_distance(prediction, innovation)
            ok, identity = self._position_gates(prediction, innovation, d2, tracks, batch, rows)
            if identity is not None:
                ok |= identity
        kept = innovation if k == 0 else innovation.take(np.flatnonzero(ok))
        self._score_plots(
            batch,
            tracks[ok] if k else tracks,
            rows[ok] if k else rows,
            kept.residual[:, 0],
            kept.cov[:, 0],
        )
        self._apply(batch, tracks[ok], rows[ok], prediction, innovation, ok)
        self._take_identity(batch, tracks[ok], rows[ok])
        return rows[~ok]

    def _bearing_round(
        self, batch: PlotBatch, tracks: np.ndarray, rows: np.ndarray, k: int
    ) -> np.ndarray:
        """Round ``k`` of single bearings at ``rows`` (one per track at ``tracks``), an
        extended Kalman update each, gated unless ``k == 0``; the rows not applied."""
        prediction = self._predict_tracks(tracks, batch.t_s[rows])
        innovation = self.bearing_model.innovation(prediction, batch, rows)
        ok = np.ones(len(rows), bool)
        if k:
            ok = self.updater.gate_distance(prediction, innovation) < self._bearing_gate
        self._apply(batch, tracks[ok], rows[ok], prediction, innovation, ok)
        return rows[~ok]

    def _apply(
        self,
        batch: PlotBatch,
        tracks: np.ndarray,
        rows: np.ndarray,
        prediction: Prediction,
        innovation: Innovation,
        ok: np.ndarray,
    ) -> None:
        """Update ``tracks`` with the plots at ``rows``: the pairs of ``prediction`` and
        ``innovation`` where ``ok`` holds (the others are left out)."""
        if not ok.all():
            if not ok.any():
                return
            keep = np.flatnonzero(ok)
            prediction, innovation = prediction.take(keep), innovation.take(keep)
        posterior = self.updater.update(prediction, innovation)
        self._write(tracks, prediction.t_s, posterior, batch.t_s[rows], refresh=False)

    def _stacked_bearing_round(
        self,
        batch: PlotBatch,
        tracks: np.ndarray,
        rows: np.ndarray,
        groups: np.ndarray,
        k: int,
    ) -> np.ndarray:
        """Round ``k`` of groups of bearings: ``rows`` sorted by track and time, ``groups``
        true at each group's first; one group per track. Each track is predicted to its
        group's mean time and updated once with all of the group's bearings stacked (see
        :meth:`~flankwatch.track.measurement.BearingMeasurement.stacked_innovation`).
        Each bearing is gated given the group's earlier ones, as if they were applied one
        by one (the first of a track's first update excepted, as in :meth:`_bearing_round`);
        the rows not applied."""
        n = len(rows)
        first = np.flatnonzero(groups)
        group = np.cumsum(groups) - 1
        column = np.arange(n) - first[group]
        size = np.diff(np.append(first, n))
        width = int(size.max())
        index = np.zeros((len(first), width), np.int64)
        index[group, column] = rows
        valid = np.zeros((len(first), width), bool)
        valid[group, column] = True
        plot_t = batch.t_s[rows]
        t_ref = np.bincount(group, plot_t) / size
        t_last = plot_t[np.append(first[1:], n) - 1]
        tracks = tracks[first]
        prediction = self._predict_tracks(tracks, t_ref)
        dt = np.zeros((len(first), width))
        dt[group, column] = plot_t - t_ref[group]
        f, q = self.predictor.transition(dt.ravel())
        n_modes = f.shape[1]
        f_xy = f[:, :, :2].reshape(len(first), width, n_modes, 2, 6).swapaxes(1, 2)
        q_xy = q[:, :, :2, :2].reshape(len(first), width, n_modes, 2, 2).swapaxes(1, 2)
        model = self.bearing_model
        innovation = model.stacked_innovation(  # type: ignore[attr-defined]
            prediction, batch, index, valid, f_xy, q_xy
        )
        rejected = np.empty(0, np.int64)
        if k or width > 1:
            ok = _sequential_gate_distance(prediction.prob, innovation) < self._bearing_gate
            ok |= ~valid
            if not k:
                ok[:, 0] = True
            if not ok.all():
                rejected = index[~ok]
                valid &= ok
                keep = np.flatnonzero(valid.any(axis=1))
                if not len(keep):
                    return rejected
                prediction = prediction.take(keep)
                tracks, index, valid, t_last = tracks[keep], index[keep], valid[keep], t_last[keep]
                f_xy, q_xy = f_xy[keep], q_xy[keep]
                innovation = model.stacked_innovation(  # type: ignore[attr-defined]
                    prediction, batch, index, valid, f_xy, q_xy
                )
        posterior = self.updater.update(prediction, innovation)
        self._write(tracks, prediction.t_s, posterior, t_last, refresh=False)
        return rejected

    def _initiate_joint(
        self, batch: PlotBatch, rows: np.ndarray, slot: np.ndarray, n_slots: int
    ) -> None:
        """Start tracks from the position plots at ``rows`` of ``batch`` left over by the
        association, one per new target: a plot inside the gate of the new track of an
        earlier left-over plot (of another slot) does not start one of its own but is
        assigned, by global nearest neighbour, to the earliest such plots' tracks,
        which are then updated in rounds."""
        if len(rows) < 2 or np.all(slot[rows] == slot[rows[0]]):
            self._initiate(batch, rows)
            return
        rows = rows[np.argsort(batch.t_s[rows], kind="stable")]
        gate = self._position_gate
        settings = self.settings
        prob, mean, cov = self.initiator.initiate(batch, rows)
        t = batch.t_s[rows]
        span = t[-1] - t
        plot_sigma = np.sqrt(cov[:, 0, 0, 0] + cov[:, 0, 1, 1] + cov[:, 0, 2, 2])
        speed_sigma = np.sqrt(cov[:, 0, 3, 3] + cov[:, 0, 4, 4] + cov[:, 0, 5, 5])
        reach = self.predictor.reach_m(np.zeros(len(rows)), span)
        radius = np.minimum(
            math.sqrt(gate) * (plot_sigma + plot_sigma.max() + speed_sigma * span + reach),
            settings.max_association_distance_m,
        )
        radius += reach
        points = mean[:, 0, :3]
        identity_of = self._plot_identity(batch)[rows]
        if settings.identity_gate_m > 0 and np.any(identity_of != 0):
            radius = np.maximum(radius, self._identity_reach_m(batch, rows) + reach)
        seed, later = candidate_pairs(points, RADIUS_MARGIN * radius, points)
        keep = (
            (later > seed)
            & (slot[rows[later]] != slot[rows[seed]])
            & (
                (identity_of[seed] == 0)
                | (identity_of[later] == 0)
                | (identity_of[seed] == identity_of[later])
            )
        )
        seed, later = seed[keep], later[keep]
        if not len(seed):
            self._initiate(batch, rows)
            return
        prediction = self.predictor.predict(prob[seed], mean[seed], cov[seed], t[seed], t[later])
        innovation = self.position_model.innovation(prediction, batch, rows[later])
        d2 = self.updater.gate_distance(prediction, innovation)
        ok, identity = self._position_gates(
            prediction, innovation, d2, identity_of[seed], batch, rows[later], identity_given=True
        )
        if identity is not None:
            ok |= identity
        priority = 2 * identity[ok] if identity is not None else 0
        seed, later, d2 = seed[ok], later[ok], d2[ok]
        # a plot gated by an earlier one is never a seed; seeds' tracks may absorb it
        is_seed = np.ones(len(rows), bool)
        is_seed[later] = False
        absorb = np.flatnonzero(is_seed[seed])
        starts = np.ones(len(rows), bool)
        chosen = np.empty(0, np.intp)
        if len(absorb):
            cost = np.minimum(d2, gate) - gate - PRIORITY * gate * priority
            chosen = absorb[
                self.associator.associate(
                    seed[absorb] * n_slots + slot[rows[later[absorb]]],
                    later[absorb],
                    cost[absorb],
                )
            ]
            starts[later[chosen]] = False
        first_row = len(self.table)
        self._initiate(batch, rows[starts])
        if len(chosen):
            table_row = first_row + np.cumsum(starts) - 1
            rejected = self._update_in_rounds(batch, table_row[seed[chosen]], rows[later[chosen]])
            self._initiate(batch, np.sort(rejected))


def _sequential_gate_distance(prob: np.ndarray, innovation: Innovation) -> np.ndarray:
    """Squared Mahalanobis distance ``(p, B)`` of each row of stacked innovations given the
    rows before it, over the mixture of modes: what each row's gate would see were the
    rows applied one by one (exact for a linear model). With ``S = L L'``, row ``b``'s
    innovation given the rows before is ``L[b, b] (L^-1 r)[b]`` with variance ``L[b, b]^2``."""
    lower = np.linalg.cholesky(innovation.cov)
    white = np.linalg.solve(lower, innovation.residual[..., None])[..., 0]
    scale = np.diagonal(lower, axis1=-2, axis2=-1)
    if white.shape[1] == 1:
        return white[:, 0] ** 2
    residual = white * scale
    mixed = np.einsum("pm,pmb->pb", prob, residual)
    spread = residual - mixed[:, None, :]
    return mixed**2 / np.einsum("pm,pmb->pb", prob, scale * scale + spread * spread)
