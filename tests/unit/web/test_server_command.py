"""``flankwatch serve`` on bad input: a clear message and exit code 2, never a traceback."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from flankwatch.store.recording import FORMAT
from flankwatch.web.command import TOKEN_ENV, serve

app = typer.Typer()
app.command()(serve)


@app.command()
def other() -> None:
    """A second command, so that ``serve`` is named on the command line as in flankwatch."""


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield int(listener.getsockname()[1])


def invoke(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["serve", *args], env=env or {TOKEN_ENV: ""})
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result.exit_code, result.output


def test_a_missing_recording_is_named(tmp_path: Path) -> None:
    code, output = invoke(str(tmp_path / "nowhere"))
    assert code == 2 and "nowhere" in output and "no such recording" in output


def test_a_folder_that_is_no_recording_is_named(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello", encoding="utf-8")
    code, output = invoke(str(tmp_path))
    assert code == 2 and "not a recording" in output and "Traceback" not in output


def test_a_recording_and_a_run_together_or_neither_are_refused(tmp_path: Path) -> None:
    code, output = invoke(str(tmp_path), "--run", "poland-2025-09-10")
    assert code == 2 and "not both" in output
    code, output = invoke()
    assert code == 2 and "give a RECORDING folder to replay or --run SCENARIO to run" in output


def test_bad_ports_and_speeds_are_refused(tmp_path: Path, busy_port: int) -> None:
    # a folder that reads as a recording, so that the port is what is refused
    (tmp_path / "metadata.json").write_text(json.dumps({"format": FORMAT}), encoding="utf-8")
    for args in (["--port", "70000"], ["--port", "http"], ["--speed", "0"], ["--speed", "601"]):
        code, _ = invoke(str(tmp_path), *args)
        assert code == 2, args
    code, output = invoke(str(tmp_path), "--port", str(busy_port))
    assert code == 2 and f"--port {busy_port}" in output


def test_an_unknown_scenario_is_named(tmp_path: Path) -> None:
    code, output = invoke("--run", "no-such-night", "--out", str(tmp_path / "out"))
    assert code == 2 and "no-such-night" in output


def test_an_empty_or_unreadable_token_file_is_refused(tmp_path: Path) -> None:
    empty = tmp_path / "token"
    empty.write_text("  \n", encoding="utf-8")
    code, output = invoke(str(tmp_path), "--operator-token-file", str(empty))
    assert code == 2 and "holds no token" in output
    code, output = invoke(str(tmp_path), "--operator-token-file", str(tmp_path / "missing"))
    assert code == 2 and "cannot be read" in output


def test_the_token_never_appears_in_what_is_printed(tmp_path: Path) -> None:
    secret = "s3cret-token-value-never-shown"
    code, output = invoke(str(tmp_path / "nowhere"), env={TOKEN_ENV: secret})
    assert code == 2 and secret not in output


@pytest.mark.parametrize(
    ("metadata", "message"),
    [
        ({"batch_s": 0}, "batch_s must be a finite number of seconds above 0, not 0"),
        (
            {"status": "complete", "contents": {"tables": {"plots": "growing"}, "files": []}},
            "the recording is damaged: metadata.json lists table(s) plots, whose files are missing",
        ),
    ],
)
def test_a_damaged_recording_is_refused_before_serving(
    tmp_path: Path, metadata: dict[str, object], message: str
) -> None:
    # each was served as a night with nothing in it (or with windows of 0 s)
    (tmp_path / "metadata.json").write_text(
        json.dumps({"format": FORMAT, **metadata}), encoding="utf-8"
    )
    code, output = invoke(str(tmp_path))
    assert code == 2 and message in " ".join(output.split()) and "Traceback" not in output
