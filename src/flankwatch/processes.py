"""What the run's child processes share: the cores to run on, errors they send back.

Imports nothing heavy, so that a child (the tracker's: :mod:`flankwatch.track.remote`)
starts quickly.
"""

from __future__ import annotations

import os
import pickle


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
