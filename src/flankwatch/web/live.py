"""A scenario run served as it goes: the web sink of the run loop and its pacing.

:class:`WebSink` is a sink of the run loop (:mod:`flankwatch.loop`): it adds each
window's picture to a :class:`~flankwatch.web.timeline.Timeline` for the server
to stream, then holds the run until the wall clock catches up with the data at
the chosen speed (:class:`Pacer`: play, pause, speed). The wall clock lives
here, never in the core stages. :class:`LiveRun` runs the scenario on a thread
of its own with the sink and an operator :class:`~flankwatch.decisions.DecisionInbox`,
recording it like ``flankwatch run``.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from pathlib import Path

from flankwatch.decisions import DecisionInbox
from flankwatch.events import events_to_arrow
from flankwatch.geo.frames import LocalFrame
from flankwatch.loop import Picture, SinkBase, Source
from flankwatch.pipeline import RunOptions, execute
from flankwatch.sim.truth import TruthBatch
from flankwatch.store.recording import RunInterrupted
from flankwatch.store.sink import outcomes_table, own_forces_table, shots_table
from flankwatch.web.rows import OwnRows, own_rows, track_rows_of
from flankwatch.web.timeline import (
    Timeline,
    WindowData,
    event_records,
    outcome_records,
    shot_records,
)

MIN_SPEED = 1.0
"""Slowest pace: real time."""
MAX_SPEED = 600.0
"""Fastest pace: ten minutes of data per second."""

STOPPED_EARLY = "stopped before its end"
"""A run's :attr:`LiveRun.error` once the server stopped it (Ctrl-C) before its end."""

log = logging.getLogger("flankwatch.web")


class RunStopped(RunInterrupted):
    """The server is shutting down: the run ends at this window."""


def check_speed(value: object) -> float:
    """``value`` as a speed (times real time) within 1 to 600; ValueError otherwise."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"speed must be a number from {MIN_SPEED:g} to {MAX_SPEED:g}")
    speed = float(value) if abs(value) < 2**64 else math.inf  # a whole number past floats
    if not MIN_SPEED <= speed <= MAX_SPEED:
        raise ValueError(f"speed must be from {MIN_SPEED:g} to {MAX_SPEED:g}, not {speed:g}")
    return speed


class Pacer:
    """Holds a run to ``speed`` times real time; play, pause and speed from any thread.

    The data time ``t_s`` of a window is due on the wall clock at
    ``wall_ref + (t_s - data_ref) / speed``; a change of speed or a resume starts
    the reckoning again from the present, and so does a run falling more than
    ``slack_s`` of data behind (it does not race to catch up).
    """

    def __init__(self, speed: float, slack_s: float = 10.0) -> None:
        self.speed = check_speed(speed)
        self.playing = True
        self.slack_s = slack_s
        self._stopped = False
        self._data_s = 0.0
        self._ref: tuple[float, float] | None = None
        self._cond = threading.Condition()

    def play(self) -> None:
        """Go on."""
        with self._cond:
            self.playing = True
            self._ref = None
            self._cond.notify_all()

    def pause(self) -> None:
        """Hold the run after the present window."""
        with self._cond:
            self.playing = False
            self._cond.notify_all()

    def set_speed(self, value: object) -> None:
        """Run at ``value`` times real time from now (1 to 600; ValueError otherwise)."""
        speed = check_speed(value)
        with self._cond:
            self.speed = speed
            self._ref = None
            self._cond.notify_all()

    def stop(self) -> None:
        """Release the run for good: the next wait raises :class:`RunStopped`."""
        with self._cond:
            self._stopped = True
            self._cond.notify_all()

    def wait(self, t_s: float) -> None:
        """Return when data time ``t_s`` (s) is due; raises :class:`RunStopped` once
        stopped."""
        with self._cond:
            while True:
                if self._stopped:
                    raise RunStopped("the server stopped the run")
                if not self.playing:
                    self._cond.wait()
                    continue
                now = time.monotonic()
                if self._ref is None:
                    self._ref = (now, self._data_s)
                wall_ref, data_ref = self._ref
                remaining = wall_ref + (t_s - data_ref) / self.speed - now
                if remaining <= 0.0:
                    if -remaining * self.speed > self.slack_s:
                        self._ref = (now, t_s)
                    self._data_s = t_s
                    return
                self._cond.wait(remaining)


class WebSink(SinkBase):
    """Adds each window of a run to ``timeline``, then paces the run with ``pacer`` (None:
    the run goes as fast as it can)."""

    def __init__(self, timeline: Timeline, frame: LocalFrame, pacer: Pacer | None) -> None:
        self.timeline = timeline
        self.frame = frame
        self.pacer = pacer

    def consume(self, picture: Picture, truth: TruthBatch | None) -> None:
        """Add the window; hold the run until it is due."""
        self.timeline.append(window_data(picture, self.frame))
        if self.pacer is not None:
            self.pacer.wait(picture.now_s)


def window_data(picture: Picture, frame: LocalFrame) -> WindowData:
    """A run's picture as a window of the timeline (the rows a recording would hold)."""
    assessment, response = picture.assessment, picture.response
    events = [
        *(assessment.events if assessment else []),
        *picture.alerts.events,
        *response.events,
    ]
    forces = response.own_forces
    return WindowData(
        t1_s=picture.now_s,
        tracks=track_rows_of(picture, frame),
        own=own_rows(own_forces_table(forces, frame, None)) if forces else OwnRows.empty(),
        events=event_records(events_to_arrow(events)),
        alerts=[
            {
                "t_s": m.t_s,
                "format": m.format,
                "msg_type": m.msg_type,
                "alert_id": m.alert_id,
                "message_id": m.message_id,
                "body": m.body,
            }
            for m in picture.alerts.messages
        ],
        shots=shot_records(shots_table(response.shots, frame), frame),
        outcomes=outcome_records(outcomes_table(response.outcomes, frame)),
    )


class LiveRun:
    """A source (a simulated scenario) run on its own thread through the standard stages
    into a timeline and the recording folder ``out``, paced, with an operator inbox."""

    def __init__(
        self,
        source: Source,
        out: Path,
        timeline: Timeline,
        frame: LocalFrame,
        speed: float,
        options: RunOptions | None = None,
    ) -> None:
        self.pacer = Pacer(speed)
        self.inbox = DecisionInbox()
        self.finished = threading.Event()
        self.error: str | None = None
        self._sink = WebSink(timeline, frame, self.pacer)
        self._thread = threading.Thread(
            target=self._run,
            args=(source, out, options),
            name="flankwatch-run",
            daemon=True,
        )

    def start(self) -> None:
        """Start the run."""
        self._thread.start()

    def stop(self, timeout_s: float = 10.0) -> None:
        """End the run at its next window and wait for its thread (up to ``timeout_s``)."""
        self.pacer.stop()
        if self._thread.is_alive():
            self._thread.join(timeout_s)

    def _run(self, source: Source, out: Path, options: RunOptions | None) -> None:
        try:
            execute(source, out, options, inbox=self.inbox, extra_sinks=[self._sink])
        except RunStopped:
            self.error = STOPPED_EARLY
        except Exception as error:  # the run's failure is shown, the server goes on
            self.error = f"{type(error).__name__}: {error}"
            log.error("the run failed: %s", self.error)
        finally:
            self.finished.set()
