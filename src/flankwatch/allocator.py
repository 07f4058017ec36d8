"""The C allocator's settings for processes that make and free large arrays (glibc only).

NumPy takes every array's memory from the C allocator. By default glibc's ``malloc``
maps blocks above a threshold (128 KiB at first) straight from the system and gives
the top of its heap back as soon as 128 KiB of it lie free; either way the next array
of that size is served with fresh pages, which the system zeroes one by one as they are
first touched (a page fault each). A tracker step over 10,000 targets makes and frees
arrays of several megabytes dozens of times, so it spent more time in those faults than
in its arithmetic: the IMM prediction of 13,700 tracks took 25.5 ms with 5,700 faults and
9.3 ms with none once the freed memory was kept (13.5 and 1.4 ms where the tracks had not
moved, a copy). Dask's workers are worse off still: Dask starts them with
``MALLOC_TRIM_THRESHOLD_=65536``.

:func:`keep_freed_memory` has the allocator keep up to :data:`TRIM_THRESHOLD_BYTES` of
freed memory for reuse instead: blocks up to :data:`MMAP_THRESHOLD_BYTES` come from the
heap, and the heap is trimmed only past the trim threshold. A process may thus hold up to
that much memory it no longer uses. The ``flankwatch`` command calls it as it starts;
the processes it starts (a run's tracker and sinks, a study's local workers) take the same
settings from the environment (:data:`ENVIRON`). A user's own ``MALLOC_*_`` or
``GLIBC_TUNABLES`` settings are left as they are.
"""

from __future__ import annotations

import ctypes
import os

MMAP_THRESHOLD_BYTES = 32 * 1024 * 1024
"""Blocks up to this size come from the heap, not from a mapping of their own (glibc's
largest accepted value on 64-bit systems)."""

TRIM_THRESHOLD_BYTES = 256 * 1024 * 1024
"""Free memory at the top of a heap kept for reuse before it is given back."""

TOP_PAD_BYTES = 64 * 1024 * 1024
"""Extra memory asked of the system each time a heap grows."""

ENVIRON = {
    "MALLOC_MMAP_THRESHOLD_": str(MMAP_THRESHOLD_BYTES),
    "MALLOC_TRIM_THRESHOLD_": str(TRIM_THRESHOLD_BYTES),
    "MALLOC_TOP_PAD_": str(TOP_PAD_BYTES),
}
"""The same settings as environment variables, which glibc reads as a process starts."""

_M_TRIM_THRESHOLD, _M_TOP_PAD, _M_MMAP_THRESHOLD = -1, -2, -3
"""``mallopt`` parameter numbers (glibc's ``malloc.h``)."""


def user_settings() -> bool:
    """Whether the environment already holds allocator settings of the user's own."""
    tunables = os.environ.get("GLIBC_TUNABLES", "")
    return "glibc.malloc." in tunables or any(
        name in os.environ and os.environ[name] != value for name, value in ENVIRON.items()
    )


def _glibc() -> bool:
    """Whether the C library is glibc (whose ``mallopt`` takes these settings)."""
    try:
        version = os.confstr("CS_GNU_LIBC_VERSION")
    except (AttributeError, ValueError, OSError):
        return False
    return version is not None and version.startswith("glibc")


def keep_freed_memory() -> bool:
    """Apply :data:`ENVIRON` to this process (``mallopt``) and to the processes it starts
    (the environment), unless the user has allocator settings of their own or the C
    library is not glibc. Returns whether the settings are in force here."""
    if user_settings() or not _glibc():
        return False
    try:
        libc = ctypes.CDLL(None)
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    applied = all(
        mallopt(parameter, value) == 1
        for parameter, value in (
            (_M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES),
            (_M_TRIM_THRESHOLD, TRIM_THRESHOLD_BYTES),
            (_M_TOP_PAD, TOP_PAD_BYTES),
        )
    )
    if applied:
        os.environ.update(ENVIRON)
    return applied
