"""What the run's child processes share: the cores to run on, errors they send back.

Imports nothing heavy, so that a child (the tracker's: :mod:`flankwatch.track.remote`)
starts quickly.
"""

from __future__ import annotations

import fcntl
import logging
import os
import pickle
from typing import Any

log = logging.getLogger(__name__)

PIPE_BYTES = 1 << 20
"""The buffer asked for a pipe between the run and a child (Linux's usual limit): some 30
windows of the Polish night; the default, 64 KiB, holds two."""


def usable_cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0))


def sendable(error: BaseException) -> BaseException:
    """``error`` if it can be pickled and read back in another process, else a
    RuntimeError naming it."""
    try:
        pickle.loads(pickle.dumps(error))
    except Exception:
        return RuntimeError(f"{type(error).__name__}: {error}")
    return error


def widen(connection: Any) -> None:
    """Give the pipe under ``connection`` (a multiprocessing connection) a buffer of
    :data:`PIPE_BYTES` where the system allows (Linux), so that its writer rarely waits
    for its reader."""
    try:
        fcntl.fcntl(connection.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)
    except (AttributeError, OSError):  # not Linux, or above the system's limit
        log.debug("a pipe to a child process keeps its default buffer")
