"""The tracker's tracks and parts, and what every way of associating does with them.

:class:`TrackerCore` holds the parts (predictor, updater, associator, initiator,
deleter and measurement models), the track table and the association windows, and
predicts tracks, finds and gates their candidate pairs with position plots, writes
updated states and starts tracks. :class:`~flankwatch.track.joint.JointAssociation`
and :class:`~flankwatch.track.sequential.SequentialAssociation` build on it, and
:class:`~flankwatch.track.tracker.Tracker` joins them.
"""

from __future__ import annotations

import dataclasses
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
from flankwatch.track.duplicates import TwinWatch
from flankwatch.track.gating import gate_threshold
from flankwatch.track.groups import group_starts, one_by_one
from flankwatch.track.linalg import inverse_small
from flankwatch.track.measurement import BearingMeasurement, PositionMeasurement
from flankwatch.track.output import COASTING, CONFIRMED, TENTATIVE
from flankwatch.track.pair_gate import log_likelihood
from flankwatch.track.predictor import IMMPredictor
from flankwatch.track.revisit import RevisitEstimator, SensorPeriods
from flankwatch.track.score import DensityEstimate, thresholds
from flankwatch.track.sensor_columns import SensorColumns
from flankwatch.track.settings import TrackerSettings
from flankwatch.track.switch_rate import SwitchRateEstimate
from flankwatch.track.table import SENSOR_SLOTS, TrackTable

RADIUS_MARGIN = 1.2
"""Safety factor on the candidate search radius (the exact gate is applied afterwards)."""
WATCH_SCANS = 3.0
"""A sensor counts as watching a held track while its latest plot on it is at most this
many of its revisit periods old (detection probability estimate)."""
PRIORITY = 100.0
"""Cost offset, in gates, that puts one class of pairs before another in the assignment."""
HELD = (CONFIRMED, COASTING)
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
        tentative_predictor: Predictor | None = None,
    ) -> None:
        self.predictor = predictor
        self.updater = updater
        self.associator = associator
        self.initiator = initiator
        self.deleter = deleter
        self.settings = settings
        self.position_model = position_model or PositionMeasurement()
        self.bearing_model = bearing_model or BearingMeasurement()
        self.tentative_predictor = tentative_predictor
        """Single-model predictor of tentative tracks (all of whose modes are equal), if any."""
        self.table = TrackTable(predictor.n_modes)
        self.time_s = -np.inf
        self._next_id = 1
        self._started = 0
        """Tracks started in the current step."""
        self._identity_batch: PlotBatch | None = None
        self._identity = np.empty(0, np.uint32)
        """The identity of each plot of ``_identity_batch`` (see :meth:`_plot_identity`)."""
        self._held_updates = 0
        """Position updates of held (confirmed or coasting) tracks in the current step by
        sensors with a column in ``TrackTable.sensor_t_s`` and a known revisit period."""
        self.sensor_columns = SensorColumns()
        """Each position sensor's column of ``TrackTable.sensor_t_s``."""
        self._gated: tuple[np.ndarray, np.ndarray, Prediction] | None = None
        """The latest gating's tracks (sorted table rows), their reference times (s) and
        predictions to them; ``None`` once any track has changed since."""
        position_dof = 2 if settings.planar else self.position_model.dof
        self._position_gate = gate_threshold(settings.gate_probability, position_dof)
        self._bearing_gate = gate_threshold(settings.gate_probability, self.bearing_model.dof)
        duplicate = settings.duplicate_gate_probability
        self._duplicate_gate = (
            gate_threshold(duplicate, 4 if settings.planar else 6) if duplicate else 0.0
        )
        self._twin_watch = TwinWatch(settings.duplicate_hold_s)
        self._replace_gate = gate_threshold(settings.replace_gate_probability, position_dof)
        self._given = SensorPeriods.none()
        """The revisit periods given (:meth:`set_revisit_periods`), each sensor's association
        window."""
        self._periods: tuple[SensorPeriods, SensorPeriods] | None = None
        """The estimates the revisit periods were last made from, and the sensors with a
        period and their periods (:meth:`_period_table`); ``None`` once a period is given."""
        self._node_group = np.empty(0, np.int64)
        """Sub-batch group of each acoustic node by sensor id (-1: not yet seen)."""
        self._node_xy_m = np.empty((0, 2))
        self._node_group_of: list[int] = []
        vertical = 0.0 if settings.planar else settings.vertical_noise_m2ps3
        self._cv_q = np.array([settings.cv_noise_m2ps3, settings.cv_noise_m2ps3, vertical])
        self.revisit = RevisitEstimator()
        self.density = DensityEstimate(settings.detection_probability, settings.planar)
        self._imm = predictor if isinstance(predictor, IMMPredictor) else None
        self._first_mode_tentative = self._imm is not None and self._imm.first_mode_alone(
            tentative_predictor
        )
        """Whether the IMM predicts tentative tracks itself, by its first mode alone (the
        tentative predictor's model), all tracks in one pass."""
        self.switch_rate: SwitchRateEstimate | None = None
        """The IMM's mode switch rate estimated from the held tracks (``None``: fixed)."""
        if self._imm is not None and math.isfinite(settings.mode_switch_prior_track_s):
            self.switch_rate = SwitchRateEstimate(
                settings.mode_switch_rate_per_s,
                settings.mode_switch_prior_track_s,
                self._imm.n_modes,
            )
        self._confirm_score, self._drop_score = thresholds(
            settings.false_track_probability, settings.lost_track_probability
        )

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
        ids = np.union1d(self._given.ids, sensor_id)
        given = self._given.of(ids)
        given[np.searchsorted(ids, sensor_id)] = np.where(period > 0.0, period, np.nan)
        held = ~np.isnan(given)
        self._given = SensorPeriods(ids[held], given[held])
        self._periods = None

    @staticmethod
    def _misses(last_s: np.ndarray, t_s: np.ndarray | float, period_s: np.ndarray) -> np.ndarray:
        """Scans of a sensor of revisit period ``period_s`` (s) missed between a track's last
        update at ``last_s`` and ``t_s`` (s): the periods elapsed, rounded, less one; 0 when
        the period is unknown."""
        elapsed = (t_s - last_s) / period_s
        return np.where(np.isfinite(elapsed), np.maximum(np.floor(elapsed - 0.5), 0.0), 0.0)

    def _count_detections(self, tentative: np.ndarray, now_s: float, step_s: float) -> None:
        """Feed the detection probability estimate with the step of ``step_s`` (s) ending at
        ``now_s`` (s): the held tracks' updates by sensors of known revisit period in the
        step, against the scans of those sensors due over it on the held tracks each of
        them has seen within its last ``WATCH_SCANS`` scans."""
        updates, self._held_updates = self._held_updates, 0
        sensor_ids = self.sensor_columns.sensors()
        if not (np.isfinite(step_s) and step_s > 0.0 and len(sensor_ids)):
            return
        period = self.revisit_periods(sensor_ids)
        last = self.table.sensor_t_s[~tentative, : len(sensor_ids)]
        # the slots of no sensor are due nothing; summed with the others, in the same order
        due = np.zeros((len(last), SENSOR_SLOTS))
        with np.errstate(invalid="ignore"):
            watched = now_s - last <= WATCH_SCANS * period
            due[:, : len(sensor_ids)] = np.where(watched, np.minimum(step_s / period, 1.0), 0.0)
        expected = float(due.sum())
        if expected > 0.0:
            self.density.observe_detections(updates, expected)

    def revisit_periods(self, sensor_id: np.ndarray) -> np.ndarray:
        """The revisit period of each of ``sensor_id``, s: given
        (:meth:`set_revisit_periods`), else estimated from the plots seen
        (:class:`~flankwatch.track.revisit.RevisitEstimator`), else NaN."""
        return self._period_table().of(np.asarray(sensor_id, np.int64))

    def _period_table(self) -> SensorPeriods:
        """The revisit period of every sensor that has one, given or else estimated; made
        again only when either has changed."""
        estimated = self.revisit.known()
        kept = self._periods
        if kept is not None and kept[0] is estimated:
            return kept[1]
        ids = np.union1d(estimated.ids, self._given.ids)
        period = self._given.of(ids)
        unknown = np.isnan(period)
        period[unknown] = estimated.of(ids[unknown])
        table = SensorPeriods(ids, period)
        self._periods = (estimated, table)
        return table

    def association_windows(self, sensor_id: np.ndarray) -> np.ndarray:
        """The association window of each of ``sensor_id``, s: its revisit period if known
        (:meth:`revisit_periods`), else ``association_window_s``."""
        period = self.revisit_periods(sensor_id)
        return np.where(np.isnan(period), self.settings.association_window_s, period)

    def _predict_for_update(self, index: np.ndarray, to_t_s: np.ndarray) -> Prediction:
        """:meth:`_predict_tracks`, taking the predictions made for gating
        (:meth:`_pair_distances`) where they are to the same time and still current."""
        if self._gated is None:
            return self._predict_tracks(index, to_t_s)
        tracks, t_ref, prediction = self._gated
        at = np.minimum(np.searchsorted(tracks, index), len(tracks) - 1)
        found = (tracks[at] == index) & (t_ref[at] == to_t_s)
        if found.all():
            return prediction.take(at)
        if not found.any():
            return self._predict_tracks(index, to_t_s)
        fresh = self._predict_tracks(index[~found], to_t_s[~found])
        return Prediction.merge(found, prediction.take(at[found]), fresh)

    def _predict_tracks(self, index: np.ndarray, to_t_s: np.ndarray) -> Prediction:
        """The tracks at ``index`` predicted to ``to_t_s``; tracks already there are copied.
        Tentative tracks are predicted with the single-model ``tentative_predictor``, if
        any, their equal modes copied from its result (they keep their mode probabilities)."""
        if self.tentative_predictor is not None:
            tentative = self.table.status[index] == TENTATIVE
            if self._first_mode_tentative:  # the compiled IMM reads the table in place
                assert self._imm is not None
                t = self.table
                rows = np.asarray(index, np.intp)
                return self._imm.predict(
                    t.prob, t.mean, t.cov, t.t_s[rows], to_t_s, tentative, rows=rows
                )
            if tentative.any():
                return self._predict_split(index, np.asarray(to_t_s, float), tentative)
        return self._predict_all(index, to_t_s)

    def _predict_every_track(self, to_t_s: float | np.ndarray) -> Prediction:
        """:meth:`_predict_tracks` of every track, in table order, to ``to_t_s`` (s; one
        time, or one per track)."""
        to_t = np.empty(len(self.table))
        to_t[:] = to_t_s
        return self._predict_tracks(np.arange(len(to_t)), to_t)

    def _predict_split(
        self, index: np.ndarray, to_t_s: np.ndarray, tentative: np.ndarray
    ) -> Prediction:
        """:meth:`_predict_tracks` of tentative tracks (where ``tentative``) by the single-model
        predictor, and of the others by the full one."""
        assert self.tentative_predictor is not None
        t = self.table
        rows = index[tentative]
        single = self.tentative_predictor.predict(
            np.ones((len(rows), 1)),
            t.mean[rows, :1],
            t.cov[rows, :1],
            t.t_s[rows],
            to_t_s[tentative],
        )
        if tentative.all():
            modes = t.n_modes
            repeated = single.map(
                lambda part: np.repeat(part, modes, axis=1) if part.ndim > 2 else part
            )
            return dataclasses.replace(repeated, prob=t.prob[rows])
        single = Prediction(
            t.prob[rows],
            single.mean,
            single.cov,
            single.at_mean,
            single.at_cov,
            single.cross,
            single.t_s,
        )
        full = self._predict_all(index[~tentative], to_t_s[~tentative])
        return Prediction.merge(tentative, single, full)

    def _predict_all(self, index: np.ndarray, to_t_s: np.ndarray) -> Prediction:
        """The tracks at ``index`` predicted to ``to_t_s`` by the full predictor."""
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
        t_s: np.ndarray,
        posterior: tuple,
        plots_t_s: np.ndarray,
        refresh: bool = True,
        hits: np.ndarray | None = None,
    ) -> None:
        """Store updated states, which refer to ``t_s`` (s), after plots of ``plots_t_s`` (the
        latest of each track's, s); tentative tracks count ``hits`` plots towards
        confirmation (by default the one plot, if inside the window); ``refresh=False``
        leaves the tracks' summaries to the caller."""
        self._gated = None
        t = self.table
        if self.switch_rate is not None:
            held = t.status[rows] != TENTATIVE
            if held.any():
                dt = (t_s - t.t_s[rows])[held]
                self.switch_rate.observe(t.prob[rows[held]], posterior[0][held], dt)
        t.put_modes(rows, *posterior)
        t.t_s[rows] = t_s
        t.last_update_s[rows] = np.maximum(t.last_update_s[rows], plots_t_s)
        t.updated[rows] = True
        if hits is not None:
            t.hits[rows] += hits
        else:
            tentative = t.status[rows] == TENTATIVE
            if tentative.any():
                counted = tentative & self.initiator.counts(t.first_s[rows], plots_t_s)
                t.hits[rows] += counted.astype(np.int32)
        if refresh:
            t.refresh(rows)

    def _plot_identity(self, batch: PlotBatch) -> np.ndarray:
        """:attr:`PlotBatch.identity` of ``batch``, derived once per batch (a step asks for it
        in every stage of its association)."""
        if batch is not self._identity_batch:
            self._identity_batch, self._identity = batch, batch.identity
        return self._identity

    def _take_identity(self, batch: PlotBatch, tracks: np.ndarray, rows: np.ndarray) -> None:
        """Give the tracks at ``tracks`` the identity (ICAO address or Mode 5 PIN) and
        callsign of the plots at ``rows`` that carry one, and the time of those that carry
        an IFF Mode 5 reply (a reply goes to the track that took its plot)."""
        plot_identity = self._plot_identity(batch)[rows]
        identified = plot_identity != 0
        if identified.any():
            self.table.identity[tracks[identified]] = plot_identity[identified]
            self.table.callsign[tracks[identified]] = batch.callsign[rows[identified]]
        replied = batch.mode5[rows]
        if replied.any():
            np.fmax.at(self.table.mode5_t_s, tracks[replied], batch.t_s[rows[replied]])

    def _position_gates(
        self,
        prediction: Prediction,
        innovation: Innovation,
        d2: np.ndarray,
        track_rows: np.ndarray,
        batch: PlotBatch,
        pair_rows: np.ndarray,
        *,
        identity_given: bool = False,
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """Which pairs pass the statistical gate, and which (``None`` when no plot carries an
        identity) match by identity: the same ICAO address or Mode 5 PIN within
        ``identity_gate_m``. ``track_rows`` holds the pairs' table rows, or their
        identities with ``identity_given``."""
        settings = self.settings
        residual = innovation.residual
        if residual.shape[1] > 1:
            miss = np.einsum("pm,pmi->pi", prediction.prob, residual)
        else:
            miss = residual[:, 0]
        miss_m = np.sqrt(np.einsum("pi,pi->p", miss, miss))
        statistical = (d2 < self._position_gate) & (miss_m <= settings.max_association_distance_m)
        pair_identity = self._plot_identity(batch)[pair_rows]
        if not np.any(pair_identity != 0):
            return statistical, None
        owner = track_rows if identity_given else self.table.identity[track_rows]
        identity = (
            (pair_identity != 0)
            & (pair_identity == owner)
            & (miss_m < self._identity_reach_m(batch, pair_rows))
        )
        return statistical, identity

    def _identity_reach_m(self, batch: PlotBatch, rows: np.ndarray) -> np.ndarray:
        """How far (m) a plot at ``rows`` may lie from a track of its own identity and still
        be associated with it: ``identity_gate_m`` plus ``identity_gate_sigmas`` times the
        plot's position standard deviation."""
        settings = self.settings
        sigma = np.sqrt(batch.cov_xx_m2[rows] + batch.cov_yy_m2[rows] + batch.cov_zz_m2[rows])
        reach: np.ndarray = settings.identity_gate_m + settings.identity_gate_sigmas * sigma
        return reach

    def _initiate(self, batch: PlotBatch, rows: np.ndarray) -> None:
        """Start a tentative track from each of the position plots at ``rows`` of ``batch``."""
        if not len(rows):
            return
        self._started += len(rows)
        prob, mean, cov = self.initiator.initiate(batch, rows)
        ids = np.arange(self._next_id, self._next_id + len(rows), dtype=np.int64)
        self._next_id += len(rows)
        self.table.append(
            ids,
            batch.t_s[rows],
            prob,
            mean,
            cov,
            self._plot_identity(batch)[rows],
            batch.callsign[rows],
            self.revisit_periods(batch.sensor_id[rows]),
            np.where(batch.mode5[rows], batch.t_s[rows], np.nan),
        )

    def _time_revisits(
        self,
        batch: PlotBatch,
        tracks: np.ndarray,
        rows: np.ndarray,
        period_s: np.ndarray,
        repeated: bool = False,
    ) -> None:
        """Note the plots at ``rows`` of ``batch`` as the latest of their sensors on ``tracks``
        (table rows, one each; with ``repeated``, several each, in time order), count the
        held tracks' updates by sensors of known revisit period (``period_s``, per plot;
        NaN unknown), and give the revisit estimator the time since the previous plot of
        the same sensor on each held track, for sensors given no period."""
        table = self.table
        sensor = batch.sensor_id[rows].astype(np.int64)
        slot = self.sensor_columns.of(sensor)
        known = np.flatnonzero(slot >= 0)
        tracks, rows, slot, sensor = tracks[known], rows[known], slot[known], sensor[known]
        t = batch.t_s[rows]
        held = table.status[tracks] != TENTATIVE
        self._held_updates += int(np.count_nonzero(held & np.isfinite(period_s[known])))
        previous = table.sensor_t_s[tracks, slot]
        if repeated and len(rows) > 1:
            order = np.lexsort((t, slot, tracks))
            same = (tracks[order[1:]] == tracks[order[:-1]]) & (slot[order[1:]] == slot[order[:-1]])
            previous[order[1:][same]] = t[order[:-1][same]]
            tracks, slot, t, sensor, held = (a[order] for a in (tracks, slot, t, sensor, held))
            previous = previous[order]
        gap = t - previous
        timed = held & np.isfinite(gap) & np.isnan(self._given.of(sensor))
        if timed.any():
            self.revisit.observe_gaps(sensor[timed], gap[timed])
        table.sensor_t_s[tracks, slot] = t

    def _score_plots(
        self,
        batch: PlotBatch,
        tracks: np.ndarray,
        rows: np.ndarray,
        residual: np.ndarray,
        cov: np.ndarray,
        repeated: bool = False,
    ) -> None:
        """Add to the score of the tentative ones of ``tracks`` (table rows) the plots at
        ``rows`` of ``batch`` that update them, each with its residual ``(p, 3)`` (m) and
        covariance given the track's earlier plots, with the scans missed since the track's
        previous plot, and take their sensors' revisit periods. One plot per track, or with
        ``repeated`` several: ``tracks`` sorted, a track's plots in time order."""
        table = self.table
        if not len(tracks):
            return
        period = self.revisit_periods(batch.sensor_id[rows])
        self._time_revisits(batch, tracks, rows, period, repeated)
        previous, last = table.period_s[tracks], table.last_update_s[tracks]
        t = batch.t_s[rows]
        if repeated:
            previous, last, table.period_s[tracks] = one_by_one(
                group_starts(tracks), period, previous, t, last
            )
        else:
            table.period_s[tracks] = np.where(np.isnan(period), previous, period)
        at = np.flatnonzero(table.status[tracks] == TENTATIVE)
        if not len(at):
            return
        residual, cov = residual[at], cov[at]
        if self.settings.planar:
            residual, cov = residual[:, :2], cov[:, :2, :2]
        d2 = np.einsum("pi,pij,pj->p", residual, inverse_small(cov), residual)
        missed = self._misses(last[at], t[at], previous[at])
        score = self.density.plot_score(log_likelihood(d2, cov)) + missed * (
            self.density.miss_score()
        )
        np.add.at(table.score, tracks[at], score)
