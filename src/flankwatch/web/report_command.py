"""``flankwatch report``: a recording's after-action view as one self-contained HTML file.

The recording is only read. The file is written under a temporary name beside
``--out`` and renamed into place, so it is whole or absent. An existing ``--out``
is refused; ``--force`` replaces it only if it is an after-action view written by
this command (a file it recognises by :data:`GENERATOR`), never another file or a
folder. The module imports only typer and the standard library at its top; the
view's modules (pyarrow, matplotlib) are imported when the command runs.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from flankwatch.cli_common import fail

GENERATOR = '<meta name="generator" content="flankwatch report">'
"""The line every after-action view carries in its head (how ``--force`` knows one)."""
HEAD_BYTES = 4096
"""How much of an existing file is read to find :data:`GENERATOR`."""


def report(
    recording: Annotated[Path, typer.Argument(help="a recording folder (only read)")],
    out: Annotated[Path, typer.Option(help="HTML file to write")],
    force: Annotated[
        bool,
        typer.Option(help="replace an after-action view already in --out (never other files)"),
    ] = False,
) -> None:
    """Write a recording's after-action view as one self-contained HTML file.

    The view has the night's timeline (each threat's detection, border crossing,
    identification, warnings, engagements and end), airport closures beside the
    public record the scenario cites, and the run's summary tables; its plots are
    embedded, and it makes no request when opened.
    """
    from flankwatch.store.recording import RecordingError, read_metadata
    from flankwatch.web.aar import render_report

    try:
        read_metadata(recording)
        _check_out(out, recording, force)
        html = render_report(recording)
    except (RecordingError, ValueError) as error:
        raise fail(str(error), 2) from None
    try:
        _write(out, html, replace=force)
    except FileExistsError:
        raise fail(f"{out}: appeared while the view was made; not replaced", 2) from None
    except OSError as error:
        raise fail(f"{out}: cannot write: {error}", 1) from None
    _say(f"after-action view of {recording} written to {out} ({len(html.encode()) / 1e3:,.0f} kB)")


def _check_out(out: Path, recording: Path, force: bool) -> None:
    """Refuse an --out inside the recording, in a missing folder, or already there
    (unless ``force`` and it is an after-action view)."""
    if out.resolve().is_relative_to(recording.resolve()):
        raise ValueError(f"{out}: lies inside the recording, which is only read; choose another")
    if not out.parent.is_dir():
        raise ValueError(f"{out}: folder {out.parent} does not exist")
    if not out.exists() and not out.is_symlink():
        return
    if out.is_dir() or out.is_symlink():
        raise ValueError(f"{out}: is a folder or a link; --out needs a file name")
    if not force:
        raise ValueError(f"{out}: exists; use --force to replace it")
    try:
        with out.open("rb") as file:
            head = file.read(HEAD_BYTES)
    except OSError:
        head = b""
    if GENERATOR.encode() not in head:
        raise ValueError(f"{out}: exists and is not an after-action view; not replaced")


def _write(out: Path, html: str, replace: bool) -> None:
    """Write ``html`` beside ``out`` and move it into place (over ``out`` only if
    ``replace``; otherwise an ``out`` made meanwhile raises FileExistsError)."""
    handle, name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    temporary = Path(name)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(html)
        umask = os.umask(0)
        os.umask(umask)
        temporary.chmod(0o666 & ~umask)  # as an ordinary new file (the temporary is private)
        if replace:
            temporary.replace(out)
        else:
            _link(temporary, out)
    finally:
        temporary.unlink(missing_ok=True)


def _link(temporary: Path, out: Path) -> None:
    """Give ``temporary`` the name ``out`` unless ``out`` exists (FileExistsError)."""
    try:
        os.link(temporary, out)
    except FileExistsError:
        raise
    except OSError:  # a file system without hard links
        if out.exists() or out.is_symlink():
            raise FileExistsError(out) from None
        temporary.replace(out)


def _say(message: str) -> None:
    from flankwatch.printing import console

    console.print(message)
