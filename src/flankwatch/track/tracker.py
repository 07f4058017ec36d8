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
   within ``acoustic_range_m`` of the node. Position pairs are gated in stages,
   cheapest first: a ball about each track's straight-line position
   (its radius the least of a chi-square bound from the track's uncertainty and
   the plots' noise, ``max_association_distance_m`` and the distance
   ``max_speed_mps`` allows); then each candidate track predicted once, with
   its full motion model, to the mean time of its candidate plots and carried
   in a straight line to each plot's own time, each pair held to the max speed
   and the chi-square gate (:mod:`~flankwatch.track.pair_gate`). A plot whose
   identity (an ICAO address, from ADS-B or a Mode S reply, or the PIN of an IFF
   Mode 5 Level 2 reply: :attr:`~flankwatch.stream.PlotBatch.identity`) matches the
   track's is kept within ``identity_gate_m``; pairs with two different identities
   never associate.
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
6. Manage: confirm tentative tracks whose score reaches the upper threshold of
   a sequential test (or, with ``confirmation = "m_of_n"``, that have
   ``confirm_m`` plots within ``confirm_window_s`` of their first), drop those
   whose score falls to the lower one (see :mod:`~flankwatch.track.score`),
   mark confirmed tracks not updated in this step as coasting, delete those
   that missed scans worth ``coast_score`` or went stale, drop the younger of
   two held tracks of one target and the coasting tracks a new track has replaced
   (:mod:`~flankwatch.track.duplicates`), and report every
   track predicted to the step's time. Tentative tracks are predicted with the
   constant-velocity model alone; the IMM runs once a track is confirmed.

Revisit periods not given (:meth:`Tracker.set_revisit_periods`) are estimated
from the plots (:mod:`~flankwatch.track.revisit`), the false plot density
and detection probability the score needs from the tracks' own history, and so is
the IMM's mode switch rate (:mod:`~flankwatch.track.switch_rate`).

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

from collections.abc import Iterable, Iterator

import numpy as np

from flankwatch.stream import ACOUSTIC, ADSB, PlotBatch, icao_of
from flankwatch.track.associator import GNNAssociator
from flankwatch.track.base import Predictor
from flankwatch.track.deleter import StaleTrackDeleter
from flankwatch.track.duplicates import replaced, twin_candidates
from flankwatch.track.initiator import WindowInitiator
from flankwatch.track.joint import JointAssociation
from flankwatch.track.motion import ConstantVelocity, CoordinatedTurn
from flankwatch.track.output import COASTING, CONFIRMED, DELETED, TENTATIVE, TrackBatch
from flankwatch.track.predictor import IMMPredictor, KalmanPredictor, combine
from flankwatch.track.sequential import SequentialAssociation
from flankwatch.track.settings import TrackerSettings
from flankwatch.track.updater import KalmanUpdater


class Tracker(JointAssociation, SequentialAssociation):
    """A tracker composed of replaceable parts, passed by keyword (see
    :class:`~flankwatch.track.tracker_core.TrackerCore`); see the module docstring for
    one step."""

    def step(self, batch: PlotBatch, now_s: float | None = None) -> TrackBatch:
        """Process one batch of plots; all tracks predicted to ``now_s`` (s; by default
        the latest plot time of the batch, or the previous step's time if it is empty)."""
        if len(batch):
            t = batch.t_s
            if len(t) > 1 and np.any(t[1:] < t[:-1]):
                batch = batch.sorted_by_time()
            batch = one_plot_per_squitter(batch)
            acoustic = batch.kind == ACOUSTIC
            usable = acoustic | (
                np.isfinite(batch.x_m) & np.isfinite(batch.y_m) & np.isfinite(batch.z_m)
            )
            informative = len(self.table) > 0
            n_scans = self._observe(batch, np.flatnonzero(~acoustic & usable))
            self._started = 0
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
            self.density.observe_starts(self._started, n_scans, informative)
        if now_s is None:
            now_s = float(batch.t_s[-1]) if len(batch) else self.time_s
        step_s = now_s - self.time_s
        self.time_s = max(self.time_s, now_s)
        return self._manage(now_s, step_s)

    def _observe(self, batch: PlotBatch, positions: np.ndarray) -> int:
        """Learn the revisit periods of the batch's sensors not given one, and the extent of
        its position plots at ``positions``; the number of sensor scans (association
        windows) the position plots fall in."""
        sensor = batch.sensor_id.astype(np.int64)
        learn = np.isnan(self._given.of(sensor))
        if learn.any():
            rows = np.flatnonzero(learn)
            self.revisit.observe(batch.t_s[rows], sensor[rows], batch.azimuth_rad[rows])
        if not len(positions):
            return 0
        self.density.observe_plots(batch.x_m[positions], batch.y_m[positions], batch.z_m[positions])
        sensor = sensor[positions]
        t = batch.t_s[positions]
        window = np.floor((t - t[0]) / self.association_windows(sensor)).astype(np.int64)
        if sensor[0] == sensor[-1] and window[-1] == 0 and np.all(sensor == sensor[0]):
            n_scans = 1
        else:
            n_scans = len(np.unique(sensor * (int(window.max()) + 1) + window))
        if not self.density.known:
            self.density.observe_starts(len(positions), n_scans, informative=False)
        return n_scans

    def _twins(
        self, state: np.ndarray, cov: np.ndarray, held: np.ndarray, now_s: float
    ) -> np.ndarray:
        """Which rows are the younger twin of another track (see
        :mod:`~flankwatch.track.duplicates`), from the tracks' ``state`` and ``cov`` at
        ``now_s`` (s); only the ``held`` rows are compared."""
        table = self.table
        sensor_ids = self.sensor_columns.sensors()
        half_scan_s = np.full(table.sensor_t_s.shape[1], np.nan)
        if len(sensor_ids):
            half_scan_s[: len(sensor_ids)] = 0.5 * self.association_windows(sensor_ids)
        a, b = twin_candidates(
            state, cov, held, table.identity, table.sensor_t_s, half_scan_s, self._duplicate_gate
        )
        return self._twin_watch.drop(now_s, a, b, table.track_id, table.first_s, table.identity)

    def _replaced(
        self,
        state: np.ndarray,
        cov: np.ndarray,
        status: np.ndarray,
        alive: np.ndarray,
        scans: np.ndarray,
    ) -> np.ndarray:
        """Which of the ``alive`` coasting tracks have been replaced (a boolean mask): missed
        ``replace_after_scans`` scans of their sensor (``scans``, missed by each track so far)
        while a confirmed track updated in this step lies in their position gate
        (:func:`~flankwatch.track.duplicates.replaced`); ``state`` and ``cov`` at the step's
        end."""
        table = self.table
        stale = alive & (status == COASTING) & (scans >= self.settings.replace_after_scans)
        if not stale.any():
            return stale
        fresh = alive & (status == CONFIRMED) & table.updated
        d = 2 if self.settings.planar else 3
        return replaced(
            state[:, :d],
            cov[:, :d, :d],
            stale,
            fresh,
            table.identity,
            ~np.isnan(table.mode5_t_s),
            self._replace_gate,
        )

    def _manage(self, now_s: float, step_s: float) -> TrackBatch:
        """Confirm, coast and delete at the end of a step of ``step_s`` (s); the tracks
        predicted to ``now_s``."""
        if self.switch_rate is not None and self._imm is not None:
            self._imm.switch_rate_per_s = self.switch_rate.rate_per_s
        table = self.table
        if not len(table):
            return TrackBatch.empty()
        status = table.status
        tentative = status == TENTATIVE
        scored = self.settings.confirmation == "score"
        scans = self._misses(table.last_update_s, now_s, table.period_s)
        if scored:
            self._count_detections(tentative, now_s, step_s)
            missed = scans * self.density.miss_score()
            score = table.score + missed
            confirm = tentative & (score >= self._confirm_score)
        else:
            confirm = tentative & self.initiator.confirmed(table.hits)
        status = np.where(
            tentative,
            np.where(confirm, CONFIRMED, TENTATIVE),
            np.where(table.updated, CONFIRMED, COASTING),
        ).astype(np.int8)
        table.status = status
        prediction = self._predict_every_track(now_s)
        state, cov = combine(prediction.prob, prediction.at_mean, prediction.at_cov)
        position_var = cov[:, 0, 0] + cov[:, 1, 1] + cov[:, 2, 2]
        dead = self.deleter.delete(status, table.last_update_s, position_var, now_s)
        if scored:
            dead |= ~tentative & (missed <= -self.settings.coast_score)
        unconfirmed = tentative & ~confirm
        if unconfirmed.any():
            hopeless = self.initiator.hopeless(table.first_s, now_s)
            if scored:
                hopeless = (score <= self._drop_score) | (np.isnan(table.period_s) & hopeless)
            dead |= unconfirmed & hopeless
        dead |= self._twins(state, cov, (status != TENTATIVE) & ~dead, now_s)
        dead |= self._replaced(state, cov, status, ~dead, scans)
        out_status = np.where(dead, np.int8(DELETED), status) if dead.any() else status
        manoeuvre = 1.0 - prediction.prob[:, 0] if table.n_modes > 1 else np.zeros(len(table))
        out = TrackBatch.from_states(
            np.full(len(table), now_s),
            table.track_id.copy(),
            out_status.copy(),
            state,
            cov,
            manoeuvre,
            table.last_update_s.copy(),
            icao_of(table.identity),
            table.callsign.copy(),
            table.mode5_t_s.copy(),
        )
        if dead.any():
            table.keep(~dead)
        table.updated[:] = False
        return out


def build_tracker(settings: TrackerSettings | None = None) -> Tracker:
    """The default tracker for ``settings``: CV or IMM (CV + two turns) Kalman filters (tentative
    tracks predicted with CV alone), staged grid and chi-square gating, GNN association,
    single-plot initiation confirmed by a track score (or M plots within a time window)."""
    settings = settings or TrackerSettings()
    vertical = 0.0 if settings.planar else settings.vertical_noise_m2ps3
    cv = ConstantVelocity(settings.cv_noise_m2ps3, vertical)
    predictor: Predictor
    tentative_predictor = None
    if settings.motion == "cv":
        predictor = KalmanPredictor(cv)
    else:
        tentative_predictor = KalmanPredictor(cv)
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
            min(settings.initial_speed_sigma_mps, settings.max_speed_mps / 3.0),
            vertical_speed,
        ),
        deleter=StaleTrackDeleter(settings.delete_after_s, settings.max_position_sigma_m**2),
        settings=settings,
        tentative_predictor=tentative_predictor,
    )


def track_stream(
    batches: Iterable[PlotBatch], tracker: Tracker | None = None
) -> Iterator[TrackBatch]:
    """The track batch of each plot batch, through ``tracker`` (by default
    :func:`build_tracker` with default settings)."""
    tracker = tracker or build_tracker()
    for batch in batches:
        yield tracker.step(batch)


def one_plot_per_squitter(batch: PlotBatch) -> PlotBatch:
    """``batch`` (time-ordered) with one plot of each ADS-B squitter: plots of one ICAO
    address at one time, from several stations that heard the same message, are one
    report of one position, so only the first is kept."""
    adsb = np.flatnonzero((batch.kind == ADSB) & (batch.icao24 != 0))
    if len(adsb) < 2:
        return batch
    t, icao = batch.t_s[adsb], batch.icao24[adsb]
    order = np.lexsort((adsb, icao, t))
    repeat = (t[order][1:] == t[order][:-1]) & (icao[order][1:] == icao[order][:-1])
    if not repeat.any():
        return batch
    keep = np.ones(len(batch), bool)
    keep[adsb[order[1:][repeat]]] = False
    return batch.take(np.flatnonzero(keep))
