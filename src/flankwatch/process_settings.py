"""The settings a process running flankwatch's numeric work takes before NumPy is imported.

flankwatch's linear algebra runs on stacks of small matrices, which BLAS threads only
slow down (they spin waiting for work: a fifth more CPU time on the tracker's largest
benchmark), and studies already run one process per core: so one BLAS thread. And the C
allocator keeps freed memory for the next arrays (:mod:`flankwatch.allocator`). Both are
also set in the environment, so that the processes a run starts (its tracker and sinks, a
study's local workers) take them; a user's own settings are kept. The ``flankwatch``
command applies them as it starts, and the benchmarks do too, so that they measure what
the command runs.

Imports nothing heavy (no NumPy): it must run before NumPy is first imported.
"""

from __future__ import annotations

import os

from flankwatch.allocator import keep_freed_memory


def apply_process_settings() -> None:
    """One BLAS thread (``OPENBLAS_NUM_THREADS=1``, unless the user set a number) and the
    allocator keeping freed memory (:func:`~flankwatch.allocator.keep_freed_memory`).
    Call before NumPy is first imported."""
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    keep_freed_memory()
