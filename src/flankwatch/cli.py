"""The ``flankwatch`` command.

Exit codes: 0 success, 1 a failure while running, 2 bad input (a scenario,
a file or an argument that is wrong).
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Annotated

import duckdb
import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from flankwatch.io.plot_files import PlotFileError, track_file
from flankwatch.pipeline import RunSummary, run_scenario
from flankwatch.scenario.loader import ScenarioError, builtin_names, load_scenario
from flankwatch.store.query import query as run_query
from flankwatch.store.recording import RecordingError
from flankwatch.track.settings import TrackerSettings

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
    score = summary.tracking
    confirm = score.median_time_to_confirm_s
    console.print(
        f"tracking: GOSPA {score.gospa_mean_m:.0f} m mean (c = 1 km; localisation "
        f"{score.localisation_share:.0%}, missed {score.missed_share:.0%}, false "
        f"{score.false_share:.0%}); {score.targets} targets, {score.tracks} tracks, "
        f"peak {summary.peak_confirmed_tracks} confirmed; {score.id_switches} track-number "
        f"changes, {score.fragmentations} fragmentations; median time to confirm "
        + ("-" if confirm is None else f"{confirm:.0f} s")
        + f"; {score.false_tracks} false tracks ({score.false_tracks_per_hour:.1f}/h)"
    )
    plots = ", ".join(f"{kind} {n:,}" for kind, n in summary.plots.items())
    factor = summary.simulated_s / wall_s if wall_s > 0 else float("inf")
    console.print(f"plots: {plots} ({summary.false_plots:,} false)")
    console.print(
        f"simulated {summary.simulated_s / 3600:.2f} h in {wall_s:.1f} s "
        f"({factor:,.0f}x real time); recording: {folder}"
    )


@app.command()
def track(
    plots: Annotated[Path, typer.Argument(help="plots file: Parquet or CSV (see the README)")],
    out: Annotated[Path, typer.Option(help="tracks file to write: .parquet or .csv")],
    sensors: Annotated[
        Path | None, typer.Option(help="sensors file (sensor_id, x_m, y_m, z_m) for polar plots")
    ] = None,
    batch_s: Annotated[float, typer.Option(min=0.001, help="plots per tracker step, s")] = 1.0,
    include_tentative: Annotated[bool, typer.Option(help="also write tentative tracks")] = False,
    setting: Annotated[
        list[str] | None,
        typer.Option(
            "--set", help="a tracker setting, NAME=VALUE (repeatable; see the README's table)"
        ),
    ] = None,
) -> None:
    """Track the plots of a file and write the tracks."""
    try:
        settings = _tracker_settings(setting or [])
        summary = track_file(plots, out, sensors, settings, batch_s, include_tentative)
    except (PlotFileError, ValueError) as error:
        raise _fail(str(error), 2) from None
    console.print(
        f"{summary.n_plots:,} plots in {summary.n_batches:,} steps -> "
        f"{summary.n_confirmed_tracks:,} confirmed tracks, {summary.n_rows:,} rows in {out} "
        f"({'2-D' if summary.planar else '3-D'}, {summary.elapsed_s:.1f} s)"
    )


def _tracker_settings(assignments: list[str]) -> TrackerSettings:
    """Tracker settings from ``NAME=VALUE`` strings, each converted to its field's type."""
    defaults = TrackerSettings()
    changes: dict[str, object] = {}
    for assignment in assignments:
        name, sep, text = assignment.partition("=")
        if not sep or not hasattr(defaults, name):
            raise ValueError(f"--set {assignment!r}: expected NAME=VALUE with a tracker setting")
        kind = type(getattr(defaults, name))
        try:
            changes[name] = (text.lower() in ("1", "true", "yes")) if kind is bool else kind(text)
        except ValueError:
            raise ValueError(f"--set {assignment!r}: {text!r} is not a {kind.__name__}") from None
    return dataclasses.replace(defaults, **changes)


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
