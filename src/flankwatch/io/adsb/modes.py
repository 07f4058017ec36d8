"""Mode S and ADS-B messages to :class:`AdsbReports`, with ``rs1090`` reading the fields.

One row per decoded message; a message that cannot be used is a
:class:`~flankwatch.io.adsb.errors.Skip` instead, so rows plus skips equal frames.

What is checked before ``rs1090`` sees a message (it accepts some messages
unchecked): the length must fit the downlink format (DF 0-15: 56 bits, 16-23: 112);
DF17 and DF18 must have a zero parity remainder and DF11 one below 0x80 (the
interrogator code); the address of an address/parity reply (DF0, 4, 5, 16, 20, 21),
which is its parity remainder, must belong to an aircraft heard in a checked DF11 or
DF17 message within :data:`~flankwatch.io.adsb.positions.FORGET_S`. ``rs1090``
decodes no positions here: :mod:`flankwatch.io.adsb.positions` does, from the
current frame and earlier ones only.

Extended squitter content used (by BDS code): 05 airborne position (pressure
altitude or GNSS height by type code), 06 surface position (ground speed, track),
08 identification, 09 velocity (ground speed, track, vertical rate), 61 emergency
status (squawk), 62 and 65 (NACp). DF18 TIS-B/ADS-R with control field 3 (coarse
TIS-B), 4 (management) and 7 (reserved) are skipped as unsupported.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import rs1090

from flankwatch.io.adsb.columns import (
    METRES_PER_FOOT,
    MPS_PER_FPM,
    MPS_PER_KNOT,
    AdsbReports,
    AdsbSource,
    squawk_code,
    track_rad,
)
from flankwatch.io.adsb.crc import remainder
from flankwatch.io.adsb.errors import Skip, SkipKind
from flankwatch.io.adsb.frames import ModeSFrames
from flankwatch.io.adsb.positions import (
    AircraftMemory,
    CprFrame,
    DecoderState,
    heard,
    locate,
    recently_heard,
)

ADDRESS_PARITY_DF = frozenset({0, 4, 5, 16, 20, 21})
"""Downlink formats whose parity field is overlaid with the aircraft address."""
_DF18_SOURCES: dict[int, tuple[AdsbSource, bool]] = {
    0: (AdsbSource.ADSB, False),
    1: (AdsbSource.ADSB, True),
    2: (AdsbSource.TISB, False),
    5: (AdsbSource.TISB, True),
    6: (AdsbSource.TISB, False),
}
"""DF18 control field to (source, non-ICAO address); other values are unsupported."""
NIC_BY_TYPE_CODE: dict[int, int] = {
    5: 11, 6: 10, 7: 8, 8: 0,
    9: 11, 10: 10, 11: 8, 12: 7, 13: 6, 14: 5, 15: 4, 16: 2, 17: 1, 18: 0,
    20: 11, 21: 10, 22: 0,
}  # fmt: skip
"""Position type code to NIC, the lower value where it depends on the NIC supplements
(DO-260B table as given in "The 1090 Megahertz Riddle", chapter "ADS-B uncertainty")."""

Row = dict[str, Any]
Problem = tuple[SkipKind, str]


def decode_frames(
    frames: ModeSFrames,
    t_s: float | np.ndarray,
    state: DecoderState,
    receiver_deg: tuple[float, float] | None = None,
) -> tuple[AdsbReports, list[Skip], DecoderState]:
    """The reports of ``frames`` received at ``t_s`` (s; one time or one per frame, in
    order), the skipped frames, and the state after them.

    ``receiver_deg`` (lat, lon, deg) allows a first position before an even/odd pair;
    see :mod:`flankwatch.io.adsb.positions`. The state returned forgets aircraft not
    heard for :data:`~flankwatch.io.adsb.positions.FORGET_S`; ``state`` is unchanged.
    """
    times = np.broadcast_to(np.asarray(t_s, dtype=np.float64), (len(frames),))
    memories: dict[int, AircraftMemory] = {}
    rows: list[Row] = []
    skips: list[Skip] = []
    for index in range(len(frames)):
        t = float(times[index])
        result = _decode_one(str(frames.message_hex[index]), t, state, memories, receiver_deg)
        if isinstance(result, tuple):
            skips.append(Skip(result[0], int(frames.at[index]), result[1]))
            continue
        result["t_s"] = t
        result["signal_dbfs"] = float(frames.signal_dbfs[index])
        result["mlat_ticks"] = int(frames.mlat_ticks[index])
        rows.append(result)
    new_state = state.with_aircraft(memories)
    if len(times):
        new_state = new_state.pruned(float(np.max(times)))
    return AdsbReports.from_rows(rows), skips, new_state


def _decode_one(
    message_hex: str,
    t_s: float,
    state: DecoderState,
    memories: dict[int, AircraftMemory],
    receiver_deg: tuple[float, float] | None,
) -> Row | Problem:
    """One message's report row, or why it is skipped; ``memories`` gets the updates."""
    try:
        message = bytes.fromhex(message_hex)
    except ValueError:
        return SkipKind.HEX, "message is not even-length hexadecimal text"
    if not message:
        return SkipKind.LENGTH, "empty message"
    df = message[0] >> 3
    if df >= 24:
        return SkipKind.UNSUPPORTED, "Comm-D extended length message (DF24)"
    if len(message) != (14 if df >= 16 else 7):
        return SkipKind.LENGTH, f"DF{df} message of {len(message)} bytes"
    parity = remainder(message)
    if df in (17, 18):
        if parity:
            return SkipKind.CRC, f"DF{df} parity check failed"
        icao24 = int.from_bytes(message[1:4], "big")
    elif df == 11:
        if parity >= 0x80:
            return SkipKind.CRC, "DF11 parity check failed"
        icao24 = int.from_bytes(message[1:4], "big")
    elif df in ADDRESS_PARITY_DF:
        icao24 = parity
        if not recently_heard(_memory(state, memories, icao24), t_s):
            return SkipKind.UNKNOWN_ADDRESS, f"DF{df} reply from {icao24:06x}, not heard before"
    else:
        return SkipKind.UNSUPPORTED, f"DF{df} message"
    try:
        fields = rs1090.decode(message.hex())
    except Exception as error:  # rs1090 raises on content it cannot read
        return SkipKind.FIELD, f"DF{df} message not decoded: {error}"
    if not fields:
        return SkipKind.FIELD, f"DF{df} message not decoded"
    row: Row = {"icao24": icao24, "source": AdsbSource.MODE_S}
    if df in (11, 17):
        memories[icao24] = heard(_memory(state, memories, icao24), t_s)
    if df == 11:
        return row
    if df in ADDRESS_PARITY_DF:
        return _reply_row(row, fields)
    if df == 18:
        control = message[0] & 0x7
        if control not in _DF18_SOURCES:
            return SkipKind.UNSUPPORTED, f"DF18 with control field {control}"
        row["source"], row["non_icao"] = _DF18_SOURCES[control]
    else:
        row["source"] = AdsbSource.ADSB
    return _squitter_row(row, fields, t_s, state, memories, receiver_deg)


def _memory(
    state: DecoderState, memories: Mapping[int, AircraftMemory], icao24: int
) -> AircraftMemory:
    memory = memories.get(icao24)
    return memory if memory is not None else state.get(icao24)


def _reply_row(row: Row, fields: Mapping[str, Any]) -> Row | Problem:
    """A surveillance or Comm-B reply: altitude or squawk, and a Comm-B callsign."""
    if fields.get("altitude") is not None:
        row["alt_baro_m"] = fields["altitude"] * METRES_PER_FOOT
    if fields.get("squawk") is not None:
        problem = _put_squawk(row, fields["squawk"])
        if problem:
            return problem
    identification = fields.get("bds20")
    if isinstance(identification, Mapping) and identification.get("callsign"):
        row["callsign"] = str(identification["callsign"]).strip()
    return row


def _squitter_row(
    row: Row,
    fields: Mapping[str, Any],
    t_s: float,
    state: DecoderState,
    memories: dict[int, AircraftMemory],
    receiver_deg: tuple[float, float] | None,
) -> Row | Problem:
    """An extended squitter's row by its BDS code."""
    bds = fields.get("bds")
    if bds in ("05", "06"):
        if fields.get("lat_cpr") is None or fields.get("lon_cpr") is None:
            return SkipKind.FIELD, f"position message {bds} without CPR coordinates"
        surface = bds == "06"
        type_code = int(fields.get("tc", -1))
        if type_code in NIC_BY_TYPE_CODE:
            row["nic"] = NIC_BY_TYPE_CODE[type_code]
        if surface:
            row["on_ground"] = True
            _put_motion(row, fields)
        elif fields.get("altitude") is not None:
            height_m = fields["altitude"] * METRES_PER_FOOT
            row["alt_geom_m" if type_code >= 20 else "alt_baro_m"] = height_m
        frame = CprFrame(int(fields["lat_cpr"]), int(fields["lon_cpr"]), t_s, surface)
        parity = 1 if fields.get("parity") == "odd" else 0
        icao24 = row["icao24"]
        lat, lon, memories[icao24] = locate(
            _memory(state, memories, icao24), frame, parity, receiver_deg
        )
        row["lat_deg"], row["lon_deg"] = lat, lon
    elif bds == "08":
        row["callsign"] = str(fields.get("callsign", "")).strip()
    elif bds == "09":
        _put_motion(row, fields)
        if fields.get("vertical_rate") is not None:
            row["vertical_rate_mps"] = fields["vertical_rate"] * MPS_PER_FPM
    elif bds == "61" and fields.get("squawk") is not None:
        problem = _put_squawk(row, fields["squawk"])
        if problem:
            return problem
    elif bds in ("62", "65") and fields.get("NACp") is not None:
        row["nacp"] = int(fields["NACp"])
    else:
        return SkipKind.UNSUPPORTED, f"extended squitter content {bds}"
    return row


def _put_motion(row: Row, fields: Mapping[str, Any]) -> None:
    """Ground speed and track, if given (knots, degrees), into ``row`` in SI."""
    if fields.get("groundspeed") is not None:
        row["ground_speed_mps"] = fields["groundspeed"] * MPS_PER_KNOT
    track = fields.get("track")
    if track is not None and math.isfinite(track):
        row["track_rad"] = track_rad(track)


def _put_squawk(row: Row, text: object) -> Problem | None:
    try:
        row["squawk"] = squawk_code(str(text))
    except ValueError as error:
        return SkipKind.FIELD, str(error)
    return None
