"""Sequential association: one sensor window of a step at a time.

The batch is split into sub-batches, one per sensor and association window
(acoustic nodes farther apart than twice ``acoustic_range_m``, which can never
hear the same track, sharing one), each associated, updated and used to start
tracks in turn, in time order. See :mod:`flankwatch.track.tracker`.
"""

from __future__ import annotations

import numpy as np

from flankwatch.stream import PlotBatch
from flankwatch.track.gating import candidate_pairs
from flankwatch.track.groups import group_starts, identity_rank
from flankwatch.track.staged_gating import StagedGating
from flankwatch.track.tracker_core import HELD


class SequentialAssociation(StagedGating):
    """Association one sub-batch at a time (``association = "sequential"``)."""

    def _sub_batches(self, batch: PlotBatch, acoustic: np.ndarray) -> list[np.ndarray]:
        """Row indices of each sub-batch (in time order within it), the sub-batches ordered
        by their first plot."""
        n = len(batch)
        sensor = batch.sensor_id.astype(np.int64)
        window_s = self.association_windows(sensor)
        window = np.floor((batch.t_s - batch.t_s[0]) / window_s).astype(np.int64)
        identified = np.flatnonzero(self._plot_identity(batch) != 0)
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
        rank = identity_rank(batch, self._plot_identity(batch), sensor, window)
        keys = (window_s, window, group, batch.kind, rank)
        rows = np.lexsort(keys[::-1])
        bounds = np.flatnonzero(group_starts(*(key[rows] for key in keys)))
        if len(bounds) == 1:
            return [rows]
        subs = np.split(rows, bounds[1:])
        firsts = batch.t_s[rows[bounds]]
        return [subs[i] for i in np.argsort(firsts, kind="stable")]

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
        pair_track, pair_plot, cost = pairs
        chosen = self.associator.associate(pair_track, pair_plot, cost)
        if not len(chosen):
            return chosen
        updated = pair_track[chosen]
        used = pair_plot[chosen]
        prediction = self._predict_for_update(updated, batch.t_s[rows[used]])
        innovation = self.position_model.innovation(prediction, batch, rows[used])
        self._score_plots(
            batch, updated, rows[used], innovation.residual[:, 0], innovation.cov[:, 0]
        )
        posterior = self.updater.update(prediction, innovation)
        self._write(updated, prediction.t_s, posterior, batch.t_s[rows[used]])
        self._take_identity(batch, updated, rows[used])
        return used

    def _bearing_update(self, batch: PlotBatch, rows: np.ndarray) -> None:
        """Associate and update confirmed tracks with one sub-batch of acoustic bearings."""
        table = self.table
        tracks = np.flatnonzero(np.isin(table.status, HELD))
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
                chosen_prediction.t_s,
                posterior,
                plot_t[pair_plot[chosen]],
            )
