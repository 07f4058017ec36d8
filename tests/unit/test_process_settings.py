"""A flankwatch process's settings: one BLAS thread and the allocator's, set without
importing NumPy, a user's own BLAS setting kept. Each check runs in a fresh interpreter
(the settings are the whole process's)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from flankwatch import allocator
from flankwatch.allocator import ENVIRON

SHOW = """
import json, os, sys
from flankwatch.process_settings import apply_process_settings
apply_process_settings()
names = ["OPENBLAS_NUM_THREADS", *NAMES]
print(json.dumps({"numpy": "numpy" in sys.modules, **{n: os.environ.get(n) for n in names}}))
""".replace("NAMES", repr(list(ENVIRON)))


def _settings(**given: str) -> dict:
    """What :data:`SHOW` prints in a fresh interpreter with no settings but ``given``."""
    drop = {"OPENBLAS_NUM_THREADS", "GLIBC_TUNABLES", *ENVIRON}
    env = {key: value for key, value in os.environ.items() if key not in drop}
    done = subprocess.run(
        [sys.executable, "-c", SHOW],
        capture_output=True,
        text=True,
        check=True,
        env={**env, **given},
    )
    return json.loads(done.stdout)


@pytest.mark.skipif(not allocator._glibc(), reason="the allocator settings are glibc's")
def test_one_blas_thread_and_the_allocator_settings_without_numpy() -> None:
    shown = _settings()
    assert shown.pop("numpy") is False  # set before NumPy could read them
    assert shown == {"OPENBLAS_NUM_THREADS": "1", **ENVIRON}


def test_a_users_own_blas_threads_are_kept() -> None:
    assert _settings(OPENBLAS_NUM_THREADS="3")["OPENBLAS_NUM_THREADS"] == "3"
