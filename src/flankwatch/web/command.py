"""The ``flankwatch serve`` command: the web picture of a recording or of a running scenario.

Only typer and the standard library are imported here; the server's modules are
imported when the command runs, so that ``flankwatch --help`` starts fast.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from flankwatch.cli_common import fail, number_within
from flankwatch.scenario.limits import MAX_SEED

if TYPE_CHECKING:
    from flankwatch.web.served import Served

TOKEN_ENV = "FLANKWATCH_OPERATOR_TOKEN"
"""Environment variable that may hold the operator token."""
MIN_TOKEN_CHARS = 16
"""Shorter operator tokens are accepted with a warning."""
DEFAULT_PORT = 8750
LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
"""The names a server on the loopback answers to (its Host header, without the port)."""


def serve(
    recording: Annotated[
        Path | None, typer.Argument(help="a recording folder to replay (or give --run)")
    ] = None,
    run: Annotated[
        str | None,
        typer.Option(help="run this scenario (a built-in name or a file) and serve it live"),
    ] = None,
    host: Annotated[
        str, typer.Option(help="address to listen on (default: this machine only)")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="port to listen on")] = DEFAULT_PORT,
    speed: Annotated[
        float,
        typer.Option(callback=number_within(1.0, 600.0), help="times real time, 1 to 600"),
    ] = 60.0,
    seed: Annotated[
        int | None, typer.Option(min=0, max=MAX_SEED, help="with --run: overrides the seed")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(help="with --run: recording folder [default: runs/<scenario>-<seed>]"),
    ] = None,
    force: Annotated[
        bool, typer.Option(help="with --run: replace a recording already in --out")
    ] = False,
    operator_token_file: Annotated[
        Path | None,
        typer.Option(
            help=f"file holding the operator token (or set {TOKEN_ENV}); without one the "
            "page is read-only"
        ),
    ] = None,
) -> None:
    """Serve the common operating picture in the browser: replay a recording, or run a
    scenario (--run) live with operator decisions."""
    from flankwatch.printing import console

    if recording is None and run is None:
        raise fail("give a RECORDING folder to replay or --run SCENARIO to run")
    if recording is not None and run is not None:
        raise fail("give either a RECORDING folder to replay or --run SCENARIO, not both")
    if recording is not None and (seed is not None or out is not None or force):
        raise fail("--seed, --out and --force go with --run, not with a recording")
    token = _token(operator_token_file)
    if recording is not None:
        _check_recording(recording)
    _check_port(host, port)
    served = _served(recording, run, speed, seed, out, force, token)

    import uvicorn

    from flankwatch.web.app import create_app
    from flankwatch.web.live import STOPPED_EARLY

    url_host = f"[{host}]" if ":" in host else host
    console.print(
        f"serving {served.name} ({served.mode}) at http://{url_host}:{port}/ "
        f"{'with' if served.operator else 'without'} operator decisions; Ctrl-C stops"
    )
    if not _is_loopback(host):
        console.print(f"warning: {host} is reachable from other machines")
    hosts = LOOPBACK_HOSTS if _is_loopback(host) else None
    app = create_app(served, allowed_hosts=hosts)
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
    if served.run is not None and served.run.error == STOPPED_EARLY:
        console.print(
            f"the run stopped before its end; {served.recording} is marked interrupted",
            soft_wrap=True,
        )
        raise typer.Exit(130)


def _served(
    recording: Path | None,
    run: str | None,
    speed: float,
    seed: int | None,
    out: Path | None,
    force: bool,
    token: str | None,
) -> Served:
    """What to serve, or exit 2 naming what is wrong."""
    from flankwatch.pipeline import RunOptions
    from flankwatch.scenario.loader import ScenarioError, load_scenario, with_changes
    from flankwatch.store.recording import RecordingError
    from flankwatch.web.served import serve_recording, serve_run
    from flankwatch.yamlfile import YamlFileError

    try:
        if recording is not None:
            return serve_recording(recording, speed, token)
        scenario, text = load_scenario(str(run))
        if seed is not None:
            scenario = with_changes(scenario, str(run), seed=seed)
        folder = out or Path("runs") / f"{scenario.name}-{scenario.seed}"
        return serve_run(scenario, text, folder, speed, token, RunOptions(force=force))
    except (ScenarioError, RecordingError, YamlFileError, ValueError) as error:
        raise fail(str(error)) from None


def _check_recording(folder: Path) -> None:
    """Exit 2 unless ``folder`` holds a recording (its metadata; the tables are read later)."""
    from flankwatch.store.reading import check_tables_present
    from flankwatch.store.recording import RecordingError

    if not folder.is_dir():
        raise fail(f"{folder}: no such recording folder")
    try:
        check_tables_present(folder)
    except RecordingError as error:
        raise fail(str(error)) from None


def _token(path: Path | None) -> str | None:
    """The operator token from ``path`` or the environment (None: read-only)."""
    from flankwatch.printing import console

    if path is not None:
        try:
            token = path.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as error:
            raise fail(f"--operator-token-file {path}: cannot be read ({error})") from None
        if not token:
            raise fail(f"--operator-token-file {path}: holds no token")
    else:
        token = os.environ.get(TOKEN_ENV, "").strip()
        if not token:
            return None
    if not token.isprintable() or any(c.isspace() for c in token):
        raise fail("the operator token must be one word of printable characters")
    if len(token) < MIN_TOKEN_CHARS:
        console.print(f"warning: the operator token is shorter than {MIN_TOKEN_CHARS} characters")
    return token


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_port(host: str, port: int) -> None:
    """Exit 2 if ``host:port`` cannot be listened on (a bad address, a port in use)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise fail(f"--host {host}: not an address to listen on ({error})") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as error:
            raise fail(
                f"--port {port}: cannot listen on {host}:{port} ({error.strerror})"
            ) from None
