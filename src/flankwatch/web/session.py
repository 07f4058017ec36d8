"""One WebSocket client: what it is shown, and when.

A :class:`ReplaySession` gives each client of a replay its own play head: it
plays from the first window at the server's speed, and the client pauses,
resumes, changes speed (1-600 times real time) or seeks. A :class:`RunSession`
follows a running scenario: play, pause and speed act on the run itself (for
every client), seeking is refused. :func:`stream` sends the ``hello``, then a
``frame`` whenever the window shown changes (a full frame after connecting and
after a seek), and answers a bad client message with an ``error``.
"""

from __future__ import annotations

import asyncio
import functools
import json
import math
import time
from typing import Any, Protocol

from starlette.websockets import WebSocket, WebSocketDisconnect

from flankwatch.web.frames import Frame, frame_at, frame_message
from flankwatch.web.live import Pacer, check_speed
from flankwatch.web.served import Served
from flankwatch.web.timeline import Timeline

IDLE_S = 0.5
"""Longest wait between checks when nothing is due, s."""
RUN_POLL_S = 0.05
"""How often a run's client looks for a new window, s."""
MIN_FRAME_S = 0.02
"""Shortest time between two frames to one client, s (faster windows are merged)."""
MAX_MESSAGE_CHARS = 4096
"""Longest client message accepted."""


class Session(Protocol):
    """What :func:`stream` needs of a client's session."""

    served: Served

    @property
    def playing(self) -> bool:
        """Whether time moves on."""
        ...

    @property
    def speed(self) -> float:
        """Times real time."""
        ...

    def target(self) -> int | None:
        """The window to show now (None: none yet)."""
        ...

    def wait_s(self) -> float:
        """How long until something may be due, s."""
        ...

    def handle(self, message: dict[str, Any]) -> bool:
        """Act on a valid-looking client message; True if the next frame must be full.
        Raises ValueError naming what is wrong."""
        ...


class ReplaySession:
    """A client's own play head over a recording's timeline."""

    def __init__(self, served: Served) -> None:
        self.served = served
        self.t1 = served.timeline.t1_s
        self.playing = True
        self.speed = served.speed
        self._ref = (time.monotonic(), self.t1[0])

    def position_s(self) -> float:
        """The data time shown, s since the run's start."""
        wall, data = self._ref
        if not self.playing:
            return data
        position = data + (time.monotonic() - wall) * self.speed
        if position >= self.t1[-1]:
            self.playing = False
            position = self.t1[-1]
            self._ref = (time.monotonic(), position)
        return position

    def target(self) -> int | None:
        """The last window ended at the play head."""
        return self.served.timeline.index_at(self.position_s())

    def wait_s(self) -> float:
        """Until the next window ends at the present speed."""
        if not self.playing:
            return IDLE_S
        index = self.served.timeline.index_at(self.position_s())
        if index + 1 >= len(self.t1):
            return MIN_FRAME_S
        due = (self.t1[index + 1] - self.position_s()) / self.speed
        return min(max(due, MIN_FRAME_S), IDLE_S)

    def _hold(self, playing: bool) -> None:
        position = self.position_s()
        self.playing = playing and position < self.t1[-1]
        self._ref = (time.monotonic(), position)

    def handle(self, message: dict[str, Any]) -> bool:
        """play, pause, speed or seek."""
        kind = message.get("type")
        if kind == "play":
            if self.position_s() >= self.t1[-1]:
                self._ref = (time.monotonic(), self.t1[0])
                self._hold(True)
                return True
            self._hold(True)
        elif kind == "pause":
            self._hold(False)
        elif kind == "speed":
            speed = check_speed(message.get("value"))
            self._hold(self.playing)
            self.speed = speed
        elif kind == "seek":
            t_s = message.get("t_s")
            if isinstance(t_s, bool) or not isinstance(t_s, int | float) or t_s != t_s:
                raise ValueError("seek needs t_s, a number of seconds since the start")
            playing = self.playing
            # a whole number too large for a float is past either end, as inf would be
            wanted = float(t_s) if abs(t_s) < 2**64 else (math.inf if t_s > 0 else -math.inf)
            self._ref = (time.monotonic(), float(min(max(wanted, self.t1[0]), self.t1[-1])))
            self._hold(playing)
            return True
        else:
            raise ValueError(f"unknown message type {kind!r}: play, pause, speed or seek")
        return False


class RunSession:
    """A client of a running scenario: the run's newest window, the run's controls."""

    def __init__(self, served: Served, pacer: Pacer) -> None:
        self.served = served
        self.pacer = pacer

    @property
    def playing(self) -> bool:
        """Whether the run goes on."""
        run = self.served.run
        return self.pacer.playing and not (run is not None and run.finished.is_set())

    @property
    def speed(self) -> float:
        """The run's pace."""
        return self.pacer.speed

    def target(self) -> int | None:
        """The newest window."""
        n = len(self.served.timeline)
        return n - 1 if n else None

    def wait_s(self) -> float:
        """Look again soon."""
        return RUN_POLL_S

    def handle(self, message: dict[str, Any]) -> bool:
        """play, pause or speed (for the whole run); seek is refused."""
        kind = message.get("type")
        if kind == "play":
            self.pacer.play()
        elif kind == "pause":
            self.pacer.pause()
        elif kind == "speed":
            self.pacer.set_speed(message.get("value"))
        elif kind == "seek":
            raise ValueError("seek is for replays: a running scenario cannot jump in time")
        else:
            raise ValueError(f"unknown message type {kind!r}: play, pause or speed")
        return False


@functools.lru_cache(maxsize=32)
def cached_frame(timeline: Timeline, index: int) -> Frame:
    """Window ``index`` as a frame, made once for every client showing it (a timeline's
    windows never change once added)."""
    return frame_at(timeline, index)


def hello(served: Served) -> dict[str, Any]:
    """The first message to a client."""
    return {
        "type": "hello",
        "mode": served.mode,
        "name": served.name,
        "duration_s": served.duration_s,
        "batch_s": served.batch_s,
        "start_utc": served.start.isoformat(),
        "operator": served.operator,
    }


def _text(message: dict[str, Any]) -> str:
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False)


def parse_client(text: str) -> dict[str, Any]:
    """A client message as a JSON object; ValueError naming what is wrong."""
    if len(text) > MAX_MESSAGE_CHARS:
        raise ValueError(f"message longer than {MAX_MESSAGE_CHARS} characters")
    try:
        message = json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: nested too deep to read
        raise ValueError("message is not JSON") from None
    if not isinstance(message, dict):
        raise ValueError('message must be a JSON object such as {"type": "play"}')
    return message


async def stream(websocket: WebSocket, session: Session) -> None:
    """Serve one client until it leaves; see the module docstring."""
    served = session.served
    await websocket.send_text(_text(hello(served)))
    wake = asyncio.Event()
    outbox: list[dict[str, Any]] = []
    state = {"full": True}

    async def receive() -> None:
        while True:
            received = await websocket.receive()
            if received["type"] == "websocket.disconnect":
                return
            text = received.get("text")
            try:
                if text is None:
                    raise ValueError("messages are JSON text, not binary")
                if session.handle(parse_client(text)):
                    state["full"] = True
            except ValueError as error:
                outbox.append({"type": "error", "message": str(error)})
            wake.set()

    receiver = asyncio.create_task(receive())
    last: Frame | None = None
    sent_state: tuple[bool, float] | None = None
    try:
        while not receiver.done():
            for message in outbox:
                await websocket.send_text(_text(message))
            outbox.clear()
            index = session.target()
            now_state = (session.playing, session.speed)
            if index is not None and (
                last is None or state["full"] or index != last.index or now_state != sent_state
            ):
                frame = cached_frame(served.timeline, index)
                before = None if state["full"] else last
                state["full"] = False
                message = frame_message(
                    served.timeline,
                    before,
                    frame,
                    served.start,
                    playing=now_state[0],
                    speed=now_state[1],
                )
                await websocket.send_text(_text(message))
                last, sent_state = frame, now_state
            wake.clear()
            try:
                await asyncio.wait_for(wake.wait(), timeout=session.wait_s())
            except TimeoutError:
                pass
    except (WebSocketDisconnect, OSError):
        pass  # the client left while being sent to
    finally:
        receiver.cancel()
        try:
            await receiver
        except (asyncio.CancelledError, WebSocketDisconnect, RuntimeError):
            pass
