"""SBS "BaseStation" CSV lines (dump1090/readsb port 30003) to :class:`AdsbReports`.

A line is ``MSG,<transmission type>,<session>,<aircraft>,<hex address>,<flight>,
<date>,<time>,<date>,<time>,<callsign>,<altitude ft>,<ground speed kt>,<track deg>,
<lat deg>,<lon deg>,<vertical rate ft/min>,<squawk>,<alert>,<emergency>,<SPI>,
<on ground>``; empty fields are not given. ``MLAT`` lines (multilateration) have the
same layout. Transmission types 1-4 come from extended squitters, 5-8 from other
Mode S replies. The dates and times carry no time zone and are not used: each line
takes the caller's ``t_s``. Other record kinds (``SEL``, ``ID``, ``AIR``, ``STA``,
``CLK``) are skipped as unsupported.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

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

SBS_FIELDS = 22
"""Fields of a ``MSG`` line."""
_OTHER_RECORDS = frozenset({"SEL", "ID", "AIR", "STA", "CLK"})
_NUMBERS: dict[int, tuple[str, str, float, float]] = {
    11: ("altitude", "alt_baro_m", METRES_PER_FOOT, 1e6),
    12: ("ground speed", "ground_speed_mps", MPS_PER_KNOT, 1e5),
    16: ("vertical rate", "vertical_rate_mps", MPS_PER_FPM, 1e6),
    14: ("latitude", "lat_deg", 1.0, 90.0),
    15: ("longitude", "lon_deg", 1.0, 180.0),
}
"""Field index to (name, column, factor to SI, largest magnitude in the line's unit)."""


class _FieldError(ValueError):
    """A field that cannot be read; the message names it."""


def parse_sbs(
    lines: Sequence[str], t_s: float | np.ndarray, first_line: int = 1
) -> tuple[AdsbReports, list[Skip]]:
    """The reports of SBS ``lines`` (without line ends) received at ``t_s`` (s; one time
    or one per line) and the skipped lines (``at`` is the line number, ``lines[0]``
    being ``first_line``)."""
    times = np.broadcast_to(np.asarray(t_s, dtype=np.float64), (len(lines),))
    rows: list[dict[str, Any]] = []
    skips: list[Skip] = []
    for index, line in enumerate(lines):
        number = first_line + index
        fields = line.strip().split(",")
        record = fields[0]
        if record in _OTHER_RECORDS:
            skips.append(Skip(SkipKind.UNSUPPORTED, number, f"SBS {record} record"))
            continue
        if record not in ("MSG", "MLAT") or len(fields) < SBS_FIELDS:
            skips.append(
                Skip(SkipKind.SYNTAX, number, f"not an SBS MSG line of {SBS_FIELDS} fields")
            )
            continue
        try:
            row = _row(fields)
        except _FieldError as error:
            skips.append(Skip(SkipKind.FIELD, number, str(error)))
            continue
        row["t_s"] = float(times[index])
        rows.append(row)
    return AdsbReports.from_rows(rows), skips


def _row(fields: list[str]) -> dict[str, Any]:
    """The report of one ``MSG``/``MLAT`` line split at its commas."""
    address = fields[4].strip()
    row: dict[str, Any] = {"non_icao": address.startswith("~")}
    try:
        row["icao24"] = int(address.removeprefix("~"), 16)
        transmission = int(fields[1])
    except ValueError:
        raise _FieldError(
            f"address {address!r} or transmission type {fields[1]!r} unreadable"
        ) from None
    if not 0 <= row["icao24"] < 2**24 or not 1 <= transmission <= 8:
        raise _FieldError(f"address {address!r} or transmission type {transmission} out of range")
    if fields[0] == "MLAT":
        row["source"] = AdsbSource.MLAT
    else:
        row["source"] = AdsbSource.ADSB if transmission <= 4 else AdsbSource.MODE_S
    if fields[10].strip():
        row["callsign"] = fields[10].strip()
    for index, (name, column, factor, largest) in _NUMBERS.items():
        value = _number(fields[index], name, largest)
        if not math.isnan(value):
            row[column] = value * factor
    track = _number(fields[13], "track", 1e4)
    if not math.isnan(track):
        row["track_rad"] = track_rad(track)
    if fields[17].strip():
        try:
            row["squawk"] = squawk_code(fields[17])
        except ValueError as error:
            raise _FieldError(str(error)) from None
    row["on_ground"] = fields[21].strip() in ("-1", "1")
    return row


def _number(text: str, name: str, largest: float) -> float:
    """A field's number, NaN if the field is empty."""
    text = text.strip()
    if not text:
        return math.nan
    try:
        value = float(text)
    except ValueError:
        raise _FieldError(f"{name} {text!r} is not a number") from None
    if not abs(value) <= largest:
        raise _FieldError(f"{name} {text!r} is not within +-{largest:g}")
    return value
