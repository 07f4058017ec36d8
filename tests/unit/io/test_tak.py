"""TAK protocol version 1 framing: CoT XML to mesh datagrams and stream frames, and back."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flankwatch.geo.frames import LocalFrame
from flankwatch.io.cot import track_events
from flankwatch.io.tak import (
    MAX_PAYLOAD_BYTES,
    MESH_HEADER,
    StreamReader,
    mesh_frame,
    read_mesh,
    stream_frame,
    tak_message,
)
from flankwatch.track.output import TrackBatch, TrackStatus

START = datetime(2025, 9, 9, 21, 30, tzinfo=UTC)
FRAME = LocalFrame(52.0, 21.0)


def events(n: int) -> list[str]:
    """``n`` hostile drone tracks 10 km apart, climbing east at 40 m/s, as CoT XML."""
    state = np.zeros((n, 6))
    state[:, 0] = np.arange(n) * 10_000.0
    state[:, 1] = -5_000.0
    state[:, 2] = 300.0 + 50.0 * np.arange(n)
    state[:, 3] = 40.0
    cov = np.zeros((n, 6, 6))
    cov[:, 0, 0] = cov[:, 1, 1] = 150.0**2
    cov[:, 2, 2] = 40.0**2
    tracks = TrackBatch.from_states(
        time_s=np.full(n, 90.5),
        track_id=np.arange(7, 7 + n),
        status=np.full(n, int(TrackStatus.CONFIRMED)),
        state=state,
        cov=cov,
        manoeuvre_prob=np.zeros(n),
        last_update_s=np.full(n, 90.5),
        icao24=np.zeros(n, np.uint32),
        callsign=[""] * n,
    )
    return track_events(tracks, FRAME, START, ["hostile"] * n, ["one-way-attack-drone"] * n)


def same_event(message: object, xml: str) -> None:
    """The protobuf ``message`` carries what the XML event says."""
    root = ET.fromstring(xml.split("?>", 1)[1])
    event = message.cotEvent  # type: ignore[attr-defined]
    assert event.uid == root.get("uid")
    assert event.type == root.get("type")
    assert event.how == root.get("how")
    point = root.find("point")
    for name in ("lat", "lon", "hae", "ce", "le"):
        assert getattr(event, name) == pytest.approx(float(point.get(name)), abs=1e-9)
    send_ms = (datetime.fromisoformat(root.get("time")) - datetime(1970, 1, 1, tzinfo=UTC)) / 1e-3
    assert event.sendTime == pytest.approx(send_ms.total_seconds(), abs=1)
    assert event.staleTime - event.sendTime == pytest.approx(30_000, abs=1)
    assert event.detail.contact.callsign == root.find("detail/contact").get("callsign")
    track = root.find("detail/track")
    assert event.detail.track.speed == pytest.approx(float(track.get("speed")))
    assert event.detail.track.course == pytest.approx(float(track.get("course")))
    extra = ET.fromstring(f"<d>{event.detail.xmlDetail}</d>").find("_flankwatch_")
    assert extra.attrib == root.find("detail/_flankwatch_").attrib


def test_a_mesh_datagram_is_the_header_then_the_event() -> None:
    xml = events(1)[0]
    datagram = mesh_frame(xml)
    assert datagram[:3] == MESH_HEADER == b"\xbf\x01\xbf"
    assert len(datagram) < len(xml.encode())  # the point of the binary protocol
    same_event(read_mesh(datagram), xml)
    assert read_mesh(datagram).cotEvent.uid == "flankwatch.track.7"


def test_a_stream_frame_is_magic_varint_length_and_payload() -> None:
    xml = events(1)[0]
    frame = stream_frame(xml)
    assert frame[0] == 0xBF
    # the payload is over 127 bytes: a two-byte varint, low seven bits first
    assert frame[1] & 0x80 and not frame[2] & 0x80
    length = (frame[1] & 0x7F) | (frame[2] << 7)
    assert length == len(frame) - 3
    assert frame[3:] == mesh_frame(xml)[3:]  # the same protobuf in both framings
    (message,) = StreamReader().feed(frame)
    same_event(message, xml)


def test_events_as_text_or_bytes_frame_alike() -> None:
    xml = events(1)[0]
    assert stream_frame(xml) == stream_frame(xml.encode("utf-8"))
    assert tak_message(xml) == tak_message(xml.encode("utf-8"))


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=2000), max_size=6))
def test_a_stream_cut_anywhere_gives_the_same_events(cuts: list[int]) -> None:
    xml = events(3)
    stream = b"".join(stream_frame(event) for event in xml)
    points = sorted({min(cut, len(stream)) for cut in cuts} | {0, len(stream)})
    reader = StreamReader()
    received = []
    for start, end in zip(points, points[1:], strict=False):
        received += reader.feed(stream[start:end])
    assert [m.cotEvent.uid for m in received] == [f"flankwatch.track.{i}" for i in (7, 8, 9)]
    assert reader.pending_bytes == 0
    for message, event in zip(received, xml, strict=True):
        same_event(message, event)


def test_an_incomplete_frame_waits_for_the_rest() -> None:
    frame = stream_frame(events(1)[0])
    reader = StreamReader()
    assert reader.feed(frame[:2]) == []  # the varint is not complete yet
    assert reader.feed(frame[2:-1]) == []
    assert reader.pending_bytes == len(frame) - 1
    assert len(reader.feed(frame[-1:])) == 1


def test_a_broken_stream_is_refused() -> None:
    with pytest.raises(ValueError, match="0x3c"):
        StreamReader().feed(events(1)[0].encode())  # XML where a TAK frame was expected
    reader = StreamReader()
    too_long = MAX_PAYLOAD_BYTES + 1
    varint = bytes([(too_long & 0x7F) | 0x80, (too_long >> 7 & 0x7F) | 0x80, too_long >> 14])
    with pytest.raises(ValueError, match="bytes"):
        reader.feed(b"\xbf" + varint)
    assert reader.pending_bytes == 0
    with pytest.raises(ValueError, match="varint"):
        StreamReader().feed(b"\xbf" + b"\xff" * 12)
    with pytest.raises(ValueError, match="TakMessage"):
        StreamReader().feed(b"\xbf\x03\xff\xff\xff")


def test_non_events_are_refused() -> None:
    with pytest.raises(ValueError, match="not a TAK mesh datagram"):
        read_mesh(b"<?xml version='1.0'?><event/>")
    with pytest.raises(ValueError, match="XML"):
        mesh_frame("<event uid='x'")
    with pytest.raises(ValueError, match="TAK protocol"):
        stream_frame("<event uid='x' time='yesterday'/>")
