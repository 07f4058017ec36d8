"""A flankwatch process's settings: one BLAS thread, the same BLAS kernels on every machine
that can run them, and the allocator's, set without importing NumPy, a user's own BLAS
settings kept. Each check of the settings runs in a fresh interpreter (they are the whole
process's)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from flankwatch import allocator
from flankwatch.allocator import ENVIRON
from flankwatch.process_settings import BLAS_CORE, blas_core, cpu_flags

SHOW = """
import json, os, sys
from flankwatch.process_settings import apply_process_settings
apply_process_settings()
names = ["OPENBLAS_NUM_THREADS", "OPENBLAS_CORETYPE", *NAMES]
print(json.dumps({"numpy": "numpy" in sys.modules, **{n: os.environ.get(n) for n in names}}))
""".replace("NAMES", repr(list(ENVIRON)))


def _settings(**given: str) -> dict:
    """What :data:`SHOW` prints in a fresh interpreter with no settings but ``given``."""
    drop = {"OPENBLAS_NUM_THREADS", "OPENBLAS_CORETYPE", "GLIBC_TUNABLES", *ENVIRON}
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
    pinned = blas_core(cpu_flags())
    assert shown == {"OPENBLAS_NUM_THREADS": "1", "OPENBLAS_CORETYPE": pinned, **ENVIRON}


def test_a_users_own_blas_threads_are_kept() -> None:
    assert _settings(OPENBLAS_NUM_THREADS="3")["OPENBLAS_NUM_THREADS"] == "3"


def test_a_users_own_blas_kernels_are_kept() -> None:
    assert _settings(OPENBLAS_CORETYPE="Nehalem")["OPENBLAS_CORETYPE"] == "Nehalem"


def test_the_blas_kernels_are_pinned_only_where_the_cpu_can_run_them() -> None:
    assert blas_core(frozenset({"sse4_2", "avx", "avx2", "fma", "avx512f"})) == BLAS_CORE
    assert blas_core(frozenset({"sse4_2", "avx", "avx2"})) is None  # no FMA
    assert blas_core(frozenset({"sse4_2", "fma"})) is None  # no AVX2
    assert blas_core(frozenset()) is None


def test_the_cpu_flags_are_read_from_the_first_flags_line(tmp_path) -> None:
    info = tmp_path / "cpuinfo"
    info.write_text(
        "processor\t: 0\nmodel name\t: Some CPU\nflags\t\t: fpu sse2 avx2 fma\n\n"
        "processor\t: 1\nflags\t\t: fpu sse2\n"
    )
    flags = cpu_flags(str(info))
    if os.uname().machine not in ("x86_64", "amd64"):
        assert flags == frozenset()  # pinned only on x86-64
        return
    assert flags == {"fpu", "sse2", "avx2", "fma"}
    assert cpu_flags(str(tmp_path / "missing")) == frozenset()
    info.write_text("processor\t: 0\n")
    assert cpu_flags(str(info)) == frozenset()


CORES = """
from flankwatch.process_settings import apply_process_settings
apply_process_settings()
import numpy, scipy.linalg  # each loads its own OpenBLAS, which names its kernels
"""


@pytest.mark.skipif(blas_core(cpu_flags()) is None, reason="this CPU cannot run the kernels")
def test_numpy_and_scipy_take_the_pinned_kernels() -> None:
    env = {key: value for key, value in os.environ.items() if key != "OPENBLAS_CORETYPE"}
    done = subprocess.run(
        [sys.executable, "-c", CORES],
        capture_output=True,
        text=True,
        check=True,
        env={**env, "OPENBLAS_VERBOSE": "2"},
    )
    cores = [line for line in done.stderr.splitlines() if line.startswith("Core:")]
    assert cores == [f"Core: {BLAS_CORE}"] * 2
