"""The settings a process running flankwatch's numeric work takes before NumPy is imported.

flankwatch's linear algebra runs on stacks of small matrices, which BLAS threads only
slow down (they spin waiting for work: a fifth more CPU time on the tracker's largest
benchmark), and studies already run one process per core: so one BLAS thread. And the C
allocator keeps freed memory for the next arrays (:mod:`flankwatch.allocator`).

OpenBLAS, which NumPy and SciPy load, picks its kernels for the CPU it finds, and kernels
for different CPUs round some sums differently in the last bit: enough for a run of a
scenario to branch differently (a kill drawn against a probability a hair's breadth
away), so that the same scenario and seed gave different nights on different machines.
Where the CPU can run them (AVX2 and FMA, Linux on x86-64), every process takes the same
kernels, OpenBLAS's ``Haswell`` ones (:data:`BLAS_CORE`), so that the BLAS no longer makes
a run differ from one such machine to another.

All are also set in the environment, so that the processes a run starts (its tracker and
sinks, a study's local workers) take them; a user's own settings are kept. The
``flankwatch`` command applies them as it starts, and the benchmarks do too, so that they
measure what the command runs.

Imports nothing heavy (no NumPy): it must run before NumPy is first imported.
"""

from __future__ import annotations

import os

from flankwatch.allocator import keep_freed_memory

BLAS_CORE = "Haswell"
"""The OpenBLAS kernels (``OPENBLAS_CORETYPE``) every process takes on a CPU that can run
them: those of Intel's Haswell, which need AVX2 and FMA (x86-64 CPUs since 2013-2015)."""

BLAS_CORE_NEEDS = frozenset({"avx2", "fma"})
"""The CPU flags (as Linux lists them) that :data:`BLAS_CORE`'s kernels need."""

CPU_INFO = "/proc/cpuinfo"
"""Where Linux lists the CPU's flags."""


def apply_process_settings() -> None:
    """One BLAS thread (``OPENBLAS_NUM_THREADS=1``, unless the user set a number), the same
    BLAS kernels on every machine whose CPU can run them (``OPENBLAS_CORETYPE``, see
    :func:`blas_core`, unless the user set one) and the allocator keeping freed memory
    (:func:`~flankwatch.allocator.keep_freed_memory`). Call before NumPy is first
    imported."""
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    core = blas_core(cpu_flags())
    if core is not None:
        os.environ.setdefault("OPENBLAS_CORETYPE", core)
    keep_freed_memory()


def blas_core(flags: frozenset[str]) -> str | None:
    """The OpenBLAS kernels to pin on a CPU with ``flags``: :data:`BLAS_CORE` where it has
    every flag those need, else ``None`` (OpenBLAS picks its own)."""
    return BLAS_CORE if BLAS_CORE_NEEDS <= flags else None


def cpu_flags(cpu_info: str = CPU_INFO) -> frozenset[str]:
    """This machine's CPU flags, from the first ``flags`` line of ``cpu_info`` on Linux on
    x86-64; empty elsewhere or where it cannot be read (nothing is pinned then)."""
    uname = getattr(os, "uname", None)  # none on Windows
    if uname is None or uname().machine not in ("x86_64", "amd64"):
        return frozenset()
    try:
        with open(cpu_info, encoding="ascii", errors="replace") as lines:
            for line in lines:
                name, _, value = line.partition(":")
                if name.strip() == "flags":
                    return frozenset(value.split())
    except OSError:
        pass
    return frozenset()
