"""Cutting a stream of ASTERIX bytes into data blocks, and finding the blocks again after
bytes that are none.

A stream (TCP, a file) holds data blocks one after another, ``category (1 byte) | length
(2 bytes, big endian, the header included) | records``, with nothing to mark where a block
starts. A block is taken when its header is plausible (a category ASTERIX has, a length
with room for a record) and the block after it starts plausibly too, or the data ends
with it. Anything else (garbage at the start of a file, a corrupt length field, a block
cut short) is passed over: the framing is found again at the first place where
:data:`CHAIN_BLOCKS` plausible blocks follow one another, each starting where the one
before ends (or the data ends), and the bytes passed over are one ``framing`` skip.
"""

from __future__ import annotations

from dataclasses import dataclass

from flankwatch.io.asterix.decode import HEADER_BYTES
from flankwatch.io.asterix.items import CATEGORIES

CHAIN_BLOCKS = 3
"""Plausible data blocks in a row, each where the one before ends, that mark where the
framing is found again."""
MAX_HELD_BYTES = 4 * 65_535
"""Bytes that are no data block held at most while waiting to learn whether blocks start
after them; past this they are passed over at once (a stream of something else, such as
text sent to an ASTERIX input, is then skipped as it comes instead of held)."""
_MIN_BLOCK_BYTES = HEADER_BYTES + 1
"""The shortest data block that holds a record: its header and one FSPEC byte."""


@dataclass(frozen=True)
class Framed:
    """The data blocks found at the start of some bytes, and what was passed over."""

    spans: list[tuple[int, int]]
    """``(start, end)`` byte offsets of runs of whole data blocks, in order."""
    passed: list[tuple[int, int]]
    """``(start, end)`` byte offsets of bytes that are no data block, in order."""
    used: int
    """Bytes framed or passed over; the rest waits for more data."""


def frame(data: bytes, final: bool) -> Framed:
    """The data blocks and the bytes that are none at the start of ``data``; with
    ``final`` (the stream has ended) every byte is one or the other, else what cannot be
    told yet (a block not yet whole, bytes passed over up to a place whose blocks run on
    past the data) waits for more data.

    A whole block followed by bytes that are no block is kept unless the framing is
    found again inside it (then its length was what was wrong)."""
    spans: list[tuple[int, int]] = []
    passed: list[tuple[int, int]] = []
    at = span_start = 0
    while at < len(data):
        length = _block_length(data, at)
        end = at + length
        if length and end > len(data) and not final:
            break  # wait for the rest of the block
        if length and end <= len(data) and _starts_block(data, end, final):
            at = end
            continue
        found, decided = _find_framing(data, at + 1, final)
        if not decided and found is not None and found - at <= MAX_HELD_BYTES:
            break  # more data will tell whether blocks start there
        if length and end <= len(data) and (found is None or found >= end):
            at = end  # the block is whole; what follows it is not
            continue
        if at > span_start:
            spans.append((span_start, at))
        if found is None:
            kept = len(data) if final else max(at, len(data) - HEADER_BYTES + 1)
            if kept > at:
                passed.append((at, kept))
            return Framed(spans, passed, kept)
        passed.append((at, found))
        at = span_start = found
    if at > span_start:
        spans.append((span_start, at))
    return Framed(spans, passed, at)


def _block_length(data: bytes, at: int) -> int:
    """The length of a plausible data block header at ``at``, else 0 (none, or not all
    of the header in ``data``)."""
    if len(data) - at < HEADER_BYTES or data[at] not in CATEGORIES:
        return 0
    length = int.from_bytes(data[at + 1 : at + HEADER_BYTES], "big")
    return length if length >= _MIN_BLOCK_BYTES else 0


def _starts_block(data: bytes, at: int, final: bool) -> bool:
    """Whether a plausible block starts at ``at``, the data ends there, or (not
    ``final``) too little of it is there to tell."""
    if at == len(data) or (not final and len(data) - at < HEADER_BYTES):
        return True
    return _block_length(data, at) > 0


def _find_framing(data: bytes, start: int, final: bool) -> tuple[int | None, bool]:
    """The first offset from ``start`` where :data:`CHAIN_BLOCKS` plausible blocks
    follow one another, or fewer end with the data, and True; else the first offset whose
    blocks run on past data not ``final`` (more data will tell), and False; else None.
    A place found is taken at once, so that a stream goes on without waiting after
    garbage. A place can only run on past the data within its last
    ``CHAIN_BLOCKS`` longest blocks, so every byte before the offset given is none."""
    undecided: int | None = None
    for at in range(start, len(data) - HEADER_BYTES + 1):
        if data[at] not in CATEGORIES:
            continue
        chained = _chains(data, at, final)
        if chained:
            return at, True
        if chained is None and undecided is None:
            undecided = at
    return undecided, undecided is None


def _chains(data: bytes, at: int, final: bool) -> bool | None:
    """Whether :data:`CHAIN_BLOCKS` plausible blocks follow one another from ``at`` (or
    fewer, ending with the data); None if they run on past data not ``final``."""
    for _ in range(CHAIN_BLOCKS):
        length = _block_length(data, at)
        if not length:
            return None if not final and len(data) - at < HEADER_BYTES else False
        at += length
        if at == len(data):
            return True
        if at > len(data):
            return None if not final else False
    return True
