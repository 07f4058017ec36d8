"""The ``flankwatch live`` command: live feeds through the standard stages, recorded.

Without ``--deployment`` the run defends the Polish border as the built-in scenario
``poland-2025-09-10`` does (its origin, airports, assets and defences; the filed plans
of its simulated civil flights are left out) and says so. Socket inputs run until
``--duration`` seconds have passed or Ctrl-C is pressed (the recording is then
completed); file inputs run to their end. The recording is the one a simulated run
writes, without truth; the run ends with its summary and each input's counts.
The module imports only typer and the standard library at its top (the command line
starts fast); the feeds' and the run's modules are imported when the command runs.
"""

from __future__ import annotations

import logging
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Annotated

import typer

from flankwatch.cli_common import asterix_codes, fail, number_within

if TYPE_CHECKING:
    from rich.table import Table

    from flankwatch.deployment import Deployment
    from flankwatch.live.source import InputStats, LiveSource

DEFAULT_SCENARIO = "poland-2025-09-10"
"""The built-in scenario whose deployment a live run defends when given none."""
STATUS_EVERY_S = 10.0
"""How often a running live feed reports its counts, s of data."""


def default_deployment() -> Deployment:
    """The deployment of the built-in scenario :data:`DEFAULT_SCENARIO`, without the
    filed plans of its simulated civil flights (live traffic flies other ones)."""
    from flankwatch.deployment import Deployment
    from flankwatch.scenario.loader import load_scenario

    scenario, _ = load_scenario(DEFAULT_SCENARIO)
    return Deployment.from_scenario(scenario).model_copy(update={"flight_plans": []})


def live(
    input: Annotated[
        list[str],
        typer.Option(
            "--input",
            metavar="FORMAT@URL",
            help="a feed, repeatable: formats sbs, beast, avr, readsb-json, asterix; URLs "
            "tcp://HOST:PORT, udp://ADDRESS:PORT, file://PATH (a dump or a pcap capture); "
            "optional ?lat=..&lon=.. (receiver position), sigma_m, name",
        ),
    ],
    deployment: Annotated[
        Path | None,
        typer.Option(help=f"deployment file (YAML) [default: that of {DEFAULT_SCENARIO}]"),
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="recording folder [default: runs/live-<UTC start>]")
    ] = None,
    duration: Annotated[
        float | None,
        typer.Option(
            callback=number_within(0.001, unit="s"), help="stop after DURATION seconds of data"
        ),
    ] = None,
    batch_s: Annotated[
        float,
        typer.Option(
            "--batch-s",
            callback=number_within(0.05, 60.0, unit="s"),
            help="window length, 0.05 to 60 s: tracks leave at each window's end "
            "(shorter: less latency)",
        ),
    ] = 1.0,
    cot: Annotated[
        str | None,
        typer.Option(help="stream Cursor on Target to tcp://HOST:PORT or udp://GROUP:PORT"),
    ] = None,
    asterix_out: Annotated[
        str | None, typer.Option(help="send tracks as ASTERIX CAT062 to udp://HOST:PORT")
    ] = None,
    asterix_sac: Annotated[
        int | None,
        typer.Option(min=0, max=255, help="SAC of the CAT062 records sent [default: 0]"),
    ] = None,
    asterix_sic: Annotated[
        int | None,
        typer.Option(min=0, max=255, help="SIC of the CAT062 records sent [default: 1]"),
    ] = None,
    quiet: Annotated[bool, typer.Option(help="only warnings while running")] = False,
) -> None:
    """Track, assess and alert on live ADS-B and ASTERIX feeds (sockets or files); record
    it all."""
    from flankwatch.deployment import load_deployment
    from flankwatch.live.inputs import parse_input
    from flankwatch.live.source import LiveSource
    from flankwatch.pipeline import RunOptions, execute
    from flankwatch.printing import console, print_summary
    from flankwatch.store.recording import RecordingError
    from flankwatch.yamlfile import YamlFileError

    try:
        sac, sic = asterix_codes(asterix_out, asterix_sac, asterix_sic)
        specs = [parse_input(text) for text in input]
        if out is not None:
            check_out(out)
        if deployment is not None:
            defended = load_deployment(deployment)
        else:
            defended = default_deployment()
            console.print(
                f"no --deployment: defending the Polish border as the built-in scenario "
                f"{DEFAULT_SCENARIO} does (its origin, airports, assets and defences; "
                "its simulated flights' plans left out)"
            )
        source = LiveSource(specs, defended, batch_s=batch_s, duration_s=duration)
    except (YamlFileError, ValueError) as error:
        raise fail(str(error), 2) from None
    with source, _logging(quiet), _stopped_by_interrupt(source):
        start = source.info.deployment.start
        folder = out or Path("runs") / f"live-{start.strftime('%Y%m%dT%H%M%SZ')}"
        if not source.realtime:
            console.print(f"files start at {start.isoformat()}")
        started = time.perf_counter()
        try:
            summary = execute(
                source,
                folder,
                RunOptions(
                    cot_url=cot,
                    asterix_url=asterix_out,
                    asterix_sac=sac,
                    asterix_sic=sic,
                ),
                progress=None if quiet else _status(source),
                metadata={"live_inputs": [spec.text for spec in specs]},
            )
        except (RecordingError, YamlFileError, ValueError) as error:
            raise fail(str(error), 2) from None
        except OSError as error:
            raise fail(str(error), 1) from None
    print_summary(summary, start, time.perf_counter() - started, folder)
    console.print(inputs_table(source.stats))


def check_out(folder: Path) -> None:
    """Refuse an ``--out`` folder a recording cannot be written into, before any input is
    opened: exit 2 with a message naming ``--out``, the folder and why. A folder that
    does not exist yet is made and removed again, to know that it can be made."""
    from flankwatch.store.recording import RecordingError, check_out_folder

    try:
        check_out_folder(folder, force=False)
    except RecordingError as error:
        raise fail(f"--out: {error}", 2) from None
    missing = []
    ancestor = folder.absolute()
    while not ancestor.exists():
        missing.append(ancestor)
        ancestor = ancestor.parent
    made: list[Path] = []
    try:
        for path in reversed(missing):
            path.mkdir()
            made.append(path)
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise fail(f"--out: {folder}: cannot be made: {reason} ({error.filename})", 2) from None
    finally:
        for path in reversed(made):
            with suppress(OSError):  # one something was put in meanwhile stays
                path.rmdir()


def inputs_table(stats: list[InputStats]) -> Table:
    """Each input's counts: bytes, reports, plots, skips by kind, connections, staleness."""
    from rich.table import Table
    from rich.text import Text

    table = Table("bytes", "reports", "plots", "skipped", "connects", "drops", "stale")
    table.add_column("input", overflow="fold")
    for row in stats:
        skipped = ", ".join(f"{kind} {n:,}" for kind, n in sorted(row.skips.items())) or "none"
        table.add_row(
            f"{row.bytes:,}",
            f"{row.reports:,}",
            f"{row.plots:,}",
            Text(skipped),
            str(row.connects),
            str(row.drops),
            str(row.stale_periods),
            Text(row.spec),
        )
    return table


def _status(source: LiveSource) -> Callable[[float], None]:
    """A progress callback printing the inputs' counts every :data:`STATUS_EVERY_S`."""
    from rich.text import Text

    from flankwatch.printing import errors

    next_s = STATUS_EVERY_S

    def report(t_s: float) -> None:
        nonlocal next_s
        if t_s < next_s:
            return
        next_s = (t_s // STATUS_EVERY_S + 1) * STATUS_EVERY_S
        counts = "; ".join(
            f"{k}: {s.plots:,} plots, {s.skips.total():,} skipped{' (stale)' if s.stale else ''}"
            for k, s in enumerate(source.stats)
        )
        clock = datetime.now(UTC).strftime("%H:%M:%S")
        errors.print(Text(f"{clock} t={t_s:,.0f} s: {counts}"))

    return report


@contextmanager
def _logging(quiet: bool) -> Iterator[None]:
    """The live feed's log lines on standard error while the run goes."""
    logger = logging.getLogger("flankwatch.live")
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    handler.setLevel(logging.WARNING if quiet else logging.INFO)
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


@contextmanager
def _stopped_by_interrupt(source: LiveSource) -> Iterator[None]:
    """The first Ctrl-C ends the run after the current window (the recording completes);
    a second one interrupts at once."""

    from flankwatch.printing import errors

    def stop(number: int, frame: FrameType | None) -> None:
        errors.print("stopping after this window (Ctrl-C again to interrupt)")
        source.stop()
        signal.signal(signal.SIGINT, previous)

    previous = signal.signal(signal.SIGINT, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
