"""The ``flankwatch`` command.

Exit codes: 0 success, 1 a failure while running, 2 bad input (a scenario,
a file or an argument that is wrong).

Start-up stays light: this module imports only typer and the standard library,
and each command imports what it works with (NumPy, pyarrow, pydantic, ...) when
it runs. Commands defined in other modules are listed in :data:`LAZY_COMMANDS`
and imported only when they are invoked or asked for their own help.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup

from flankwatch.cli_common import asterix_codes, counted, fail, number_within, shown
from flankwatch.process_settings import apply_process_settings
from flankwatch.scenario.limits import MAX_SEED

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

# One BLAS thread and freed memory kept for the next arrays, before NumPy is first imported
# (see flankwatch/process_settings.py); inherited by the processes a run starts.
apply_process_settings()

DEFAULT_SCENARIO = "poland-2025-09-10"


@dataclass(frozen=True)
class LazyCommand:
    """A command defined in ``module`` as function ``function``, imported when used.

    ``help`` is the first paragraph of the function's docstring, shown in
    ``flankwatch --help`` without importing the module (a test keeps it equal).
    """

    module: str
    function: str
    help: str

    def load(self, name: str) -> TyperCommand:
        """The command itself: its module imported, its options read from the function."""
        callback = getattr(importlib.import_module(self.module), self.function)
        single = typer.Typer(add_completion=False, rich_markup_mode=None)
        single.command(name=name)(callback)
        command = typer.main.get_command(single)
        assert isinstance(command, TyperCommand)
        return command


LAZY_COMMANDS: dict[str, LazyCommand] = {
    "live": LazyCommand(
        "flankwatch.live.command",
        "live",
        "Track, assess and alert on live ADS-B and ASTERIX feeds (sockets or files); record "
        "it all.",
    ),
    "compare": LazyCommand(
        "flankwatch.study.command",
        "compare",
        "Compare response policies on a scenario: medians and 90 % intervals over seeds.",
    ),
    "wta": LazyCommand(
        "flankwatch.respond.wta.command",
        "wta",
        "Assign weapons to targets for an instance file; print the objective, write the uses.",
    ),
    "query": LazyCommand(
        "flankwatch.store.command",
        "query",
        "Run SQL on a recording (tables: plots, truth, objects, sensors, ...).",
    ),
    "report": LazyCommand(
        "flankwatch.web.report_command",
        "report",
        "Write a recording's after-action view as one self-contained HTML file.",
    ),
    "serve": LazyCommand(
        "flankwatch.web.command",
        "serve",
        "Serve the common operating picture in the browser: replay a recording, or run a "
        "scenario (--run) live with operator decisions.",
    ),
}
"""Commands defined outside this module: name -> where it is and its one-line help."""


class Commands(TyperGroup):
    """The command group: the commands of this module, and :data:`LAZY_COMMANDS` loaded
    on first use (listing them in the help imports nothing)."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.lazy = dict(LAZY_COMMANDS)
        for name, lazy in self.lazy.items():
            self.commands.setdefault(name, TyperCommand(name=name, help=lazy.help))

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        """The command ``cmd_name``, its module imported first if it is a lazy one."""
        lazy = self.lazy.pop(cmd_name, None)
        if lazy is not None:
            self.commands[cmd_name] = lazy.load(cmd_name)
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        """The commands section of the help, from the stand-ins of commands not loaded."""
        rows = [(name, command) for name, command in self.commands.items() if not command.hidden]
        if not rows:
            return
        limit = formatter.width - 6 - max(len(name) for name, _ in rows)
        with formatter.section("Commands"):
            formatter.write_dl([(name, cmd.get_short_help_str(limit)) for name, cmd in rows])


app = typer.Typer(
    cls=Commands,
    help="flankwatch: air defence of a border airspace, from sensors to alerts.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)


def _print_version(asked: bool) -> None:
    """Print the installed version and exit, when ``--version`` is given."""
    if asked:
        from importlib.metadata import version

        typer.echo(f"flankwatch {version('flankwatch')}")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="print the version and exit"
        ),
    ] = False,
) -> None:
    """The options of ``flankwatch`` itself (its help is the app's)."""


def _interrupted(bar: Progress, total_s: float, folder: Path) -> typer.Exit:
    """Exit 130 after Ctrl-C, saying how far the run got (``bar``'s only task) and where
    the recording of that part is."""
    from flankwatch.printing import errors

    reached = f"{bar.tasks[0].completed:,.0f} s" + (f" of {total_s:,.0f} s" if total_s else "")
    errors.print(
        f"interrupted at {reached}; {folder} holds the recording up to there (status: interrupted)",
        soft_wrap=True,
    )
    return typer.Exit(130)


def _process_errors() -> tuple[type[Exception], ...]:
    """Errors of a run's second process (it died, or failed): exit code 1."""
    from flankwatch.sink_process import SinkProcessError
    from flankwatch.tracking_process import TrackingProcessError

    return (SinkProcessError, TrackingProcessError)


def _input_errors() -> tuple[type[Exception], ...]:
    """Errors that mean bad input (exit code 2)."""
    from flankwatch.store.recording import RecordingError
    from flankwatch.yamlfile import YamlFileError

    return (RecordingError, YamlFileError, ValueError)


IdentityRulesOption = Annotated[
    Path | None, typer.Option(help="identity rules file (YAML) replacing the defaults")
]
AlertRulesOption = Annotated[
    Path | None, typer.Option(help="alert rules file (YAML) laid over the defaults")
]
SettingOption = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        metavar="NAME=VALUE",
        help="a tracker setting (repeatable; see the README's table)",
    ),
]
ForceOption = Annotated[
    bool, typer.Option(help="replace the recording already in --out (never other files)")
]
QuietOption = Annotated[bool, typer.Option(help="no progress bar")]
PolicyOption = Annotated[
    str | None,
    typer.Option(
        help="response policy: a built-in name (fighters-only, layered, "
        "missiles-for-missiles) or a policy file [default: the scenario's defence policy]"
    ),
]
AsterixOutOption = Annotated[
    str | None, typer.Option(help="send tracks as ASTERIX CAT062 to udp://HOST:PORT")
]
AsterixSacOption = Annotated[
    int | None,
    typer.Option(min=0, max=255, help="SAC of the CAT062 records sent [default: 0]"),
]
AsterixSicOption = Annotated[
    int | None,
    typer.Option(min=0, max=255, help="SIC of the CAT062 records sent [default: 1]"),
]


@app.command()
def run(
    scenario: Annotated[
        str, typer.Argument(help="a built-in scenario name or a scenario file")
    ] = DEFAULT_SCENARIO,
    seed: Annotated[
        int | None, typer.Option(min=0, max=MAX_SEED, help="overrides the scenario's seed")
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="recording folder [default: runs/<scenario>-<seed>]")
    ] = None,
    duration: Annotated[
        float | None,
        typer.Option(
            callback=number_within(1.0, unit="s"),
            help="simulate only the first DURATION seconds (1 or more)",
        ),
    ] = None,
    cot: Annotated[
        str | None,
        typer.Option(
            help="stream Cursor on Target to tcp://HOST:PORT, udp://GROUP:PORT or "
            "tls://HOST:PORT?cert=PEM&key=PEM[&ca=PEM]; add ?protocol=tak for TAK protocol "
            "v1 (protobuf)"
        ),
    ] = None,
    identity_rules: IdentityRulesOption = None,
    alert_rules: AlertRulesOption = None,
    policy: PolicyOption = None,
    asterix_out: AsterixOutOption = None,
    asterix_sac: AsterixSacOption = None,
    asterix_sic: AsterixSicOption = None,
    force: ForceOption = False,
    quiet: QuietOption = False,
) -> None:
    """Simulate a scenario: sensors, tracks, identities, violations, alerts; record it all."""
    from flankwatch.interrupt import InterruptAtWindowEnd
    from flankwatch.pipeline import RunOptions, run_scenario
    from flankwatch.printing import print_summary
    from flankwatch.scenario.loader import ScenarioError, load_scenario, with_changes

    asterix_sac, asterix_sic = asterix_codes(asterix_out, asterix_sac, asterix_sic)
    try:
        parsed, text = load_scenario(scenario)
    except ScenarioError as error:
        raise fail(str(error), 2) from None
    changes: dict[str, object] = {}
    if seed is not None:
        changes["seed"] = seed
    if duration is not None:
        if duration < parsed.batch_s:
            raise fail(
                f"--duration: a run lasts at least one window ({parsed.batch_s:g} s in "
                f"{parsed.name}), not {duration:g} s"
            )
        changes["duration_s"] = min(duration, parsed.duration_s)
    try:
        parsed = with_changes(parsed, scenario, **changes)
    except ScenarioError as error:
        raise fail(str(error), 2) from None
    folder = out or Path("runs") / f"{parsed.name}-{parsed.seed}"

    options = RunOptions(
        identity_rules=identity_rules,
        alert_rules=alert_rules,
        cot_url=cot,
        force=force,
        policy=policy,
        asterix_url=asterix_out,
        asterix_sac=asterix_sac,
        asterix_sic=asterix_sic,
        tracking_process=True,
        sink_process=True,
    )
    started = time.perf_counter()
    with (
        _progress_bar(quiet, parsed.name, parsed.duration_s) as (bar, task),
        InterruptAtWindowEnd(lambda t_s: bar.update(task, completed=t_s)) as progress,
    ):
        try:
            summary = run_scenario(parsed, text, folder, progress=progress, options=options)
        except _input_errors() as error:
            raise fail(str(error), 2) from None
        except _process_errors() as error:
            raise fail(str(error), 1) from None
        except KeyboardInterrupt:
            raise _interrupted(bar, parsed.duration_s, folder) from None
    print_summary(summary, parsed.start, time.perf_counter() - started, folder)


@app.command()
def replay(
    recording: Annotated[Path, typer.Argument(help="a recording folder to replay")],
    out: Annotated[Path, typer.Option(help="folder of the new recording")],
    identity_rules: IdentityRulesOption = None,
    alert_rules: AlertRulesOption = None,
    setting: SettingOption = None,
    policy: PolicyOption = None,
    asterix_out: AsterixOutOption = None,
    asterix_sac: AsterixSacOption = None,
    asterix_sic: AsterixSicOption = None,
    force: ForceOption = False,
    quiet: QuietOption = False,
) -> None:
    """Run a recording's plots through the tracker, assessment, alerts and response again."""
    from flankwatch.interrupt import InterruptAtWindowEnd
    from flankwatch.pipeline import RunOptions
    from flankwatch.pipeline import replay as run_replay
    from flankwatch.printing import print_comparison, print_summary
    from flankwatch.store.recording import RecordingError, read_metadata, recording_start
    from flankwatch.track.settings import settings_from_assignments

    asterix_sac, asterix_sic = asterix_codes(asterix_out, asterix_sac, asterix_sic)
    try:
        options = RunOptions(
            tracker=settings_from_assignments(setting or []),
            identity_rules=identity_rules,
            alert_rules=alert_rules,
            force=force,
            policy=policy,
            asterix_url=asterix_out,
            asterix_sac=asterix_sac,
            asterix_sic=asterix_sic,
            tracking_process=True,
            sink_process=True,
        )
        original = read_metadata(recording)
        start = recording_start(original, recording)
        if _within(out, recording):
            raise RecordingError(
                f"{out}: is, or lies inside, the recording being replayed; choose another --out"
            )
    except (RecordingError, ValueError) as error:
        raise fail(str(error), 2) from None
    started = time.perf_counter()
    total_s = float(original.get("duration_s") or 0.0)
    with (
        _progress_bar(quiet, f"replay {recording.name}", total_s) as (bar, task),
        InterruptAtWindowEnd(lambda t_s: bar.update(task, completed=t_s)) as progress,
    ):
        try:
            summary = run_replay(recording, out, progress=progress, options=options)
        except _input_errors() as error:
            raise fail(str(error), 2) from None
        except _process_errors() as error:
            raise fail(str(error), 1) from None
        except KeyboardInterrupt:
            raise _interrupted(bar, total_s, out) from None
    print_summary(summary, start, time.perf_counter() - started, out)
    print_comparison(original.get("summary") or {}, summary.to_dict())


@contextmanager
def _progress_bar(
    quiet: bool, description: str, total_s: float
) -> Iterator[tuple[Progress, TaskID]]:
    """A progress bar over ``total_s`` seconds of data (hidden with ``quiet``)."""
    from rich.progress import (
        BarColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from flankwatch.printing import console

    with Progress(
        TextColumn("{task.description}", style="bold", markup=False),
        BarColumn(),
        TextColumn("{task.completed:,.0f}/{task.total:,.0f} s"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        disable=quiet,
        refresh_per_second=2,
    ) as bar:
        yield bar, bar.add_task(description, total=total_s)


def _within(path: Path, folder: Path) -> bool:
    """Whether ``path`` is ``folder`` or lies inside it (links resolved)."""
    return path.resolve().is_relative_to(folder.resolve())


@app.command()
def track(
    plots: Annotated[Path, typer.Argument(help="plots file: Parquet or CSV (see the README)")],
    out: Annotated[Path, typer.Option(help="tracks file to write: .parquet or .csv")],
    sensors: Annotated[
        Path | None, typer.Option(help="sensors file (sensor_id, x_m, y_m, z_m) for polar plots")
    ] = None,
    batch_s: Annotated[
        float,
        typer.Option(
            callback=number_within(0.001, unit="s"),
            help="plots per tracker step, s (0.001 or more)",
        ),
    ] = 1.0,
    include_tentative: Annotated[bool, typer.Option(help="also write tentative tracks")] = False,
    max_speed: Annotated[
        float | None,
        typer.Option(
            "--max-speed",
            callback=number_within(1.0, unit="m/s"),
            help="fastest target tracked, m/s, 1 or more (default 450: max_speed_mps)",
        ),
    ] = None,
    setting: SettingOption = None,
    force: Annotated[
        bool, typer.Option(help="replace a tracks file already at --out (never other files)")
    ] = False,
) -> None:
    """Track the plots of a file and write the tracks."""
    from flankwatch.io.plot_files import PlotFileError, track_file
    from flankwatch.printing import console
    from flankwatch.track.settings import settings_from_assignments

    try:
        assignments = list(setting or [])
        if any(a.partition("=")[0] == "planar" for a in assignments):
            raise ValueError(
                "--set planar: the plots file decides it (2-D without z_m or elevation_deg)"
            )
        if max_speed is not None:
            assignments.append(f"max_speed_mps={max_speed}")
        settings = settings_from_assignments(assignments)
        summary = track_file(plots, out, sensors, settings, batch_s, include_tentative, force)
    except (PlotFileError, ValueError) as error:
        raise fail(str(error), 2) from None
    except OSError as error:
        raise fail(str(error), 1) from None
    console.print(
        f"{summary.n_plots:,} plots in {summary.n_batches:,} steps -> "
        f"{summary.n_confirmed_tracks:,} confirmed tracks, {summary.n_rows:,} rows in {out} "
        f"({'2-D' if summary.planar else '3-D'}, {summary.elapsed_s:.1f} s)"
    )
    if summary.unread_columns:
        console.print(f"columns not read: {shown(', '.join(summary.unread_columns))}")


@app.command()
def scenarios() -> None:
    """List the built-in scenarios."""
    from rich.table import Table

    from flankwatch.printing import console
    from flankwatch.scenario.loader import builtin_names, load_scenario

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
    from flankwatch.printing import console
    from flankwatch.scenario.loader import ScenarioError, load_scenario

    try:
        parsed, _ = load_scenario(file)
    except ScenarioError as error:
        raise fail(str(error), 2) from None
    console.print(
        f"{file}: valid scenario {parsed.name!r}: {counted(len(parsed.raids), 'raid')}, "
        f"{counted(len(parsed.sensors), 'sensor entry', 'sensor entries')}, "
        f"{counted(len(parsed.civil_traffic), 'civil flow')}"
    )


if __name__ == "__main__":
    app()
