"""Ctrl-C on `flankwatch serve --run`: the run ends early, its recording is marked
interrupted, and the command exits 130 as `flankwatch run` does."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from flankwatch.store.recording import read_metadata

START_TIMEOUT_S = 120.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return bool(response.status == 200)
    except OSError:
        return False


@pytest.mark.slow
def test_ctrl_c_on_a_served_run_exits_130_with_the_recording_interrupted(
    tmp_path: Path,
) -> None:
    out, port = tmp_path / "served", _free_port()
    command = [sys.executable, "-m", "flankwatch.cli", "serve", "--run", "poland-2025-09-10"]
    command += ["--out", str(out), "--speed", "600", "--host", "127.0.0.1", "--port", str(port)]
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not (out / "plots").is_dir() or not any((out / "plots").iterdir()):
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "the served run wrote no plots"
            time.sleep(0.1)
        assert _answers(f"http://127.0.0.1:{port}/api/metadata")
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
    assert process.returncode == 130, output
    assert f"{out} is marked interrupted" in output and "Traceback" not in output
    assert read_metadata(out)["status"] == "interrupted"
