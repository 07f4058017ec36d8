"""``flankwatch compare`` as a user stops it: Ctrl-C at the terminal."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest


def _ignores_sigint(pid: int) -> bool:
    """Whether process ``pid`` ignores SIGINT now (its ``SigIgn`` mask in ``/proc``)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("SigIgn:"):
            return bool(int(line.split()[1], 16) >> (signal.SIGINT - 1) & 1)
    raise AssertionError(f"no SigIgn line for process {pid}")


def _workers(group: int) -> list[int]:
    """The worker processes (started by multiprocessing) of process group ``group``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            in_group = os.getpgid(int(entry.name)) == group
            command = (entry / "cmdline").read_bytes()
        except (ProcessLookupError, PermissionError, FileNotFoundError):
            continue
        if in_group and b"spawn_main" in command:
            found.append(int(entry.name))
    return found


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc")
def test_ctrl_c_stops_a_study_cleanly_with_its_workers() -> None:
    # the built-in night runs for tens of seconds: still running when interrupted
    process = subprocess.Popen(
        [sys.executable, "-m", "flankwatch.cli", "compare", "poland-2025-09-10"]
        + ["--policy", "fighters-only", "--runs", "2", "--workers", "2", "--quiet"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a terminal gives a command
    )
    try:
        # interrupt once both workers run (ignoring SIGINT) and the command takes it again
        deadline = time.monotonic() + 120.0
        while True:
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "the local cluster did not start in 2 minutes"
            workers = _workers(process.pid)
            if len(workers) == 2 and not _ignores_sigint(process.pid):
                assert all(_ignores_sigint(pid) for pid in workers)
                break
            time.sleep(0.01)
        os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C does: every process of the group
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
    assert process.returncode == 130, err
    assert "interrupted after 0 of 2 runs; no table" in err
    assert "Traceback" not in err and "ERROR" not in err, err
    assert "threats destroyed" not in out
    deadline = time.monotonic() + 30.0
    while _group_alive(process.pid):  # no worker left behind
        assert time.monotonic() < deadline, "worker processes outlived the command"
        time.sleep(0.1)
