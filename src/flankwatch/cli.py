"""The ``flankwatch`` command.

Exit codes: 0 success, 1 a failure while running, 2 bad input (a scenario,
a file or an argument that is wrong).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import duckdb
import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from flankwatch.pipeline import RunSummary, run_scenario
from flankwatch.scenario.loader import ScenarioError, builtin_names, load_scenario
from flankwatch.store.query import query as run_query
from flankwatch.store.recording import RecordingError

DEFAULT_SCENARIO = "poland-2025-09-10"

app = typer.Typer(
    help="flankwatch: air defence of a border airspace, from sensors to alerts.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console()
errors = Console(stderr=True)


def _fail(message: str, code: int) -> typer.Exit:
    errors.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


@app.command()
def run(
    scenario: Annotated[
        str, typer.Argument(help="a built-in scenario name or a scenario file")
    ] = DEFAULT_SCENARIO,
    seed: Annotated[int | None, typer.Option(help="overrides the scenario's seed")] = None,
    out: Annotated[
        Path | None, typer.Option(help="recording folder [default: runs/<scenario>-<seed>]")
    ] = None,
    duration: Annotated[
        float | None, typer.Option(min=1.0, help="simulate only the first DURATION seconds")
    ] = None,
    quiet: Annotated[bool, typer.Option(help="no progress bar")] = False,
) -> None:
    """Simulate a scenario and record what every sensor saw."""
    try:
        parsed, text = load_scenario(scenario)
    except ScenarioError as error:
        raise _fail(str(error), 2) from None
    changes: dict[str, object] = {}
    if seed is not None:
        changes["seed"] = seed
    if duration is not None:
        changes["duration_s"] = min(duration, parsed.duration_s)
    parsed = parsed.model_copy(update=changes)
    folder = out or Path("runs") / f"{parsed.name}-{parsed.seed}"

    started = time.perf_counter()
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:,.0f}/{task.total:,.0f} s simulated"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        disable=quiet,
    ) as bar:
        task = bar.add_task(parsed.name, total=parsed.duration_s)
        try:
            summary = run_scenario(
                parsed, text, folder, progress=lambda t_s: bar.update(task, completed=t_s)
            )
        except RecordingError as error:
            raise _fail(str(error), 2) from None
    _print_summary(summary, time.perf_counter() - started, folder)


def _print_summary(summary: RunSummary, wall_s: float, folder: Path) -> None:
    table = Table(title=f"{summary.scenario} (seed {summary.seed})", title_justify="left")
    for column in ("category", "objects", "launched", "detected", "median time to detect"):
        table.add_column(column, justify="left" if column == "category" else "right")
    for count in summary.categories:
        delay = count.median_detection_delay_s
        table.add_row(
            count.category,
            str(count.objects),
            str(count.launched),
            str(count.detected),
            "-" if delay is None else f"{delay / 60:.1f} min",
        )
    console.print(table)
    plots = ", ".join(f"{kind} {n:,}" for kind, n in summary.plots.items())
    factor = summary.simulated_s / wall_s if wall_s > 0 else float("inf")
    console.print(f"plots: {plots} ({summary.false_plots:,} false)")
    console.print(
        f"simulated {summary.simulated_s / 3600:.2f} h in {wall_s:.1f} s "
        f"({factor:,.0f}x real time); recording: {folder}"
    )


@app.command()
def scenarios() -> None:
    """List the built-in scenarios."""
    table = Table("name", "start (UTC)", "duration", "description")
    for name in builtin_names():
        parsed, _ = load_scenario(name)
        table.add_row(
            name,
            parsed.start.strftime("%Y-%m-%d %H:%M"),
            f"{parsed.duration_s / 3600:.1f} h",
            parsed.description,
        )
    console.print(table)


@app.command()
def validate(
    file: Annotated[str, typer.Argument(help="a scenario file (or a built-in name)")],
) -> None:
    """Check a scenario file; exit 2 with every fault named when it is not valid."""
    try:
        parsed, _ = load_scenario(file)
    except ScenarioError as error:
        raise _fail(str(error), 2) from None
    console.print(
        f"{file}: valid scenario {parsed.name!r}: {len(parsed.raids)} raids, "
        f"{len(parsed.sensors)} sensor entries, {len(parsed.civil_traffic)} civil flows"
    )


@app.command()
def query(
    recording: Annotated[Path, typer.Argument(help="a recording folder")],
    sql: Annotated[str, typer.Argument(help="SQL over the recording's tables (views)")],
    limit: Annotated[int, typer.Option(help="rows to show at most")] = 50,
) -> None:
    """Run SQL on a recording (tables: plots, truth, objects, sensors, ...)."""
    try:
        columns, rows = run_query(recording, sql)
    except RecordingError as error:
        raise _fail(str(error), 2) from None
    except duckdb.Error as error:
        raise _fail(f"{recording}: {error}", 2) from None
    table = Table(*columns)
    for row in rows[:limit]:
        table.add_row(*(_cell(value) for value in row))
    console.print(table)
    if len(rows) > limit:
        console.print(f"({len(rows) - limit:,} more rows; use --limit)")


def _cell(value: object) -> str:
    return f"{value:.6g}" if isinstance(value, float) else str(value)


if __name__ == "__main__":
    app()
