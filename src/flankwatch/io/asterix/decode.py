"""ASTERIX datagrams to columns: CAT048 plots, CAT021 ADS-B reports, CAT062 tracks.

A datagram (a UDP payload, or a run of whole data blocks read from a file) holds data
blocks one after another; each block is ``category (1 byte) | length (2 bytes, big
endian, the header included) | records``. Records carry no length of their own: each
is parsed by ``libasterix`` in the category's edition (see
:data:`flankwatch.io.asterix.items.DEFAULT_EDITIONS`), which tells where the next one
starts.

:func:`decode` never raises on bad bytes. What it cannot use is returned as
:class:`~flankwatch.io.asterix.errors.Skip` records with the byte offset where the
skipped part starts: bytes that are no data block (the rest of the datagram), blocks of
other categories, records that do not parse (the rest of their block, since the next
record cannot be found), and records without a time or a position or with a value out
of its defined range (that record only).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from asterix.base import Bits, ParsingMode

from flankwatch.io.asterix.columns import Cat021Reports, Cat048Plots, Cat062Tracks
from flankwatch.io.asterix.errors import Skip, SkipKind
from flankwatch.io.asterix.items import edition
from flankwatch.io.asterix.records import READERS, Row, Unusable

HEADER_BYTES = 3
"""Bytes of a data block's header: category and length."""


@dataclass(frozen=True, slots=True)
class Decoded:
    """What one datagram held: rows per category, in input order, and what was skipped."""

    cat048: Cat048Plots
    cat021: Cat021Reports
    cat062: Cat062Tracks
    skips: tuple[Skip, ...]


def editions_for(editions: Mapping[int, str] | None) -> dict[int, Any]:
    """The ``libasterix`` specification for each supported category: the default edition
    unless ``editions`` names another (category to edition, e.g. ``{48: "1.31"}``).

    Raises :class:`ValueError` naming an unsupported category or edition.
    """
    chosen = dict(editions or {})
    for category, name in chosen.items():
        edition(category, name)
    return {category: edition(category, chosen.get(category)) for category in READERS}


def decode(data: bytes, editions: Mapping[int, str] | None = None, offset: int = 0) -> Decoded:
    """The records of the data blocks in ``data``, in columns per category.

    ``editions`` picks other editions than the defaults (see :func:`editions_for`);
    ``offset`` is added to the byte offsets of the skips (where ``data`` starts in a
    longer input).

    Raises :class:`ValueError` only for an unsupported edition in ``editions``.
    """
    specs = editions_for(editions)
    rows: dict[int, list[Row]] = {category: [] for category in READERS}
    skips: list[Skip] = []
    at = 0
    while at < len(data):
        if len(data) - at < HEADER_BYTES:
            skips.append(
                Skip(SkipKind.BLOCK, offset + at, "data block header cut short", len(data) - at)
            )
            break
        category = data[at]
        length = int.from_bytes(data[at + 1 : at + 3], "big")
        if length < HEADER_BYTES or at + length > len(data):
            message = f"data block length {length} with {len(data) - at} bytes left"
            skips.append(Skip(SkipKind.BLOCK, offset + at, message, len(data) - at, category))
            break
        if category not in specs:
            message = f"category {category} is not read"
            skips.append(Skip(SkipKind.CATEGORY, offset + at, message, length, category))
        else:
            body = data[at + HEADER_BYTES : at + length]
            rows[category].extend(
                _records(body, specs[category], category, offset + at + HEADER_BYTES, skips)
            )
        at += length
    return Decoded(
        cat048=Cat048Plots.from_rows(rows[48]),
        cat021=Cat021Reports.from_rows(rows[21]),
        cat062=Cat062Tracks.from_rows(rows[62]),
        skips=tuple(skips),
    )


def _records(body: bytes, spec: Any, category: int, start: int, skips: list[Skip]) -> list[Row]:
    """The rows of the records in a data block's ``body`` (which starts at byte ``start``
    of the input); skips are appended to ``skips``."""
    reader = READERS[category]
    rows: list[Row] = []
    bits = Bits.from_bytes(body)
    while len(bits):
        at = start + len(body) - len(bits) // 8
        try:
            parsed = spec.cv_record.parse(ParsingMode.StrictParsing, bits)
        except Exception as error:  # libasterix raises on some malformed input
            parsed = ValueError(f"{type(error).__name__}: {error}")
        if isinstance(parsed, ValueError):
            message = f"CAT{category:03d} record does not parse: {parsed}"
            skips.append(Skip(SkipKind.RECORD, at, message, len(bits) // 8, category))
            break
        record, bits = parsed
        size = start + len(body) - len(bits) // 8 - at
        try:
            rows.append(reader(record, spec))
        except Unusable as unusable:
            skips.append(Skip(unusable.kind, at, str(unusable), size, category))
        except Exception as error:  # a value libasterix cannot interpret
            message = f"CAT{category:03d} record unreadable: {type(error).__name__}: {error}"
            skips.append(Skip(SkipKind.RECORD, at, message, size, category))
    return rows
