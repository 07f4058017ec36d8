"""A tracker working for another process: windows of plots in, their tracks out.

:func:`serve` is the body of the child process that
:class:`~flankwatch.tracking_process.TrackingAhead` starts. It imports only the
tracker, so that the child starts quickly.
"""

from __future__ import annotations

import os
import queue
import signal
from typing import Any

import numpy as np

from flankwatch.processes import sendable
from flankwatch.track.settings import TrackerSettings
from flankwatch.track.tracker import build_tracker

LOOK_S = 1.0
"""How often the child, waiting for plots, looks whether its parent is still there, s."""


def serve(
    settings: TrackerSettings | None,
    sensor_id: np.ndarray,
    scan_period_s: np.ndarray,
    requests: Any,
    results: Any,
    parent_pid: int,
) -> None:
    """Track each window sent on ``requests`` (``(index, plots, now_s)``) and send
    ``(index, tracks)`` on the connection ``results``, with the tracker
    :func:`build_tracker` builds for ``settings`` and the sensors' revisit periods
    (``sensor_id``, ``scan_period_s``, s).

    Ends when sent ``None``, when the parent process is gone (also while waiting to
    send: its end of the pipe is then closed), or after the tracker fails
    (``(index, error)`` is then sent on ``results``, with index -1 if the tracker could not
    be built). Ignores SIGINT: Ctrl-C stops the run in the parent, which ends this process.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        tracker = build_tracker(settings)
        tracker.set_revisit_periods(sensor_id, scan_period_s)
    except Exception as error:  # sent to the parent, which raises it
        _send(results, (-1, sendable(error)))
        return
    while True:
        try:
            request = requests.get(timeout=LOOK_S)
        except queue.Empty:
            if os.getppid() != parent_pid:
                return
            continue
        except (EOFError, OSError):  # the parent's end of the queue is gone
            return
        if request is None:
            return
        index, plots, now_s = request
        try:
            tracks = tracker.step(plots, now_s=now_s)
        except Exception as error:  # sent to the parent, which raises it
            _send(results, (index, sendable(error)))
            return
        if not _send(results, (index, tracks)):
            return


def _send(results: Any, message: tuple[int, Any]) -> bool:
    """Send ``message`` to the parent; False if its end of the pipe is gone (the parent
    ended while this process waited to write), and this process should end quietly."""
    try:
        results.send(message)
    except OSError:  # BrokenPipeError: nobody reads any more
        return False
    return True
