"""Framing: Mode S messages out of a receiver's Beast binary stream or AVR text lines.

Beast binary (dump1090/readsb port 30005): each frame is ``0x1a``, a type byte
(``'1'`` Mode A/C, 2 message bytes; ``'2'`` Mode S short, 7; ``'3'`` Mode S long, 14),
a 6-byte big-endian timestamp of the receiver's 12 MHz MLAT counter, one signal-level
byte and the message. Every ``0x1a`` after the type byte is sent twice.

AVR text (port 30002): ``*<hex>;`` or, with the MLAT counter as 12 hex digits,
``@<counter><hex>;``.

Both give :class:`ModeSFrames` and :class:`~flankwatch.io.adsb.errors.Skip` records;
decoding the messages is :mod:`flankwatch.io.adsb.modes`'s job.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pyarrow as pa

from flankwatch.columns import Columns, arrow_schema
from flankwatch.io.adsb.errors import Skip, SkipKind

ESCAPE = 0x1A
"""The Beast frame start, doubled when it stands for a data byte."""
BEAST_MESSAGE_BYTES = {0x31: 2, 0x32: 7, 0x33: 14}
"""Beast frame type byte to message length in bytes (Mode A/C, short, long)."""
_MODE_AC = 0x31
_HEADER_BYTES = 7
"""Timestamp (6) and signal level (1) between the type byte and the message."""
_TIMESTAMP_HEX = 12
"""Hex digits of an AVR ``@`` line's MLAT counter."""
_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")

_DTYPES: dict[str, np.dtype] = {
    "message_hex": np.dtype(object),
    "mlat_ticks": np.dtype(np.uint64),
    "signal_dbfs": np.dtype(np.float64),
    "at": np.dtype(np.int64),
}


@dataclass(frozen=True, slots=True)
class ModeSFrames(Columns):
    """Mode S messages as framed by the receiver, in columns.

    ``message_hex`` is the message (14 or 28 hex digits, upper case), ``mlat_ticks``
    the receiver's 12 MHz counter (0 if none), ``signal_dbfs`` the signal level in dB
    full scale (NaN if none) and ``at`` where the frame starts in the input (byte
    offset or 1-based line number).
    """

    DTYPES: ClassVar[dict[str, np.dtype]] = _DTYPES
    SCHEMA: ClassVar[pa.Schema] = arrow_schema(_DTYPES)

    message_hex: np.ndarray
    mlat_ticks: np.ndarray
    signal_dbfs: np.ndarray
    at: np.ndarray

    @classmethod
    def from_lists(
        cls,
        message_hex: Sequence[str],
        mlat_ticks: Sequence[int],
        signal_dbfs: Sequence[float],
        at: Sequence[int],
    ) -> ModeSFrames:
        """Frames from equal-length lists of their columns."""
        messages = np.empty(len(message_hex), dtype=object)
        messages[:] = list(message_hex)
        return cls(
            message_hex=messages,
            mlat_ticks=np.array(mlat_ticks, dtype=np.uint64).reshape(-1),
            signal_dbfs=np.array(signal_dbfs, dtype=np.float64).reshape(-1),
            at=np.array(at, dtype=np.int64).reshape(-1),
        )


def signal_dbfs(level: int) -> float:
    """A Beast signal-level byte (0-255, amplitude) in dB full scale; NaN for 0."""
    return 20.0 * math.log10(level / 255.0) if level > 0 else math.nan


class _Frames:
    """Columns of frames being gathered."""

    def __init__(self) -> None:
        self.message_hex: list[str] = []
        self.mlat_ticks: list[int] = []
        self.signal_dbfs: list[float] = []
        self.at: list[int] = []

    def add(self, message: str, ticks: int, level_dbfs: float, at: int) -> None:
        self.message_hex.append(message)
        self.mlat_ticks.append(ticks)
        self.signal_dbfs.append(level_dbfs)
        self.at.append(at)

    def columns(self) -> ModeSFrames:
        return ModeSFrames.from_lists(self.message_hex, self.mlat_ticks, self.signal_dbfs, self.at)


def split_beast(data: bytes, offset: int = 0) -> tuple[ModeSFrames, list[Skip], bytes]:
    """The Beast frames in ``data``, the skipped byte runs, and the unfinished tail.

    ``offset`` is the stream position of ``data[0]`` (for the ``at`` of frames and
    skips). The tail is an incomplete last frame: prepend it to the next chunk, with
    ``offset`` moved on by ``len(data) - len(tail)``. Every byte of ``data`` is in
    exactly one frame, one skip (``Skip.size`` bytes) or the tail.
    """
    frames = _Frames()
    skips: list[Skip] = []
    garbage_start = -1
    i = 0
    n = len(data)

    def end_garbage(end: int) -> None:
        nonlocal garbage_start
        if garbage_start >= 0:
            skips.append(
                Skip(
                    SkipKind.FRAMING,
                    offset + garbage_start,
                    f"{end - garbage_start} byte(s) outside any Beast frame",
                    end - garbage_start,
                )
            )
            garbage_start = -1

    while i < n:
        if data[i] != ESCAPE:
            if garbage_start < 0:
                garbage_start = i
            next_escape = data.find(ESCAPE, i)
            i = n if next_escape < 0 else next_escape
            continue
        if i + 1 >= n:
            break
        kind = data[i + 1]
        if kind not in BEAST_MESSAGE_BYTES:
            if garbage_start < 0:
                garbage_start = i
            i += 2 if kind == ESCAPE else 1
            continue
        body, end = _unescape(data, i + 2, _HEADER_BYTES + BEAST_MESSAGE_BYTES[kind])
        if end < 0:
            break
        end_garbage(i)
        if body is None:
            skips.append(
                Skip(
                    SkipKind.FRAMING,
                    offset + i,
                    "Beast frame cut short by the start of another",
                    end - i,
                )
            )
        elif kind == _MODE_AC:
            skips.append(Skip(SkipKind.UNSUPPORTED, offset + i, "Mode A/C frame", end - i))
        else:
            frames.add(
                body[_HEADER_BYTES:].hex().upper(),
                int.from_bytes(body[:6], "big"),
                signal_dbfs(body[6]),
                offset + i,
            )
        i = end
    end_garbage(min(i, n))
    return frames.columns(), skips, bytes(data[i:])


def _unescape(data: bytes, start: int, size: int) -> tuple[bytes | None, int]:
    """``size`` unescaped bytes of ``data`` from ``start`` and the index after them.

    The index is -1 if ``data`` ends first; the bytes are None if a lone ``0x1a`` (a new
    frame start) comes first, and the index is then that of the new frame start.
    """
    out = bytearray()
    j = start
    n = len(data)
    while len(out) < size:
        if j >= n:
            return None, -1
        byte = data[j]
        if byte == ESCAPE:
            if j + 1 >= n:
                return None, -1
            if data[j + 1] != ESCAPE:
                return None, j
            j += 1
        out.append(byte)
        j += 1
    return bytes(out), j


def parse_avr(lines: Sequence[str], first_line: int = 1) -> tuple[ModeSFrames, list[Skip]]:
    """The Mode S frames of AVR text ``lines`` (without line ends) and the skipped lines.

    ``first_line`` is the line number of ``lines[0]``. Each line is one frame or one
    skip: Mode A/C lines (4 hex digits) are skipped as unsupported.
    """
    frames = _Frames()
    skips: list[Skip] = []
    for number, raw in enumerate(lines, start=first_line):
        line = raw.strip()
        problem = _avr_problem(line)
        if problem is not None:
            kind, message = problem
            skips.append(Skip(kind, number, message))
            continue
        digits = line[1:-1]
        ticks = 0
        if line[0] == "@":
            ticks = int(digits[:_TIMESTAMP_HEX], 16)
            digits = digits[_TIMESTAMP_HEX:]
        frames.add(digits.upper(), ticks, math.nan, number)
    return frames.columns(), skips


def _avr_problem(line: str) -> tuple[SkipKind, str] | None:
    """Why an AVR line cannot be framed, or None if it can."""
    if len(line) < 2 or line[0] not in "*@" or line[-1] != ";":
        return SkipKind.SYNTAX, "not an AVR line ('*<hex>;' or '@<counter><hex>;')"
    digits = line[1:-1]
    if not set(digits) <= _HEX_DIGITS:
        return SkipKind.HEX, "AVR line holds characters that are not hex digits"
    if line[0] == "@":
        if len(digits) < _TIMESTAMP_HEX:
            return SkipKind.LENGTH, "AVR '@' line shorter than its 12-digit counter"
        digits = digits[_TIMESTAMP_HEX:]
    if len(digits) == 4:
        return SkipKind.UNSUPPORTED, "Mode A/C reply"
    if len(digits) not in (14, 28):
        return SkipKind.LENGTH, f"message of {len(digits)} hex digits, not 14 or 28"
    return None
