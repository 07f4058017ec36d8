"""flankwatch's tracker on families of plot sets it was never tuned for, against Stone Soup.

Each family (``benchmarks/families/``: sparse constant velocity, dense crossing targets,
manoeuvring targets, several interleaved sensors, heavy clutter with Pd 0.7, 3-D polar
plots from three radars) is generated from its own seed, written as a plots file exactly as
a user gives it to ``flankwatch track`` (with the truth beside it), and tracked by
flankwatch with its default settings (the steps of ``flankwatch track``, in-process, only
the tracking timed) and by Stone Soup's ``DetectionKDTreeGNN2D`` with models matched to the
family. Both are scored with GOSPA (p = 2, c per family) at each batch's last plot time,
with its missed and false parts, the false-track count and track-number changes. Stone
Soup runs on at most ``--stonesoup-budget`` target-scans: beyond it both are scored on the
scans Stone Soup ran on (the row says so); time per target-scan stays comparable. Times
are the CPU time of the tracking calls (``time.process_time``), so a loaded machine does
not change them much.

``--write DIR`` keeps the files; ``flankwatch track DIR/<family>-<N>-plots.csv --out t.csv
[--sensors DIR/<family>-<N>-sensors.csv]`` then ``--score t.csv --truth
DIR/<family>-<N>-truth.csv`` reproduces the flankwatch figure of that row.
Run ``python benchmarks/tracker_families.py --help`` for the options.
"""

from __future__ import annotations

# The settings of the `flankwatch` command (one BLAS thread, freed memory kept; see
# flankwatch/process_settings.py), made before NumPy is imported, so that what is measured
# is what the command runs.
from flankwatch.process_settings import apply_process_settings  # noqa: E402

apply_process_settings()

import argparse
import sys
import tempfile
from pathlib import Path

from arguments import non_negative_int, positive_float, positive_int
from families import FAMILIES
from families.files import FORMATS, read_truth
from families.scoring import GOSPA_C_M, Score, family_of, score, tracks_file_estimates
from families.suite import Row, run_family

HEADER = (
    f"{'family':<12} {'N':>5} {'scans':>9} {'fw us/ts':>9} {'SS us/ts':>9} {'speed-up':>8} "
    f"{'GOSPA fw m (miss/false)':>24} {'GOSPA SS m (miss/false)':>24} {'false trk':>9} "
    f"{'ID chg':>9}"
)


def gospa_text(result: Score) -> str:
    """Mean GOSPA (m) and its missed and false parts (per time) as the table prints them."""
    return f"{result.gospa_m:.1f} ({result.missed:.1f}/{result.false:.1f})"


def _pair(fw: object, ss: object | None) -> str:
    return f"{fw}" if ss is None else f"{fw}/{ss}"


def format_row(row: Row) -> str:
    """One line of the table: flankwatch and Stone Soup side by side (``-`` where not run)."""
    fw, ss = row.flankwatch, row.stonesoup
    ss_score = None if ss is None else ss.score
    line = (
        f"{row.family:<12} {row.n_targets:>5} "
        f"{_pair(f'{fw.scans:.0f}', ss and f'{ss.scans:.3g}'):>9} "
        f"{fw.us_per_target_scan:>9.2f} "
        f"{'-' if ss is None else f'{ss.us_per_target_scan:.0f}':>9} "
        f"{'-' if ss is None else f'{row.speed_up:.0f}x':>8} {gospa_text(fw.score):>24} "
        f"{'-' if ss_score is None else gospa_text(ss_score):>24} "
        f"{_pair(fw.score.false_tracks, ss_score and ss_score.false_tracks):>9} "
        f"{_pair(fw.score.id_changes, ss_score and ss_score.id_changes):>9}"
    )
    if ss is not None and ss.scans < fw.scans:
        line += (
            f"  (Stone Soup too slow: on the first {ss.scans:.3g} scans, scores over those; "
            f"flankwatch over all {fw.scans:.0f}: GOSPA {gospa_text(row.flankwatch_all_scans)})"
        )
    return line


def _score_file(tracks: Path, truth_path: Path, c_m: float | None) -> None:
    truth = read_truth(truth_path)
    c = c_m if c_m is not None else GOSPA_C_M[family_of(truth_path)]
    result = score(truth, tracks_file_estimates(tracks), c)
    print(f"GOSPA c = {c:g} m, p = 2, mean over {result.n_times} times")
    print(
        f"GOSPA {gospa_text(result)} m (missed/false per time); false tracks "
        f"{result.false_tracks}; track-number changes {result.id_changes}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--families", nargs="+", choices=list(FAMILIES), default=list(FAMILIES))
    parser.add_argument(
        "--sizes",
        type=positive_int,
        nargs="*",
        default=[100, 500, 2000],
        help="numbers of targets compared with Stone Soup",
    )
    parser.add_argument(
        "--scans", type=positive_int, default=100, help="scans of each family's fastest sensor"
    )
    parser.add_argument(
        "--flankwatch-only",
        type=positive_int,
        nargs="*",
        default=[],
        help="numbers of targets run through flankwatch alone (e.g. 10000)",
    )
    parser.add_argument(
        "--stonesoup-budget",
        type=non_negative_int,
        default=10000,
        help="most target-scans given to Stone Soup per row (0: no Stone Soup)",
    )
    parser.add_argument(
        "--repeat",
        type=positive_int,
        default=1,
        help="runs of each tracker per row, the two in turn; the fastest of each counts",
    )
    parser.add_argument(
        "--write", type=Path, help="keep each family's plots, sensors and truth files here"
    )
    parser.add_argument("--format", choices=FORMATS, default="csv", help="file format with --write")
    parser.add_argument("--score", type=Path, help="score this tracks file (of flankwatch track)")
    parser.add_argument(
        "--truth", type=Path, help="with --score: the truth file written by --write"
    )
    parser.add_argument(
        "--gospa-c", type=positive_float, help="with --score: cut-off, m (default: the family's)"
    )
    args = parser.parse_args()
    try:
        if args.score is not None or args.truth is not None:
            if args.score is None or args.truth is None:
                parser.error("--score and --truth go together")
            _score_file(args.score, args.truth, args.gospa_c)
            return
        if args.write is not None:
            try:
                args.write.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                parser.error(f"--write {args.write}: cannot make a folder there: {error.strerror}")
        with tempfile.TemporaryDirectory() as scratch:
            folder = args.write or Path(scratch)
            file_format = args.format if args.write else "parquet"
            cut_offs = ", ".join(f"{k} {v:g} m" for k, v in GOSPA_C_M.items())
            print(
                f"{args.scans} scans of each family's fastest sensor; flankwatch with default "
                f"settings; GOSPA p = 2, c = {cut_offs}; miss/false: missed targets and false "
                "tracks per time; false trk and ID chg: fw/SS"
            )
            print(HEADER)
            for family in args.families:
                for n in args.sizes:
                    row = run_family(
                        family,
                        n,
                        args.scans,
                        folder,
                        file_format,
                        args.stonesoup_budget,
                        args.repeat,
                    )
                    print(format_row(row), flush=True)
                for n in args.flankwatch_only:
                    row = run_family(family, n, args.scans, folder, file_format, 0, args.repeat)
                    print(format_row(row) + "  (flankwatch only)", flush=True)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
