"""TAK protocol version 1: CoT events as protobuf payloads, framed for mesh or stream.

TAK clients and servers carry Cursor on Target either as XML (protocol version 0)
or as a protobuf ``TakMessage`` (version 1), converted here with ``takproto``. The
payload is framed in one of two ways:

- **mesh** (one UDP datagram per event, e.g. to the multicast group 239.2.3.1:6969):
  the three bytes ``0xBF 0x01 0xBF`` (magic, version 1, magic), then the protobuf;
- **stream** (TCP or TLS to a TAK server, one event after another): the byte ``0xBF``,
  the protobuf's length in bytes as a base-128 varint, then the protobuf.

Times in the protobuf are milliseconds since 1970-01-01 UTC; positions are WGS-84
degrees with ``hae``, ``ce`` and ``le`` in metres, as in the XML. Detail elements
that the protobuf has no field for (``remarks``, ``_flankwatch_``, ``color``...) travel
as XML text in ``detail.xmlDetail``.

:func:`mesh_frame` and :func:`stream_frame` build the bytes; :func:`read_mesh` and
:class:`StreamReader` read them back (a receiver, and the tests). No sockets here.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

import takproto  # type: ignore[import-untyped]

__all__ = [
    "MAX_PAYLOAD_BYTES",
    "MESH_HEADER",
    "STREAM_MAGIC",
    "StreamReader",
    "mesh_frame",
    "read_mesh",
    "stream_frame",
    "tak_message",
]

MESH_HEADER = b"\xbf\x01\xbf"
"""The three bytes before each mesh (UDP) payload: magic, protocol version 1, magic."""
STREAM_MAGIC = 0xBF
"""The byte before each stream (TCP, TLS) payload's length."""
MAX_PAYLOAD_BYTES = 1 << 20
"""The largest payload a :class:`StreamReader` accepts (1 MiB): a longer length is
taken as a broken stream rather than waited for."""


def tak_message(event: str | bytes) -> Any:
    """The ``takproto`` ``TakMessage`` of one CoT XML event (text or UTF-8 bytes).

    Raises :class:`ValueError` if the event is not well-formed XML or its times are
    not CoT times.
    """
    data = event.encode("utf-8") if isinstance(event, str) else bytes(event)
    try:
        return takproto.functions.xml2message(data)
    except ET.ParseError as error:
        raise ValueError(f"CoT event is not well-formed XML: {error}") from error
    except ValueError as error:
        raise ValueError(f"CoT event cannot be converted to TAK protocol: {error}") from error


def mesh_frame(event: str | bytes) -> bytes:
    """One CoT XML event as a mesh datagram: :data:`MESH_HEADER` then the protobuf.

    Raises :class:`ValueError` as :func:`tak_message`.
    """
    return bytes(takproto.functions.msg2proto(tak_message(event), takproto.TAKProtoVer.MESH))


def stream_frame(event: str | bytes) -> bytes:
    """One CoT XML event as a stream frame: ``0xBF``, the varint length, the protobuf.

    Raises :class:`ValueError` as :func:`tak_message`.
    """
    return bytes(takproto.functions.msg2proto(tak_message(event), takproto.TAKProtoVer.STREAM))


def read_mesh(datagram: bytes) -> Any:
    """The ``TakMessage`` of one mesh datagram.

    Raises :class:`ValueError` if the datagram does not start with :data:`MESH_HEADER`
    or its payload is not a ``TakMessage``.
    """
    if datagram[:3] != MESH_HEADER:
        raise ValueError(f"not a TAK mesh datagram: starts with {datagram[:3].hex()}")
    return _parse(datagram[3:])


class StreamReader:
    """Splits a TAK stream into ``TakMessage`` values, however the bytes arrive.

    Feed it what a socket returns; it keeps an incomplete frame until the rest comes.
    """

    def __init__(self) -> None:
        self._buffer = bytearray()

    @property
    def pending_bytes(self) -> int:
        """Bytes held that do not make a whole frame yet."""
        return len(self._buffer)

    def feed(self, data: bytes) -> list[Any]:
        """The messages completed by ``data``, in order.

        Raises :class:`ValueError` (and drops what it held) if a frame does not start
        with :data:`STREAM_MAGIC`, its length passes :data:`MAX_PAYLOAD_BYTES` or its
        payload is not a ``TakMessage``.
        """
        self._buffer += data
        messages = []
        while self._buffer:
            if self._buffer[0] != STREAM_MAGIC:
                found = self._buffer[0]
                self._buffer.clear()
                raise ValueError(f"TAK stream frame starts with 0x{found:02x}, not 0xbf")
            length = _varint(self._buffer, 1)
            if length is None:
                break
            size, start = length
            if size > MAX_PAYLOAD_BYTES:
                self._buffer.clear()
                raise ValueError(f"TAK stream frame of {size} bytes (at most {MAX_PAYLOAD_BYTES})")
            if len(self._buffer) < start + size:
                break
            payload = bytes(self._buffer[start : start + size])
            del self._buffer[: start + size]
            messages.append(_parse(payload))
        return messages


def _varint(buffer: bytearray, offset: int) -> tuple[int, int] | None:
    """The base-128 varint at ``offset`` and the offset after it; None if incomplete.

    Raises :class:`ValueError` for a varint longer than 10 bytes.
    """
    value = 0
    for index in range(offset, min(len(buffer), offset + 10)):
        byte = buffer[index]
        value |= (byte & 0x7F) << (7 * (index - offset))
        if not byte & 0x80:
            return value, index + 1
    if len(buffer) >= offset + 10:
        raise ValueError("TAK stream frame length is not a varint")
    return None


def _parse(payload: bytes) -> Any:
    """The ``TakMessage`` in ``payload``; :class:`ValueError` if it is not one."""
    message = takproto.proto.TakMessage()
    try:
        message.ParseFromString(payload)
    except Exception as error:  # protobuf's DecodeError is no ValueError
        raise ValueError(f"TAK payload is not a TakMessage: {error}") from error
    return message
