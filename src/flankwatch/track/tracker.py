"""The multi-sensor multi-target tracker: plot batches in, track batches out.

One :meth:`Tracker.step` takes a :class:`~flankwatch.stream.PlotBatch` (plots of
any sensors, spread over time) and does, all tracks at once (the default, joint
association, ``TrackerSettings.association = "joint"``):

1. Give each plot its slot: its sensor's plots within one association window,
   which is the sensor's revisit period when it was given
   (:meth:`Tracker.set_revisit_periods`) and ``association_window_s`` otherwise,
   ADS-B plots further split so that each aircraft has one plot per slot. A
   track takes at most one plot of each slot.
2. Find the candidate pairs of every plot of the batch: for positions (radar,
   ADS-B) all tracks, for acoustic bearings the confirmed and coasting tracks
   within ``acoustic_range_m`` of the node. Candidates come from a summary of
   each track (its combined state at its own time extrapolated in a straight
   line, with a conservative radius from its uncertainty, the plots' noise and
   how far the motion models can bend away from a straight line), by brute
   force for small problems and k-d trees for large ones. Each candidate track
   is predicted from its state at the start of the step to its own plot's time;
   pairs outside the chi-square gate are dropped (an ADS-B plot whose ICAO
   address matches the track's is kept within ``identity_gate_m``; pairs with
   two different ICAO addresses never associate).
3. One global nearest neighbour assignment over the whole batch, whose rows are
   (track, slot) pairs: identity matches first, then confirmed and coasting
   tracks, then tentative ones.
4. Update in rounds: round k applies every track's k-th assigned plot in time
   order (positions with a Kalman update, bearings with an extended one), each
   track predicted from its state after the previous round to its plot's time;
   a later plot that has left the track's gate is not applied. The rounds are
   as many as the most plots any track took, not as many as the sensors.
5. Start tracks from the position plots left over: a plot inside the gate of the
   new track of an earlier left-over plot of another slot starts none of its own
   but is assigned (global nearest neighbour, one per slot) to such a track, so
   that one new target seen by several sensors in a batch starts one track.
6. Manage: confirm tentative tracks with ``confirm_m`` plots within
   ``confirm_window_s`` of their first, mark confirmed tracks not updated in
   this step as coasting, delete, and report every track predicted to the
   step's time.

With ``association = "sequential"`` the batch is instead split into
sub-batches, one per sensor and association window (acoustic nodes farther
apart than twice ``acoustic_range_m``, which can never hear the same track,
sharing one), each associated, updated and used to start tracks in turn, in
time order.

A plot older than the track it is associated with (a late plot) is not
dropped: it updates the track at the track's own time through an
out-of-sequence update (see :class:`~flankwatch.track.base.Prediction`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator

import numpy as np

from flankwatch.stream import PlotBatch, PlotKind
from flankwatch.track.associator import GNNAssociator
from flankwatch.track.base import (
    Associator,
    Deleter,
    Initiator,
    Innovation,
    MeasurementModel,
    Prediction,
    Predictor,
    Updater,
)
from flankwatch.track.deleter import StaleTrackDeleter
from flankwatch.track.gating import candidate_pairs, gate_threshold
from flankwatch.track.initiator import WindowInitiator
from flankwatch.track.measurement import BearingMeasurement, PositionMeasurement
from flankwatch.track.motion import ConstantVelocity, CoordinatedTurn
from flankwatch.track.output import TrackBatch, TrackStatus
from flankwatch.track.predictor import IMMPredictor, KalmanPredictor, combine
from flankwatch.track.settings import TrackerSettings
from flankwatch.track.table import TrackTable
from flankwatch.track.updater import KalmanUpdater

_RADIUS_MARGIN = 1.2
"""Safety factor on the candidate search radius (the exact gate is applied afterwards)."""
_PRIORITY = 100.0
"""Cost offset, in gates, that puts one class of pairs before another in the assignment."""
_HELD = (TrackStatus.CONFIRMED, TrackStatus.COASTING)


class Tracker:
    """A tracker composed of replaceable parts; see the module docstring for one step."""

    def __init__(
        self,
        *,
        predictor: Predictor,
        updater: Updater,
        associator: Associator,
        initiator: Initiator,
        deleter: Deleter,
        settings: TrackerSettings,
        position_model: MeasurementModel | None = None,
        bearing_model: MeasurementModel | None = None,
    ) -> None:
        self.predictor = predictor
        self.updater = updater
        self.associator = associator
        self.initiator = initiator
        self.deleter = deleter
        self.settings = settings
        self.position_model = position_model or PositionMeasurement()
        self.bearing_model = bearing_model or BearingMeasurement()
        self.table = TrackTable(predictor.n_modes)
        self.time_s = -np.inf
        self._next_id = 1
        position_dof = 2 if settings.planar else self.position_model.dof
        self._position_gate = gate_threshold(settings.gate_probability, position_dof)
        self._bearing_gate = gate_threshold(settings.gate_probability, self.bearing_model.dof)
        self._window_s = np.empty(0)
        """Association window by sensor id, s (NaN: the default)."""
        self._node_group = np.empty(0, np.int64)
        """Sub-batch group of each acoustic node by sensor id (-1: not yet seen)."""
        self._node_xy_m = np.empty((0, 2))
        self._node_group_of: list[int] = []

    def set_revisit_periods(self, sensor_id: np.ndarray, period_s: np.ndarray) -> None:
        """Use each sensor's revisit period (s; a radar's scan period, an acoustic node's
        reporting period) as its association window; other sensors keep
        ``association_window_s``. A NaN or non-positive period restores the default."""
        sensor_id = np.asarray(sensor_id, np.int64).ravel()
        period = np.asarray(period_s, float).ravel()
        if len(sensor_id) != len(period):
            raise ValueError("one revisit period per sensor id is needed")
        if len(sensor_id) and sensor_id.min() < 0:
            raise ValueError("sensor ids must not be negative")
        size = int(sensor_id.max()) + 1 if len(sensor_id) else 0
        if size > len(self._window_s):
            grown = np.full(size, np.nan)
            grown[: len(self._window_s)] = self._window_s
            self._window_s = grown
        self._window_s[sensor_id] = np.where(period > 0.0, period, np.nan)

    def association_windows(self, sensor_id: np.ndarray) -> np.ndarray:
        """The association window of each of ``sensor_id``, s."""
        window = np.full(len(sensor_id), self.settings.association_window_s)
        known = np.flatnonzero(sensor_id < len(self._window_s))
        if len(known):
            given = self._window_s[sensor_id[known]]
            window[known] = np.where(np.isnan(given), window[known], given)
        return window

    def step(self, batch: PlotBatch, now_s: float | None = None) -> TrackBatch:
        """Process one batch of plots; all tracks predicted to ``now_s`` (s; by default
        the latest plot time of the batch, or the previous step's time if it is empty)."""
        if len(batch):
            t = batch.t_s
            if len(t) > 1 and np.any(t[1:] < t[:-1]):
                batch = batch.sorted_by_time()
            acoustic = batch.kind == PlotKind.ACOUSTIC
            usable = acoustic | (
                np.isfinite(batch.x_m) & np.isfinite(batch.y_m) & np.isfinite(batch.z_m)
            )
            if self.settings.association == "joint":
                self._joint_update(batch, acoustic, usable)
            else:
                for rows in self._sub_batches(batch, acoustic):
                    if acoustic[rows[0]]:
                        self._bearing_update(batch, rows)
                    else:
                        if not usable[rows].all():
                            rows = rows[usable[rows]]
                        if len(rows):
                            self._position_update(batch, rows)
        if now_s is None:
            now_s = float(batch.t_s[-1]) if len(batch) else self.time_s
        self.time_s = max(self.time_s, now_s)
        return self._manage(now_s)

    def _sub_batches(self, batch: PlotBatch, acoustic: np.ndarray) -> list[np.ndarray]:
        """Row indices of each sub-batch (in time order within it), the sub-batches ordered
        by their first plot."""
        n = len(batch)
        sensor = batch.sensor_id.astype(np.int64)
        window_s = self.association_windows(sensor)
        window = np.floor((batch.t_s - batch.t_s[0]) / window_s).astype(np.int64)
        identified = np.flatnonzero(batch.icao24 != 0)
        if (
            not len(identified)
            and not acoustic[0]
            and np.all(sensor == sensor[0])
            and window[-1] == 0
            and np.all(batch.kind == batch.kind[0])
        ):
            return [np.arange(n)]
        group = sensor
        if acoustic.any():
            group = sensor.copy()
            nodes = np.flatnonzero(acoustic)
            group[nodes] = -1 - self._acoustic_groups(batch, nodes)
        rank = _identity_rank(batch, sensor, window)
        keys = (window_s, window, group, batch.kind, rank)
        rows = np.lexsort(keys[::-1])
        bounds = np.flatnonzero(_group_starts(*(key[rows] for key in keys)))
        if len(bounds) == 1:
            return [rows]
        subs = np.split(rows, bounds[1:])
        firsts = batch.t_s[rows[bounds]]
        return [subs[i] for i in np.argsort(firsts, kind="stable")]

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
        rank = _identity_rank(batch, sensor, window)
        rows = np.lexsort((rank, window, sensor))
        starts = _group_starts(sensor[rows], window[rows], rank[rows])
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
        given: tuple[Prediction, Innovation] | None = None
        if len(self.table):
            node_parts, row_parts, cost_parts = [], [], []
            if len(positions):
                pairs = self._position_pairs(batch, positions, np.arange(len(self.table)))
                if pairs is not None:
                    pair_track, pair_plot, prediction, innovation, cost = pairs
                    given = (prediction, innovation)
                    node_parts.append(pair_track)
                    row_parts.append(positions[pair_plot])
                    cost_parts.append(cost)
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
                    first = None
                    if given is not None:
                        # the position pairs come first; their predictions serve round 0
                        index = np.where(chosen < len(given[0]), chosen, -1)
                        first = (index, *given)
                    rejected = self._update_in_rounds(
                        batch, pair_track[chosen], pair_row[chosen], first
                    )
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
        tracks = np.flatnonzero(np.isin(table.status, _HELD))
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
        first: tuple[np.ndarray, Prediction, Innovation] | None = None,
    ) -> np.ndarray:
        """Update the tracks at ``tracks`` (table rows) with the plots at ``rows`` of
        ``batch`` (one pair each) in rounds: round k applies every track's k-th update in
        time order, all tracks at once, each predicted from its state after the
        previous round. An update is one position plot, or one group of bearings (see
        :meth:`_bearing_groups`) applied by a stacked extended Kalman update. A plot that
        falls outside its track's gate after the track's earlier updates is not
        applied; the rows of those plots.

        ``first`` may give, for each pair, the index of its position plot's prediction
        from the tracks' current states and innovation (-1 for none), which round 0
        then uses as they are."""
        order = np.lexsort((batch.t_s[rows], tracks))
        tracks, rows = tracks[order], rows[order]
        starts = _group_starts(tracks)
        acoustic = batch.kind[rows] == PlotKind.ACOUSTIC
        update = np.cumsum(self._bearing_groups(batch, rows, starts, acoustic)) - 1
        rank = update - np.maximum.accumulate(np.where(starts, update, 0))
        by_rank = np.argsort(rank, kind="stable")
        bounds = np.flatnonzero(_group_starts(rank[by_rank]))
        rejected = [np.empty(0, np.int64)]
        for k, at in enumerate(np.split(by_rank, bounds[1:])):
            kinds = acoustic[at]
            if not kinds.all():
                position = at[~kinds] if kinds.any() else at
                given = None
                if k == 0 and first is not None:
                    index = first[0][order[position]]
                    given = (first[1].take(index), first[2].take(index))
                rejected.append(
                    self._position_round(batch, tracks[position], rows[position], k, given)
                )
            if kinds.any():
                bearing = at[kinds] if not kinds.all() else at
                groups = _group_starts(update[bearing])
                if groups.all():
                    rejected.append(self._bearing_round(batch, tracks[bearing], rows[bearing], k))
                else:
                    rejected.append(
                        self._stacked_bearing_round(
                            batch, tracks[bearing], rows[bearing], groups, k
                        )
                    )
        self.table.refresh(tracks[starts])
        return np.concatenate(rejected)

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
        given: tuple[Prediction, Innovation] | None,
    ) -> np.ndarray:
        """Round ``k`` of the position plots at ``rows`` (one per track at ``tracks``): gated
        against the tracks' current states unless ``k == 0``, applied; the rows not applied.
        ``given`` may hold the plots' predictions and innovations from the tracks' states."""
        if given is not None:
            prediction, innovation = given
        else:
            prediction = self._predict_tracks(tracks, batch.t_s[rows])
            innovation = self.position_model.innovation(prediction, batch, rows)
        ok = np.ones(len(rows), bool)
        if k:
            d2 = self.updater.gate_distance(prediction, innovation)
            ok, identity = self._position_gates(prediction, innovation, d2, tracks, batch, rows)
            if identity is not None:
                ok |= identity
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
        self._write(tracks, prediction, posterior, batch.t_s[rows], refresh=False)

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
        self._write(tracks, prediction, posterior, t_last, refresh=False)
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
        if settings.identity_gate_m > 0 and np.any(batch.icao24[rows] != 0):
            radius = np.maximum(radius, settings.identity_gate_m + reach)
        seed, later = candidate_pairs(points, _RADIUS_MARGIN * radius, points)
        icao = batch.icao24[rows]
        keep = (
            (later > seed)
            & (slot[rows[later]] != slot[rows[seed]])
            & ((icao[seed] == 0) | (icao[later] == 0) | (icao[seed] == icao[later]))
        )
        seed, later = seed[keep], later[keep]
        if not len(seed):
            self._initiate(batch, rows)
            return
        prediction = self.predictor.predict(prob[seed], mean[seed], cov[seed], t[seed], t[later])
        innovation = self.position_model.innovation(prediction, batch, rows[later])
        d2 = self.updater.gate_distance(prediction, innovation)
        ok, identity = self._position_gates(
            prediction, innovation, d2, icao[seed], batch, rows[later], icao_given=True
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
            cost = np.minimum(d2, gate) - gate - _PRIORITY * gate * priority
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

    def _acoustic_groups(self, batch: PlotBatch, rows: np.ndarray) -> np.ndarray:
        """The sub-batch group of the acoustic plots at ``rows``: nodes of one group are all
        farther apart than twice ``acoustic_range_m``, so no track is a candidate for two
        of them. Each node gets its group once, the first time it reports (greedily: the
        lowest group not used by a node within reach), as nodes do not move."""
        sensor = batch.sensor_id[rows].astype(np.int64)
        size = int(sensor.max()) + 1
        if size > len(self._node_group):
            grown = np.full(size, -1, np.int64)
            grown[: len(self._node_group)] = self._node_group
            self._node_group = grown
        new = np.flatnonzero(self._node_group[sensor] < 0)
        if len(new):
            reach_m = 2.0 * self.settings.acoustic_range_m
            for i in new.tolist():
                node = int(sensor[i])
                if self._node_group[node] >= 0:
                    continue
                xy = np.array([batch.sensor_x_m[rows[i]], batch.sensor_y_m[rows[i]]])
                near = np.hypot(*(self._node_xy_m - xy).T) <= reach_m
                taken = {self._node_group_of[j] for j in np.flatnonzero(near).tolist()}
                group = next(g for g in range(len(taken) + 1) if g not in taken)
                self._node_group[node] = group
                self._node_xy_m = np.vstack((self._node_xy_m, xy))
                self._node_group_of.append(group)
        return self._node_group[sensor]

    def _predict_tracks(self, index: np.ndarray, to_t_s: np.ndarray) -> Prediction:
        """The tracks at ``index`` predicted to ``to_t_s``; tracks already there are copied."""
        t = self.table
        from_t = t.t_s[index]
        moving = np.flatnonzero(from_t != to_t_s)
        if len(moving) == len(index):
            return self.predictor.predict(
                t.prob[index], t.mean[index], t.cov[index], from_t, to_t_s
            )
        prob, mean, cov = t.prob[index], t.mean[index], t.cov[index]
        if len(moving):
            rows = index[moving]
            moved = self.predictor.predict(
                t.prob[rows], t.mean[rows], t.cov[rows], from_t[moving], to_t_s[moving]
            )
            prob[moving], mean[moving], cov[moving] = moved.prob, moved.at_mean, moved.at_cov
        return Prediction(prob, mean, cov, mean, cov, cov, np.asarray(to_t_s, float))

    def _search_radius(
        self, rows: np.ndarray, t_lo: float, t_hi: float
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """For the tracks at ``rows`` and plots between ``t_lo`` and ``t_hi`` (s): each
        track's straight-line position at the middle time ``(n, 3)`` (m), its position
        standard deviation there, its straying bound (both m) and speed (m/s)."""
        t = self.table
        half = 0.5 * (t_hi - t_lo)
        dt_mid = (t_lo + half) - t.t_s[rows]
        state = t.ref_state[rows]
        centre = state[:, :3] + dt_mid[:, None] * state[:, 3:]
        dt = np.abs(dt_mid) + half
        speed = t.ref_speed_mps[rows]
        reach = self.predictor.reach_m(speed, dt) + half * speed
        sigma = t.ref_pos_sigma_m[rows] + dt * t.ref_vel_sigma_mps[rows]
        return centre, sigma, reach, speed

    def _write(
        self,
        rows: np.ndarray,
        prediction: Prediction,
        posterior: tuple,
        plots_t_s: np.ndarray,
        refresh: bool = True,
    ) -> None:
        """Store updated states; ``refresh=False`` leaves the tracks' summaries to the caller."""
        t = self.table
        t.prob[rows], t.mean[rows], t.cov[rows] = posterior
        t.t_s[rows] = prediction.t_s
        t.last_update_s[rows] = np.maximum(t.last_update_s[rows], plots_t_s)
        t.updated[rows] = True
        tentative = t.status[rows] == TrackStatus.TENTATIVE
        if tentative.any():
            counted = tentative & self.initiator.counts(t.first_s[rows], plots_t_s)
            t.hits[rows] += counted.astype(np.int32)
        if refresh:
            t.refresh(rows)

    def _position_update(self, batch: PlotBatch, rows: np.ndarray) -> None:
        """Associate, update and initiate from one sub-batch of position plots (``rows`` of
        ``batch``, in time order)."""
        if len(self.table):
            used = self._associate_positions(batch, rows)
            if len(used):
                keep = np.ones(len(rows), bool)
                keep[used] = False
                rows = rows[keep]
        self._initiate(batch, rows)

    def _associate_positions(self, batch: PlotBatch, rows: np.ndarray) -> np.ndarray:
        """Associate the position plots at ``rows`` of ``batch`` with the tracks and update
        those; the positions in ``rows`` of the plots used.

        The assignment is lexicographic: first ADS-B plots with their aircraft's
        track, then plots with confirmed and coasting tracks, then with tentative
        ones; within each, the least total of ``d^2 - gate``.
        """
        table = self.table
        pairs = self._position_pairs(batch, rows, np.arange(len(table)))
        if pairs is None:
            return np.empty(0, np.intp)
        pair_track, pair_plot, prediction, innovation, cost = pairs
        chosen = self.associator.associate(pair_track, pair_plot, cost)
        if not len(chosen):
            return chosen
        chosen_prediction = prediction.take(chosen)
        posterior = self.updater.update(chosen_prediction, innovation.take(chosen))
        updated = pair_track[chosen]
        used = pair_plot[chosen]
        self._write(updated, chosen_prediction, posterior, batch.t_s[rows[used]])
        self._take_identity(batch, updated, rows[used])
        return used

    def _take_identity(self, batch: PlotBatch, tracks: np.ndarray, rows: np.ndarray) -> None:
        """Give the tracks at ``tracks`` the ICAO address and callsign of the plots at
        ``rows`` that carry one."""
        plot_icao = batch.icao24[rows]
        identified = plot_icao != 0
        if identified.any():
            self.table.icao24[tracks[identified]] = plot_icao[identified]
            self.table.callsign[tracks[identified]] = batch.callsign[rows[identified]]

    def _position_pairs(
        self, batch: PlotBatch, rows: np.ndarray, tracks: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, Prediction, Innovation, np.ndarray] | None:
        """Gated pairs of the tracks at ``tracks`` (table rows) with the position plots at
        ``rows`` of ``batch`` (in time order), each track predicted to its plot's time:
        the pairs' tracks (table rows) and plots (positions in ``rows``), their
        predictions, innovations and assignment costs (see :meth:`_associate_positions`;
        infinite outside the gate); ``None`` without candidate pairs."""
        gate = self._position_gate
        settings = self.settings
        table = self.table
        plot_t = batch.t_s[rows]
        centre, sigma, reach, _ = self._search_radius(tracks, float(plot_t[0]), float(plot_t[-1]))
        plot_var = batch.cov_xx_m2[rows] + batch.cov_yy_m2[rows] + batch.cov_zz_m2[rows]
        plot_sigma = math.sqrt(float(plot_var.max()))
        radius = np.minimum(
            math.sqrt(gate) * (sigma + plot_sigma + reach),
            settings.max_association_distance_m,
        )
        radius += reach
        plot_icao = batch.icao24[rows]
        track_icao = table.icao24[tracks]
        has_identity = bool(np.any(plot_icao != 0))
        if has_identity:
            radius = np.where(
                track_icao != 0, np.maximum(radius, settings.identity_gate_m + reach), radius
            )
        points = np.column_stack((batch.x_m[rows], batch.y_m[rows], batch.z_m[rows]))
        pair_track, pair_plot = candidate_pairs(centre, _RADIUS_MARGIN * radius, points)
        if has_identity and len(pair_track):
            a, b = track_icao[pair_track], plot_icao[pair_plot]
            compatible = (a == 0) | (b == 0) | (a == b)
            if not compatible.all():
                pair_track, pair_plot = pair_track[compatible], pair_plot[compatible]
        if not len(pair_track):
            return None
        pair_track = tracks[pair_track]
        pair_rows = rows[pair_plot]
        prediction = self._predict_tracks(pair_track, batch.t_s[pair_rows])
        innovation = self.position_model.innovation(prediction, batch, pair_rows)
        d2 = self.updater.gate_distance(prediction, innovation)
        statistical, identity = self._position_gates(
            prediction, innovation, d2, pair_track, batch, pair_rows
        )
        held = table.status[pair_track] != TrackStatus.TENTATIVE
        priority = held + 2 * identity if identity is not None else held
        if identity is not None:
            statistical |= identity
        cost = np.where(statistical, np.minimum(d2, gate) - gate, np.inf)
        cost -= _PRIORITY * gate * priority
        return pair_track, pair_plot, prediction, innovation, cost

    def _position_gates(
        self,
        prediction: Prediction,
        innovation: Innovation,
        d2: np.ndarray,
        track_icao: np.ndarray,
        batch: PlotBatch,
        pair_rows: np.ndarray,
        *,
        icao_given: bool = False,
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """Which pairs pass the statistical gate, and which (``None`` when no plot carries an
        address) match by identity: same ICAO address within ``identity_gate_m``.
        ``track_icao`` holds the pairs' table rows, or their addresses with ``icao_given``."""
        settings = self.settings
        residual = innovation.residual
        if residual.shape[1] > 1:
            miss = np.einsum("pm,pmi->pi", prediction.prob, residual)
        else:
            miss = residual[:, 0]
        miss_m = np.sqrt(np.einsum("pi,pi->p", miss, miss))
        statistical = (d2 < self._position_gate) & (miss_m <= settings.max_association_distance_m)
        pair_icao = batch.icao24[pair_rows]
        if not np.any(pair_icao != 0):
            return statistical, None
        owner = track_icao if icao_given else self.table.icao24[track_icao]
        identity = (pair_icao != 0) & (pair_icao == owner) & (miss_m < settings.identity_gate_m)
        return statistical, identity

    def _initiate(self, batch: PlotBatch, rows: np.ndarray) -> None:
        if not len(rows):
            return
        prob, mean, cov = self.initiator.initiate(batch, rows)
        ids = np.arange(self._next_id, self._next_id + len(rows), dtype=np.int64)
        self._next_id += len(rows)
        self.table.append(
            ids, batch.t_s[rows], prob, mean, cov, batch.icao24[rows], batch.callsign[rows]
        )

    def _bearing_update(self, batch: PlotBatch, rows: np.ndarray) -> None:
        """Associate and update confirmed tracks with one sub-batch of acoustic bearings."""
        table = self.table
        tracks = np.flatnonzero(np.isin(table.status, _HELD))
        if not len(tracks):
            return
        plot_t = batch.t_s[rows]
        centre, _, reach, _ = self._search_radius(tracks, float(plot_t[0]), float(plot_t[-1]))
        nodes = np.column_stack((batch.sensor_x_m[rows], batch.sensor_y_m[rows]))
        pair_plot, pair_track = candidate_pairs(
            nodes, np.full(len(rows), self.settings.acoustic_range_m), centre[:, :2]
        )
        if not len(pair_plot):
            return
        pair_rows = rows[pair_plot]
        prediction = self._predict_tracks(tracks[pair_track], batch.t_s[pair_rows])
        innovation = self.bearing_model.innovation(prediction, batch, pair_rows)
        d2 = self.updater.gate_distance(prediction, innovation)
        cost = np.where(d2 < self._bearing_gate, d2 - self._bearing_gate, np.inf)
        chosen = self.associator.associate(pair_track, pair_plot, cost)
        if len(chosen):
            chosen_prediction = prediction.take(chosen)
            posterior = self.updater.update(chosen_prediction, innovation.take(chosen))
            self._write(
                tracks[pair_track[chosen]],
                chosen_prediction,
                posterior,
                plot_t[pair_plot[chosen]],
            )

    def _manage(self, now_s: float) -> TrackBatch:
        """Confirm, coast and delete at the end of a step; the tracks predicted to ``now_s``."""
        table = self.table
        if not len(table):
            return TrackBatch.empty()
        status = table.status
        tentative = status == TrackStatus.TENTATIVE
        confirm = tentative & self.initiator.confirmed(table.hits)
        status = np.where(
            tentative,
            np.where(confirm, TrackStatus.CONFIRMED, TrackStatus.TENTATIVE),
            np.where(table.updated, TrackStatus.CONFIRMED, TrackStatus.COASTING),
        ).astype(np.int8)
        table.status = status
        prediction = self._predict_tracks(np.arange(len(table)), np.full(len(table), now_s))
        state, cov = combine(prediction.prob, prediction.at_mean, prediction.at_cov)
        position_var = cov[:, 0, 0] + cov[:, 1, 1] + cov[:, 2, 2]
        dead = self.deleter.delete(status, table.last_update_s, position_var, now_s)
        unconfirmed = tentative & ~confirm
        if unconfirmed.any():
            dead |= unconfirmed & self.initiator.hopeless(table.first_s, now_s)
        out_status = np.where(dead, np.int8(TrackStatus.DELETED), status) if dead.any() else status
        manoeuvre = 1.0 - prediction.prob[:, 0] if table.n_modes > 1 else np.zeros(len(table))
        out = TrackBatch.from_states(
            np.full(len(table), now_s),
            table.track_id.copy(),
            out_status.copy(),
            state,
            cov,
            manoeuvre,
            table.last_update_s.copy(),
            table.icao24.copy(),
            table.callsign.copy(),
        )
        if dead.any():
            table.keep(~dead)
        table.updated[:] = False
        return out


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


def _identity_rank(batch: PlotBatch, sensor: np.ndarray, window: np.ndarray) -> np.ndarray:
    """For plots carrying an ICAO address, their order (0, 1, ...) among the plots of the
    same aircraft from the same sensor in the same window, by time; 0 for the others.
    Splitting on it gives each aircraft one plot per group."""
    rank = np.zeros(len(batch), np.int64)
    identified = np.flatnonzero(batch.icao24 != 0)
    if len(identified):
        keys = (batch.t_s, batch.icao24, window, sensor)
        order = identified[np.lexsort(tuple(key[identified] for key in keys))]
        first = _group_starts(sensor[order], window[order], batch.icao24[order])
        start = np.maximum.accumulate(np.where(first, np.arange(len(order)), 0))
        rank[order] = np.arange(len(order)) - start
    return rank


def _group_starts(*keys: np.ndarray) -> np.ndarray:
    """For rows sorted by ``keys``, true where a row's keys differ from the previous row's."""
    start = np.zeros(len(keys[0]), bool)
    start[0] = True
    for key in keys:
        start[1:] |= key[1:] != key[:-1]
    return start


def build_tracker(settings: TrackerSettings | None = None) -> Tracker:
    """The default tracker for ``settings``: CV or IMM (CV + two turns) Kalman filters, k-d tree
    gating, GNN association, single-plot initiation confirmed by M plots within a time window."""
    settings = settings or TrackerSettings()
    vertical = 0.0 if settings.planar else settings.vertical_noise_m2ps3
    cv = ConstantVelocity(settings.cv_noise_m2ps3, vertical)
    predictor: Predictor
    if settings.motion == "cv":
        predictor = KalmanPredictor(cv)
    else:
        rate = np.radians(settings.turn_rate_dps)
        turns = [
            CoordinatedTurn(sign * rate, settings.turn_noise_m2ps3, vertical)
            for sign in (1.0, -1.0)
        ]
        rest = 0.5 * (1.0 - settings.initial_cv_probability)
        predictor = IMMPredictor(
            [cv, *turns],
            settings.mode_switch_rate_per_s,
            [settings.initial_cv_probability, rest, rest],
        )
    vertical_speed = 1e-3 if settings.planar else settings.initial_vertical_speed_sigma_mps
    return Tracker(
        predictor=predictor,
        updater=KalmanUpdater(),
        associator=GNNAssociator(),
        initiator=WindowInitiator(
            predictor,
            settings.confirm_m,
            settings.confirm_window_s,
            settings.initial_speed_sigma_mps,
            vertical_speed,
        ),
        deleter=StaleTrackDeleter(settings.delete_after_s, settings.max_position_sigma_m**2),
        settings=settings,
    )


def track_stream(
    batches: Iterable[PlotBatch], tracker: Tracker | None = None
) -> Iterator[TrackBatch]:
    """The track batch of each plot batch, through ``tracker`` (by default
    :func:`build_tracker` with default settings)."""
    tracker = tracker or build_tracker()
    for batch in batches:
        yield tracker.step(batch)
