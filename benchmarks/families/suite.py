"""One row of the families table: a family at one size, written as files, run through
flankwatch (default settings) and Stone Soup (matched models), and scored."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from families import FAMILIES
from families.files import SceneFiles, read_truth, write_scene
from families.flankwatch_side import TrackerRun, run_flankwatch
from families.scoring import GOSPA_C_M, Score, score


@dataclass(frozen=True)
class Side:
    """One tracker's figures on one family and size."""

    scans: int
    """Scans it was run on."""
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
    """Generate the family, write its files into ``folder``, track them with flankwatch (the
    fastest of ``repeat`` runs) and, unless ``stonesoup_budget`` is 0, with Stone Soup on at
    most ``stonesoup_budget`` target-scans (whole scans, at least 2); both scored on the
    scans Stone Soup ran on."""
    scene = FAMILIES[family](n_targets, n_scans)
    files = write_scene(scene, folder, file_format)
    truth = read_truth(files.truth)
    c_m = GOSPA_C_M[family]
    runs = [run_flankwatch(files.plots, files.sensors) for _ in range(max(repeat, 1))]
    fw = min(runs, key=lambda r: r.elapsed_s)
    ss_side = None
    end_s = float("inf")
    if stonesoup_budget > 0:
        # Stone Soup is slow to import: only where it runs
        from families.stonesoup_side import MODELS, run_stonesoup

        ss_scans = min(n_scans, max(2, stonesoup_budget // n_targets))
        end_s = ss_scans * scene.scan_s if ss_scans < n_scans else float("inf")
        ss = run_stonesoup(files.plots, MODELS[family], files.sensors, end_s)
        ss_side = _side(ss, ss_scans, n_targets, score(truth.before(end_s), ss.estimates, c_m))
    fw_all = score(truth, fw.estimates, c_m)
    fw_score = (
        fw_all
        if end_s == float("inf")
        else score(truth.before(end_s), fw.estimates.before(end_s), c_m)
    )
    return Row(family, n_targets, files, _side(fw, n_scans, n_targets, fw_score), ss_side, fw_all)


def _side(run: TrackerRun, scans: int, n_targets: int, result: Score) -> Side:
    return Side(scans, run.elapsed_s / (scans * n_targets) * 1e6, result)
