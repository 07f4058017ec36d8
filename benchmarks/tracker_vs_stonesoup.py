"""flankwatch's tracker against Stone Soup's k-d tree GNN tracker on identical 2-D plot sets.

For each number of targets N, the same plots (constant-velocity targets,
detection probability 0.9, Poisson clutter, 5 m noise, one scan a second) go
through flankwatch (constant-velocity Kalman filter, planar) and through Stone
Soup (``DetectionKDTreeGNN2D`` with a Kalman predictor and updater,
``DistanceHypothesiser`` with the Mahalanobis distance, ``MultiMeasurementInitiator``
and ``UpdateTimeStepsDeleter``), with the same process noise, the same gate
(chi-square on 2 degrees of freedom, and no plot farther than ``KD_RADIUS_M``
from a track's prediction: Stone Soup's k-d tree radius), the same initial velocity uncertainty and
the same confirmation and deletion rules (confirm on the 2nd update, drop a
tentative track after 2 misses, a confirmed one after 3). Both are timed (process
time, which other work on the machine moves less than wall time) on the
tracking calls only (flankwatch: the fastest of ``--repeat`` runs; Stone Soup:
one run), and scored with GOSPA (c, p = 2) on their confirmed tracks
at every scan. Sizes listed in ``--flankwatch-only`` run flankwatch alone. With
``--defaults`` flankwatch runs with its default settings instead (only ``planar``
set, for the 2-D plots): its IMM, track score, and the revisit period and clutter
density it estimates from the plots themselves.

Run ``python benchmarks/tracker_vs_stonesoup.py --help`` for the options.
"""

from __future__ import annotations

# The settings of the `flankwatch` command (one BLAS thread, freed memory kept; see
# flankwatch/process_settings.py), made before NumPy is imported, so that what is measured
# is what the command runs.
from flankwatch.process_settings import apply_process_settings  # noqa: E402

apply_process_settings()

import argparse
import datetime
import time

import numpy as np
from arguments import non_negative_int, positive_float, positive_int
from scipy.stats import chi2
from stonesoup.dataassociator.tree import DetectionKDTreeGNN2D
from stonesoup.deleter.time import UpdateTimeStepsDeleter
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

from flankwatch.stream import PlotBatch
from flankwatch.track.metrics import gospa
from flankwatch.track.output import TrackStatus
from flankwatch.track.settings import TrackerSettings
from flankwatch.track.tracker import build_tracker

SIGMA_M = 5.0
PD = 0.9
CLUTTER_PER_TARGET = 0.1
AREA_PER_TARGET_M2 = 9.0e6
PROCESS_NOISE_M2PS3 = 0.5
SPEED_SIGMA_MPS = 150.0
GATE_PROBABILITY = 0.9995
KD_RADIUS_M = 1000.0
EPOCH = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)


def make_scans(
    n_targets: int, n_scans: int, rng: np.random.Generator
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Truth positions ``(N, 2)`` and plots ``(k, 2)`` (m) for each scan, 1 s apart."""
    half_side = 0.5 * np.sqrt(AREA_PER_TARGET_M2 * n_targets)
    start = rng.uniform(-half_side, half_side, (n_targets, 2))
    speed = rng.uniform(20.0, 250.0, n_targets)
    heading = rng.uniform(0.0, 2.0 * np.pi, n_targets)
    velocity = np.column_stack((speed * np.sin(heading), speed * np.cos(heading)))
    truths, plots = [], []
    for k in range(n_scans):
        truth = start + velocity * k
        seen = rng.random(n_targets) < PD
        detected = truth[seen] + rng.normal(0.0, SIGMA_M, (int(seen.sum()), 2))
        n_clutter = rng.poisson(CLUTTER_PER_TARGET * n_targets)
        clutter = rng.uniform(-half_side, half_side, (n_clutter, 2))
        scan = np.vstack((detected, clutter))
        truths.append(truth)
        plots.append(scan[rng.permutation(len(scan))])
    return truths, plots


def plot_batch(t_s: float, xy: np.ndarray) -> PlotBatch:
    """A planar flankwatch batch: z = 0 with a tiny variance."""
    n = len(xy)
    zeros = np.zeros(n)
    return PlotBatch.build(
        n,
        t_s=np.full(n, t_s),
        x_m=xy[:, 0],
        y_m=xy[:, 1],
        z_m=zeros,
        cov_xx_m2=np.full(n, SIGMA_M**2),
        cov_yy_m2=np.full(n, SIGMA_M**2),
        cov_zz_m2=np.full(n, 1e-6),
        cov_xy_m2=zeros,
        cov_xz_m2=zeros,
        cov_yz_m2=zeros,
    )


MATCHED = TrackerSettings(
    motion="cv",
    planar=True,
    cv_noise_m2ps3=PROCESS_NOISE_M2PS3,
    initial_speed_sigma_mps=SPEED_SIGMA_MPS,
    gate_probability=GATE_PROBABILITY,
    max_association_distance_m=KD_RADIUS_M,
    confirmation="m_of_n",
    confirm_m=2,
    confirm_window_s=2.0,
    delete_after_s=2.5,
)
"""flankwatch's settings matched to Stone Soup's."""


def run_flankwatch(
    plots: list[np.ndarray], settings: TrackerSettings = MATCHED
) -> tuple[float, list[np.ndarray]]:
    """Process seconds spent in ``step`` and the confirmed positions at each scan."""
    tracker = build_tracker(settings)
    batches = [plot_batch(float(k), xy) for k, xy in enumerate(plots)]
    estimates, elapsed = [], 0.0
    for batch in batches:
        start = time.process_time()
        out = tracker.step(batch)
        elapsed += time.process_time() - start
        held = (out.status == TrackStatus.CONFIRMED) | (out.status == TrackStatus.COASTING)
        estimates.append(np.column_stack((out.x_m[held], out.y_m[held])))
    return elapsed, estimates


def run_stonesoup(plots: list[np.ndarray]) -> tuple[float, list[np.ndarray]]:
    """Process seconds spent in Stone Soup's tracker and the confirmed positions at each scan."""
    transition = CombinedLinearGaussianTransitionModel(
        [ConstantVelocity(PROCESS_NOISE_M2PS3), ConstantVelocity(PROCESS_NOISE_M2PS3)]
    )
    measurement = LinearGaussian(
        ndim_state=4, mapping=(0, 2), noise_covar=np.diag([SIGMA_M**2, SIGMA_M**2])
    )
    predictor = KalmanPredictor(transition)
    updater = KalmanUpdater(measurement)
    hypothesiser = DistanceHypothesiser(
        predictor,
        updater,
        measure=Mahalanobis(),
        missed_distance=float(np.sqrt(chi2.ppf(GATE_PROBABILITY, 2))),
    )
    associator = DetectionKDTreeGNN2D(
        hypothesiser=hypothesiser, predictor=predictor, updater=updater, max_distance=KD_RADIUS_M
    )
    initiator = MultiMeasurementInitiator(
        prior_state=GaussianState(
            np.zeros((4, 1)),
            np.diag([0.0, SPEED_SIGMA_MPS**2, 0.0, SPEED_SIGMA_MPS**2]),
            timestamp=EPOCH,
        ),
        deleter=UpdateTimeStepsDeleter(2),
        data_associator=associator,
        updater=updater,
        measurement_model=measurement,
        min_points=2,
    )
    scans = []
    for k, xy in enumerate(plots):
        stamp = EPOCH + datetime.timedelta(seconds=k)
        scans.append(
            (
                stamp,
                {
                    Detection(p.reshape(2, 1), timestamp=stamp, measurement_model=measurement)
                    for p in xy
                },
            )
        )
    tracker = MultiTargetTracker(
        initiator=initiator,
        deleter=UpdateTimeStepsDeleter(3),
        detector=scans,
        data_associator=associator,
        updater=updater,
    )
    estimates, elapsed = [], 0.0
    steps = iter(tracker)
    for _ in scans:
        start = time.process_time()
        _, tracks = next(steps)
        elapsed += time.process_time() - start
        estimates.append(
            np.array([[t.state_vector[0, 0], t.state_vector[2, 0]] for t in tracks]).reshape(-1, 2)
        )
    return elapsed, estimates


def mean_gospa(truths: list[np.ndarray], estimates: list[np.ndarray], c_m: float) -> float:
    """GOSPA (p = 2) averaged over the scans, m."""
    truth_t = np.concatenate([np.full(len(x), k, float) for k, x in enumerate(truths)])
    est_t = np.concatenate([np.full(len(x), k, float) for k, x in enumerate(estimates)])
    result = gospa(truth_t, np.vstack(truths), est_t, np.vstack(estimates), c_m, 2.0)
    return result.mean_distance


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        type=positive_int,
        nargs="+",
        default=[10, 100, 500, 2000],
        help="numbers of targets compared with Stone Soup",
    )
    parser.add_argument(
        "--flankwatch-only",
        type=positive_int,
        nargs="*",
        default=[10000],
        help="numbers of targets run through flankwatch alone",
    )
    parser.add_argument("--scans", type=positive_int, default=100, help="scans per run (1 s apart)")
    parser.add_argument(
        "--stonesoup-budget",
        type=positive_int,
        default=50000,
        help="most target-scans given to Stone Soup per size; beyond it, "
        "both trackers are compared on fewer scans",
    )
    parser.add_argument("--gospa-c", type=positive_float, default=100.0, help="GOSPA cut-off, m")
    parser.add_argument("--seed", type=non_negative_int, default=2025)
    parser.add_argument(
        "--defaults",
        action="store_true",
        help="run flankwatch with its default settings (planar), not those matched to Stone Soup",
    )
    parser.add_argument(
        "--repeat",
        type=positive_int,
        default=3,
        help="flankwatch runs per size; the fastest is reported",
    )
    args = parser.parse_args()
    settings = TrackerSettings(planar=True) if args.defaults else MATCHED

    print(
        f"scans: {args.scans}, 1 s apart; Pd {PD}; clutter {CLUTTER_PER_TARGET} per target "
        f"per scan; sigma {SIGMA_M} m; GOSPA c = {args.gospa_c} m, p = 2 (mean over scans); "
        f"flankwatch settings: {'its defaults' if args.defaults else 'matched to Stone Soup'}; "
        "process time"
    )
    header = (
        f"{'N':>6} {'scans':>5} {'flankwatch us/ts':>17} {'Stone Soup us/ts':>17} "
        f"{'speed-up':>9} {'GOSPA fw m':>11} {'GOSPA ss m':>11}"
    )
    print(header)
    for n in args.sizes:
        truths, plots = make_scans(n, args.scans, np.random.default_rng(args.seed + n))
        scans = min(args.scans, max(2, args.stonesoup_budget // n))
        fw_s, fw_est = min(
            (run_flankwatch(plots[:scans], settings) for _ in range(args.repeat)),
            key=lambda r: r[0],
        )
        ss_s, ss_est = run_stonesoup(plots[:scans])
        fw_us = fw_s / (n * scans) * 1e6
        ss_us = ss_s / (n * scans) * 1e6
        note = "" if scans == args.scans else f"  (Stone Soup too slow: both on {scans} scans)"
        print(
            f"{n:>6} {scans:>5} {fw_us:>17.2f} {ss_us:>17.1f} {ss_us / fw_us:>8.0f}x "
            f"{mean_gospa(truths[:scans], fw_est, args.gospa_c):>11.2f} "
            f"{mean_gospa(truths[:scans], ss_est, args.gospa_c):>11.2f}{note}",
            flush=True,
        )
    for n in args.flankwatch_only:
        truths, plots = make_scans(n, args.scans, np.random.default_rng(args.seed + n))
        fw_s, fw_est = min(
            (run_flankwatch(plots, settings) for _ in range(args.repeat)), key=lambda r: r[0]
        )
        print(
            f"{n:>6} {args.scans:>5} {fw_s / (n * args.scans) * 1e6:>17.2f} {'-':>17} "
            f"{'-':>9} {mean_gospa(truths, fw_est, args.gospa_c):>11.2f} {'-':>11}  "
            "(flankwatch only)",
            flush=True,
        )


if __name__ == "__main__":
    main()
