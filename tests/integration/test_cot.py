"""Cursor on Target: event content, and streaming to real listeners on the loopback."""

from __future__ import annotations

import re
import socket
import threading
import time
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from flankwatch import loop
from flankwatch.assess.assessment import THREAT_SCHEMA, Assessment
from flankwatch.assess.assessor import build_assessor
from flankwatch.deployment import Deployment, Origin
from flankwatch.geo.airports import airport
from flankwatch.geo.frames import LocalFrame
from flankwatch.io.cot import (
    UNKNOWN_ERROR_M,
    airport_event,
    cot_time,
    cot_type,
    position_errors_m,
    track_events,
)
from flankwatch.io.cot_sink import CotSink
from flankwatch.io.cot_stream import CotSender, parse_cot_url, parse_destination
from flankwatch.io.tak import StreamReader, read_mesh
from flankwatch.loop import Picture, Window
from flankwatch.respond.step import OwnForces, ResponseStep, ShotOutcome
from flankwatch.sim.source import SimulationSource
from flankwatch.stages import AssessmentStage, TrackingStage
from flankwatch.stream import PlotBatch
from flankwatch.track import build_tracker
from flankwatch.track.output import TrackBatch, TrackStatus

START = datetime(2025, 9, 9, 21, 30, tzinfo=UTC)
FRAME = LocalFrame(52.0, 21.0)


def batch(n: int, time_s: float = 60.0, sigma_m: float = 100.0) -> TrackBatch:
    """``n`` tracks 10 km apart flying north-east at 50 m/s, 500 m up."""
    state = np.zeros((n, 6))
    state[:, 0] = np.arange(n) * 10_000.0
    state[:, 2] = 500.0
    state[:, 3:5] = 50.0 / np.sqrt(2.0)
    cov = np.zeros((n, 6, 6))
    cov[:, 0, 0] = sigma_m**2
    cov[:, 1, 1] = (2.0 * sigma_m) ** 2
    cov[:, 2, 2] = 30.0**2
    return TrackBatch.from_states(
        time_s=np.full(n, time_s),
        track_id=np.arange(1, n + 1),
        status=np.full(n, int(TrackStatus.CONFIRMED)),
        state=state,
        cov=cov,
        manoeuvre_prob=np.zeros(n),
        last_update_s=np.full(n, time_s),
        icao24=np.zeros(n, np.uint32),
        callsign=[""] * n,
    )


# Event content


@pytest.mark.parametrize(
    ("identity", "category", "expected"),
    [
        ("hostile", "one-way-attack-drone", "a-h-A-M-F-Q"),
        ("suspect", "decoy", "a-s-A-M-F-Q"),
        ("hostile", "cruise-missile", "a-h-A-W-M-A-S"),
        ("hostile", "ballistic-missile", "a-h-A-W-M-S-S"),
        ("neutral", "fixed-wing", "a-n-A-C-F"),
        ("friend", "fixed-wing", "a-f-A-M-F"),
        ("unknown", "fixed-wing", "a-u-A-M-F"),
        ("assumed-friend", "helicopter", "a-a-A-M-H"),
        ("hostile", "helicopter", "a-h-A-M-H"),
        ("pending", "unknown", "a-p-A"),
    ],
)
def test_type_from_identity_and_class(identity: str, category: str, expected: str) -> None:
    assert cot_type(identity, category) == expected


def test_every_identity_has_its_letter() -> None:
    letters = {
        i: cot_type(i, "unknown")[2]
        for i in ("pending", "unknown", "assumed-friend", "friend", "neutral", "suspect", "hostile")
    }
    assert letters == {
        "pending": "p",
        "unknown": "u",
        "assumed-friend": "a",
        "friend": "f",
        "neutral": "n",
        "suspect": "s",
        "hostile": "h",
    }


def test_ce_and_le_are_one_sigma_from_the_covariance() -> None:
    tracks = batch(2, sigma_m=100.0)
    ce, le = position_errors_m(tracks)
    np.testing.assert_allclose(ce, 200.0)  # larger axis of the horizontal ellipse
    np.testing.assert_allclose(le, 30.0)
    unknown = TrackBatch(
        **{
            **{n: getattr(tracks, n) for n in tracks.column_names()},
            "cov_xx_m2": np.array([np.nan, 1e4]),
            "cov_zz_m2": np.array([-1.0, np.inf]),
        }
    )
    ce, le = position_errors_m(unknown)
    assert ce[0] == UNKNOWN_ERROR_M and le[0] == UNKNOWN_ERROR_M and le[1] == UNKNOWN_ERROR_M


def test_track_event_content() -> None:
    tracks = batch(2)
    events = track_events(
        tracks,
        FRAME,
        START,
        ["hostile", "neutral"],
        ["one-way-attack-drone", "fixed-wing"],
        stale_s=30.0,
    )
    assert len(events) == 2
    root = ET.fromstring(events[0].encode())
    assert root.tag == "event"
    assert root.get("version") == "2.0"
    assert root.get("uid") == "flankwatch.track.1"
    assert root.get("type") == "a-h-A-M-F-Q"
    assert root.get("how") == "m-f"
    assert root.get("time") == root.get("start") == "2025-09-09T21:31:00.000Z"
    assert root.get("stale") == "2025-09-09T21:31:30.000Z"
    point = root.find("point")
    assert float(point.get("lat")) == pytest.approx(52.0, abs=1e-4)
    assert float(point.get("lon")) == pytest.approx(21.0, abs=1e-4)
    assert float(point.get("hae")) == pytest.approx(500.0, abs=1.0)
    assert float(point.get("ce")) == pytest.approx(200.0)
    assert float(point.get("le")) == pytest.approx(30.0)
    track = root.find("detail/track")
    assert float(track.get("speed")) == pytest.approx(50.0, abs=0.1)
    assert float(track.get("course")) == pytest.approx(45.0, abs=0.1)
    assert root.find("detail/contact").get("callsign") == "T0001"
    extra = root.find("detail/_flankwatch_")
    assert extra.attrib == {
        "track": "1",
        "category": "one-way-attack-drone",
        "identity": "hostile",
        "status": "confirmed",
    }
    second = ET.fromstring(events[1].encode())
    assert second.get("type") == "a-n-A-C-F"
    # 10 km east of the frame's origin true north is turned by the meridian convergence,
    # about (lon - lon0) sin(lat) degrees: the course is a little more than 45
    lon = float(second.find("point").get("lon"))
    convergence_deg = (lon - FRAME.lon_deg) * np.sin(np.radians(52.0))
    course = float(second.find("detail/track").get("course"))
    assert course == pytest.approx(45.0 + convergence_deg, abs=0.06)


def test_stale_is_after_time_and_deleted_tracks_are_left_out() -> None:
    tracks = batch(3)
    status = tracks.status.copy()
    status[1] = int(TrackStatus.DELETED)
    tracks = TrackBatch(
        **{**{n: getattr(tracks, n) for n in tracks.column_names()}, "status": status}
    )
    events = [ET.fromstring(e.encode()) for e in track_events(tracks, FRAME, START)]
    assert [e.get("uid") for e in events] == ["flankwatch.track.1", "flankwatch.track.3"]
    for event in events:
        assert event.get("stale") > event.get("time")
        assert event.get("type") == "a-p-A"


def test_airport_event() -> None:
    epwa = airport("EPWA")
    when = START + timedelta(minutes=20)
    xml = airport_event(
        epwa.icao,
        epwa.name,
        epwa.lat_deg,
        epwa.lon_deg,
        epwa.elevation_m,
        closed=True,
        when=when,
        since=START,
        reason="hostile drone",
    )
    root = ET.fromstring(xml.encode())
    assert root.get("uid") == "flankwatch.airport.EPWA"
    assert root.get("type").startswith("a-f-G")
    assert root.get("stale") > root.get("time")
    remarks = root.find("detail/remarks").text
    assert "EPWA" in remarks and "CLOSED since 2025-09-09 21:30 UTC" in remarks
    assert root.find("detail/_flankwatch_airport_").get("status") == "closed"
    assert float(root.find("point").get("lat")) == pytest.approx(epwa.lat_deg)


def test_cot_time_and_urls() -> None:
    assert cot_time(START) == "2025-09-09T21:30:00.000Z"
    assert parse_cot_url("udp://239.2.3.1:6969") == ("udp", "239.2.3.1", 6969)
    with pytest.raises(ValueError):
        parse_cot_url("http://example.org")


# Streaming to real listeners


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
