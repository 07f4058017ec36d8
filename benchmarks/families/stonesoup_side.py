"""Stone Soup on a scene's plots file: ``DetectionKDTreeGNN2D`` (for 3-D plots, the same
with its k-d tree over positions: :class:`PositionKDTreeGNN`) with a Kalman predictor and
updater, ``DistanceHypothesiser`` with the Mahalanobis distance,
``MultiMeasurementInitiator`` and time-based deleters, with constant-velocity models matched
to each family (:data:`MODELS`).

The plots are read by flankwatch's plot reader, so both trackers get the same batches and
the same positions and covariances (polar plots converted with their linearised
covariance: Stone Soup's own polar model with an extended Kalman filter took about 0.4 s per
target-scan, far too slow to run). Each batch is handed over one sensor at a time, in time
order of the sensors' first plots (``DetectionKDTreeGNN2D`` needs one measurement model per
call, and a whole batch at once would let a track take one plot only when two radars see it
within the batch, leaving the other to start a duplicate track). Only the tracker's
iterations are timed. A track's estimate at a batch's report time is its latest
state moved on at its own velocity.
"""

from __future__ import annotations

import datetime
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.spatial import KDTree
from scipy.stats import chi2
from stonesoup.dataassociator.tree import DetectionKDTreeGNN2D
from stonesoup.deleter.time import UpdateTimeDeleter
from stonesoup.hypothesiser.distance import DistanceHypothesiser
from stonesoup.initiator.simple import MultiMeasurementInitiator
from stonesoup.measures import Mahalanobis
from stonesoup.models.measurement.linear import LinearGaussian
from stonesoup.models.transition.linear import (
    CombinedLinearGaussianTransitionModel,
    ConstantVelocity,
)
from stonesoup.predictor.kalman import KalmanPredictor
from stonesoup.tracker.simple import MultiTargetTracker
from stonesoup.types.detection import Detection
from stonesoup.types.state import GaussianState
from stonesoup.updater.kalman import KalmanUpdater

from families.flankwatch_side import TrackerRun
from families.scene import BATCH_S
from families.scoring import Estimates
from flankwatch.io.plot_reader import read_plots

EPOCH = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
GATE_PROBABILITY = 0.9995


@dataclass(frozen=True)
class StoneSoupModel:
    """Stone Soup's settings for one family."""

    q_m2ps3: float
    """Horizontal white-acceleration spectral density of the CV model, m^2/s^3."""
    speed_sigma_mps: float
    """Standard deviation of each horizontal velocity component of a new track, m/s."""
    kd_radius: float
    """k-d tree radius around a track's predicted position, m."""
    min_points: int
    """Plots that confirm a track."""
    tentative_delete_s: float
    """A tentative track not updated for longer than this is dropped, s."""
    delete_s: float
    """A confirmed track not updated for longer than this is deleted, s."""
    q_vertical_m2ps3: float = 1.0
    """Vertical white-acceleration spectral density (3-D plots), m^2/s^3."""
    vertical_speed_sigma_mps: float = 10.0
    """Standard deviation of the vertical velocity of a new track (3-D plots), m/s."""


MODELS = {
    # constant velocity, 1 s scans: the older benchmark's settings
    "sparse": StoneSoupModel(0.5, 150.0, 1000.0, 2, 1.5, 2.5),
    # constant velocity, slow targets close together: a tight k-d radius
    "dense": StoneSoupModel(0.5, 50.0, 200.0, 2, 1.5, 2.5),
    # turns of up to 6 deg/s at 300 m/s (31 m/s^2): a CV model with a large process noise
    "manoeuvring": StoneSoupModel(200.0, 150.0, 1000.0, 2, 1.5, 3.5),
    # constant velocity, revisits of 1 to 4 s
    "multisensor": StoneSoupModel(0.5, 150.0, 1000.0, 2, 4.5, 8.5),
    # Pd 0.7 and 4 s scans in heavy clutter: three plots to confirm, four scans to delete
    "clutter": StoneSoupModel(0.5, 150.0, 1500.0, 3, 8.5, 16.5),
    # 3-D, radars of 4 to 10 s
    "polar": StoneSoupModel(0.5, 150.0, 2000.0, 2, 10.5, 20.5),
}
"""Stone Soup's settings matched to each family."""


def _stamp(t_s: float) -> datetime.datetime:
    return EPOCH + datetime.timedelta(seconds=t_s)


def _transition(model: StoneSoupModel, planar: bool) -> CombinedLinearGaussianTransitionModel:
    axes = [ConstantVelocity(model.q_m2ps3), ConstantVelocity(model.q_m2ps3)]
    if not planar:
        axes.append(ConstantVelocity(model.q_vertical_m2ps3))
    return CombinedLinearGaussianTransitionModel(axes)


def _prior(model: StoneSoupModel, planar: bool) -> GaussianState:
    variances = [0.0, model.speed_sigma_mps**2] * 2
    if not planar:
        variances += [0.0, model.vertical_speed_sigma_mps**2]
    return GaussianState(np.zeros((len(variances), 1)), np.diag(variances), timestamp=EPOCH)


@dataclass(frozen=True)
class _Scans:
    """Detections handed to Stone Soup: one (time, detections) per batch and sensor."""

    scans: list[tuple[datetime.datetime, set[Detection]]]
    batch_end: list[int]
    """Indices of the scans that end a batch."""
    report_t_s: list[float]
    """Report time of each batch (its last plot time), s."""


class PositionKDTreeGNN(DetectionKDTreeGNN2D):
    """``DetectionKDTreeGNN2D`` with its k-d tree over the detections' Cartesian positions and
    each track's predicted position, so that every detection may carry its own measurement
    model (converted polar plots each have their own covariance); ``max_distance`` in m."""

    def generate_hypotheses(self, tracks, detections, timestamp, **kwargs):  # type: ignore[no-untyped-def]
        if not tracks or not detections:
            return {
                track: self.hypothesiser.hypothesise(track, detections, timestamp, **kwargs)
                for track in tracks
            }
        listed = list(detections)
        tree = KDTree(np.vstack([d.state_vector[:, 0] for d in listed]))
        hypotheses = {}
        for track in tracks:
            prediction = self.predictor.predict(track, timestamp, **kwargs)
            where = np.asarray(prediction.state_vector, float)[[0, 2, 4], 0]
            near = {listed[i] for i in tree.query_ball_point(where, r=self.max_distance)}
            hypotheses[track] = self.hypothesiser.hypothesise(track, near, timestamp, **kwargs)
        return hypotheses


def _detections(plots: Path, sensors: Path | None, max_batches: int) -> tuple[_Scans, bool]:
    """The file's plots, read and batched as ``flankwatch track`` reads them (polar plots
    converted to positions with their linearised covariances), the whole batches before
    first ``max_batches`` batches, as Stone Soup detections."""
    plot_file = read_plots(plots, sensors, BATCH_S)
    planar = plot_file.planar
    dims = 2 if planar else 3
    mapping = tuple(range(0, 2 * dims, 2))
    models: dict[tuple[int, float], LinearGaussian] = {}
    scans: list[tuple[datetime.datetime, set[Detection]]] = []
    batch_end, report = [], []
    for batch in plot_file.batches[:max_batches]:
        t = batch.t_s
        position = np.column_stack((batch.x_m, batch.y_m, batch.z_m))[:, :dims]
        cov = batch.covariance()[:, :dims, :dims]
        ids = batch.sensor_id
        firsts = sorted(np.unique(ids), key=lambda s: t[np.flatnonzero(ids == s)[0]])
        for sensor in firsts:
            mine = np.flatnonzero(ids == sensor)
            detections = set()
            for r in mine:
                if planar:  # one model per sensor and noise: the k-d tree of Stone Soup needs it
                    key = (int(sensor), float(cov[r, 0, 0]))
                    if key not in models:
                        models[key] = LinearGaussian(2 * dims, mapping, cov[r])
                    model = models[key]
                else:
                    model = LinearGaussian(2 * dims, mapping, cov[r])
                detections.add(
                    Detection(
                        position[r].reshape(dims, 1),
                        timestamp=_stamp(float(t[r])),
                        measurement_model=model,
                    )
                )
            scans.append((_stamp(float(t[mine[-1]])), detections))
        batch_end.append(len(scans) - 1)
        report.append(float(t[-1]))
    return _Scans(scans, batch_end, report), planar


def run_stonesoup(
    plots: Path, model: StoneSoupModel, sensors: Path | None = None, max_batches: int = 2**62
) -> TrackerRun:
    """Track the plots of a file (its first ``max_batches`` batches) with Stone Soup."""
    data, planar = _detections(plots, sensors, max_batches)
    predictor = KalmanPredictor(_transition(model, planar))
    updater = KalmanUpdater(None)
    dof = 2 if planar else 3
    hypothesiser = DistanceHypothesiser(
        predictor,
        updater,
        measure=Mahalanobis(),
        missed_distance=float(np.sqrt(chi2.ppf(GATE_PROBABILITY, dof))),
    )
    associator = (DetectionKDTreeGNN2D if planar else PositionKDTreeGNN)(
        hypothesiser=hypothesiser,
        predictor=predictor,
        updater=updater,
        max_distance=model.kd_radius,
    )
    initiator = MultiMeasurementInitiator(
        prior_state=_prior(model, planar),
        deleter=UpdateTimeDeleter(datetime.timedelta(seconds=model.tentative_delete_s)),
        data_associator=associator,
        updater=updater,
        min_points=model.min_points,
    )
    tracker = MultiTargetTracker(
        initiator=initiator,
        deleter=UpdateTimeDeleter(datetime.timedelta(seconds=model.delete_s)),
        detector=data.scans,
        data_associator=associator,
        updater=updater,
    )
    position = [0, 2] if planar else [0, 2, 4]
    velocity = [i + 1 for i in position]
    number: dict[str, int] = {}
    t_s, ids, pos, elapsed = [], [], [], 0.0
    steps = iter(tracker)
    batch = 0
    for k in range(len(data.scans)):
        start = time.process_time()
        _, tracks = next(steps)
        elapsed += time.process_time() - start
        if k != data.batch_end[batch]:
            continue
        report_s = data.report_t_s[batch]
        batch += 1
        for track in tracks:
            state = track.state
            dt = report_s - (state.timestamp - EPOCH).total_seconds()
            mean = np.asarray(state.mean, float).ravel()
            xyz = mean[position] + mean[velocity] * dt
            t_s.append(report_s)
            ids.append(number.setdefault(track.id, len(number)))
            pos.append(np.append(xyz, 0.0) if planar else xyz)
    estimates = Estimates(
        np.array(t_s, float), np.array(ids, np.int64), np.array(pos, float).reshape(-1, 3)
    )
    n_plots = sum(len(detections) for _, detections in data.scans)
    return TrackerRun(elapsed, estimates, n_plots, data.report_t_s[-1] if data.report_t_s else 0.0)
