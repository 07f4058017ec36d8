"""Ctrl-C during a run, taken at the end of a window.

Python raises ``KeyboardInterrupt`` wherever the interpreter happens to be when SIGINT
arrives. Inside a compiled step (Numba) that calls back into Python the interrupt
surfaces as a ``SystemError`` instead, and the run would end with a traceback and a
``failed`` recording. :class:`InterruptAtWindowEnd` lets the first Ctrl-C only note the
request and raises ``KeyboardInterrupt`` from the run's per-window progress callback,
where the loop and the recording handle it as an interrupt; a second Ctrl-C interrupts
at once.
"""

from __future__ import annotations

import signal
from collections.abc import Callable
from types import FrameType, TracebackType
from typing import Any


class InterruptAtWindowEnd:
    """A progress callback (``t_s``: the window's end, s) that raises ``KeyboardInterrupt``
    after the window in which Ctrl-C was pressed; installs its SIGINT handler on entering
    (main thread only) and puts the previous one back on leaving."""

    def __init__(self, progress: Callable[[float], None]) -> None:
        self._progress = progress
        self._previous: Any = signal.default_int_handler
        self.requested = False

    def __enter__(self) -> InterruptAtWindowEnd:
        self._previous = signal.signal(signal.SIGINT, self._note)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        signal.signal(signal.SIGINT, self._previous)

    def _note(self, number: int, frame: FrameType | None) -> None:
        """The first Ctrl-C: noted; the next one goes to the previous handler."""
        self.requested = True
        signal.signal(signal.SIGINT, self._previous)

    def __call__(self, t_s: float) -> None:
        self._progress(t_s)
        if self.requested:
            raise KeyboardInterrupt
