"""The multi-sensor multi-target tracker: plot batches in, track batches out.

One :meth:`Tracker.step` takes a :class:`~flankwatch.stream.PlotBatch` (plots of
any sensors, spread over time) and does, all tracks at once:

1. Split the batch into sub-batches: the plots of one sensor within one
   association window (``association_window_s``), ADS-B plots further split so
   that each aircraft appears once per sub-batch. Sub-batches go in time order.
2. For a sub-batch of positions (radar, ADS-B): predict all tracks to its middle
   time, find candidate pairs with a k-d tree of the plots and a conservative
   radius per track, predict each candidate track to its own plot's time,
   keep the pairs inside the chi-square gate (or, for an ADS-B plot, those whose
   ICAO address matches the track's within ``identity_gate_m``; pairs with two
   different ICAO addresses never associate), assign by global nearest
   neighbour (identity matches first, then confirmed and coasting tracks, then
   tentative ones), update, and start a tentative track from each plot left over.
3. For a sub-batch of acoustic bearings: the same for confirmed tracks within
   ``acoustic_range_m`` of the node, with an extended Kalman update; bearings
   never start tracks.
4. Manage: confirm tentative tracks by M of N steps, mark confirmed tracks not
   updated in this step as coasting, delete, and report every track predicted
   to the step's time.

A plot older than the track it is associated with (a late plot) is not
dropped: it updates the track at the track's own time through an
out-of-sequence update (see :class:`~flankwatch.track.base.Prediction`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np

from flankwatch.stream import PlotBatch, PlotKind
from flankwatch.track.associator import GNNAssociator
from flankwatch.track.base import (
    Associator,
    Deleter,
    Initiator,
    MeasurementModel,
    Prediction,
    Predictor,
    Updater,
)
from flankwatch.track.deleter import StaleTrackDeleter
from flankwatch.track.gating import candidate_pairs, gate_threshold
from flankwatch.track.initiator import MOfNInitiator
from flankwatch.track.measurement import BearingMeasurement, PositionMeasurement
from flankwatch.track.motion import ConstantVelocity, CoordinatedTurn
from flankwatch.track.output import TrackBatch, TrackStatus
from flankwatch.track.predictor import IMMPredictor, KalmanPredictor, combine
from flankwatch.track.settings import TrackerSettings
from flankwatch.track.table import TrackTable
from flankwatch.track.updater import KalmanUpdater

_RADIUS_MARGIN = 1.2
"""Safety factor on the k-d tree search radius (the exact gate is applied afterwards)."""
_PRIORITY = 100.0
"""Cost offset, in gates, that puts one class of pairs before another in the assignment."""


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

    def step(self, batch: PlotBatch, now_s: float | None = None) -> TrackBatch:
        """Process one batch of plots; all tracks predicted to ``now_s`` (s; by default
        the latest plot time of the batch, or the previous step's time if it is empty)."""
        if len(batch):
            batch = batch.sorted_by_time()
            for rows in self._sub_batches(batch):
                plots = batch if len(rows) == len(batch) else batch.take(rows)
                if plots.kind[0] == PlotKind.ACOUSTIC:
                    self._bearing_update(plots)
                else:
                    self._position_update(plots)
        if now_s is None:
            now_s = float(batch.t_s[-1]) if len(batch) else self.time_s
        self.time_s = max(self.time_s, now_s)
        return self._manage(now_s)

    def _sub_batches(self, batch: PlotBatch) -> list[np.ndarray]:
        """Row indices of each sub-batch, the sub-batches ordered by their first plot."""
        window = np.floor((batch.t_s - batch.t_s[0]) / self.settings.association_window_s).astype(
            np.int64
        )
        identified = np.flatnonzero(batch.icao24 != 0)
        if (
            window[-1] == 0
            and not len(identified)
            and np.all(batch.sensor_id == batch.sensor_id[0])
            and np.all(batch.kind == batch.kind[0])
        ):
            return [np.arange(len(batch))]
        rank = np.zeros(len(batch), np.int64)
        if len(identified):
            order = identified[
                np.lexsort(
                    (
                        batch.t_s[identified],
                        batch.icao24[identified],
                        window[identified],
                        batch.sensor_id[identified],
                    )
                )
            ]
            first = _group_starts(batch.sensor_id[order], window[order], batch.icao24[order])
            start = np.maximum.accumulate(np.where(first, np.arange(len(order)), 0))
            rank[order] = np.arange(len(order)) - start
        keys = (window, batch.sensor_id, batch.kind, rank)
        rows = np.lexsort(keys[::-1])
        bounds = np.flatnonzero(_group_starts(*(key[rows] for key in keys)))
        subs = np.split(rows, bounds[1:])
        subs.sort(key=lambda r: batch.t_s[r[0]])
        return subs

    def _predict_tracks(self, index: np.ndarray, to_t_s: np.ndarray) -> Prediction:
        """The tracks at ``index`` predicted to ``to_t_s``; tracks already there are copied."""
        t = self.table
        moving = np.flatnonzero(t.t_s[index] != to_t_s)
        if len(moving) == len(index):
            return self.predictor.predict(
                t.prob[index], t.mean[index], t.cov[index], t.t_s[index], to_t_s
            )
        prob, mean, cov = t.prob[index], t.mean[index], t.cov[index]
        if len(moving):
            rows = index[moving]
            moved = self.predictor.predict(
                t.prob[rows], t.mean[rows], t.cov[rows], t.t_s[rows], to_t_s[moving]
            )
            prob[moving], mean[moving], cov[moving] = moved.prob, moved.at_mean, moved.at_cov
        return Prediction(prob, mean, cov, mean, cov, cov, np.asarray(to_t_s, float))

    def _pairs_prediction(
        self,
        mid: Prediction,
        track_rows: np.ndarray,
        pair_track: np.ndarray,
        plot_t_s: np.ndarray,
        single_time: bool,
    ) -> Prediction:
        if single_time:
            return mid.take(pair_track)
        return self._predict_tracks(track_rows[pair_track], plot_t_s)

    def _write(
        self, rows: np.ndarray, prediction: Prediction, posterior: tuple, plots_t_s: np.ndarray
    ) -> None:
        t = self.table
        t.prob[rows], t.mean[rows], t.cov[rows] = posterior
        t.t_s[rows] = prediction.t_s
        t.last_update_s[rows] = np.maximum(t.last_update_s[rows], plots_t_s)
        t.updated[rows] = True

    def _position_update(self, plots: PlotBatch) -> None:
        """Associate, update and initiate from one sub-batch of position plots."""
        usable = np.isfinite(plots.position()).all(axis=1)
        if not usable.all():
            plots = plots.take(usable)
            if not len(plots):
                return
        unused = np.ones(len(plots), bool)
        if len(self.table):
            unused[self._associate_positions(np.arange(len(self.table)), plots)] = False
        self._initiate(plots if unused.all() else plots.take(unused))

    def _associate_positions(self, rows: np.ndarray, plots: PlotBatch) -> np.ndarray:
        """Associate position ``plots`` with the tracks at ``rows`` and update those;
        the indices of the plots used.

        The assignment is lexicographic: first ADS-B plots with their aircraft's
        track, then plots with confirmed and coasting tracks, then with tentative
        ones; within each, the least total of ``d^2 - gate``.
        """
        gate = self._position_gate
        identity_gate = self.settings.identity_gate_m
        table = self.table
        t_lo, t_hi = float(plots.t_s[0]), float(plots.t_s[-1])
        half = 0.5 * (t_hi - t_lo)
        mid = self._predict_tracks(rows, np.full(len(rows), t_lo + half))
        state, cov = combine(mid.prob, mid.at_mean, mid.at_cov)
        plot_sigma = np.sqrt(np.trace(plots.covariance(), axis1=1, axis2=2).max())
        pos_sigma = np.sqrt(np.trace(cov[:, :3, :3], axis1=1, axis2=2))
        vel_sigma = np.sqrt(np.trace(cov[:, 3:, 3:], axis1=1, axis2=2))
        speed = np.linalg.norm(state[:, 3:], axis=1)
        radius = _RADIUS_MARGIN * (
            np.sqrt(gate) * (pos_sigma + half * vel_sigma + plot_sigma)
            + half * speed * (1.0 + half)
        )
        radius = np.minimum(
            radius, self.settings.max_association_distance_m + half * speed * (1.0 + half)
        )
        track_icao_all = table.icao24[rows]
        if np.any(plots.icao24 != 0):
            radius = np.where(track_icao_all != 0, np.maximum(radius, identity_gate), radius)
        pair_track, pair_plot = candidate_pairs(state[:, :3], radius, plots.position())
        track_icao = track_icao_all[pair_track]
        plot_icao = plots.icao24[pair_plot]
        compatible = (track_icao == 0) | (plot_icao == 0) | (track_icao == plot_icao)
        pair_track, pair_plot = pair_track[compatible], pair_plot[compatible]
        track_icao, plot_icao = track_icao[compatible], plot_icao[compatible]
        if not len(pair_track):
            return pair_plot
        pair_plots = plots.take(pair_plot)
        prediction = self._pairs_prediction(mid, rows, pair_track, pair_plots.t_s, half == 0.0)
        innovation = self.position_model.innovation(prediction, pair_plots)
        d2 = self.updater.gate_distance(prediction, innovation)
        miss_m = np.linalg.norm(
            np.einsum("pm,pmi->pi", prediction.prob, innovation.residual), axis=1
        )
        identity = (plot_icao != 0) & (plot_icao == track_icao) & (miss_m < identity_gate)
        held = table.status[rows[pair_track]] != TrackStatus.TENTATIVE
        statistical = (d2 < gate) & (miss_m <= self.settings.max_association_distance_m)
        cost = np.where(identity | statistical, np.minimum(d2, gate) - gate, np.inf)
        cost -= _PRIORITY * gate * (held + 2 * identity)
        chosen = self.associator.associate(pair_track, pair_plot, cost)
        if not len(chosen):
            return chosen
        chosen_prediction = prediction.take(chosen)
        posterior = self.updater.update(chosen_prediction, innovation.take(chosen))
        updated_rows = rows[pair_track[chosen]]
        self._write(updated_rows, chosen_prediction, posterior, pair_plots.t_s[chosen])
        used = pair_plot[chosen]
        identified = plots.icao24[used] != 0
        table.icao24[updated_rows[identified]] = plots.icao24[used][identified]
        table.callsign[updated_rows[identified]] = plots.callsign[used][identified]
        return used

    def _initiate(self, plots: PlotBatch) -> None:
        if not len(plots):
            return
        prob, mean, cov = self.initiator.initiate(plots)
        ids = np.arange(self._next_id, self._next_id + len(plots), dtype=np.int64)
        self._next_id += len(plots)
        self.table.append(ids, plots.t_s, prob, mean, cov, plots.icao24, plots.callsign)

    def _bearing_update(self, plots: PlotBatch) -> None:
        """Associate and update confirmed tracks with one sub-batch of acoustic bearings."""
        table = self.table
        rows = np.flatnonzero(
            (table.status == TrackStatus.CONFIRMED) | (table.status == TrackStatus.COASTING)
        )
        if not len(rows):
            return
        t_lo, t_hi = float(plots.t_s[0]), float(plots.t_s[-1])
        mid = self._predict_tracks(rows, np.full(len(rows), 0.5 * (t_lo + t_hi)))
        state, _ = combine(mid.prob, mid.at_mean, mid.at_cov)
        sensors = np.column_stack((plots.sensor_x_m, plots.sensor_y_m))
        pair_plot, pair_track = candidate_pairs(
            sensors, np.full(len(plots), self.settings.acoustic_range_m), state[:, :2]
        )
        if not len(pair_plot):
            return
        pair_plots = plots.take(pair_plot)
        prediction = self._pairs_prediction(mid, rows, pair_track, pair_plots.t_s, t_hi == t_lo)
        innovation = self.bearing_model.innovation(prediction, pair_plots)
        d2 = self.updater.gate_distance(prediction, innovation)
        cost = np.where(d2 < self._bearing_gate, d2 - self._bearing_gate, np.inf)
        chosen = self.associator.associate(pair_track, pair_plot, cost)
        if len(chosen):
            chosen_prediction = prediction.take(chosen)
            posterior = self.updater.update(chosen_prediction, innovation.take(chosen))
            self._write(
                rows[pair_track[chosen]], chosen_prediction, posterior, pair_plots.t_s[chosen]
            )

    def _manage(self, now_s: float) -> TrackBatch:
        """Confirm, coast and delete at the end of a step; the tracks predicted to ``now_s``."""
        table = self.table
        if not len(table):
            return TrackBatch.empty()
        table.hits += table.updated
        table.steps += 1
        tentative = table.status == TrackStatus.TENTATIVE
        confirm = tentative & self.initiator.confirmed(table.hits, table.steps)
        held = ~tentative
        table.status[held] = np.where(
            table.updated[held], TrackStatus.CONFIRMED, TrackStatus.COASTING
        )
        table.status[confirm] = TrackStatus.CONFIRMED
        prediction = self._predict_tracks(np.arange(len(table)), np.full(len(table), now_s))
        state, cov = combine(prediction.prob, prediction.at_mean, prediction.at_cov)
        position_var = np.trace(cov[:, :3, :3], axis1=1, axis2=2)
        dead = (tentative & ~confirm & self.initiator.hopeless(table.hits, table.steps)) | (
            self.deleter.delete(table.status, table.last_update_s, position_var, now_s)
        )
        status = np.where(dead, np.int8(TrackStatus.DELETED), table.status)
        manoeuvre = 1.0 - prediction.prob[:, 0] if table.n_modes > 1 else np.zeros(len(table))
        out = TrackBatch.from_states(
            np.full(len(table), now_s),
            table.track_id,
            status,
            state,
            cov,
            manoeuvre,
            table.last_update_s,
            table.icao24,
            table.callsign,
        )
        if dead.any():
            table.keep(~dead)
        table.updated[:] = False
        return out


def _group_starts(*keys: np.ndarray) -> np.ndarray:
    """For rows sorted by ``keys``, true where a row's keys differ from the previous row's."""
    start = np.zeros(len(keys[0]), bool)
    start[0] = True
    for key in keys:
        start[1:] |= key[1:] != key[:-1]
    return start


def build_tracker(settings: TrackerSettings | None = None) -> Tracker:
    """The default tracker for ``settings``: CV or IMM (CV + two turns) Kalman filters, k-d tree
    gating, GNN association, single-plot initiation with M-of-N confirmation."""
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
        initiator=MOfNInitiator(
            predictor,
            settings.confirm_m,
            settings.confirm_n,
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
