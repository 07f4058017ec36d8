"""Tracking in a process of its own, a few windows ahead of the rest of the run.

Tracking takes about half of a run and the simulation a quarter; in one process the
two wait for each other. Where the source's windows do not depend on what the stages
do (no stage acts on the world through it: a simulation without a defence, or a
replay), the tracker can work on the next windows while the run's own process
simulates the ones after and assesses, alerts and records the one before.
:class:`TrackingAhead` does that: its :meth:`~TrackingAhead.source` hands each
window's plots to a tracker in a child process as soon as the window is made and
passes the window on :data:`WINDOWS_AHEAD` windows later; its
:meth:`~TrackingAhead.stage` takes the window's tracks back. The tracker is the one
:func:`~flankwatch.track.tracker.build_tracker` builds in one process, fed the same
plots in the same order, so the run's every output is the same, byte for byte.

The child (:func:`flankwatch.track.remote.serve`) ignores SIGINT (Ctrl-C stops the run
in the parent, which ends the child), and ends when the parent asks, when the parent is
gone, or after its tracker fails (the error goes back to the parent, which raises it).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import queue
from collections import deque
from collections.abc import Iterator, Sequence
from types import TracebackType
from typing import Any

import numpy as np

from flankwatch.loop import Effect, Picture, Source, SourceInfo, Window
from flankwatch.sim.truth import TruthBatch
from flankwatch.track.output import TrackBatch
from flankwatch.track.remote import serve
from flankwatch.track.settings import TrackerSettings

log = logging.getLogger(__name__)

WINDOWS_AHEAD = 64
"""How many windows the tracker may be given before the run takes their tracks: many,
so that stretches of windows that take the tracker longer than the rest of the run (or
the other way round) even out. On the ten-hour mass raid (10 s windows), in runs taken
in turn: 1 window ahead 42-43 s, 2 38 s, 3 41 s, 8 37-39 s, 64 36-38 s, 256 37-39 s
(every output the same)."""
LOOK_S = 1.0
"""How often the run, waiting for tracks, looks whether the tracking process is still
there, s."""
END_WAIT_S = 10.0
"""How long the child is given to end once asked, s (then it is terminated)."""


class TrackingProcessError(RuntimeError):
    """The tracking process failed or ended before the run did."""


class TrackingAhead:
    """A tracker in a child process, fed windows ahead of the run (see the module
    docstring); a context manager that starts the child and always ends it.

    ``settings`` are the tracker's (``None``: the defaults); ``sensor_id`` and
    ``scan_period_s`` (s) are the source's sensors and their revisit periods.
    """

    def __init__(
        self,
        settings: TrackerSettings | None,
        sensor_id: np.ndarray,
        scan_period_s: np.ndarray,
    ) -> None:
        context = multiprocessing.get_context("spawn")
        self._requests: Any = context.Queue()
        self._results: Any = context.Queue()
        self._process = context.Process(
            target=serve,
            args=(settings, sensor_id, scan_period_s, self._requests, self._results, os.getpid()),
            name="flankwatch-tracking",
            daemon=True,
        )

    def __enter__(self) -> TrackingAhead:
        self._process.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close(failed=error is not None)

    def close(self, failed: bool = False) -> None:
        """Ask the child to end, wait for it (up to :data:`END_WAIT_S`), else terminate it;
        after a failure of the run (``failed``), terminate it at once (the windows sent and
        not yet tracked are of no use)."""
        if failed and self._process.is_alive():
            self._process.terminate()
            self._process.join(END_WAIT_S)
        if self._process.is_alive():
            self._requests.put(None)
            self._process.join(END_WAIT_S)
            if self._process.is_alive():
                log.warning("the tracking process did not end when asked; terminating it")
                self._process.terminate()
                self._process.join(END_WAIT_S)
        self._requests.close()
        self._results.close()

    def source(self, inner: Source) -> Source:
        """``inner`` with each window's plots sent to the tracker as soon as it is made,
        the window itself passed on :data:`WINDOWS_AHEAD` windows later."""
        return _AheadSource(inner, self)

    def stage(self) -> _AheadTrackingStage:
        """The stage that puts each window's tracks, made in the child, on its picture."""
        return _AheadTrackingStage(self)

    def submit(self, window: Window) -> None:
        """Send ``window``'s plots to the tracker (returns at once)."""
        self._requests.put((window.index, window.plots, window.t1_s))

    def tracks(self, window: Window) -> TrackBatch:
        """The tracks of ``window`` (the oldest window sent and not yet taken back);
        raises :class:`TrackingProcessError` if the tracker failed or its process ended."""
        while True:
            try:
                index, result = self._results.get(timeout=LOOK_S)
                break
            except queue.Empty:
                if not self._process.is_alive():
                    raise TrackingProcessError(
                        f"the tracking process ended (exit code {self._process.exitcode}) "
                        f"before window {window.index}"
                    ) from None
        if isinstance(result, BaseException):
            where = f"at window {index}" if index >= 0 else "to start"
            raise TrackingProcessError(
                f"tracking failed {where}: {type(result).__name__}: {result}"
            ) from result
        if index != window.index:
            raise TrackingProcessError(f"tracks of window {index} came for window {window.index}")
        tracks: TrackBatch = result
        return tracks


class _AheadSource:
    """A source whose windows reach the tracker before the run (see
    :meth:`TrackingAhead.source`)."""

    def __init__(self, inner: Source, ahead: TrackingAhead) -> None:
        self.inner = inner
        self.ahead = ahead
        self.info: SourceInfo = inner.info

    def windows(self) -> Iterator[tuple[Window, TruthBatch | None]]:
        """The inner source's windows, each sent to the tracker up to
        :data:`WINDOWS_AHEAD` windows early."""
        held: deque[tuple[Window, TruthBatch | None]] = deque()
        for window, truth in self.inner.windows():
            self.ahead.submit(window)
            held.append((window, truth))
            if len(held) > WINDOWS_AHEAD:
                yield held.popleft()
        while held:
            yield held.popleft()

    def apply(self, effects: Sequence[Effect]) -> None:
        """Passed to the inner source (which must not change its windows for them: they are
        made early)."""
        self.inner.apply(effects)


class _AheadTrackingStage:
    """Plots to tracks, the tracks made in the tracking process (see
    :meth:`TrackingAhead.stage`)."""

    def __init__(self, ahead: TrackingAhead) -> None:
        self.ahead = ahead

    def step(self, picture: Picture, now_s: float, rng: np.random.Generator) -> Picture:
        """The window's tracks, all predicted to ``now_s`` (s), as the tracker made them."""
        return picture.but(tracks=self.ahead.tracks(picture.window))
