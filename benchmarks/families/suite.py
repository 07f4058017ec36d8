"""One row of the families table: a family at one size, written as files, run through
flankwatch (default settings) and Stone Soup (matched models), and scored."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from families import FAMILIES
from families.files import SceneFiles, read_truth, write_scene
from families.flankwatch_side import TrackerRun, run_flankwatch
from families.scene import BATCH_S
from families.scoring import GOSPA_C_M, TIME_TOLERANCE_S, Score, score


@dataclass(frozen=True)
class Side:
    """One tracker's figures on one family and size."""

    scans: float
    """Scans it was run on (for Stone Soup on part of a file: in proportion to its plots)."""
    us_per_target_scan: float
    score: Score
    """Scored over the scans both trackers ran on."""


@dataclass(frozen=True)
class Row:
    """A family at one size: flankwatch and (if run) Stone Soup."""

    family: str
    n_targets: int
    files: SceneFiles
    flankwatch: Side
    stonesoup: Side | None
    flankwatch_all_scans: Score
    """flankwatch scored over every scan (what ``--score`` gives for its tracks file)."""

    @property
    def speed_up(self) -> float:
        """Stone Soup's time per target-scan over flankwatch's."""
        if self.stonesoup is None:
            return float("nan")
        return self.stonesoup.us_per_target_scan / self.flankwatch.us_per_target_scan


def run_family(
    family: str,
    n_targets: int,
    n_scans: int,
    folder: Path,
    file_format: str = "parquet",
    stonesoup_budget: int = 10000,
    repeat: int = 1,
) -> Row:
    """Generate the family, write its files into ``folder``, track them with flankwatch and,
    unless ``stonesoup_budget`` is 0, with Stone Soup on the batches that hold at most
    ``stonesoup_budget`` target-scans (at least 2 batches); both scored on the batches Stone
    Soup ran on. Stone Soup's target-scans are counted in proportion to the plots it was
    given. Each tracker runs ``repeat`` times, the two in turn (so that a change in the
    machine's speed falls on both), and the fastest run of each counts."""
    scene = FAMILIES[family](n_targets, n_scans)
    files = write_scene(scene, folder, file_format)
    truth = read_truth(files.truth)
    c_m = GOSPA_C_M[family]
    fw_runs, ss_runs = [], []
    for _ in range(max(repeat, 1)):
        fw_runs.append(run_flankwatch(files.plots, files.sensors))
        if stonesoup_budget > 0:
            # Stone Soup is slow to import: only where it runs
            from families.stonesoup_side import MODELS, run_stonesoup

            ss_scans = min(n_scans, stonesoup_budget // n_targets)
            batches = max(2, math.ceil(ss_scans * scene.scan_s / BATCH_S))
            ss_runs.append(run_stonesoup(files.plots, MODELS[family], files.sensors, batches))
    fw = min(fw_runs, key=lambda r: r.elapsed_s)
    fw_all = score(truth, fw.estimates, c_m)
    fw_side = Side(float(n_scans), _us(fw, n_scans * n_targets), fw_all)
    if not ss_runs:
        return Row(family, n_targets, files, fw_side, None, fw_all)
    ss = min(ss_runs, key=lambda r: r.elapsed_s)
    ss_target_scans = n_targets * n_scans * ss.n_plots / max(fw.n_plots, 1)
    end_s = ss.end_s + TIME_TOLERANCE_S
    ss_side = Side(
        ss_target_scans / n_targets,
        _us(ss, ss_target_scans),
        score(truth.before(end_s), ss.estimates, c_m),
    )
    if ss.n_plots < fw.n_plots:
        fw_side = Side(
            fw_side.scans,
            fw_side.us_per_target_scan,
            score(truth.before(end_s), fw.estimates.before(end_s), c_m),
        )
    return Row(family, n_targets, files, fw_side, ss_side, fw_all)


def _us(run: TrackerRun, target_scans: float) -> float:
    """Microseconds per target-scan."""
    return run.elapsed_s / max(target_scans, 1e-9) * 1e6
