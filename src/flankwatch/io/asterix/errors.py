"""Counted skips: what the ASTERIX codec could not use, where it was, and why.

The decoder never raises on bad bytes and the encoder never sends a value it cannot
represent: each returns its skips beside its output, so that what came in equals what
came out plus what was skipped.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class SkipKind(StrEnum):
    """Why input was skipped."""

    BLOCK = "block"
    """Bytes that are no data block (a header cut short, a length below 3 or past the
    end of the datagram); the rest of the datagram is skipped."""
    CATEGORY = "category"
    """A well-formed data block of a category this codec does not read."""
    RECORD = "record"
    """A record that does not parse in its category's edition; records carry no length,
    so the rest of its data block is skipped with it."""
    MISSING = "missing"
    """A record that parses but lacks an item without which it is of no use (its time
    of day or any position)."""
    RANGE = "range"
    """A value outside its defined range: a decoded time of day past midnight or a
    latitude past a pole, or, when encoding, a required value the item cannot hold."""


@dataclass(frozen=True, slots=True)
class Skip:
    """One skipped data block, record or (encoding) row.

    ``at`` is the byte offset in the datagram where the skipped part starts (decoding)
    or the row index in the encoded batch (encoding); ``size`` is how many bytes it
    covers (1 for a row). ``category`` is the ASTERIX category, 0 if unknown.
    """

    kind: SkipKind
    at: int
    message: str
    size: int = 1
    category: int = 0


def count_skips(skips: Iterable[Skip]) -> dict[SkipKind, int]:
    """The number of skips of each kind present."""
    return dict(Counter(skip.kind for skip in skips))
