"""The allocator keeps freed memory for the next arrays: far fewer page faults for a loop
of large arrays, its settings handed to child processes, a user's own settings kept.

Each check that changes the allocator runs in a fresh interpreter (the settings are the
whole process's)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from flankwatch import allocator
from flankwatch.allocator import ENVIRON, keep_freed_memory, user_settings

glibc_only = pytest.mark.skipif(not allocator._glibc(), reason="the allocator settings are glibc's")

LOOP = """
import json, os, resource, subprocess, sys
import numpy as np
from flankwatch.allocator import keep_freed_memory
applied = keep_freed_memory() if sys.argv[1] == "keep" else False
np.ones(1_500_000)  # a first array of 12 MB, made and freed
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(20):  # three arrays of 12 MB at a time, as a tracker step makes them
    arrays = [np.ones(1_500_000) for _ in range(3)]
    del arrays
faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before
show = "import json, os; print(json.dumps({n: os.environ.get(n) for n in NAMES}))"
child = json.loads(subprocess.run([sys.executable, "-c", show], capture_output=True,
                                  text=True, check=True).stdout)
print(json.dumps({"applied": applied, "faults": faults, "child": child}))
""".replace("NAMES", repr(list(ENVIRON)))


def _loop(mode: str) -> dict:
    """Run :data:`LOOP` in a fresh interpreter with no allocator settings of its own."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in ENVIRON and name != "GLIBC_TUNABLES"
    }
    done = subprocess.run(
        [sys.executable, "-c", LOOP, mode],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        env=env,
    )
    result: dict = json.loads(done.stdout)
    return result


@glibc_only
def test_kept_memory_spares_the_page_faults_of_each_large_array() -> None:
    plain, kept = _loop("plain"), _loop("keep")
    assert not plain["applied"] and kept["applied"]
    # 20 rounds of three arrays of 12 MB (2,900 pages each): without, glibc gives the
    # memory back after each round and faults most of it in again in the next
    # (15,000 to 25,000 faults here); with, it keeps the memory (750 to 1,300)
    assert plain["faults"] > 10_000
    assert kept["faults"] < plain["faults"] / 5


@glibc_only
def test_the_processes_it_starts_get_the_same_settings() -> None:
    assert _loop("keep")["child"] == ENVIRON
    assert _loop("plain")["child"] == {name: None for name in ENVIRON}


@pytest.mark.parametrize(
    ("name", "value"),
    [("MALLOC_TRIM_THRESHOLD_", "131072"), ("GLIBC_TUNABLES", "glibc.malloc.trim_threshold=1")],
)
def test_a_users_own_settings_are_left_alone(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    for known in ENVIRON:
        monkeypatch.delenv(known, raising=False)
    monkeypatch.setenv(name, value)
    assert user_settings()
    assert keep_freed_memory() is False
    assert os.environ[name] == value
    assert not any(known in os.environ for known in ENVIRON if known != name)


def test_settings_it_set_itself_are_not_taken_for_a_users(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GLIBC_TUNABLES", raising=False)
    for name, value in ENVIRON.items():
        monkeypatch.setenv(name, value)
    assert not user_settings()


def test_nothing_is_changed_where_the_c_library_is_not_glibc(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for known in (*ENVIRON, "GLIBC_TUNABLES"):
        monkeypatch.delenv(known, raising=False)
    monkeypatch.setattr(allocator, "_glibc", lambda: False)
    assert keep_freed_memory() is False
    assert not any(known in os.environ for known in ENVIRON)
