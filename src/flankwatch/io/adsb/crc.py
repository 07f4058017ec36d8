"""The Mode S parity check: a 24-bit CRC with generator polynomial 0x1FFF409.

ICAO Annex 10, Volume IV, 3.1.2.3.3. For extended squitters (DF17, DF18) the last 24
bits of a message are the CRC of the bits before them, so the remainder of the whole
message is zero; for DF11 it is the interrogator code (below 0x80); for the other
formats it is the aircraft address (address/parity).
"""

from __future__ import annotations

_GENERATOR = 0xFFF409
"""The polynomial without its leading bit."""


def _table() -> tuple[int, ...]:
    table = []
    for byte in range(256):
        crc = byte << 16
        for _ in range(8):
            crc = ((crc << 1) ^ _GENERATOR) if crc & 0x800000 else crc << 1
        table.append(crc & 0xFFFFFF)
    return tuple(table)


_TABLE = _table()


def crc24(data: bytes) -> int:
    """The 24-bit Mode S CRC of ``data``."""
    crc = 0
    for byte in data:
        crc = ((crc << 8) & 0xFFFFFF) ^ _TABLE[(crc >> 16) ^ byte]
    return crc


def remainder(message: bytes) -> int:
    """The CRC of ``message`` without its last 3 bytes, XOR its last 3 bytes: zero for a
    sound extended squitter, the address for an address/parity reply."""
    return crc24(message[:-3]) ^ int.from_bytes(message[-3:], "big")
