"""Streaming decoders: one input's bytes, as they come, to timed ADS-B reports.

Each decoder keeps what a stream needs between chunks (an unfinished line or Beast
frame, the Mode S position memory, the input position of its skips) and calls the
pure decoders of :mod:`flankwatch.io.adsb`. Times are seconds since the run's start:

- a chunk stamped by its transport (a socket's or a capture's reception time)
  gives every report in it that time (a JSON entry's ``seen`` is taken off);
- an unstamped chunk (a plain file) uses the format's own timestamps: an SBS
  line's generated date and time (taken as UTC), a Beast frame's or an AVR ``@``
  line's 12 MHz receiver counter (counted from the input's first frame, which is
  the run's start), an ``aircraft.json`` document's ``now`` (Unix time). A unit
  without a readable time takes the previous one's (the run's start for the first).
  A unit timed more than :data:`MAX_AHEAD_S` ahead of the input's latest time is
  skipped as ``future`` (:class:`TimeGuard`).

Skips keep the decoders' kinds; their ``at`` is the line number (SBS, AVR), the byte
offset (Beast) or the document number (JSON, 1-based) in the whole input.
"""

from __future__ import annotations

import json
import math
import re
from calendar import timegm
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Protocol

import numpy as np

from flankwatch.io.adsb import (
    AdsbReports,
    DecoderState,
    ModeSFrames,
    Skip,
    SkipKind,
    decode_frames,
    parse_aircraft_json,
    parse_avr,
    parse_sbs,
    split_beast,
)

Decoded = tuple[AdsbReports, list[Skip]]
"""Reports decoded from a chunk and the input units skipped."""

MLAT_TICKS_PER_S = 12e6
"""Rate of the receiver counter of Beast frames and AVR ``@`` lines (dump1090, readsb)."""
MAX_LINE_CHARS = 65_536
"""A text line longer than this is skipped unread (the stream is not the format's)."""
MAX_DOCUMENT_CHARS = 64 * 2**20
"""A JSON document longer than this is skipped unread."""
_TICK_JUMP_S = 3600.0
"""A receiver counter jumping back, or forward by more than this, restarts its count, s."""
MAX_AHEAD_S = 60.0
"""How far a unit's time may be ahead of its input's time, s (see :class:`TimeGuard`)."""
GAP_UNITS = 5
"""Units in a row ahead of a file's time, within :data:`MAX_AHEAD_S` of one another,
that are taken as a gap in the recording (see :class:`TimeGuard`)."""
HEAD_UNITS = 100
"""Timestamps read from the head of a file to find where its time starts
(:func:`plausible_start_s`)."""


class StreamDecoder(Protocol):
    """One input's decoder: chunks in, reports and skips out."""

    guard: TimeGuard
    """Its check of the units' times."""

    def feed(self, data: bytes, received_s: float | None) -> Decoded:
        """The reports completed by ``data``; ``received_s``: its reception time (s since
        the run's start), or None to use the format's own timestamps."""
        ...

    def end(self, received_s: float | None) -> Decoded:
        """The stream ended or broke (at ``received_s``, as for :meth:`feed`): decode or
        skip what is left unfinished."""
        ...


class TickClock:
    """A receiver's 12 MHz counter as seconds since the run's start.

    The first counter value read is the run's start; a jump back, or forward by more
    than an hour, is a counter restart: counting goes on from the last time.
    """

    def __init__(self) -> None:
        self.base_ticks: int | None = None
        self.base_s = 0.0
        self.last_s = 0.0

    def times(self, ticks: np.ndarray) -> np.ndarray:
        """The time of each frame, s; frames without a counter (0) take the last time."""
        out = np.empty(len(ticks))
        for i, value in enumerate(ticks.tolist()):
            if value:
                if self.base_ticks is None:
                    self.base_ticks, self.base_s = value, self.last_s
                t = self.base_s + (value - self.base_ticks) / MLAT_TICKS_PER_S
                if not 0.0 <= t - self.last_s <= _TICK_JUMP_S:
                    self.base_ticks, self.base_s, t = value, self.last_s, self.last_s
                self.last_s = t
            out[i] = self.last_s
        return out


class TimeGuard:
    """Refuses an input's unit times that are implausibly far ahead (s since the run's
    start; ``start_epoch_s``: the run's start as Unix time, for messages).

    A time is implausible if it is more than :data:`MAX_AHEAD_S` ahead of its
    reference: the unit's reception time when its chunk has one (a socket's clock, a
    capture's packet time), else the latest time the input has given (a plain file; its
    first time is taken as it is). A refused time does not become the input's time, so
    one bad timestamp costs one unit. :data:`GAP_UNITS` refused units in a row, each
    within :data:`MAX_AHEAD_S` of the first of them, are a gap in a file's recording:
    the last of them is taken and the input's time moves on.
    """

    def __init__(self, start_epoch_s: float) -> None:
        self.start_epoch_s = start_epoch_s
        self.latest_s: float | None = None
        """The latest time of a plain file taken, s (None before its first)."""
        self._jump_s = 0.0
        self._jump_units = 0

    def expect(self, first_s: float) -> None:
        """Take ``first_s`` (s since the run's start: the plain file's first plausible time,
        :func:`plausible_start_s`) as the file's time before its first unit, so that a first
        unit dated far ahead of the rest is refused too."""
        self.latest_s = first_s

    def take(self, t_s: float, received_s: float | None) -> bool:
        """Whether time ``t_s`` is plausible for a unit received at ``received_s`` (s
        since the run's start; None: a plain file's unit)."""
        if received_s is not None:
            return t_s <= received_s + MAX_AHEAD_S
        if self.latest_s is None or t_s <= self.latest_s + MAX_AHEAD_S:
            self.latest_s = t_s if self.latest_s is None else max(self.latest_s, t_s)
            self._jump_units = 0
            return True
        if self._jump_units and abs(t_s - self._jump_s) <= MAX_AHEAD_S:
            self._jump_units += 1
        else:
            self._jump_s, self._jump_units = t_s, 1
        if self._jump_units < GAP_UNITS:
            return False
        self.latest_s, self._jump_units = t_s, 0
        return True

    def take_all(self, t_s: np.ndarray, received_s: float | None) -> np.ndarray:
        """Which of the times ``t_s`` (s, in input order) are plausible (:meth:`take`)."""
        if received_s is not None:
            return np.asarray(t_s <= received_s + MAX_AHEAD_S)
        return np.array([self.take(t, None) for t in t_s.tolist()], dtype=bool)

    def refusal(self, t_s: float, received_s: float | None) -> str:
        """Why time ``t_s`` (s) was refused, for the skip's message."""
        reference_s = received_s if received_s is not None else self.latest_s or 0.0
        what = "its reception" if received_s is not None else "the input's latest time"
        return (
            f"time {self._utc(t_s)} is {t_s - reference_s:,.0f} s ahead of {what} "
            f"{self._utc(reference_s)} (more than {MAX_AHEAD_S:g} s)"
        )

    def _utc(self, t_s: float) -> str:
        try:
            when = datetime.fromtimestamp(self.start_epoch_s + t_s, UTC)
        except (OverflowError, ValueError, OSError):
            return f"{self.start_epoch_s + t_s:.6g} (Unix time)"
        return when.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def plausible_start_s(times: Sequence[float]) -> float | None:
    """Where a file's time starts, from its first timestamps (``times``, s, in any order):
    the earliest time that :data:`GAP_UNITS` - 1 more bear out, the times sorted and each
    within :data:`MAX_AHEAD_S` of the one before (with fewer times, all of them). A time
    standing apart from the rest (a unit dated 1970 or 2099 at the head of a file) is
    passed over. With no such run of times (units more than a minute apart) the earliest;
    None without times."""
    ordered = sorted(times)
    if not ordered:
        return None
    needed = min(GAP_UNITS, len(ordered))
    first = 0
    for k in range(1, len(ordered) + 1):
        if k - first >= needed:
            return ordered[first]
        if k < len(ordered) and ordered[k] - ordered[k - 1] > MAX_AHEAD_S:
            first = k
    return ordered[0]


class _Lines:
    """Splits a byte stream into text lines and numbers them (1-based)."""

    def __init__(self) -> None:
        self.buffer = b""
        self.next_line = 1
        self.dropping = False
        """Whether the rest of a line grown too long (already skipped) is being dropped."""

    def split(self, data: bytes) -> tuple[int, list[str], list[Skip]]:
        """The number of the first complete line of ``buffer + data``, the complete lines,
        and the skip of an unfinished line grown too long (it is dropped up to its end)."""
        if self.dropping:
            end = data.find(b"\n")
            if end < 0:
                return self.next_line, [], []
            data, self.dropping = data[end + 1 :], False
            self.next_line += 1
        *complete, self.buffer = (self.buffer + data).split(b"\n")
        first, lines = self._numbered(complete)
        skips = []
        if len(self.buffer) > MAX_LINE_CHARS:
            message = f"line longer than {MAX_LINE_CHARS} bytes"
            skips.append(Skip(SkipKind.SYNTAX, self.next_line, message))
            self.buffer, self.dropping = b"", True
        return first, lines, skips

    def rest(self) -> tuple[int, list[str]]:
        """The unfinished last line, if it holds anything, as a line of its own (the end
        of a line grown too long ends it: it was skipped)."""
        if self.dropping:
            self.dropping = False
            self.next_line += 1
        rest, self.buffer = self.buffer, b""
        return self._numbered([rest] if rest.strip() else [])

    def _numbered(self, raw: list[bytes]) -> tuple[int, list[str]]:
        first = self.next_line
        self.next_line += len(raw)
        return first, [line.decode("utf-8", "replace").rstrip("\r") for line in raw]


class _LineDecoder:
    """A decoder of a line format; subclasses decode numbered lines."""

    def __init__(self, start_epoch_s: float, receiver_deg: tuple[float, float] | None) -> None:
        self.start_epoch_s = start_epoch_s
        self.receiver_deg = receiver_deg
        self.lines = _Lines()
        self.guard = TimeGuard(start_epoch_s)
        self.last_s = 0.0

    def feed(self, data: bytes, received_s: float | None) -> Decoded:
        """The reports of the lines completed by ``data``."""
        first, lines, skips = self.lines.split(data)
        reports, more = self.decode(lines, first, received_s)
        return reports, sorted(skips + more, key=lambda skip: skip.at)

    def end(self, received_s: float | None) -> Decoded:
        """The reports of an unfinished last line."""
        first, lines = self.lines.rest()
        return self.decode(lines, first, received_s)

    def decode(self, lines: list[str], first: int, received_s: float | None) -> Decoded:
        """The reports of ``lines``, the first being line ``first``."""
        raise NotImplementedError


class SbsDecoder(_LineDecoder):
    """SBS BaseStation lines; unstamped lines are timed by their generated date and time."""

    def decode(self, lines: list[str], first: int, received_s: float | None) -> Decoded:
        """The reports of SBS ``lines``; a line timed implausibly far ahead is skipped."""
        if received_s is not None:
            if lines:
                self.last_s = received_s
            return parse_sbs(lines, received_s, first)
        times = np.empty(len(lines))
        refused: list[Skip] = []
        for i, line in enumerate(lines):
            epoch = sbs_epoch_s(line)
            if epoch is not None:
                t_s = epoch - self.start_epoch_s
                if self.guard.take(t_s, None):
                    self.last_s = t_s
                else:
                    refused.append(Skip(SkipKind.FUTURE, first + i, self.guard.refusal(t_s, None)))
            times[i] = self.last_s
        parts, skips = [AdsbReports.empty()], list(refused)
        start = 0
        for stop in [skip.at - first for skip in refused] + [len(lines)]:
            reports, more = parse_sbs(lines[start:stop], times[start:stop], first + start)
            parts.append(reports)
            skips += more
            start = stop + 1
        return AdsbReports.concat(parts), sorted(skips, key=lambda skip: skip.at)


_SBS_TIME = re.compile(r"(\d{4})/(\d{2})/(\d{2}),(\d{2}):(\d{2}):(\d{2}(?:\.\d*)?)")


def sbs_epoch_s(line: str) -> float | None:
    """The Unix time (s) of an SBS line's generated date and time, read as UTC, or None
    if it has none readable (the logged date and time are the fallback)."""
    fields = line.split(",")
    for date_at in (6, 8):
        if len(fields) > date_at + 1:
            match = _SBS_TIME.fullmatch(f"{fields[date_at].strip()},{fields[date_at + 1].strip()}")
            if match:
                year, month, day, hour, minute = (int(g) for g in match.groups()[:5])
                if not (1 <= month <= 12 and 1 <= day <= 31 and hour < 24 and minute < 60):
                    continue
                whole = timegm((year, month, day, hour, minute, 0, 0, 0, 0))
                return whole + float(match.group(6))
    return None


class AvrDecoder(_LineDecoder):
    """AVR text lines; unstamped lines are timed by their ``@`` counter."""

    def __init__(self, start_epoch_s: float, receiver_deg: tuple[float, float] | None) -> None:
        super().__init__(start_epoch_s, receiver_deg)
        self.state = DecoderState()
        self.clock = TickClock()

    def decode(self, lines: list[str], first: int, received_s: float | None) -> Decoded:
        """The reports of AVR ``lines``."""
        frames, skips = parse_avr(lines, first)
        return self._frames(frames, skips, received_s)

    def _frames(self, frames: ModeSFrames, skips: list[Skip], received_s: float | None) -> Decoded:
        if received_s is not None:
            times = np.full(len(frames), received_s)
        else:
            times = self.clock.times(frames.mlat_ticks)
        reports, more, self.state = decode_frames(frames, times, self.state, self.receiver_deg)
        if len(times):
            self.last_s = float(times[-1])
        return reports, sorted(skips + more, key=lambda skip: skip.at)


class BeastDecoder(AvrDecoder):
    """Beast binary frames; unstamped frames are timed by their counter."""

    def __init__(self, start_epoch_s: float, receiver_deg: tuple[float, float] | None) -> None:
        super().__init__(start_epoch_s, receiver_deg)
        self.tail = b""
        self.offset = 0

    def feed(self, data: bytes, received_s: float | None) -> Decoded:
        """The reports of the frames completed by ``data``."""
        data = self.tail + data
        frames, skips, self.tail = split_beast(data, self.offset)
        self.offset += len(data) - len(self.tail)
        return self._frames(frames, skips, received_s)

    def end(self, received_s: float | None) -> Decoded:
        """An unfinished last frame is skipped."""
        skips = []
        if self.tail:
            message = "Beast frame cut short by the end of the stream"
            skips.append(Skip(SkipKind.FRAMING, self.offset, message, len(self.tail)))
            self.offset += len(self.tail)
            self.tail = b""
        return AdsbReports.empty(), skips


_JSON_STRUCTURE = re.compile(r'[{}\[\]"]')
"""What the splitter looks at outside strings."""
_JSON_IN_STRING = re.compile(r'["\\\n]')
"""What the splitter looks at inside a string (a line end there is no JSON)."""


class JsonSplitter:
    """Cuts a stream of JSON objects (back to back, one per line, or spread over lines)
    into documents.

    Only the braces and brackets outside strings are followed, so a document is found
    without parsing it; text between documents that is not white space is returned as
    garbage. A document cut short (a receiver's line cut off, say) is found where the
    text after it can no longer be JSON: a line end inside a string, or a ``{`` where no
    value may start (not after ``:``, nor after ``[`` or ``,`` in an array). The cut
    document is garbage, and the next one starts there (at the ``{``, or after the line
    end).
    """

    def __init__(self, max_chars: int = MAX_DOCUMENT_CHARS) -> None:
        self.max_chars = max_chars
        self.buffer = ""
        self.position = 0
        self.start = 0
        self.open: list[str] = []
        """The braces and brackets open in the document being read (empty: between
        documents)."""
        self.in_string = False

    def feed(self, text: str) -> tuple[list[str], list[tuple[int, str]]]:
        """The documents completed by ``text``, and the garbage met, each with the
        number of those documents found before it."""
        self.buffer += text
        documents: list[str] = []
        garbage: list[tuple[int, str]] = []
        buffer = self.buffer
        while True:
            if not self.open:
                brace = buffer.find("{", self.position)
                end = len(buffer) if brace < 0 else brace
                if buffer[self.position : end].strip():
                    garbage.append((len(documents), buffer[self.position : end].strip()))
                if brace < 0:
                    self.position = len(buffer)
                    break
                self.start, self.open, self.position = brace, ["{"], brace + 1
            pattern = _JSON_IN_STRING if self.in_string else _JSON_STRUCTURE
            match = pattern.search(buffer, self.position)
            if match is None:
                self.position = len(buffer)
                break
            char, self.position = match.group(), match.end()
            if self.in_string:
                if char == "\\":
                    self.position += 1
                elif char == '"':
                    self.in_string = False
                else:  # a line end inside a string: the document was cut
                    garbage.append((len(documents), buffer[self.start : self.position].strip()))
                    self.open, self.in_string = [], False
            elif char == '"':
                self.in_string = True
            elif char == "{" and not self._value_may_start(buffer, self.position - 1):
                garbage.append((len(documents), buffer[self.start : self.position - 1].strip()))
                self.start, self.open = self.position - 1, ["{"]
            elif char in "{[":
                self.open.append(char)
            else:
                self.open.pop()
                if not self.open:
                    documents.append(buffer[self.start : self.position])
        keep = self.start if self.open else min(self.position, len(buffer))
        self.buffer = buffer[keep:]
        self.position -= keep
        self.start = 0
        if self.open and len(self.buffer) > self.max_chars:
            garbage.append((len(documents), f"a document longer than {self.max_chars} characters"))
            self.reset()
        return documents, garbage

    def _value_may_start(self, buffer: str, at: int) -> bool:
        """Whether JSON allows a value to start at ``at`` of the open document."""
        before = at - 1
        while before > self.start and buffer[before].isspace():
            before -= 1
        previous = buffer[before]
        return previous == ":" or (self.open[-1] == "[" and previous in "[,")

    def reset(self) -> str:
        """Forget an unfinished document; return what was held."""
        held = self.buffer.strip()
        self.buffer, self.position, self.start, self.open = "", 0, 0, []
        self.in_string = False
        return held


class JsonDecoder:
    """``aircraft.json`` documents, or readsb's JSON lines (one aircraft object each);
    unstamped documents are timed by their ``now``."""

    def __init__(self, start_epoch_s: float, receiver_deg: tuple[float, float] | None) -> None:
        self.start_epoch_s = start_epoch_s
        self.splitter = JsonSplitter()
        self.guard = TimeGuard(start_epoch_s)
        self.document = 0
        self.last_s = 0.0

    def feed(self, data: bytes, received_s: float | None) -> Decoded:
        """The reports of the documents completed by ``data``."""
        documents, garbage = self.splitter.feed(data.decode("utf-8", "replace"))
        skips = [self._garbage(text, self.document + before) for before, text in garbage]
        parts = [AdsbReports.empty()]
        for text in documents:
            self.document += 1
            reports, more = self._document(text, received_s)
            parts.append(reports)
            skips.extend(more)
        return AdsbReports.concat(parts), sorted(skips, key=lambda skip: skip.at)

    def end(self, received_s: float | None) -> Decoded:
        """An unfinished last document is skipped."""
        held = self.splitter.reset()
        return AdsbReports.empty(), [self._garbage(held, self.document)] if held else []

    def _garbage(self, text: str, documents_before: int) -> Skip:
        """The skip of ``text``, found after document ``documents_before`` (numbered as the
        document that follows it)."""
        shown = text if len(text) <= 40 else text[:37] + "..."
        return Skip(SkipKind.SYNTAX, documents_before + 1, f"not a JSON object: {shown!r}")

    def _document(self, text: str, received_s: float | None) -> Decoded:
        try:
            parsed = json.loads(text)
        except (ValueError, RecursionError) as error:
            return AdsbReports.empty(), [Skip(SkipKind.SYNTAX, self.document, f"not JSON: {error}")]
        if isinstance(parsed, dict) and "aircraft" not in parsed and "hex" in parsed:
            parsed = {"now": parsed.get("now"), "aircraft": [parsed]}
        now = parsed.get("now") if isinstance(parsed, dict) else None
        if received_s is not None:
            self.last_s = received_s
        elif isinstance(now, int | float) and not isinstance(now, bool) and math.isfinite(now):
            t_s = float(now) - self.start_epoch_s
            if not self.guard.take(t_s, None):
                refusal = self.guard.refusal(t_s, None)
                return AdsbReports.empty(), [Skip(SkipKind.FUTURE, self.document, refusal)]
            self.last_s = t_s
        reports, skips = parse_aircraft_json(json.dumps(parsed), self.last_s)
        return reports, [
            Skip(
                skip.kind,
                self.document,
                skip.message if skip.at < 0 else f"aircraft entry {skip.at}: {skip.message}",
            )
            for skip in skips
        ]


DECODERS: dict[str, type[SbsDecoder] | type[AvrDecoder] | type[JsonDecoder]] = {
    "sbs": SbsDecoder,
    "avr": AvrDecoder,
    "beast": BeastDecoder,
    "readsb-json": JsonDecoder,
}
"""ADS-B input format to its decoder class (constructed with the run's start as Unix
time, s, and the receiver's latitude and longitude, deg, or None)."""
