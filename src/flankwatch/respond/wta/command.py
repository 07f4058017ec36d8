"""``flankwatch wta``: solve a weapon-target assignment instance file, write the assignment.

The assignment file is CSV with header ``weapon,target`` and one row per use
(0-based indices, as in the instance); a weapon used twice on a target gives
two equal rows. The module imports only typer and the standard library at its top
(the command line starts fast); the solvers are imported when the command runs.
"""

from __future__ import annotations

import math
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from flankwatch.cli_common import fail, number_within

if TYPE_CHECKING:
    import numpy as np

    from flankwatch.respond.wta.problem import WtaProblem, WtaSolution

HEADER = "weapon,target"
"""First line of an assignment file (how ``--force`` recognises one it may replace)."""


class Method(StrEnum):
    """How to solve (see ``flankwatch.respond.wta.solver``)."""

    auto = "auto"
    exact = "exact"
    heuristic = "heuristic"


def wta(
    instance: Annotated[
        Path,
        typer.Argument(help="instance file: 'W T K', T target values, 'weapon target p' lines"),
    ],
    time_limit: Annotated[
        float,
        typer.Option(
            callback=number_within(0.001, unit="s"), help="seconds to spend at most (wall time)"
        ),
    ] = 10.0,
    out: Annotated[
        Path | None, typer.Option(help="CSV to write: weapon,target, one row per use")
    ] = None,
    method: Annotated[Method, typer.Option(help="auto, exact (MILP) or heuristic")] = Method.auto,
    force: Annotated[
        bool, typer.Option(help="replace an assignment file already in --out (never other files)")
    ] = False,
) -> None:
    """Assign weapons to targets for an instance file; print the objective, write the uses."""
    from flankwatch.printing import console
    from flankwatch.respond.wta.instance import WtaFormatError, read_instance
    from flankwatch.respond.wta.solver import solve

    try:
        if out is not None:
            _check_out(out, force)
        problem = read_instance(instance)
    except (WtaFormatError, ValueError) as error:
        raise fail(str(error), 2) from None
    solution = solve(problem, time_limit, method.value)
    _print(instance, problem, solution)
    if out is not None:
        try:
            _write(out, solution.counts, replace=force)
        except FileExistsError:
            raise fail(f"{out}: appeared while solving; not replaced", 2) from None
        except OSError as error:
            raise fail(f"{out}: cannot write: {error}", 1) from None
        console.print(f"{int(solution.counts.sum()):,} uses written to {out}")


def _check_out(out: Path, force: bool) -> None:
    """Refuse an --out in a missing folder, or that exists (unless ``force`` and it is an
    assignment file)."""
    if not out.parent.is_dir():
        raise ValueError(f"{out}: no folder {out.parent} to write it in")
    if not out.exists():
        return
    if out.is_dir():
        raise ValueError(f"{out}: is a folder; --out needs a file name")
    if not force:
        raise ValueError(f"{out}: exists; use --force to replace it")
    try:
        with out.open(encoding="utf-8") as file:
            first = file.readline().strip()
    except (OSError, UnicodeDecodeError):
        first = ""
    if first != HEADER:
        raise ValueError(f"{out}: exists and is not an assignment file; not replaced")


def _write(out: Path, counts: np.ndarray, replace: bool) -> None:
    import numpy as np

    weapon, target = np.nonzero(counts)
    repeat = counts[weapon, target]
    rows = zip(np.repeat(weapon, repeat), np.repeat(target, repeat), strict=True)
    with out.open("w" if replace else "x", encoding="utf-8") as file:
        file.write(HEADER + "\n")
        file.writelines(f"{i},{j}\n" for i, j in rows)


def _print(instance: Path, problem: WtaProblem, solution: WtaSolution) -> None:
    from rich.table import Table
    from rich.text import Text

    from flankwatch.printing import console

    table = Table(title=Text(f"{instance.name}: weapon-target assignment"), show_header=False)
    table.add_row("weapons x targets", f"{problem.n_weapons} x {problem.n_targets}")
    table.add_row("uses spent / allowed", f"{solution.counts.sum():,} / {problem.uses.sum():,}")
    table.add_row("objective", f"{solution.objective:.6f}")
    bound = solution.lower_bound
    table.add_row("lower bound", f"{bound:.6f}" if math.isfinite(bound) else "none proven")
    if math.isfinite(bound) and solution.objective > 0:
        table.add_row("gap", f"{100 * (solution.objective - bound) / solution.objective:.4f} %")
    table.add_row("optimal", "proven" if solution.optimal else "not proven")
    table.add_row("solver", solution.solver)
    table.add_row("time", f"{solution.time_s:.2f} s")
    console.print(table)
