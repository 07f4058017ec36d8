"""Tracks to CAT062 data blocks, with every value checked against its item's range.

``libasterix`` turns a number into an item's bits modulo the item's width, so a value
the item cannot hold (a velocity past 8192 m/s, a track number past 65535) would be sent
wrapped, as some other value. Every value is therefore checked here first:

- a row whose time of day, track number or data source identifier is out of range, or
  that has no position in range (neither I062/105 nor I062/100), is refused: it is not
  sent, and it is returned as a :class:`~flankwatch.io.asterix.errors.Skip` with its row
  index;
- any other value out of range (a velocity, an altitude, a vertical rate, a Mode 3/A
  code that is no four octal digits, an address past 24 bits, a callsign longer than
  eight characters or with characters outside A-Z, 0-9 and space) leaves its item out
  of the record, and is counted by column in :attr:`Encoded.omitted`.

A value that is NaN (or 0 for ``squawk`` and ``icao24``, "" for ``callsign``) is absent:
its item is left out and nothing is counted. Values are rounded to the nearest step
of their item (a latitude to 5.4e-6 deg, x and y to 0.5 m, a velocity to 0.25 m/s, the
time of day to 1/128 s).

Items written: I062/010 (SAC, SIC), I062/070 (time of track information), I062/105
(WGS 84 position), I062/100 (Cartesian position), I062/185 (Cartesian velocity),
I062/060 (Mode 3/A), I062/245 (target identification), I062/380 ADR (target address),
I062/040 (track number), I062/080 (track status: CNF, TSE and CST from ``tentative``,
``ended`` and ``coasting``), I062/130 (geometric altitude), I062/135 (barometric
altitude, no QNH correction) and I062/220 (rate of climb or descent).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from flankwatch.io.asterix.columns import Cat062Tracks
from flankwatch.io.asterix.decode import HEADER_BYTES
from flankwatch.io.asterix.errors import Skip, SkipKind
from flankwatch.io.asterix.items import Path, Quantity, edition, extended_value, group_value

MAX_BLOCK_BYTES = 65_535
"""The largest data block the 16-bit length field allows."""
MIN_BLOCK_BYTES = 128
"""The smallest block size the encoder accepts (room for the largest record it writes)."""
CALLSIGN = re.compile(r"[A-Z0-9 ]{1,8}")
"""A callsign that I062/245 can carry: up to eight of A-Z, 0-9 and space."""


@dataclass(frozen=True, slots=True)
class Encoded:
    """CAT062 data blocks and what could not be sent.

    ``blocks`` hold the encoded rows in order, each block at most the size asked for;
    ``refused`` are the rows not sent (``at`` is the row index); ``omitted`` counts, by
    column, values left out of a sent record because their item cannot hold them.
    """

    blocks: tuple[bytes, ...]
    records: int
    refused: tuple[Skip, ...]
    omitted: dict[str, int]


class _Refused(Exception):
    """A row that cannot be sent; ``kind`` says why."""

    def __init__(self, kind: SkipKind, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def encode_cat062(
    tracks: Cat062Tracks, edition_name: str | None = None, max_block_bytes: int = 1400
) -> Encoded:
    """The rows of ``tracks`` as CAT062 data blocks of at most ``max_block_bytes`` bytes
    each (the default leaves a UDP datagram unfragmented on an Ethernet path), in
    ``edition_name`` (the default edition if None); see the module docstring for the
    range checks.

    Raises :class:`ValueError` for an unsupported edition or a block size outside
    [128, 65535] bytes.
    """
    spec = edition(62, edition_name)
    if not MIN_BLOCK_BYTES <= max_block_bytes <= MAX_BLOCK_BYTES:
        raise ValueError(
            f"max_block_bytes {max_block_bytes} is outside [{MIN_BLOCK_BYTES}, {MAX_BLOCK_BYTES}]"
        )
    writer = _Writer(spec)
    refused: list[Skip] = []
    blocks: list[bytes] = []
    block: list[Any] = []
    size = HEADER_BYTES
    for index in range(len(tracks)):
        try:
            record = writer.record(tracks, index)
        except _Refused as refusal:
            refused.append(Skip(refusal.kind, index, str(refusal), 1, 62))
            continue
        record_bytes = len(record.unparse().to_bytes())
        if block and size + record_bytes > max_block_bytes:
            blocks.append(spec.create(block).unparse().to_bytes())
            block, size = [], HEADER_BYTES
        block.append(record)
        size += record_bytes
    if block:
        blocks.append(spec.create(block).unparse().to_bytes())
    return Encoded(
        blocks=tuple(blocks),
        records=len(tracks) - len(refused),
        refused=tuple(refused),
        omitted=dict(writer.omitted),
    )


class _Writer:
    """Builds one CAT062 record per row of a :class:`Cat062Tracks`, counting omissions."""

    def __init__(self, spec: Any) -> None:
        self.spec = spec
        self.omitted: Counter[str] = Counter()

    def _raw(self, path: Path, value: float, unit: str | None = None) -> int | None:
        return Quantity.of(self.spec, path).encode(value, unit)

    def _pair(
        self,
        item: str,
        names: tuple[str, str],
        columns: tuple[str, str],
        values: tuple[float, float],
        unit: str | None = None,
    ) -> Any:
        """The two-quantity group ``item`` from ``values``, None if absent or out of
        range (counted under both ``columns``)."""
        if not all(math.isfinite(value) for value in values):
            return None
        bits = [
            self._raw((item, name), value, unit) for name, value in zip(names, values, strict=True)
        ]
        if any(bit is None for bit in bits):
            self.omitted.update(columns)
            return None
        return tuple(zip(names, bits, strict=True))

    def _single(self, path: Path, column: str, value: float) -> int | None:
        """The raw bits of the quantity at ``path``, None if absent or out of range
        (counted under ``column``)."""
        if not math.isfinite(value):
            return None
        bits = self._raw(path, value)
        if bits is None:
            self.omitted[column] += 1
        return bits

    def record(self, tracks: Cat062Tracks, index: int) -> Any:
        """The record of row ``index``; raises :class:`_Refused` if it cannot be sent."""
        sac, sic = int(tracks.sac[index]), int(tracks.sic[index])
        if not (0 <= sac <= 255 and 0 <= sic <= 255):
            raise _Refused(SkipKind.RANGE, f"SAC {sac} / SIC {sic} outside 0-255")
        tod_s = float(tracks.tod_s[index])
        tod = self._raw(("070",), tod_s) if 0.0 <= tod_s < 86_400.0 else None
        if tod is None:
            raise _Refused(SkipKind.RANGE, f"time of day {tod_s} s outside [0, 86400)")
        tod %= round(86_400.0 / Quantity.of(self.spec, ("070",)).lsb_si)
        track_number = int(tracks.track_number[index])
        if not 0 <= track_number <= 0xFFFF:
            raise _Refused(SkipKind.RANGE, f"track number {track_number} outside 0-65535")
        lat, lon = float(tracks.lat_deg[index]), float(tracks.lon_deg[index])
        wgs84 = None
        if math.isfinite(lat) and math.isfinite(lon):
            if -90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0:
                wgs84 = self._pair("105", ("LAT", "LON"), ("lat_deg", "lon_deg"), (lat, lon), "°")
            else:
                self.omitted.update(("lat_deg", "lon_deg"))
        xy = (float(tracks.x_m[index]), float(tracks.y_m[index]))
        cartesian = self._pair("100", ("X", "Y"), ("x_m", "y_m"), xy)
        if wgs84 is None and cartesian is None:
            raise _Refused(SkipKind.RANGE, "no position in range (I062/105 or I062/100)")
        velocity = (float(tracks.vx_mps[index]), float(tracks.vy_mps[index]))
        ctb = self._single(("135", "CTB"), "alt_baro_m", float(tracks.alt_baro_m[index]))
        items: dict[str, Any] = {
            "010": (("SAC", sac), ("SIC", sic)),
            "070": tod,
            "105": wgs84,
            "100": cartesian,
            "185": self._pair("185", ("VX", "VY"), ("vx_mps", "vy_mps"), velocity),
            "060": self._squawk(int(tracks.squawk[index])),
            "245": self._callsign(str(tracks.callsign[index])),
            "380": self._address(int(tracks.icao24[index])),
            "040": track_number,
            "080": self._status(tracks, index),
            "130": self._single(("130",), "alt_geom_m", float(tracks.alt_geom_m[index])),
            "135": None if ctb is None else group_value(self.spec, "135", {"CTB": ctb}),
            "220": self._single(
                ("220",), "vertical_rate_mps", float(tracks.vertical_rate_mps[index])
            ),
        }
        return self.spec.cv_record.create(items)

    def _squawk(self, squawk: int) -> Any:
        """I062/060 from a Mode 3/A code written in decimal digits, None if 0 or invalid."""
        if squawk == 0:
            return None
        digits = f"{squawk:04d}"
        if squawk < 0 or len(digits) != 4 or any(d not in "01234567" for d in digits):
            self.omitted["squawk"] += 1
            return None
        return group_value(self.spec, "060", {"MODE3A": int(digits, 8)})

    def _callsign(self, callsign: str) -> Any:
        """I062/245 from a callsign (upper-cased), None if empty or not encodable."""
        callsign = callsign.rstrip().upper()
        if not callsign:
            return None
        if not CALLSIGN.fullmatch(callsign):
            self.omitted["callsign"] += 1
            return None
        return group_value(self.spec, "245", {"CHR": callsign})

    def _address(self, icao24: int) -> Any:
        """I062/380 with ADR only, None if 0 or past 24 bits."""
        if icao24 == 0:
            return None
        if not 0 < icao24 <= 0xFFFFFF:
            self.omitted["icao24"] += 1
            return None
        return {"ADR": icao24}

    def _status(self, tracks: Cat062Tracks, index: int) -> Any:
        """I062/080: CNF, then TSE in the first extension and CST in the third, each
        written only as far as needed."""
        values = {
            "CNF": int(bool(tracks.tentative[index])),
            "TSE": int(bool(tracks.ended[index])),
            "CST": int(bool(tracks.coasting[index])),
        }
        groups = 4 if values["CST"] else 2 if values["TSE"] else 1
        return extended_value(self.spec, "080", values, groups)
