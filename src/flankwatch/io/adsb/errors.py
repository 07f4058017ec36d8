"""Counted skips: what a decoder could not use, where it was in the input, and why.

Decoders never raise on bad input; each returns its skips beside its columns, so that
the units read (frames, lines, aircraft entries) equal the rows decoded plus the
units skipped.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class SkipKind(StrEnum):
    """Why an input unit was skipped."""

    FRAMING = "framing"
    """Bytes that are no Beast frame (lost sync, an unknown frame type, no frame start)."""
    SYNTAX = "syntax"
    """A text line that is no AVR or SBS record, or a JSON document that does not parse."""
    HEX = "hex"
    """A message that is no even-length hexadecimal text."""
    LENGTH = "length"
    """A message whose length does not fit its downlink format (56 or 112 bits)."""
    CRC = "crc"
    """A message whose parity check fails."""
    UNKNOWN_ADDRESS = "unknown_address"
    """An address/parity reply from an aircraft not recently heard with a checked address."""
    UNSUPPORTED = "unsupported"
    """A well-formed unit of a kind that carries nothing reported (Mode A/C, status, ...)."""
    FIELD = "field"
    """A value that is missing, malformed or out of range (named in the message)."""
    FUTURE = "future"
    """A unit timed implausibly far ahead of its input's time (see ``flankwatch.live``)."""


@dataclass(frozen=True, slots=True)
class Skip:
    """One skipped input unit.

    ``at`` is where it starts in the input: a byte offset (Beast), a line number
    (AVR, SBS; 1-based) or an entry index in the document's ``aircraft`` list (JSON;
    0-based, -1 for the document as a whole). ``size`` is how many input bytes it
    covers (Beast) or 1 (a line, an entry, a frame).
    """

    kind: SkipKind
    at: int
    message: str
    size: int = 1


def count_skips(skips: Iterable[Skip]) -> dict[SkipKind, int]:
    """The number of skips of each kind present."""
    return dict(Counter(skip.kind for skip in skips))
