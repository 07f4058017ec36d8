"""What the reference decoder's items mean in flankwatch's columns, and how to compare.

Each :class:`Field` names a column of flankwatch's batches, where the reference decoder
(``asterix-decoder``, its category definitions CAT021 2.6, CAT048 1.21, CAT062 1.18)
puts the same quantity, the factor from its unit to flankwatch's, and the item's
resolution in flankwatch's unit. Values read from the same bits agree to well within
half a resolution step unless one side converts or reads them wrongly.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from flankwatch.columns import Columns

FT = 0.3048
"""International foot, m."""
NM = 1852.0
"""International nautical mile, m."""
DEG = math.pi / 180.0
"""One degree, rad."""
FPM = FT / 60.0
"""One foot per minute, m/s."""

Items = Mapping[str, Any]
"""The items of one reference record: item name ("I040") to subitem name to value."""


@dataclass(frozen=True, slots=True)
class Field:
    """Column ``column`` from the first of ``paths`` (item, subitem) present in a reference
    record, times ``factor``, or from ``read`` (the whole record) if given; ``lsb`` is
    the resolution in the column's unit (0 for codes and text, compared exactly);
    ``convert`` turns a text value into the column's."""

    column: str
    paths: tuple[tuple[str, str], ...] = ()
    factor: float = 1.0
    lsb: float = 0.0
    convert: Callable[[Any], Any] | None = None
    read: Callable[[Items], Any] | None = None

    def value(self, items: Items) -> Any:
        """The reference value in the column's unit, None if the record lacks it."""
        if self.read is not None:
            return self.read(items)
        for item, subitem in self.paths:
            if item in items and subitem in items[item]:
                raw = items[item][subitem]
                if self.convert is not None:
                    return self.convert(raw)
                return raw * self.factor if self.factor != 1.0 else raw
        return None


def hex_address(text: Any) -> int:
    """A 24-bit address given as hexadecimal text."""
    return int(text["ADR"] if isinstance(text, Mapping) else text, 16)


def text_value(text: Any) -> str:
    """Text with trailing spaces removed."""
    return str(text).rstrip()


def callsign_062(items: Items) -> Any:
    """I062/245's identification, else I062/380's (subfield ID), None if neither."""
    if "I245" in items:
        return text_value(items["I245"]["TId"])
    if "ID" in items.get("I380", {}):
        return text_value(items["I380"]["ID"]["ACID"])
    return None


def squawk(item: str) -> Callable[[Items], Any]:
    """The Mode 3/A code of ``item`` read as decimal digits, 0 if its V or G bit is set,
    None if absent."""

    def read(items: Items) -> Any:
        if item not in items:
            return None
        code = items[item]
        return 0 if code.get("V") or code.get("G") else int(code["Mode3A"])

    return read


def validated_fl(items: Items) -> Any:
    """I048/090's flight level in m, NaN if its V or G bit is set, None if absent."""
    if "I090" not in items:
        return None
    level = items["I090"]
    return math.nan if level["V"] or level["G"] else level["FL"] * 100 * FT


def ground_speed_021(items: Items) -> Any:
    """I021/160's ground speed in m/s, NaN if its RE bit is set, None if absent."""
    if "I160" not in items:
        return None
    motion = items["I160"]
    return math.nan if motion["RE"] else motion["GS"] * NM


def vertical_rate_021(items: Items) -> Any:
    """I021/157's geometric vertical rate in m/s unless flagged (RE), else I021/155's
    barometric one unless flagged; None if neither."""
    for item, name in (("I157", "GVR"), ("I155", "BVR")):
        if item in items and not items[item]["RE"]:
            return items[item][name] * FPM
    return None


CAT048: tuple[Field, ...] = (
    Field("sac", (("I010", "SAC"),)),
    Field("sic", (("I010", "SIC"),)),
    Field("tod_s", (("I140", "ToD"),), lsb=1 / 128),
    Field("range_m", (("I040", "RHO"),), NM, NM / 256),
    Field("azimuth_rad", (("I040", "THETA"),), DEG, 360 / 2**16 * DEG),
    Field("height_m", (("I110", "3D_Height"),), FT, 25 * FT),
    Field("alt_baro_m", lsb=25 * FT, read=validated_fl),
    Field("squawk", read=squawk("I070")),
    Field("icao24", (("I220", "ACAddr"),), convert=hex_address),
    Field("callsign", (("I240", "TId"),), convert=text_value),
    Field("track_number", (("I161", "Tn"),)),
    Field("ground_speed_mps", (("I200", "CGS"),), NM / 3600, NM / 2**14),
    Field("heading_rad", (("I200", "CHdg"),), DEG, 360 / 2**16 * DEG),
    Field("report_type", (("I020", "TYP"),)),
)
"""CAT048 columns."""

CAT021: tuple[Field, ...] = (
    Field("sac", (("I010", "SAC"),)),
    Field("sic", (("I010", "SIC"),)),
    Field(
        "tod_s",
        (
            ("I073", "time_reception_position"),
            ("I071", "time_applicability_position"),
            ("I077", "time_report_transmission"),
        ),
        lsb=1 / 128,
    ),
    Field("lat_deg", (("I131", "Lat"), ("I130", "Lat")), lsb=180 / 2**30),
    Field("lon_deg", (("I131", "Lon"), ("I130", "Lon")), lsb=180 / 2**30),
    Field("alt_geom_m", (("I140", "geometric_height"),), FT, 6.25 * FT),
    Field("alt_baro_m", (("I145", "FL"),), 100 * FT, 25 * FT),
    Field("icao24", (("I080", "TAddr"),), convert=hex_address),
    Field("callsign", (("I170", "TId"),), convert=text_value),
    Field("squawk", read=squawk("I070")),
    Field("ground_speed_mps", lsb=NM / 2**14, read=ground_speed_021),
    Field("track_rad", (("I160", "TA"),), DEG, 360 / 2**16 * DEG),
    Field("vertical_rate_mps", lsb=6.25 * FPM, read=vertical_rate_021),
    Field("track_number", (("I161", "TrackN"),)),
)
"""CAT021 columns; the position's resolution is I021/131's (finer than I021/130's)."""

CAT062: tuple[Field, ...] = (
    Field("sac", (("I010", "SAC"),)),
    Field("sic", (("I010", "SIC"),)),
    Field("tod_s", (("I070", "ToT"),), lsb=1 / 128),
    Field("track_number", (("I040", "TrkN"),)),
    Field("lat_deg", (("I105", "Lat"),), lsb=180 / 2**25),
    Field("lon_deg", (("I105", "Lon"),), lsb=180 / 2**25),
    Field("x_m", (("I100", "X"),), lsb=0.5),
    Field("y_m", (("I100", "Y"),), lsb=0.5),
    Field("vx_mps", (("I185", "Vx"),), lsb=0.25),
    Field("vy_mps", (("I185", "Vy"),), lsb=0.25),
    Field("alt_geom_m", (("I130", "Alt"),), FT, 6.25 * FT),
    Field("alt_baro_m", (("I135", "CTBA"),), FT, 25 * FT),
    Field("vertical_rate_mps", (("I220", "RoC"),), FPM, 6.25 * FPM),
    Field("squawk", read=squawk("I060")),
    Field("icao24", (("I380", "ADR"),), convert=hex_address),
    Field("callsign", read=callsign_062),
    Field("tentative", (("I080", "CNF"),), convert=bool),
    Field("coasting", (("I080", "CST"),), convert=bool),
    Field("ended", (("I080", "TSE"),), convert=bool),
)
"""CAT062 columns."""

ABSENT: dict[str, Any] = {"squawk": 0, "icao24": 0, "callsign": ""}
"""flankwatch's value of a column whose item is absent, where it is not NaN or -1."""


def absent_value(column: str, dtype: np.dtype) -> Any:
    """flankwatch's value of ``column`` (of ``dtype``) when its item is absent."""
    if column in ABSENT:
        return ABSENT[column]
    if dtype.kind == "f":
        return math.nan
    if dtype == np.dtype(bool):
        return False
    return -1


def mismatches(
    fields: Sequence[Field], items: Items, row: Mapping[str, Any], label: str
) -> list[str]:
    """The fields of ``row`` (column to flankwatch value) that disagree with the reference
    record's ``items``: numbers by half a resolution step or more, codes and text at all;
    each message starts with ``label``."""
    problems = []
    for field in fields:
        got = row[field.column]
        want = field.value(items)
        if want is None:
            want = absent_value(field.column, np.asarray(got).dtype)
        if isinstance(want, float) and math.isnan(want):
            agree = isinstance(got, float) and math.isnan(got)
        elif field.lsb:
            agree = abs(float(got) - float(want)) < field.lsb / 2
        else:
            agree = got == want
        if not agree:
            problems.append(f"{label} {field.column}: flankwatch {got!r}, reference {want!r}")
    return problems


def rows_of(batch: Columns) -> list[dict[str, Any]]:
    """The rows of a batch as plain Python values by column."""
    columns = {name: getattr(batch, name) for name in batch.DTYPES}
    return [
        {name: column[index].item() if hasattr(column[index], "item") else column[index]
         for name, column in columns.items()}
        for index in range(len(batch))
    ]  # fmt: skip


def assert_agree(
    fields: Sequence[Field], records: Sequence[Mapping[str, Any]], rows: Sequence[Items]
) -> None:
    """Every row agrees with its reference record (same order), field by field."""
    assert len(records) == len(rows)
    problems = [
        problem
        for index, (record, row) in enumerate(zip(records, rows, strict=True))
        for problem in mismatches(fields, record["items"], row, f"record {index}")
    ]
    assert not problems, "\n".join(problems)
