"""Weapon-target assignment on the public benchmark: gap to the best known, and time.

Solves every instance of the benchmark folder (Andersen, Pavlikov and Toffolo
2022; 50 x 100 up to 300 x 600 with 1 to 3 uses per weapon) with ``solve``'s
default method and time limit, and prints, per instance, the objective, the
best known objective (``best_known.csv`` in the folder), the gap
(objective / best known - 1), the wall time, the CPU time of this process (the
time alone on a busy machine), whether optimality was proven and the method
"auto" chose; then
the worst gap and the slowest time against the targets, 0.1 % and 10 s. Then the
exact method alone on the 50 x 100 instances, to show it proves optimality.

    python benchmarks/wta.py [--instances DIR] [--time-limit S] [--only NAME ...]
"""

from __future__ import annotations

import argparse
import csv
import math
import time
from pathlib import Path

from arguments import existing_folder, positive_float

from flankwatch.respond.wta import WtaFormatError, read_instance, solve

DEFAULT_FOLDER = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "wta"
TARGET_GAP = 0.001
TARGET_S = 10.0
EXACT_LIMIT_S = 120.0
"""Time the exact check may take on each 50 x 100 instance."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--instances", type=existing_folder, default=DEFAULT_FOLDER, help="benchmark folder"
    )
    parser.add_argument(
        "--time-limit", type=positive_float, default=TARGET_S, help="seconds per instance"
    )
    parser.add_argument("--only", nargs="*", help="instance file names to run (default: all)")
    parser.add_argument("--no-exact", action="store_true", help="skip the exact check")
    args = parser.parse_args()
    best_known_file = args.instances / "best_known.csv"
    if not best_known_file.is_file():
        parser.error(f"{best_known_file} not found: give the benchmark's folder with --instances")
    try:
        best_known = read_best_known(best_known_file)
    except ValueError as error:
        parser.error(str(error))
    names = sorted(best_known, key=_size) if not args.only else args.only
    unknown = [name for name in names if name not in best_known]
    if unknown:
        parser.error(f"no best known objective in {best_known_file} for {', '.join(unknown)}")
    try:  # every instance read before the first is solved
        problems = {name: read_instance(args.instances / name) for name in names}
    except WtaFormatError as error:
        parser.error(str(error))

    print(
        f"{'instance':<20} {'objective':>13} {'best known':>13} {'gap %':>8} {'time s':>7} "
        f"{'cpu s':>6} {'optimal':<7} solver"
    )
    worst_gap, slowest_s = -float("inf"), 0.0
    for name in names:
        started, cpu_started = time.perf_counter(), time.process_time()
        solution = solve(problems[name], args.time_limit)
        wall_s, cpu_s = time.perf_counter() - started, time.process_time() - cpu_started
        gap = solution.objective / best_known[name] - 1
        worst_gap, slowest_s = max(worst_gap, gap), max(slowest_s, wall_s)
        print(
            f"{name:<20} {solution.objective:13.6f} {best_known[name]:13.6f} "
            f"{100 * gap:8.4f} {wall_s:7.2f} {cpu_s:6.2f} "
            f"{'proven' if solution.optimal else '-':<7} {solution.solver}",
            flush=True,
        )
    print(
        f"worst gap {100 * worst_gap:.4f} % = {worst_gap / TARGET_GAP:.2f} x the "
        f"{100 * TARGET_GAP:.1f} % target; slowest {slowest_s:.2f} s = "
        f"{slowest_s / TARGET_S:.2f} x the {TARGET_S:.0f} s target"
    )
    if args.no_exact:
        return
    print(f"exact method alone (limit {EXACT_LIMIT_S:.0f} s):")
    for name in (n for n in names if _size(n)[:2] == (50, 100)):
        solution = solve(problems[name], EXACT_LIMIT_S, "exact")
        print(
            f"{name:<20} {solution.objective:13.6f} lower bound {solution.lower_bound:13.6f} "
            f"{'proven optimal' if solution.optimal else 'NOT proven'} in {solution.time_s:.1f} s",
            flush=True,
        )


def read_best_known(path: Path) -> dict[str, float]:
    """The best known objective of each instance in ``path`` (a CSV file with the columns
    ``instance`` and ``best_known_objective``); ValueError naming the file and line of a fault.
    """
    with path.open(encoding="utf-8", newline="") as file:
        rows = csv.DictReader(file)
        missing = {"instance", "best_known_objective"} - set(rows.fieldnames or [])
        if missing:
            raise ValueError(f"{path}: no column {', '.join(sorted(missing))}")
        best_known: dict[str, float] = {}
        for row in rows:
            where = f"{path}, line {rows.line_num}"
            name, objective = row["instance"] or "", row["best_known_objective"] or ""
            try:
                _size(name)
            except ValueError:
                raise ValueError(
                    f"{where}: instance {name!r} is not a name like wta_50x100x1.txt"
                ) from None
            try:
                value = float(objective)
            except ValueError:
                value = math.nan
            if not (math.isfinite(value) and value > 0):
                raise ValueError(
                    f"{where}: best_known_objective {objective!r} is not a number above 0"
                )
            best_known[name] = value
    if not best_known:
        raise ValueError(f"{path}: no instances listed")
    return best_known


def _size(name: str) -> tuple[int, ...]:
    """(W, T, K) from a name like wta_50x100x3.txt."""
    return tuple(int(part) for part in name.removeprefix("wta_").removesuffix(".txt").split("x"))


if __name__ == "__main__":
    main()
