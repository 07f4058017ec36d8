"""Tracking in a process of its own, windows ahead of the rest of the run.

Tracking takes about half of a run and the simulation a quarter; in one process the
two wait for each other. Where the source's windows do not depend on what the stages
do (no stage acts on the world through it: a simulation without a defence, or a
replay), the tracker can work on the next windows while the run's own process
simulates the ones after and assesses, alerts and records the one before.
:class:`TrackingAhead` does that: its :meth:`~TrackingAhead.source` hands each
window's plots to a tracker in a child process as soon as the window is made and
passes the window on at least :data:`WINDOWS_AHEAD` windows later; its
:meth:`~TrackingAhead.stage` takes the window's tracks back. While the tracker is behind
(the oldest window's tracks have not come), the run's process makes more windows rather
than wait, up to :data:`MOST_WINDOWS_AHEAD` windows or :data:`MOST_PLOTS_AHEAD` plots:
stretches of the night where tracking takes longer than the rest of the run (the raid's
peak) then use the time to simulate the windows after, which the run later only has to
assess, alert and record. The tracker is the one
:func:`~flankwatch.track.tracker.build_tracker` builds in one process, fed the same
plots in the same order, so the run's every output is the same, byte for byte.

The plots go to the child on a queue, whose thread in the run's process writes them (the
run never waits to send). The tracks come back on a pipe that the child's own thread
writes, widened to :data:`~flankwatch.processes.PIPE_BYTES`: a queue's thread in the
child would contend with the tracker for the interpreter. The child may wait for the run
to read its tracks, but the run never waits on the child to send, so neither waits for
the other at once.

The child (:func:`flankwatch.track.remote.serve`) ignores SIGINT (Ctrl-C stops the run
in the parent, which ends the child), and ends when the parent asks, when the parent is
gone, or after its tracker fails (the error goes back to the parent, which raises it).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections import deque
from collections.abc import Iterator, Sequence
from types import TracebackType
from typing import Any, NoReturn

import numpy as np

from flankwatch.loop import Effect, Picture, Source, SourceInfo, Window
from flankwatch.processes import widen
from flankwatch.sim.truth import TruthBatch
from flankwatch.track.output import TrackBatch
from flankwatch.track.remote import serve
from flankwatch.track.settings import TrackerSettings

log = logging.getLogger(__name__)

WINDOWS_AHEAD = 64
"""How many windows the tracker is given, at least, before the run takes their tracks: many,
so that stretches of windows that take the tracker longer than the rest of the run (or
the other way round) even out. On the ten-hour mass raid (10 s windows), in runs taken
in turn: 1 window ahead 42-43 s, 2 38 s, 3 41 s, 8 37-39 s, 64 36-38 s, 256 37-39 s
(every output the same; measured while this was also the most windows ahead)."""
MOST_WINDOWS_AHEAD = 1024
"""The most windows the tracker may be given ahead of the run while it is behind. On the
ten-hour mass raid the run reaches it at the raid's peak (1,024 windows, 137,000 plots
ahead); 4,096 took 33.7 and 39.7 s against 37.9 and 33.7 s, taken in turn: no gain
beyond the machine's spread."""
MOST_PLOTS_AHEAD = 250_000
"""The most plots the run holds ahead of the tracker while it is behind: a bound on
memory for sources whose windows are large (a plot takes about 190 bytes, held once in
its window and once more on its way to the child: some 100 MB in all)."""
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
        self._results, self._child_end = context.Pipe(duplex=False)
        widen(self._child_end)
        self._process = context.Process(
            target=serve,
            args=(settings, sensor_id, scan_period_s, self._requests, self._child_end, os.getpid()),
            name="flankwatch-tracking",
            daemon=True,
        )
        self._arrived: deque[tuple[int, Any]] = deque()
        """A result taken from the child ahead of its window (see :meth:`ready`)."""

    def __enter__(self) -> TrackingAhead:
        self._process.start()
        self._child_end.close()  # the child has its own: the run sees the end when it ends
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
        # the child is gone: windows still in the queue's buffer have no reader, and the
        # queue's thread, blocked writing them, would hold the run's process at its exit
        self._requests.cancel_join_thread()
        self._requests.close()
        self._results.close()

    def source(self, inner: Source) -> Source:
        """``inner`` with each window's plots sent to the tracker as soon as it is made,
        the window itself passed on at least :data:`WINDOWS_AHEAD` windows later (more
        while the tracker is behind; see the module docstring)."""
        return _AheadSource(inner, self)

    def stage(self) -> _AheadTrackingStage:
        """The stage that puts each window's tracks, made in the child, on its picture."""
        return _AheadTrackingStage(self)

    def submit(self, window: Window) -> None:
        """Send ``window``'s plots to the tracker (returns at once)."""
        self._requests.put((window.index, window.plots, window.t1_s))

    def ready(self) -> bool:
        """Whether the tracks of the oldest window sent and not yet taken back have come
        (or the tracker's failure has): never waits."""
        if not self._arrived:
            if not self._results.poll():
                return False
            self._take()
        return True

    def tracks(self, window: Window) -> TrackBatch:
        """The tracks of ``window`` (the oldest window sent and not yet taken back);
        raises :class:`TrackingProcessError` if the tracker failed or its process ended."""
        while not self._arrived:
            if self._results.poll(LOOK_S):
                self._take()
            elif not self._process.is_alive():
                self._ended(f"before window {window.index}")
        index, result = self._arrived.popleft()
        if isinstance(result, BaseException):
            where = f"at window {index}" if index >= 0 else "to start"
            raise TrackingProcessError(
                f"tracking failed {where}: {type(result).__name__}: {result}"
            ) from result
        if index != window.index:
            raise TrackingProcessError(f"tracks of window {index} came for window {window.index}")
        tracks: TrackBatch = result
        return tracks

    def _take(self) -> None:
        """Take the child's next result, which has come (raises
        :class:`TrackingProcessError` if the child ended instead)."""
        try:
            self._arrived.append(self._results.recv())
        except EOFError:  # the child's end is closed: it ended
            self._process.join(END_WAIT_S)
            self._ended("before sending every window's tracks")

    def _ended(self, when: str) -> NoReturn:
        """Raise that the child ended, with its exit code, ``when`` (before what)."""
        raise TrackingProcessError(
            f"the tracking process ended (exit code {self._process.exitcode}) {when}"
        )


class _AheadSource:
    """A source whose windows reach the tracker before the run (see
    :meth:`TrackingAhead.source`)."""

    def __init__(self, inner: Source, ahead: TrackingAhead) -> None:
        self.inner = inner
        self.ahead = ahead
        self.info: SourceInfo = inner.info

    def windows(self) -> Iterator[tuple[Window, TruthBatch | None]]:
        """The inner source's windows, each sent to the tracker :data:`WINDOWS_AHEAD`
        windows early, or more while the tracker is behind (up to
        :data:`MOST_WINDOWS_AHEAD` windows and :data:`MOST_PLOTS_AHEAD` plots)."""
        held: deque[tuple[Window, TruthBatch | None]] = deque()
        plots = 0
        for window, truth in self.inner.windows():
            self.ahead.submit(window)
            held.append((window, truth))
            plots += len(window.plots)
            while len(held) > WINDOWS_AHEAD and (
                len(held) > MOST_WINDOWS_AHEAD or plots > MOST_PLOTS_AHEAD or self.ahead.ready()
            ):
                passed = held.popleft()
                plots -= len(passed[0].plots)
                yield passed
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
