"""``flankwatch compare``: a scenario under several policies over many seeds, on Dask.

Every policy runs on the same ``--runs`` seeds, drawn from ``--seed`` (default:
the scenario's seed); the table gives, per policy, the median and the 5th-95th
percentile interval of each response figure (see :mod:`flankwatch.study.table`).
The module imports only typer at its top (the command line starts fast); the
study's modules are imported when the command runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from flankwatch.cli_common import fail
from flankwatch.scenario.limits import MAX_SEED


def _input_errors() -> tuple[type[Exception], ...]:
    """Errors that mean bad input (exit code 2)."""
    from flankwatch.store.recording import RecordingError
    from flankwatch.yamlfile import YamlFileError

    return (YamlFileError, ValueError, RecordingError)


MAX_RUNS = 10_000
"""Most seeds per policy: a study's runs are all planned before the first starts, and ten
thousand runs of the Polish night are already about 100 hours of CPU (35 s a run)."""


def compare(
    scenario: Annotated[str, typer.Argument(help="a built-in scenario name or a scenario file")],
    policy: Annotated[
        list[str],
        typer.Option(
            metavar="POLICY",
            help="a built-in policy name or a policy file (repeat to compare several)",
        ),
    ],
    runs: Annotated[
        int, typer.Option(min=1, max=MAX_RUNS, help=f"seeds per policy, 1 to {MAX_RUNS:,}")
    ] = 20,
    seed: Annotated[
        int | None,
        typer.Option(min=0, max=MAX_SEED, help="base seed the runs' seeds are drawn from"),
    ] = None,
    scheduler: Annotated[
        str | None, typer.Option(help="an existing Dask scheduler, tcp://HOST:PORT")
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(min=1, help="worker processes of the local cluster [default: one per core]"),
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="also write the table to this .csv or .json file")
    ] = None,
    record: Annotated[
        Path | None,
        typer.Option(
            help="also record every run, as `flankwatch run` does, into "
            "RECORD/POLICY/SCENARIO-SEED (a path on the workers with --scheduler)"
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            help="replace the recordings already in --record's run folders (never other files)"
        ),
    ] = False,
    quiet: Annotated[bool, typer.Option(help="no progress bar")] = False,
) -> None:
    """Compare response policies on a scenario: medians and 90 % intervals over seeds."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from flankwatch.printing import console, errors, print_study
    from flankwatch.scenario.loader import ScenarioError, load_scenario
    from flankwatch.study.dask_runner import StudyInterrupted, StudyRunError, run_study
    from flankwatch.study.files import check_writable, write_table
    from flankwatch.study.runs import draw_seeds, study_specs
    from flankwatch.study.table import compare as compare_runs

    input_errors = _input_errors()
    bad_scenario_or_input: tuple[type[Exception], ...] = (ScenarioError, *input_errors)
    try:
        parsed, text = load_scenario(scenario)
        if len(set(policy)) != len(policy):
            raise ValueError(f"--policy: each policy once, not {', '.join(policy)}")
        if parsed.defence is None or not parsed.defence.units:
            raise ValueError(f"{scenario}: declares no defence (no `defence:` units to compare)")
        if scheduler is not None and workers is not None:
            raise ValueError("--workers sizes the local cluster; it cannot go with --scheduler")
        if force and record is None:
            raise ValueError("--force replaces recordings of --record; it cannot go without it")
        if out is not None:
            check_writable(out)
        base_seed = parsed.seed if seed is None else seed
        seeds = draw_seeds(base_seed, runs)
        specs = study_specs(parsed, text, scenario, policy, seeds, record, force)
    except bad_scenario_or_input as error:
        raise fail(str(error)) from None
    with Progress(
        TextColumn("{task.description}", style="bold", markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        disable=quiet,
    ) as bar:
        task = bar.add_task(f"compare {parsed.name}", total=len(specs))
        try:
            results = run_study(specs, scheduler, workers, done=lambda _: bar.advance(task))
        except input_errors as error:
            raise fail(str(error)) from None
        except StudyRunError as error:
            raise fail(str(error), code=1) from None
        except StudyInterrupted as error:
            errors.print(f"{error}; no table", soft_wrap=True)
            raise typer.Exit(130) from None
    comparison = compare_runs(results, policy, parsed.name, base_seed)
    print_study(comparison)
    if out is not None:
        try:
            write_table(out, comparison, results)
        except input_errors as error:
            raise fail(str(error)) from None
        except OSError as error:
            raise fail(str(error), code=1) from None
        console.print(f"table written to {out}")
    if record is not None:
        console.print(f"each run recorded in {record}/POLICY/{parsed.name}-SEED")
