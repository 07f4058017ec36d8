"""UDP datagrams out of a pcap or pcapng capture file, with their capture times.

Link layers read: Ethernet (with VLAN tags), Linux cooked capture (SLL), raw IP and
BSD loopback; network layers IPv4 and IPv6. A packet that is not a whole UDP
datagram (another protocol, an IP fragment, a packet cut short by the snap length)
is not used and is counted in :attr:`CaptureReader.ignored`.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

import dpkt  # type: ignore[import-untyped]

_BYTE_ORDER = {
    b"\xd4\xc3\xb2\xa1": "<",
    b"\x4d\x3c\xb2\xa1": "<",
    b"\xa1\xb2\xc3\xd4": ">",
    b"\xa1\xb2\x3c\x4d": ">",
}
"""The byte order (``struct``) of a pcap file, by its first four bytes."""
PCAP_MAGICS = frozenset(_BYTE_ORDER)
"""The first four bytes of a pcap file (either byte order, micro- or nanosecond times)."""
PCAPNG_MAGIC = b"\x0a\x0d\x0d\x0a"
"""The first four bytes of a pcapng file (its section header block type)."""

_LINK_LAYERS: dict[int, Any] = {
    dpkt.pcap.DLT_EN10MB: dpkt.ethernet.Ethernet,
    dpkt.pcap.DLT_LINUX_SLL: dpkt.sll.SLL,
    dpkt.pcap.DLT_NULL: dpkt.loopback.Loopback,
    dpkt.pcap.DLT_LOOP: dpkt.loopback.Loopback,
}
_RAW_IP = frozenset({dpkt.pcap.DLT_RAW, 12, 14, 101})
"""Link types of captures holding bare IP packets (their number varies by platform)."""


class CaptureError(ValueError):
    """A capture file that cannot be read at all (not a pcap, an unknown link layer)."""


def is_capture(path: Path) -> bool:
    """Whether the file at ``path`` starts like a pcap or pcapng capture."""
    with path.open("rb") as file:
        magic = file.read(4)
    return magic in PCAP_MAGICS or magic == PCAPNG_MAGIC


class CaptureReader:
    """The UDP datagrams of a capture as ``(Unix time s, payload)``, in file order.

    ``port``: only datagrams sent to this UDP port (None: all). A capture that breaks
    off (a truncated file) ends where it breaks; :attr:`broken` says why.
    """

    def __init__(self, file: BinaryIO, port: int | None = None) -> None:
        magic = file.read(4)
        file.seek(0)
        try:
            self.reader = (
                dpkt.pcapng.Reader(file) if magic == PCAPNG_MAGIC else dpkt.pcap.Reader(file)
            )
        except (ValueError, dpkt.dpkt.Error) as error:
            raise CaptureError(f"not a readable pcap or pcapng capture: {error}") from None
        link = self.reader.datalink()
        if link not in _LINK_LAYERS and link not in _RAW_IP:
            raise CaptureError(f"link layer type {link} is not read (Ethernet, SLL, raw IP)")
        self.link = link
        self.file = file
        order = _BYTE_ORDER.get(magic)
        self._record_header = None if order is None else struct.Struct(f"{order}IIII")
        """A pcap record's header (seconds, fraction, bytes captured, bytes on the wire)."""
        self.port = port
        self.ignored = 0
        """Packets that were not a whole UDP datagram (to the port asked for)."""
        self.broken = ""

    def __iter__(self) -> Iterator[tuple[float, bytes]]:
        last = b""
        try:
            for t_s, frame in self.reader:
                last = frame
                payload = self._payload(frame)
                if payload is None:
                    self.ignored += 1
                else:
                    yield float(t_s), payload
        except (ValueError, dpkt.dpkt.Error) as error:
            self.broken = f"capture breaks off: {error!r}"
            return
        if self._record_header is not None and last:
            self.broken = self._cut_short(last, self._record_header)

    def _cut_short(self, last: bytes, record_header: struct.Struct) -> str:
        """Why a pcap file broke off inside its last record ``last`` (its header claims
        more bytes than the file had left; the reader takes what is left as the record,
        so only the header tells), else ""."""
        end = self.file.tell()
        self.file.seek(end - len(last) - record_header.size)
        claimed = record_header.unpack(self.file.read(record_header.size))[2]
        self.file.seek(end)
        if claimed <= len(last):
            return ""
        return (
            f"capture breaks off: its last record claims {claimed:,} bytes, "
            f"{len(last):,} were left in the file"
        )

    def _payload(self, frame: bytes) -> bytes | None:
        """The UDP payload of one captured frame, or None if it holds no whole datagram."""
        try:
            if self.link in _RAW_IP:
                packet: Any = (dpkt.ip6.IP6 if frame[:1] and frame[0] >> 4 == 6 else dpkt.ip.IP)(
                    frame
                )
            else:
                packet = _LINK_LAYERS[self.link](frame).data
        except (dpkt.dpkt.Error, ValueError, IndexError):
            return None
        if isinstance(packet, dpkt.ip.IP) and (packet.mf or packet.offset):
            return None
        if not isinstance(packet, dpkt.ip.IP | dpkt.ip6.IP6):
            return None
        udp = packet.data
        if not isinstance(udp, dpkt.udp.UDP):
            return None
        if self.port is not None and udp.dport != self.port:
            return None
        if udp.ulen != len(udp):  # cut short by the snap length
            return None
        return bytes(udp.data)
