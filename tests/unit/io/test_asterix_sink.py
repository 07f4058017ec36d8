"""CAT062 out over UDP: the window's tracks reach a loopback socket and decode back."""

from __future__ import annotations

import socket
import subprocess
import sys
from datetime import UTC, datetime

import numpy as np
import pytest

from flankwatch.deployment import Deployment
from flankwatch.io.asterix import decode, t_s_to_tod
from flankwatch.io.asterix_sink import AsterixSink
from flankwatch.loop import Picture, Window
from flankwatch.stream import PlotBatch
from flankwatch.track.output import TrackBatch, TrackStatus

START = datetime(2025, 9, 9, 23, 59, 50, tzinfo=UTC)  # the run crosses midnight
DEPLOYMENT = Deployment.model_validate(
    {"name": "asterix-test", "start": START.isoformat(), "origin": {"lat": 52.0, "lon": 21.0}}
)

CONFIRMED, COASTING = int(TrackStatus.CONFIRMED), int(TrackStatus.COASTING)
TENTATIVE, DELETED = int(TrackStatus.TENTATIVE), int(TrackStatus.DELETED)


def tracks(
    track_id: list[int],
    status: list[int],
    time_s: float,
    speed_mps: float = 60.0,
) -> TrackBatch:
    """Tracks spread over 200 km around the origin, climbing north-east."""
    n = len(track_id)
    spread = np.linspace(-100_000.0, 100_000.0, n)
    state = np.zeros((n, 6))
    state[:, 0] = spread
    state[:, 1] = -0.7 * spread + 1234.5
    state[:, 2] = 150.0 + 40.0 * np.arange(n)
    state[:, 3] = speed_mps * 0.6
    state[:, 4] = speed_mps * 0.8
    state[:, 5] = 2.5
    return TrackBatch.from_states(
        time_s=np.full(n, time_s) - 0.3 * np.arange(n),
        track_id=np.array(track_id),
        status=np.array(status, np.int8),
        state=state,
        cov=np.broadcast_to(np.eye(6) * 100.0, (n, 6, 6)).copy(),
        manoeuvre_prob=np.zeros(n),
        last_update_s=np.full(n, time_s),
        icao24=np.array([0x48AE01] + [0] * (n - 1), np.uint32),
        callsign=["LOT3921"] + [""] * (n - 1),
    )


def picture(batch: TrackBatch, t_s: float) -> Picture:
    return Picture(Window(0, t_s - 5.0, t_s, PlotBatch.empty()), tracks=batch)


@pytest.fixture
def receiver():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as server:
        server.bind(("127.0.0.1", 0))
        server.settimeout(0.2)
        yield server


def received(server: socket.socket) -> list[bytes]:
    """Every datagram waiting, until none comes for a moment."""
    datagrams = []
    while True:
        try:
            datagrams.append(server.recv(65536))
        except TimeoutError:
            return datagrams


def test_tracks_decode_back_within_the_items_resolution(receiver: socket.socket) -> None:
    port = receiver.getsockname()[1]
    sink = AsterixSink(f"udp://127.0.0.1:{port}", DEPLOYMENT, sac=25, sic=7)
    ids = [3, 4, 5, 6, 7]
    batch = tracks(ids, [CONFIRMED, COASTING, TENTATIVE, CONFIRMED, DELETED], time_s=20.0)
    sink.consume(picture(batch, 20.0), None)
    datagrams = received(receiver)
    sink.close()
    got = [decode(d) for d in datagrams]
    assert all(not d.skips for d in got)
    out = got[0].cat062.concat(d.cat062 for d in got)
    # the tentative track stays inside; the deleted one was never sent, so has no end to send
    sent = np.array([0, 1, 3])
    assert out.track_number.tolist() == [3, 4, 6]
    assert set(out.sac) == {25} and set(out.sic) == {7}
    lat, lon, height = DEPLOYMENT.frame.enu_to_geodetic(batch.position()[sent])
    np.testing.assert_allclose(out.lat_deg, lat, atol=180.0 / 2**25)
    np.testing.assert_allclose(out.lon_deg, lon, atol=180.0 / 2**25)
    np.testing.assert_allclose(out.alt_geom_m, height, atol=6.25 * 0.3048 / 2)
    np.testing.assert_allclose(out.x_m, batch.x_m[sent], atol=0.25)
    np.testing.assert_allclose(out.y_m, batch.y_m[sent], atol=0.25)
    np.testing.assert_allclose(out.vx_mps, batch.vx_mps[sent], atol=0.125)
    np.testing.assert_allclose(out.vy_mps, batch.vy_mps[sent], atol=0.125)
    np.testing.assert_allclose(out.vertical_rate_mps, 2.5, atol=6.25 * 0.3048 / 60.0)
    # 23:59:50 + 20 s is past midnight: the time of day starts again from 0
    np.testing.assert_allclose(out.tod_s, t_s_to_tod(batch.time_s[sent], START), atol=1 / 256)
    assert out.tod_s.max() < 15.0
    assert out.coasting.tolist() == [False, True, False]
    assert not out.tentative.any() and not out.ended.any()
    assert out.icao24[0] == 0x48AE01 and out.callsign[0] == "LOT3921"
    stats = sink.stats()
    assert stats.records == 3 and stats.datagrams == len(datagrams) and stats.refused == 0
    assert stats.send_errors == 0 and stats.windows == 1


def test_a_track_sent_before_gets_its_end_and_then_nothing(receiver: socket.socket) -> None:
    sink = AsterixSink(f"udp://127.0.0.1:{receiver.getsockname()[1]}", DEPLOYMENT, 1, 2)
    sink.consume(picture(tracks([1, 2], [CONFIRMED, TENTATIVE], 5.0), 5.0), None)
    sink.consume(picture(tracks([1, 2], [DELETED, DELETED], 10.0), 10.0), None)
    sink.consume(picture(tracks([1], [DELETED], 15.0), 15.0), None)  # already ended
    records = [decode(d).cat062 for d in received(receiver)]
    sink.close()
    assert [r.track_number.tolist() for r in records] == [[1], [1]]
    assert [bool(r.ended[0]) for r in records] == [False, True]
    assert sink.stats().windows == 3 and sink.stats().records == 2


def test_values_the_items_cannot_hold_are_counted_not_wrapped(receiver: socket.socket) -> None:
    sink = AsterixSink(f"udp://127.0.0.1:{receiver.getsockname()[1]}", DEPLOYMENT, 1, 2)
    # a track number past 65535 is refused; a speed past 8192 m/s is left out of I062/185
    sink.consume(picture(tracks([70_000, 9], [CONFIRMED, CONFIRMED], 5.0), 5.0), None)
    sink.consume(picture(tracks([10], [CONFIRMED], 10.0, speed_mps=20_000.0), 10.0), None)
    records = [decode(d).cat062 for d in received(receiver)]
    sink.close()
    assert [r.track_number.tolist() for r in records] == [[9], [10]]
    assert np.isnan(records[1].vx_mps).all() and np.isfinite(records[0].vx_mps).all()
    stats = sink.stats()
    assert stats.refused == 1 and "65536" in stats.last_error
    assert stats.omitted == {"vx_mps": 1, "vy_mps": 1} and stats.records == 2


def test_a_closed_or_unreachable_destination_never_stops_the_run() -> None:
    sink = AsterixSink("udp://127.0.0.1:9", DEPLOYMENT, 1, 2)  # nothing listens: still sent
    sink.consume(picture(tracks([1], [CONFIRMED], 5.0), 5.0), None)
    sink.abort(RuntimeError("the run failed"))
    sink.consume(picture(tracks([1], [CONFIRMED], 10.0), 10.0), None)
    assert sink.stats().windows == 2 and sink.stats().datagrams == 1


@pytest.mark.parametrize(
    ("url", "sac", "edition", "part"),
    [
        ("tcp://127.0.0.1:8600", 1, None, "scheme 'tcp'"),
        ("udp://[::1:8600", 1, None, "ASTERIX destination 'udp://\\[::1:8600': Invalid IPv6 URL"),
        ("udp://127.0.0.1", 1, None, "no host or no port"),
        ("udp://127.0.0.1:70000", 1, None, "port"),
        ("udp://127.0.0.1:8600?ttl=2", 1, None, "nothing may follow"),
        ("udp://127.0.0.1:8600", 256, None, "SAC 256"),
        ("udp://127.0.0.1:8600", 1, "0.1", "0.1"),
        ("udp://no-such-host.invalid:8600", 1, None, "host 'no-such-host.invalid'"),
    ],
)
def test_bad_settings_are_named(url: str, sac: int, edition: str | None, part: str) -> None:
    with pytest.raises(ValueError, match=part):
        AsterixSink(url, DEPLOYMENT, sac, 2, edition=edition)


def test_importing_the_sink_does_not_load_the_codec() -> None:
    code = (
        "import sys, flankwatch.io.asterix_sink; "
        "print('flankwatch.io.asterix' in sys.modules, 'asterix' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
