"""A readsb / dump1090-fa ``aircraft.json`` document to :class:`AdsbReports`.

The document is ``{"now": ..., "aircraft": [{...}, ...]}``; each aircraft entry gives
one row (or one skip). Fields read (readsb names; the older dump1090 names in
brackets): ``hex`` (a leading ``~`` marks a non-ICAO address), ``type``, ``flight``,
``alt_baro`` [``altitude``] in ft or ``"ground"``, ``alt_geom`` ft, ``gs`` [``speed``]
kt, ``track`` deg, ``geom_rate`` or else ``baro_rate`` [``vert_rate``] ft/min,
``squawk``, ``lat``, ``lon`` deg, ``nic``, ``nac_p``, ``rssi`` dBFS, and ``seen_pos``
/ ``seen`` (s before ``now``). A row's time is the caller's ``now_s`` (the time of
the document's ``now`` on the caller's clock) less ``seen_pos`` if the entry has a
position, else less ``seen``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from flankwatch.io.adsb.columns import (
    METRES_PER_FOOT,
    MPS_PER_FPM,
    MPS_PER_KNOT,
    AdsbReports,
    AdsbSource,
    squawk_code,
    track_rad,
)
from flankwatch.io.adsb.errors import Skip, SkipKind

SOURCE_BY_TYPE: dict[str, tuple[AdsbSource, bool]] = {
    "adsb_icao": (AdsbSource.ADSB, False),
    "adsb_icao_nt": (AdsbSource.ADSB, False),
    "adsb_other": (AdsbSource.ADSB, True),
    "adsr_icao": (AdsbSource.TISB, False),
    "adsr_other": (AdsbSource.TISB, True),
    "tisb_icao": (AdsbSource.TISB, False),
    "tisb_other": (AdsbSource.TISB, True),
    "tisb_trackfile": (AdsbSource.TISB, True),
    "mlat": (AdsbSource.MLAT, False),
    "mode_s": (AdsbSource.MODE_S, False),
}
"""readsb ``type`` to (source, non-ICAO address); other types give ``UNKNOWN``."""
_NUMBERS: dict[tuple[str, ...], tuple[str, float, float]] = {
    ("alt_geom",): ("alt_geom_m", METRES_PER_FOOT, 1e6),
    ("gs", "speed"): ("ground_speed_mps", MPS_PER_KNOT, 1e5),
    ("geom_rate", "baro_rate", "vert_rate"): ("vertical_rate_mps", MPS_PER_FPM, 1e6),
    ("lat",): ("lat_deg", 1.0, 90.0),
    ("lon",): ("lon_deg", 1.0, 180.0),
    ("rssi",): ("signal_dbfs", 1.0, 1e3),
}
"""Field names (first present wins) to (column, factor to SI, largest magnitude)."""


class _FieldError(ValueError):
    """A field that cannot be read; the message names it."""


def parse_aircraft_json(document: str | bytes, now_s: float) -> tuple[AdsbReports, list[Skip]]:
    """The reports of an ``aircraft.json`` document whose ``now`` is ``now_s`` (s, on the
    caller's clock) and the skipped entries (``at`` is the entry's index in
    ``aircraft``, or -1 if the document as a whole cannot be read)."""
    try:
        parsed = json.loads(document)
    except (ValueError, RecursionError) as error:
        return AdsbReports.empty(), [Skip(SkipKind.SYNTAX, -1, f"not JSON: {error}")]
    aircraft = parsed.get("aircraft") if isinstance(parsed, dict) else None
    if not isinstance(aircraft, list):
        message = "document is not an object with an 'aircraft' list"
        return AdsbReports.empty(), [Skip(SkipKind.SYNTAX, -1, message)]
    rows: list[dict[str, Any]] = []
    skips: list[Skip] = []
    for index, entry in enumerate(aircraft):
        if not isinstance(entry, dict):
            skips.append(Skip(SkipKind.SYNTAX, index, "aircraft entry is not an object"))
            continue
        try:
            rows.append(_row(entry, now_s))
        except _FieldError as error:
            skips.append(Skip(SkipKind.FIELD, index, str(error)))
    return AdsbReports.from_rows(rows), skips


def _row(entry: Mapping[str, Any], now_s: float) -> dict[str, Any]:
    """The report of one aircraft entry."""
    address = entry.get("hex")
    try:
        icao24 = int(str(address).removeprefix("~"), 16)
    except ValueError:
        raise _FieldError(f"hex {address!r} is not a hexadecimal address") from None
    if not 0 <= icao24 < 2**24:
        raise _FieldError(f"hex {address!r} is not a 24-bit address")
    source, non_icao = SOURCE_BY_TYPE.get(str(entry.get("type")), (AdsbSource.UNKNOWN, False))
    row: dict[str, Any] = {
        "icao24": icao24,
        "source": source,
        "non_icao": non_icao or str(address).startswith("~"),
    }
    if isinstance(entry.get("flight"), str) and entry["flight"].strip():
        row["callsign"] = entry["flight"].strip()
    alt_baro = entry.get("alt_baro", entry.get("altitude"))
    if alt_baro == "ground":
        row["on_ground"] = True
    elif alt_baro is not None:
        row["alt_baro_m"] = _number(alt_baro, "alt_baro", 1e6) * METRES_PER_FOOT
    for names, (column, factor, largest) in _NUMBERS.items():
        name = next((name for name in names if entry.get(name) is not None), None)
        if name is not None:
            row[column] = _number(entry[name], name, largest) * factor
    if entry.get("track") is not None:
        row["track_rad"] = track_rad(_number(entry["track"], "track", 1e4))
    for name, column in (("nic", "nic"), ("nac_p", "nacp")):
        if entry.get(name) is not None:
            value = _number(entry[name], name, 11.0)
            if value < 0 or value != int(value):
                raise _FieldError(f"{name} {entry[name]!r} is not a category 0-11")
            row[column] = int(value)
    if entry.get("squawk") is not None:
        try:
            row["squawk"] = squawk_code(str(entry["squawk"]))
        except ValueError as error:
            raise _FieldError(str(error)) from None
    if ("lat_deg" in row) != ("lon_deg" in row):
        raise _FieldError("lat and lon must come together")
    age_name = "seen_pos" if "lat_deg" in row and "seen_pos" in entry else "seen"
    age_s = _number(entry[age_name], age_name, 1e9) if entry.get(age_name) is not None else 0.0
    row["t_s"] = now_s - age_s
    return row


def _number(value: object, name: str, largest: float) -> float:
    """A finite JSON number no larger in magnitude than ``largest``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _FieldError(f"{name} {value!r} is not a number")
    try:
        number = float(value)
    except OverflowError:
        raise _FieldError(f"{name} is too large") from None
    if not math.isfinite(number) or abs(number) > largest:
        raise _FieldError(f"{name} {value!r} is not within +-{largest:g}")
    return number
