"""Cursor on Target streaming to real listeners on the loopback, from runs and sinks."""

from __future__ import annotations

import re
import socket
import threading
import time
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta

import numpy as np
import pytest

from cot_tracks import FRAME, START, batch
from flankwatch import loop
from flankwatch.assess.assessment import THREAT_SCHEMA, Assessment
from flankwatch.assess.assessor import build_assessor
from flankwatch.deployment import Deployment, Origin
from flankwatch.io.cot import (
    cot_time,
    track_events,
)
from flankwatch.io.cot_sink import CotSink
from flankwatch.io.cot_stream import CotSender, parse_destination
from flankwatch.io.tak import StreamReader, read_mesh
from flankwatch.loop import Picture, Window
from flankwatch.respond.step import OwnForces, ResponseStep, ShotOutcome
from flankwatch.sim.source import SimulationSource
from flankwatch.stages import AssessmentStage, TrackingStage
from flankwatch.stream import PlotBatch
from flankwatch.track.tracker import build_tracker


class Listener:
    """A TCP server on the loopback that keeps everything it is sent."""

    def __init__(self, port: int = 0) -> None:
        self.server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.server.bind(("127.0.0.1", port))
        self.server.listen()
        self.server.settimeout(0.2)
        self.port = self.server.getsockname()[1]
        self.data = bytearray()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.server.accept()
            except TimeoutError:
                continue
            conn.settimeout(0.2)
            with conn:
                while not self.stop.is_set():
                    try:
                        chunk = conn.recv(65536)
                    except TimeoutError:
                        continue
                    if not chunk:
                        break
                    self.data += chunk

    def events(self) -> list[ET.Element]:
        text = bytes(self.data).decode("utf-8")
        return [ET.fromstring(part) for part in re.findall(r"<event .*?</event>", text, re.S)]

    def wait_for(self, count: int, timeout_s: float = 10.0) -> list[ET.Element]:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if len(self.events()) >= count:
                break
            time.sleep(0.02)
        return self.events()

    def close(self) -> None:
        self.stop.set()
        self.thread.join(2.0)
        self.server.close()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_tracks_stream_to_a_tcp_listener() -> None:
    listener = Listener()
    try:
        tracks = batch(3)
        events = track_events(
            tracks,
            FRAME,
            START,
            ["hostile"] * 3,
            ["one-way-attack-drone", "decoy", "cruise-missile"],
        )
        with CotSender(f"tcp://127.0.0.1:{listener.port}", backoff_initial_s=0.05) as sender:
            assert sender.send_many(events) == 3
            assert sender.flush(5.0)
            received = listener.wait_for(3)
            stats = sender.stats()
        assert stats.sent == 3 and stats.dropped == 0 and stats.connects == 1
        assert stats.failures == 0 and stats.last_error == ""
        assert [e.get("uid") for e in received] == [f"flankwatch.track.{i}" for i in (1, 2, 3)]
        assert [e.get("type") for e in received] == ["a-h-A-M-F-Q", "a-h-A-M-F-Q", "a-h-A-W-M-A-S"]
        lat, lon, _ = FRAME.enu_to_geodetic(tracks.position())
        for event, want_lat, want_lon in zip(received, lat, lon, strict=True):
            assert float(event.find("point").get("lat")) == pytest.approx(want_lat, abs=1e-6)
            assert float(event.find("point").get("lon")) == pytest.approx(want_lon, abs=1e-6)
    finally:
        listener.close()


def test_a_refused_connection_is_retried_until_the_listener_appears() -> None:
    port = free_port()  # nothing listens there yet: connections are refused
    sender = CotSender(f"tcp://127.0.0.1:{port}", backoff_initial_s=0.05, backoff_max_s=0.2)
    sender.start()
    listener = None
    try:
        events = track_events(batch(2), FRAME, START)
        sender.send_many(events)  # never blocks, never raises
        deadline = time.monotonic() + 5.0
        while sender.stats().failures < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        refused = sender.stats()
        assert refused.failures >= 2 and refused.sent == 0 and refused.pending == 2
        assert "Refused" in refused.last_error or "refused" in refused.last_error
        listener = Listener(port)
        received = listener.wait_for(2)
        assert [e.get("uid") for e in received] == ["flankwatch.track.1", "flankwatch.track.2"]
        stats = sender.stats()
        assert stats.reconnects >= 2 and stats.connects == 1 and stats.sent == 2
    finally:
        final = sender.close(2.0)
        if listener is not None:
            listener.close()
    assert final.dropped == 0


def test_a_dropped_connection_is_reconnected() -> None:
    listener = Listener()
    port = listener.port
    sender = CotSender(f"tcp://127.0.0.1:{port}", backoff_initial_s=0.05, backoff_max_s=0.2)
    sender.start()
    try:
        sender.send(track_events(batch(1), FRAME, START)[0])
        assert len(listener.wait_for(1)) == 1
        listener.close()  # the server goes away
        deadline = time.monotonic() + 5.0
        while sender.stats().failures < 1 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert sender.stats().failures >= 1
        listener = Listener(port)
        sender.send(track_events(batch(2), FRAME, START)[1])
        assert [e.get("uid") for e in listener.wait_for(1)] == ["flankwatch.track.2"]
        assert sender.stats().reconnects >= 1 and sender.stats().connects == 2
    finally:
        sender.close(2.0)
        listener.close()


def test_a_sender_without_a_listener_never_blocks_nor_raises() -> None:
    sender = CotSender(
        f"tcp://127.0.0.1:{free_port()}", queue_size=5, backoff_initial_s=0.05, backoff_max_s=0.1
    )
    sender.start()
    started = time.monotonic()
    kept = [sender.send(f"<event uid='{i}'/>") for i in range(8)]
    assert time.monotonic() - started < 0.5
    assert kept == [True] * 5 + [False] * 3
    stats = sender.close(0.3)
    assert stats.dropped == 8 and stats.sent == 0 and stats.failures >= 1


def test_udp_datagrams_reach_a_loopback_socket() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as server:
        server.bind(("127.0.0.1", 0))
        server.settimeout(5.0)
        port = server.getsockname()[1]
        with CotSender(f"udp://127.0.0.1:{port}") as sender:
            sender.send_many(track_events(batch(2), FRAME, START))
            datagrams = [server.recv(65536), server.recv(65536)]
        uids = [ET.fromstring(d.split(b"?>", 1)[1]).get("uid") for d in datagrams]
        assert uids == ["flankwatch.track.1", "flankwatch.track.2"]


def test_airport_status_from_the_alert_engine() -> None:
    from flankwatch.alert.airports import AirportStatus
    from flankwatch.io.cot import airport_status_event

    status = AirportStatus("EPLB", "Lublin Airport", closed=False, since_s=None, since=None)
    root = ET.fromstring(airport_status_event(status, START).encode())
    assert root.get("uid") == "flankwatch.airport.EPLB"
    assert "EPLB" in root.find("detail/remarks").text
    assert "OPEN" in root.find("detail/remarks").text


class FlyFighter:
    """Own forces as a response stage shows them: one fighter flying east at 200 m/s."""

    START_M = np.array([-30_000.0, 20_000.0, 3000.0])
    VELOCITY_MPS = np.array([200.0, 0.0, 0.0])

    def step(self, picture: Picture, now_s: float, rng: np.random.Generator) -> Picture:
        at = self.START_M + self.VELOCITY_MPS * now_s
        fighter = OwnForces(
            now_s,
            np.array([0]),
            np.array(["fighter"], object),
            np.array(["LASK 1"], object),
            *(np.array([value]) for value in (*at, *self.VELOCITY_MPS)),
        )
        return picture.but(effects=(*picture.effects, fighter))


def test_own_forces_in_flight_stream_as_friendly_air_tracks(make_scenario, base_scenario) -> None:
    scenario = make_scenario({**base_scenario, "duration_s": 180.0})
    source = SimulationSource(scenario)
    info = source.info
    stages = [
        TrackingStage(build_tracker(None), info.sensors),
        AssessmentStage(build_assessor(info.deployment)),
        FlyFighter(),
    ]
    listener = Listener()
    try:
        sink = CotSink(f"tcp://127.0.0.1:{listener.port}", info.deployment, None)
        loop.run(source, stages, [sink])
        assert sink.stats is not None and sink.stats.dropped == 0
        received = listener.wait_for(sink.stats.sent)
    finally:
        listener.close()
    friends = [event for event in received if event.get("type") == "a-f-A-M-F"]
    assert friends, sorted({event.get("type") for event in received})
    last = friends[-1]
    t_s = (datetime.fromisoformat(last.get("time")) - scenario.start).total_seconds()
    want = source.simulation.frame.enu_to_geodetic(
        FlyFighter.START_M + FlyFighter.VELOCITY_MPS * t_s
    )
    point = last.find("point")
    assert float(point.get("lat")) == pytest.approx(float(want[0]), abs=0.01)
    assert float(point.get("lon")) == pytest.approx(float(want[1]), abs=0.01)
    fighter_uids = {event.get("uid") for event in friends}
    assert not any(
        event.get("uid") in fighter_uids and event.get("type")[2] == "h" for event in received
    )


def _hostile_picture(t_s: float, response: ResponseStep) -> Picture:
    """Two hostile drone tracks at ``t_s`` (numbers 1 and 2), with ``response``."""
    tracks = batch(2, time_s=t_s)
    assessment = Assessment(
        t_s=t_s,
        track_id=tracks.track_id,
        category=np.full(2, "one-way-attack-drone", object),
        category_prob=np.ones(2),
        identity=np.full(2, "hostile", object),
        inside=np.ones(2, bool),
        crossing_t_s=np.full(2, np.nan),
        crossing_sigma_s=np.full(2, np.nan),
        threats=THREAT_SCHEMA.empty_table(),
    )
    window = Window(int(t_s // 5), t_s - 5.0, t_s, PlotBatch.empty())
    return Picture(window, tracks=tracks, assessment=assessment, response=response)


def test_a_track_shot_down_goes_stale_at_once_and_is_sent_no_more() -> None:
    deployment = Deployment(name="t", start=START, origin=Origin(lat=52.0, lon=21.0))
    kill = ShotOutcome(62.0, 0, 1, True, (0.0, 0.0))
    listener = Listener()
    try:
        sink = CotSink(f"tcp://127.0.0.1:{listener.port}", deployment, None)
        sink.consume(_hostile_picture(60.0, ResponseStep()), None)
        sink.consume(_hostile_picture(65.0, ResponseStep(outcomes=(kill,))), None)
        sink.consume(_hostile_picture(70.0, ResponseStep()), None)  # track 1 coasts on
        sink.consume(_hostile_picture(75.0, ResponseStep(survived=(1,))), None)
        sink.close()
        assert sink.stats is not None and sink.stats.dropped == 0
        received = listener.wait_for(sink.stats.sent)
    finally:
        listener.close()
    sent = [(e.get("uid").rsplit(".", 1)[1], e.get("time"), e.get("stale")) for e in received]
    at = {t_s: cot_time(START + timedelta(seconds=t_s)) for t_s in (60.0, 65.0, 70.0, 75.0)}
    stale = {t_s: cot_time(START + timedelta(seconds=t_s + 30.0)) for t_s in at}
    assert sent == [
        ("1", at[60.0], stale[60.0]),
        ("2", at[60.0], stale[60.0]),
        ("2", at[65.0], stale[65.0]),
        ("1", at[65.0], at[65.0]),  # killed: stale at once, a TAK client drops it
        ("2", at[70.0], stale[70.0]),
        ("1", at[75.0], stale[75.0]),  # found still flying: streamed again
        ("2", at[75.0], stale[75.0]),
    ]


# Destinations and the TAK protocol (version 1: protobuf)


def test_destination_urls_say_what_and_how() -> None:
    tcp = parse_destination("tcp://tak.example.org:8087?protocol=tak")
    assert (tcp.scheme, tcp.host, tcp.port, tcp.protocol) == ("tcp", "tak.example.org", 8087, "tak")
    udp = parse_destination("udp://239.2.3.1:6969?protocol=tak&ttl=4&iface=127.0.0.1")
    assert (udp.multicast_ttl, udp.interface, udp.protocol) == (4, "127.0.0.1", "tak")
    assert parse_destination("udp://239.2.3.1:6969").protocol == "xml"
    assert str(parse_destination("tcp://[::1]:8087")) == "tcp://::1:8087"


@pytest.mark.parametrize(
    ("url", "part"),
    [
        ("http://example.org:80", "scheme 'http'"),
        ("tcp://[::1:8087", "CoT destination 'tcp://[::1:8087': Invalid IPv6 URL"),
        ("tcp://example.org", "no host or no port"),
        ("tcp://:8087", "no host or no port"),
        ("tcp://example.org:99999", "port"),
        ("tcp://example.org:80a", "port"),
        ("tcp://example.org:8087/cot", "path"),
        ("tcp://example.org:8087?protocol=protobuf", "protocol 'protobuf'"),
        ("tcp://example.org:8087?format=tak", "unknown parameter 'format'"),
        ("tcp://example.org:8087?ttl=2", "unknown parameter 'ttl'"),
        ("udp://239.2.3.1:6969?ttl=256", "ttl '256'"),
        ("udp://239.2.3.1:6969?ttl=-1", "ttl '-1'"),
        ("udp://239.2.3.1:6969?iface=eth0", "iface 'eth0'"),
        ("udp://239.2.3.1:6969?protocol=tak&protocol=xml", "'protocol' is repeated"),
        ("udp://239.2.3.1:6969?protocol=", "'protocol' is repeated or empty"),
        ("udp://239.2.3.1:6969?protocol", "query"),
        ("tls://example.org:8089?key=/nonexistent.key", "give cert and key together"),
        ("tls://example.org:8089?ca=/nonexistent/ca.pem", "ca /nonexistent/ca.pem"),
    ],
)
def test_a_bad_destination_is_named(url: str, part: str) -> None:
    with pytest.raises(ValueError, match=re.escape(part)):
        CotSender(url)


def test_protobuf_stream_frames_reach_a_tcp_listener() -> None:
    listener = Listener()
    tracks = batch(3)
    xml = track_events(tracks, FRAME, START, ["hostile"] * 3, ["one-way-attack-drone"] * 3)
    try:
        with CotSender(f"tcp://127.0.0.1:{listener.port}?protocol=tak") as sender:
            assert sender.send_many(xml) == 3
            assert sender.flush(5.0)
            deadline = time.monotonic() + 5.0
            while len(StreamReader().feed(bytes(listener.data))) < 3:
                assert time.monotonic() < deadline, "not every frame arrived"
                time.sleep(0.02)
        assert b"<event" not in listener.data  # no XML on the wire
        received = StreamReader().feed(bytes(listener.data))
    finally:
        listener.close()
    lat, lon, hae = FRAME.enu_to_geodetic(tracks.position())
    assert [m.cotEvent.uid for m in received] == [f"flankwatch.track.{i}" for i in (1, 2, 3)]
    for message, want in zip(received, zip(lat, lon, hae, strict=True), strict=True):
        event = message.cotEvent
        assert event.type == "a-h-A-M-F-Q" and event.how == "m-f"
        assert (event.lat, event.lon) == pytest.approx(want[:2], abs=1e-6)
        assert event.hae == pytest.approx(want[2], abs=0.05)  # the XML has 0.1 m steps
        assert event.detail.track.speed == pytest.approx(50.0, abs=0.1)


def test_an_event_that_is_no_cot_is_refused_not_sent() -> None:
    sender = CotSender(f"tcp://127.0.0.1:{free_port()}?protocol=tak", backoff_initial_s=0.05)
    try:
        assert sender.send("<event uid='broken'") is False
        assert sender.send(track_events(batch(1), FRAME, START)[0]) is True
        stats = sender.stats()
        assert stats.refused == 1 and stats.pending == 1 and "XML" in stats.last_error
    finally:
        sender.close(0.1)


def test_protobuf_mesh_datagrams_reach_a_udp_socket() -> None:
    xml = track_events(batch(2), FRAME, START)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as server:
        server.bind(("127.0.0.1", 0))
        server.settimeout(5.0)
        port = server.getsockname()[1]
        with CotSender(f"udp://127.0.0.1:{port}?protocol=tak") as sender:
            sender.send_many(xml)
            datagrams = [server.recv(65536), server.recv(65536)]
    assert all(d.startswith(b"\xbf\x01\xbf") for d in datagrams)
    assert [read_mesh(d).cotEvent.uid for d in datagrams] == [
        "flankwatch.track.1",
        "flankwatch.track.2",
    ]


def test_protobuf_mesh_reaches_a_multicast_group_on_the_loopback() -> None:
    group = "239.2.3.1"
    receiver = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        receiver.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        receiver.bind(("", 0))
        port = receiver.getsockname()[1]
        membership = socket.inet_aton(group) + socket.inet_aton("127.0.0.1")
        try:
            receiver.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, membership)
        except OSError as error:
            pytest.skip(f"this machine cannot join a multicast group on the loopback: {error}")
        receiver.settimeout(5.0)
        xml = track_events(batch(1), FRAME, START)[0]
        url = f"udp://{group}:{port}?protocol=tak&ttl=1&iface=127.0.0.1"
        with CotSender(url) as sender:
            sender.send(xml)
            datagram, _ = receiver.recvfrom(65536)
    finally:
        receiver.close()
    message = read_mesh(datagram)
    assert message.cotEvent.uid == "flankwatch.track.1"
    assert message.cotEvent.lat == pytest.approx(52.0, abs=1e-4)
