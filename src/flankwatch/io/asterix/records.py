"""Parsed ASTERIX records to rows: one reader per category, SI units out.

Each reader takes a record parsed by ``libasterix`` and the edition's specification and
returns a mapping of column name to value (the columns of
:mod:`flankwatch.io.asterix.columns`), or raises :class:`Unusable` when the record
lacks an item it cannot do without or holds a value outside its defined range.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import asterix.generated as gen
from asterix.base import Bits

from flankwatch.io.asterix.errors import SkipKind
from flankwatch.io.asterix.items import Path, has_item, quantity, raw, text

Row = dict[str, object]
"""One record's columns by name."""


class Unusable(Exception):
    """A record that parses but cannot become a row; ``kind`` says why."""

    def __init__(self, kind: SkipKind, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def _source(record: Any, category: int) -> Row:
    """SAC and SIC (I0xx/010), required."""
    sac = raw(record, ("010", "SAC"))
    sic = raw(record, ("010", "SIC"))
    if sac is None or sic is None:
        raise Unusable(SkipKind.MISSING, f"no data source identifier (I{category:03d}/010)")
    return {"sac": sac, "sic": sic}


def _time_of_day(record: Any, spec: Any, category: int, items: tuple[str, ...]) -> float:
    """The time of day of the first of ``items`` present, s; required, in [0, 86400)."""
    for item in items:
        tod_s = quantity(record, spec, (item,))
        if math.isfinite(tod_s):
            if not 0.0 <= tod_s < 86_400.0:
                raise Unusable(
                    SkipKind.RANGE, f"time of day {tod_s} s (I{category:03d}/{item}) past midnight"
                )
            return tod_s
    names = " or ".join(f"I{category:03d}/{item}" for item in items)
    raise Unusable(SkipKind.MISSING, f"no time of day ({names})")


def _lat_lon(record: Any, spec: Any, category: int, item: str) -> tuple[float, float]:
    """Latitude and longitude of WGS 84 item ``item``, deg; NaN if absent."""
    lat = quantity(record, spec, (item, "LAT"), "°")
    lon = quantity(record, spec, (item, "LON"), "°")
    if math.isfinite(lat) and not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        raise Unusable(
            SkipKind.RANGE, f"position {lat} deg N {lon} deg E (I{category:03d}/{item}) off Earth"
        )
    return lat, lon


def _squawk(record: Any, spec: Any, item: str) -> int:
    """The Mode 3/A code of ``item`` as four octal digits read as decimal; 0 if absent,
    not validated or garbled (where the edition's item has V and G bits)."""
    code = text(record, (item, "MODE3A"))
    if not code:
        return 0
    for flag in ("V", "G"):
        if has_item(spec, (item, flag)) and raw(record, (item, flag)):
            return 0
    return int(code)


def _unless_flagged(record: Any, spec: Any, path: Path) -> float:
    """The quantity at ``path``, NaN if absent or its item's RE bit flags it out of range."""
    if raw(record, (path[0], "RE")) == 1:
        return math.nan
    return quantity(record, spec, path)


def _optional_int(record: Any, path: Path) -> int:
    """The raw value at ``path``, -1 if absent."""
    value = raw(record, path)
    return -1 if value is None else value


def read_048(record: Any, spec: Any) -> Row:
    """A CAT048 monoradar target report as a row (see :class:`Cat048Plots`)."""
    row = _source(record, 48)
    row["tod_s"] = _time_of_day(record, spec, 48, ("140",))
    range_m = quantity(record, spec, ("040", "RHO"))
    if not math.isfinite(range_m):
        raise Unusable(SkipKind.MISSING, "no measured position (I048/040)")
    row["range_m"] = range_m
    row["azimuth_rad"] = quantity(record, spec, ("040", "THETA"))
    if raw(record, ("090", "V")) == 0 and raw(record, ("090", "G")) == 0:
        row["alt_baro_m"] = quantity(record, spec, ("090", "FL"))
    row["height_m"] = quantity(record, spec, ("110", "3DH"))
    row["squawk"] = _squawk(record, spec, "070")
    row["icao24"] = raw(record, ("220",)) or 0
    row["callsign"] = text(record, ("240",))
    row["track_number"] = _optional_int(record, ("161", "TRN"))
    row["ground_speed_mps"] = quantity(record, spec, ("200", "GSP"))
    row["heading_rad"] = quantity(record, spec, ("200", "HDG"))
    row["report_type"] = _optional_int(record, ("020", "TYP"))
    row["mode5"], row["mode5_pin"] = _mode5(record)
    return row


REF_048 = gen.Ref_048_1_13.cv_expansion
"""The CAT048 Reserved Expansion Field's layout (its Mode 5 items, MD5, are laid out alike
in editions 1.11 to 1.13)."""


def _mode5(record: Any) -> tuple[bool, int]:
    """Whether a CAT048 record carries an authenticated IFF Mode 5 reply, and the reply's
    PIN (0 if none), from the Mode 5 items of its Reserved Expansion Field (I048/RE MD5):
    the summary's M5 with ID or DA set, and the PIN of PMN. A field that does not parse
    makes the record unusable."""
    field = record.get_item("RE")
    if field is None:
        return False, 0
    content = field.variation.bs.to_bytes()[1:]  # after the field's length byte
    parsed = REF_048.parse(Bits.from_bytes(content))
    if isinstance(parsed, ValueError):
        raise Unusable(SkipKind.RECORD, f"Reserved Expansion Field (I048/RE) unreadable: {parsed}")
    expansion = parsed[0]
    summary = [raw(expansion, ("MD5", "SUM", flag)) for flag in ("M5", "ID", "DA")]
    replied = bool(summary[0]) and bool(summary[1] or summary[2])
    pin = (raw(expansion, ("MD5", "PMN", "PIN")) or 0) if replied else 0
    return replied, pin


def read_021(record: Any, spec: Any) -> Row:
    """A CAT021 ADS-B target report as a row (see :class:`Cat021Reports`)."""
    row = _source(record, 21)
    row["tod_s"] = _time_of_day(record, spec, 21, ("073", "071", "077"))
    lat, lon = _lat_lon(record, spec, 21, "131")
    if not math.isfinite(lat):
        lat, lon = _lat_lon(record, spec, 21, "130")
    if not math.isfinite(lat):
        raise Unusable(SkipKind.MISSING, "no position (I021/131 or I021/130)")
    row["lat_deg"], row["lon_deg"] = lat, lon
    row["alt_geom_m"] = quantity(record, spec, ("140",))
    row["alt_baro_m"] = quantity(record, spec, ("145",))
    row["icao24"] = raw(record, ("080",)) or 0
    row["callsign"] = text(record, ("170",))
    row["squawk"] = _squawk(record, spec, "070")
    row["ground_speed_mps"] = _unless_flagged(record, spec, ("160", "GS"))
    row["track_rad"] = quantity(record, spec, ("160", "TA"))
    rate = _unless_flagged(record, spec, ("157", "GVR"))
    if not math.isfinite(rate):
        rate = _unless_flagged(record, spec, ("155", "BVR"))
    row["vertical_rate_mps"] = rate
    row["track_number"] = _optional_int(record, ("161", "TRNUM"))
    return row


def read_062(record: Any, spec: Any) -> Row:
    """A CAT062 system track as a row (see :class:`Cat062Tracks`)."""
    row = _source(record, 62)
    row["tod_s"] = _time_of_day(record, spec, 62, ("070",))
    track_number = raw(record, ("040",))
    if track_number is None:
        raise Unusable(SkipKind.MISSING, "no track number (I062/040)")
    row["track_number"] = track_number
    lat, lon = _lat_lon(record, spec, 62, "105")
    x_m = quantity(record, spec, ("100", "X"))
    if not (math.isfinite(lat) or math.isfinite(x_m)):
        raise Unusable(SkipKind.MISSING, "no position (I062/105 or I062/100)")
    row.update(lat_deg=lat, lon_deg=lon, x_m=x_m, y_m=quantity(record, spec, ("100", "Y")))
    row["vx_mps"] = quantity(record, spec, ("185", "VX"))
    row["vy_mps"] = quantity(record, spec, ("185", "VY"))
    row["alt_geom_m"] = quantity(record, spec, ("130",))
    row["alt_baro_m"] = quantity(record, spec, ("135", "CTB"))
    row["vertical_rate_mps"] = quantity(record, spec, ("220",))
    row["squawk"] = _squawk(record, spec, "060")
    row["icao24"] = raw(record, ("380", "ADR")) or 0
    row["callsign"] = text(record, ("245", "CHR")) or text(record, ("380", "ID"))
    row["tentative"] = raw(record, ("080", "CNF")) == 1
    row["coasting"] = raw(record, ("080", "CST")) == 1
    row["ended"] = raw(record, ("080", "TSE")) == 1
    return row


READERS: dict[int, Callable[[Any, Any], Row]] = {48: read_048, 21: read_021, 62: read_062}
"""The reader of each supported category."""
