"""The tracker's tracks and parts, and what every way of associating does with them.

:class:`TrackerCore` holds the parts (predictor, updater, associator, initiator,
deleter and measurement models), the track table and the association windows, and
predicts tracks, finds and gates their candidate pairs with position plots, writes
updated states and starts tracks. :class:`~flankwatch.track.joint.JointAssociation`
and :class:`~flankwatch.track.sequential.SequentialAssociation` build on it, and
:class:`~flankwatch.track.tracker.Tracker` joins them.
"""

from __future__ import annotations

import math

import numpy as np

from flankwatch.stream import PlotBatch
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
from flankwatch.track.gating import candidate_pairs, gate_threshold
from flankwatch.track.measurement import BearingMeasurement, PositionMeasurement
from flankwatch.track.output import TrackStatus
from flankwatch.track.settings import TrackerSettings
from flankwatch.track.table import TrackTable

RADIUS_MARGIN = 1.2
"""Safety factor on the candidate search radius (the exact gate is applied afterwards)."""
PRIORITY = 100.0
"""Cost offset, in gates, that puts one class of pairs before another in the assignment."""
HELD = (TrackStatus.CONFIRMED, TrackStatus.COASTING)
"""The statuses of tracks that bearings may update."""


class TrackerCore:
    """The parts, the track table and the operations on tracks that both kinds of
    association share."""

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
        pair_track, pair_plot = candidate_pairs(centre, RADIUS_MARGIN * radius, points)
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
        cost -= PRIORITY * gate * priority
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


def identity_rank(batch: PlotBatch, sensor: np.ndarray, window: np.ndarray) -> np.ndarray:
    """For plots carrying an ICAO address, their order (0, 1, ...) among the plots of the
    same aircraft from the same sensor in the same window, by time; 0 for the others.
    Splitting on it gives each aircraft one plot per group."""
    rank = np.zeros(len(batch), np.int64)
    identified = np.flatnonzero(batch.icao24 != 0)
    if len(identified):
        keys = (batch.t_s, batch.icao24, window, sensor)
        order = identified[np.lexsort(tuple(key[identified] for key in keys))]
        first = group_starts(sensor[order], window[order], batch.icao24[order])
        start = np.maximum.accumulate(np.where(first, np.arange(len(order)), 0))
        rank[order] = np.arange(len(order)) - start
    return rank


def group_starts(*keys: np.ndarray) -> np.ndarray:
    """For rows sorted by ``keys``, true where a row's keys differ from the previous row's."""
    start = np.zeros(len(keys[0]), bool)
    start[0] = True
    for key in keys:
        start[1:] |= key[1:] != key[:-1]
    return start
