"""Encoders of Mode S / ADS-B messages and receiver formats, for the decoders' tests.

Written from the published message layouts (ICAO Doc 9871; J. Sun, "The 1090 Megahertz
Riddle", 2nd ed., 2021), independently of the decoders they test.
"""

from __future__ import annotations

import json
import math
from typing import Any

CHARSET = "#ABCDEFGHIJKLMNOPQRSTUVWXYZ##### ###############0123456789######"
"""The 6-bit character set of aircraft identification."""


def crc24(data: bytes) -> int:
    """Mode S CRC, bit by bit (generator 0x1FFF409)."""
    crc = 0
    for byte in data:
        for bit in range(7, -1, -1):
            top = ((crc >> 23) & 1) ^ ((byte >> bit) & 1)
            crc = (crc << 1) & 0xFFFFFF
            if top:
                crc ^= 0xFFF409
    return crc


def nl(lat_deg: float) -> int:
    """Number of longitude zones at a latitude."""
    if abs(lat_deg) >= 87.0:
        return 2 if abs(lat_deg) == 87.0 else 1
    if lat_deg == 0:
        return 59
    a = 1 - math.cos(math.pi / 30)
    return int(2 * math.pi / math.acos(1 - a / math.cos(math.radians(lat_deg)) ** 2))


def cpr_encode(
    lat_deg: float, lon_deg: float, parity: int, surface: bool = False
) -> tuple[int, int]:
    """17-bit CPR (lat, lon) of a position."""
    span = 90.0 if surface else 360.0
    dlat = span / (60 - parity)
    yz = math.floor(2**17 * (lat_deg % dlat) / dlat + 0.5)
    rlat = dlat * (yz / 2**17 + math.floor(lat_deg / dlat))
    dlon = span / max(nl(rlat) - parity, 1)
    xz = math.floor(2**17 * (lon_deg % dlon) / dlon + 0.5)
    return yz % 2**17, xz % 2**17


def squitter(icao24: int, me: int, df: int = 17, control: int = 5) -> str:
    """A DF17/DF18 message (hex) with a 56-bit ME field; ``control`` is CA or CF."""
    body = bytes([(df << 3) | control]) + icao24.to_bytes(3, "big") + me.to_bytes(7, "big")
    return (body + crc24(body).to_bytes(3, "big")).hex().upper()


def altitude_code_12(alt_ft: float) -> int:
    """The 12-bit altitude of an airborne position (25 ft steps, Q bit set)."""
    n = round((alt_ft + 1000) / 25)
    return ((n >> 4) << 5) | (1 << 4) | (n & 0xF)


def airborne_position(
    icao24: int, lat_deg: float, lon_deg: float, alt_ft: float, parity: int, type_code: int = 11
) -> str:
    """DF17 airborne position (BDS 0,5)."""
    lat_cpr, lon_cpr = cpr_encode(lat_deg, lon_deg, parity)
    me = (type_code << 51) | (altitude_code_12(alt_ft) << 36) | (parity << 34)
    return squitter(icao24, me | (lat_cpr << 17) | lon_cpr)


def surface_position(
    icao24: int, lat_deg: float, lon_deg: float, speed_kt: int, track_deg: float, parity: int
) -> str:
    """DF17 surface position (BDS 0,6), speed 15-70 kt in whole knots."""
    lat_cpr, lon_cpr = cpr_encode(lat_deg, lon_deg, parity, surface=True)
    movement = 39 + (speed_kt - 15)
    track = round(track_deg * 128 / 360) % 128
    me = (7 << 51) | (movement << 44) | (1 << 43) | (track << 36) | (parity << 34)
    return squitter(icao24, me | (lat_cpr << 17) | lon_cpr)


def identification(icao24: int, callsign: str) -> str:
    """DF17 identification (BDS 0,8), category A0."""
    me = 4 << 51
    for i, char in enumerate(callsign.ljust(8)):
        me |= CHARSET.index(char) << (42 - 6 * i)
    return squitter(icao24, me)


def velocity(icao24: int, east_kt: int, north_kt: int, rate_fpm: int) -> str:
    """DF17 airborne velocity over ground (BDS 0,9 subtype 1)."""
    me = (19 << 51) | (1 << 48)
    me |= (int(east_kt < 0) << 42) | ((abs(east_kt) + 1) << 32)
    me |= (int(north_kt < 0) << 31) | ((abs(north_kt) + 1) << 21)
    me |= (int(rate_fpm < 0) << 19) | ((abs(rate_fpm) // 64 + 1) << 10)
    return squitter(icao24, me)


def identity_code(squawk: str) -> int:
    """The 13-bit Mode A identity field (C1 A1 C2 A2 C4 A4 X B1 D1 B2 D2 B4 D4)."""
    a, b, c, d = (int(digit, 8) for digit in squawk)
    bits = [c & 1, a & 1, c >> 1 & 1, a >> 1 & 1, c >> 2 & 1, a >> 2 & 1, 0,
            b & 1, d & 1, b >> 1 & 1, d >> 1 & 1, b >> 2 & 1, d >> 2 & 1]  # fmt: skip
    return int("".join(map(str, bits)), 2)


def emergency(icao24: int, squawk: str, state: int = 5) -> str:
    """DF17 emergency/priority status (BDS 6,1 subtype 1); state 5 is unlawful interference."""
    return squitter(icao24, (28 << 51) | (1 << 48) | (state << 45) | (identity_code(squawk) << 32))


def operational_status(icao24: int, nacp: int) -> str:
    """DF17 airborne operational status (BDS 6,5), version 2."""
    return squitter(icao24, (31 << 51) | (2 << 13) | (nacp << 8))


def all_call(icao24: int) -> str:
    """DF11 acquisition squitter (interrogator code 0)."""
    body = bytes([(11 << 3) | 5]) + icao24.to_bytes(3, "big")
    return (body + crc24(body).to_bytes(3, "big")).hex().upper()


def _address_parity(first: bytes, icao24: int) -> str:
    return (first + (crc24(first) ^ icao24).to_bytes(3, "big")).hex().upper()


def surveillance_altitude(icao24: int, alt_ft: float) -> str:
    """DF4 altitude reply, 25 ft steps (Q bit set)."""
    n = round((alt_ft + 1000) / 25)
    code = ((n >> 5) << 7) | (((n >> 4) & 1) << 5) | (1 << 4) | (n & 0xF)
    return _address_parity(((4 << 27) | code).to_bytes(4, "big"), icao24)


def surveillance_identity(icao24: int, squawk: str) -> str:
    """DF5 identity reply."""
    return _address_parity(((5 << 27) | identity_code(squawk)).to_bytes(4, "big"), icao24)


def beast_frame(message_hex: str, mlat_ticks: int = 0, level: int = 0) -> bytes:
    """One Beast binary frame, with every 0x1a after the type byte doubled."""
    message = bytes.fromhex(message_hex)
    kind = {2: b"1", 7: b"2", 14: b"3"}[len(message)]
    body = mlat_ticks.to_bytes(6, "big") + bytes([level]) + message
    return b"\x1a" + kind + body.replace(b"\x1a", b"\x1a\x1a")


def avr_line(message_hex: str, mlat_ticks: int | None = None) -> str:
    """An AVR text line, with the MLAT counter if given."""
    if mlat_ticks is None:
        return f"*{message_hex};"
    return f"@{mlat_ticks:012X}{message_hex};"


def sbs_line(icao24: int, transmission: int, record: str = "MSG", **fields: Any) -> str:
    """An SBS line; ``fields`` by name: callsign, altitude, speed, track, lat, lon, rate,
    squawk, ground."""
    names = ["callsign", "altitude", "speed", "track", "lat", "lon", "rate", "squawk"]
    values = [record, str(transmission), "1", "1", f"{icao24:06X}", "1"]
    values += ["2025/01/01", "12:00:00.000", "2025/01/01", "12:00:00.000"]
    values += ["" if fields.get(name) is None else str(fields[name]) for name in names]
    values += ["0", "0", "0", "-1" if fields.get("ground") else "0"]
    return ",".join(values)


def aircraft_json(entries: list[dict[str, Any]], now: float = 1.7e9) -> str:
    """An ``aircraft.json`` document holding ``entries``."""
    return json.dumps({"now": now, "messages": 1000, "aircraft": entries})
