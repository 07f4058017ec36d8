"""Captures: the UDP datagrams of pcap and pcapng files, with their capture times."""

from __future__ import annotations

import socket
from pathlib import Path

import dpkt
import pytest

from flankwatch.live.capture import CaptureError, CaptureReader, is_capture
from flankwatch.live.inputs import InputError, parse_input
from flankwatch.live.transport import Broken, Chunk, capture_epochs_s, file_messages

T0 = 1_757_540_000.0


def udp_frame(payload: bytes, dport: int = 30003, v6: bool = False) -> bytes:
    """An Ethernet frame holding one UDP datagram."""
    udp = dpkt.udp.UDP(sport=40000, dport=dport, data=payload)
    udp.ulen = len(udp)
    if v6:
        ip: dpkt.Packet = dpkt.ip6.IP6(
            src=socket.inet_pton(socket.AF_INET6, "::1"),
            dst=socket.inet_pton(socket.AF_INET6, "::1"),
            nxt=dpkt.ip.IP_PROTO_UDP, hlim=64, data=udp, plen=len(udp),
        )  # fmt: skip
        kind = dpkt.ethernet.ETH_TYPE_IP6
    else:
        ip = dpkt.ip.IP(
            src=b"\x7f\x00\x00\x01", dst=b"\x7f\x00\x00\x01", p=dpkt.ip.IP_PROTO_UDP, data=udp
        )
        ip.len = len(ip)
        kind = dpkt.ethernet.ETH_TYPE_IP
    return bytes(dpkt.ethernet.Ethernet(src=b"\x01" * 6, dst=b"\x02" * 6, type=kind, data=ip))


def tcp_frame() -> bytes:
    tcp = dpkt.tcp.TCP(sport=1, dport=30003, data=b"MSG,3")
    ip = dpkt.ip.IP(
        src=b"\x7f\x00\x00\x01", dst=b"\x7f\x00\x00\x01", p=dpkt.ip.IP_PROTO_TCP, data=tcp
    )
    ip.len = len(ip)
    return bytes(dpkt.ethernet.Ethernet(type=dpkt.ethernet.ETH_TYPE_IP, data=ip))


def fragment_frame() -> bytes:
    frame = dpkt.ethernet.Ethernet(udp_frame(b"first half"))
    frame.data.mf = 1
    return bytes(frame)


PACKETS = [
    (T0 + 0.0, udp_frame(b"one\n")),
    (T0 + 0.5, tcp_frame()),
    (T0 + 1.0, udp_frame(b"two\n", v6=True)),
    (T0 + 1.5, udp_frame(b"other port\n", dport=9999)),
    (T0 + 2.0, fragment_frame()),
    (T0 + 2.5, udp_frame(b"three\n")),
]


def write_capture(path: Path, packets: list[tuple[float, bytes]], ng: bool = False) -> Path:
    with path.open("wb") as file:
        writer = dpkt.pcapng.Writer(file) if ng else dpkt.pcap.Writer(file)
        for t, frame in packets:
            writer.writepkt(frame, ts=t)
    return path


@pytest.mark.parametrize("ng", [False, True])
def test_udp_datagrams_come_with_their_times_and_the_rest_is_counted(
    tmp_path: Path, ng: bool
) -> None:
    path = write_capture(tmp_path / "feed.pcap", PACKETS, ng)
    assert is_capture(path)
    with path.open("rb") as file:
        reader = CaptureReader(file, port=30003)
        datagrams = list(reader)
    assert datagrams == [(T0, b"one\n"), (T0 + 1.0, b"two\n"), (T0 + 2.5, b"three\n")]
    assert reader.ignored == 3 and reader.broken == ""


@pytest.mark.parametrize("ng", [False, True])
def test_a_truncated_capture_ends_where_it_breaks(tmp_path: Path, ng: bool) -> None:
    path = write_capture(tmp_path / "feed.pcap", PACKETS, ng)
    path.write_bytes(path.read_bytes()[:-9])
    with path.open("rb") as file:
        reader = CaptureReader(file)
        payloads = [payload for _, payload in reader]
    assert payloads == [b"one\n", b"two\n", b"other port\n"]
    assert reader.broken or reader.ignored == 3  # the cut packet: an error, or not whole


def test_a_file_that_is_no_capture_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "feed.sbs"
    path.write_bytes(b"MSG,3,1,1\n")
    assert not is_capture(path)
    with path.open("rb") as file, pytest.raises(CaptureError):
        CaptureReader(file)
    bad = tmp_path / "bad.pcap"
    bad.write_bytes(b"\xd4\xc3\xb2\xa1" + b"\x00" * 3)
    with pytest.raises(InputError, match="bad.pcap"):
        capture_epochs_s(parse_input(f"sbs@file://{bad}"), 10)


def test_a_capture_input_gives_whole_chunks_timed_from_the_start(tmp_path: Path) -> None:
    path = write_capture(tmp_path / "feed.pcapng", PACKETS, ng=True)
    spec = parse_input(f"sbs@file://{path}?port=30003")
    assert capture_epochs_s(spec, 1) == [T0]
    messages = list(file_messages(4, spec, T0 - 10.0))
    chunks = [m for m in messages if isinstance(m, Chunk)]
    assert [(c.index, c.data, c.received_s, c.whole) for c in chunks] == [
        (4, b"one\n", 10.0, True), (4, b"two\n", 11.0, True), (4, b"three\n", 12.5, True)
    ]  # fmt: skip
    end = messages[-1]
    assert isinstance(end, Broken) and end.final and "3 packets" in end.reason


def test_a_plain_file_gives_untimed_chunks(tmp_path: Path) -> None:
    path = tmp_path / "feed.avr"
    path.write_bytes(b"*8D;\n" * 20_000)
    messages = list(file_messages(0, parse_input(f"avr@file://{path}"), 0.0))
    chunks = [m for m in messages if isinstance(m, Chunk)]
    assert b"".join(c.data for c in chunks) == path.read_bytes()
    assert all(c.received_s is None and not c.whole for c in chunks) and len(chunks) > 1
    assert isinstance(messages[-1], Broken) and messages[-1].final


def test_a_pcap_whose_last_record_is_cut_short_says_so(tmp_path: Path) -> None:
    path = write_capture(tmp_path / "feed.pcap", PACKETS)
    whole = path.read_bytes()
    with path.open("rb") as file:
        reader = CaptureReader(file)
        assert len(list(reader)) == 4 and reader.broken == ""  # a whole file: nothing said
    path.write_bytes(whole[:-9])
    with path.open("rb") as file:
        reader = CaptureReader(file)
        list(reader)
    last = len(PACKETS[-1][1])
    assert reader.broken == (
        f"capture breaks off: its last record claims {last} bytes, {last - 9} were left in the file"
    )


def test_a_pcap_record_claiming_more_than_the_file_holds_is_named(tmp_path: Path) -> None:
    # a corrupt length in the third record: the reader takes the rest of the file as it
    path = write_capture(tmp_path / "feed.pcap", PACKETS)
    data = bytearray(path.read_bytes())
    third = 24 + sum(16 + len(frame) for _, frame in PACKETS[:2])
    data[third + 8 : third + 12] = (10**6).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    with path.open("rb") as file:
        reader = CaptureReader(file)
        list(reader)
    assert reader.broken.startswith("capture breaks off: its last record claims 1,000,000 bytes")
