"""The ``flankwatch`` command.

Exit codes: 0 success, 1 a failure while running, 2 bad input (a scenario,
a file or an argument that is wrong).
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated

import duckdb
import numpy as np
import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from flankwatch.io.plot_files import PlotFileError, track_file
from flankwatch.pipeline import RunOptions, RunSummary, run_scenario
from flankwatch.report import ThreatRecord
from flankwatch.scenario.loader import ScenarioError, builtin_names, load_scenario
from flankwatch.store.query import QueryError
from flankwatch.store.query import query as run_query
from flankwatch.store.recording import RecordingError
from flankwatch.track.settings import settings_from_assignments
from flankwatch.yamlfile import YamlFileError

DEFAULT_SCENARIO = "poland-2025-09-10"

app = typer.Typer(
    help="flankwatch: air defence of a border airspace, from sensors to alerts.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)
# Messages and table cells carry names, paths and values from the user's files: they are
# printed as they are, never read as console markup.
console = Console(markup=False, emoji=False, highlight=False)
errors = Console(stderr=True, markup=False, emoji=False, highlight=False)


def _fail(message: str, code: int) -> typer.Exit:
    errors.print(Text.assemble(("error:", "bold red"), " ", message), soft_wrap=True)
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
    cot: Annotated[
        str | None,
        typer.Option(help="stream Cursor on Target to tcp://HOST:PORT or udp://GROUP:PORT"),
    ] = None,
    identity_rules: Annotated[
        Path | None, typer.Option(help="identity rules file (YAML) replacing the defaults")
    ] = None,
    alert_rules: Annotated[
        Path | None, typer.Option(help="alert rules file (YAML) laid over the defaults")
    ] = None,
    quiet: Annotated[bool, typer.Option(help="no progress bar")] = False,
) -> None:
    """Simulate a scenario: sensors, tracks, identities, violations, alerts; record it all."""
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
        TextColumn("{task.description}", style="bold", markup=False),
        BarColumn(),
        TextColumn("{task.completed:,.0f}/{task.total:,.0f} s simulated"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        disable=quiet,
    ) as bar:
        task = bar.add_task(parsed.name, total=parsed.duration_s)
        options = RunOptions(identity_rules=identity_rules, alert_rules=alert_rules, cot_url=cot)
        try:
            summary = run_scenario(
                parsed,
                text,
                folder,
                progress=lambda t_s: bar.update(task, completed=t_s),
                options=options,
            )
        except (RecordingError, YamlFileError, ValueError) as error:
            raise _fail(str(error), 2) from None
    _print_summary(summary, parsed.start, time.perf_counter() - started, folder)


def _print_summary(summary: RunSummary, start: datetime, wall_s: float, folder: Path) -> None:
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
    _print_threats(summary.threats, start)
    _print_closures(summary, start)
    console.print(
        f"alerts: {summary.alerts_issued} issued, {summary.cap_messages} CAP messages; "
        f"civil aircraft marked suspect or hostile: {summary.civil_misidentified}"
    )
    if summary.cot is not None:
        stats = summary.cot
        console.print(
            f"CoT: {stats.sent:,} events sent, {stats.dropped:,} dropped, "
            f"{stats.reconnects} reconnects"
            + (f"; last error: {stats.last_error}" if stats.last_error else "")
        )
    plots = ", ".join(f"{kind} {n:,}" for kind, n in summary.plots.items())
    factor = summary.simulated_s / wall_s if wall_s > 0 else float("inf")
    console.print(f"plots: {plots} ({summary.false_plots:,} false)")
    console.print(
        f"simulated {summary.simulated_s / 3600:.2f} h in {wall_s:.1f} s "
        f"({factor:,.0f}x real time); recording: {folder}"
    )


MAX_THREAT_ROWS = 40
"""Above this many threats the summary groups them by category and origin."""


def _clock(start: datetime, t_s: float | None) -> str:
    return "-" if t_s is None else (start + timedelta(seconds=t_s)).strftime("%H:%M:%S")


def _minutes(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds / 60:+.1f} min"


def _print_threats(threats: list[ThreatRecord], start: datetime) -> None:
    """Per threat (or per category and origin when many): detection, warning, border, alerts."""
    if len(threats) <= MAX_THREAT_ROWS:
        table = Table(title="threats (UTC)", title_justify="left")
        for column in (
            "threat",
            "origin",
            "detected",
            "warned",
            "crossed border",
            "warning lead",
            "alerts",
        ):
            table.add_column(column)
        for threat in threats:
            table.add_row(
                threat.name,
                threat.origin,
                _clock(start, threat.detected_s),
                _clock(start, threat.warned_s),
                _clock(start, threat.crossed_s),
                _minutes(threat.lead_time_s),
                str(threat.alerts),
            )
        console.print(table)
        return
    table = Table(title="threats by category and origin", title_justify="left")
    for column in (
        "category",
        "origin",
        "threats",
        "detected",
        "warned",
        "crossed border",
        "median warning lead",
        "alerts",
    ):
        table.add_column(column)
    groups: dict[tuple[str, str], list[ThreatRecord]] = {}
    for threat in threats:
        groups.setdefault((threat.category, threat.origin), []).append(threat)
    for (category, origin), members in sorted(groups.items()):
        leads = [t.lead_time_s for t in members if t.lead_time_s is not None]
        table.add_row(
            category,
            origin,
            str(len(members)),
            str(sum(t.detected_s is not None for t in members)),
            str(sum(t.warned_s is not None for t in members)),
            str(sum(t.crossed_s is not None for t in members)),
            _minutes(float(np.median(leads)) if leads else None),
            str(sum(t.alerts for t in members)),
        )
    console.print(table)


def _print_closures(summary: RunSummary, start: datetime) -> None:
    if not summary.closures:
        console.print("airports: none closed")
        return
    table = Table(title="airport closures (UTC)", title_justify="left")
    for column in ("airport", "closed", "reopened", "closed for"):
        table.add_column(column)
    for closure in summary.closures:
        end = closure.reopened_s if closure.reopened_s is not None else summary.simulated_s
        table.add_row(
            closure.icao,
            _clock(start, closure.closed_s),
            _clock(start, closure.reopened_s),
            f"{(end - closure.closed_s) / 60:.0f} min"
            + ("" if closure.reopened_s is not None else " (still closed)"),
        )
    console.print(table)


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
        settings = settings_from_assignments(setting or [])
        summary = track_file(plots, out, sensors, settings, batch_s, include_tentative)
    except (PlotFileError, ValueError) as error:
        raise _fail(str(error), 2) from None
    except OSError as error:
        raise _fail(str(error), 1) from None
    console.print(
        f"{summary.n_plots:,} plots in {summary.n_batches:,} steps -> "
        f"{summary.n_confirmed_tracks:,} confirmed tracks, {summary.n_rows:,} rows in {out} "
        f"({'2-D' if summary.planar else '3-D'}, {summary.elapsed_s:.1f} s)"
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
    except (RecordingError, QueryError) as error:
        raise _fail(str(error), 2) from None
    except duckdb.Error as error:
        raise _fail(f"{recording}: {error}", 2) from None
    except OSError as error:
        raise _fail(str(error), 1) from None
    table = Table()
    for column in columns:
        table.add_column(Text(column), overflow="fold")
    for row in rows[:limit]:
        table.add_row(*(Text(_cell(value)) for value in row))
    console.print(table)
    if len(rows) > limit:
        console.print(f"({len(rows) - limit:,} more rows; use --limit)")


def _cell(value: object) -> str:
    return f"{value:.6g}" if isinstance(value, float) else str(value)


if __name__ == "__main__":
    app()
