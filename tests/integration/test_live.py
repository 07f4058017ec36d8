"""Live feeds end to end: simulated aircraft encoded as receiver feeds, through real
loopback sockets and files, tracked, assessed and recorded like a simulated run."""

from __future__ import annotations

import socket
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
import typer
from typer.testing import CliRunner

for helpers in ("unit/live", "unit/io/adsb"):  # the feeds and message encoders of the tests
    sys.path.insert(0, str(Path(__file__).parents[1] / helpers))

from adsb_encoders import airborne_position, beast_frame, identification  # noqa: E402
from live_feeds import FLIGHTS, FRAME, Flight, beast_bytes, sbs_lines  # noqa: E402

from flankwatch.deployment import Deployment, Origin  # noqa: E402
from flankwatch.live import Backoff, LiveSource, parse_input  # noqa: E402
from flankwatch.live.command import live  # noqa: E402
from flankwatch.pipeline import execute, replay  # noqa: E402
from flankwatch.store.reading import read_table  # noqa: E402
from flankwatch.store.recording import read_metadata  # noqa: E402
from flankwatch.track.output import TrackStatus  # noqa: E402

DEPLOYMENT = Deployment(
    name="live-test", start="2025-01-01T00:00:00+00:00", origin=Origin(lat=52.0, lon=21.0)
)
TOLERANCE_M = 300.0
"""How far a confirmed track may be from the aircraft it follows, m."""


def assert_tracks_follow_flights(tracks: pa.Table, flights: tuple[Flight, ...]) -> None:
    """Every flight has a confirmed track, with its identity, within :data:`TOLERANCE_M`."""
    confirmed = tracks.filter(pa.compute.equal(tracks["status"], int(TrackStatus.CONFIRMED)))
    icao = confirmed["icao24"].to_numpy()
    for flight in flights:
        mine = confirmed.filter(pa.array(icao == flight.icao24))
        assert mine.num_rows > 0, f"no confirmed track of {flight.callsign}"
        assert set(mine["callsign"].to_pylist()) == {flight.callsign}
        t_s = mine["time_s"].to_numpy()
        enu = np.column_stack([mine[c].to_numpy() for c in ("x_m", "y_m", "z_m")])
        truth = np.array([flight.enu_m(t) for t in t_s])
        error = np.linalg.norm(enu - truth, axis=1)
        assert np.max(error) < TOLERANCE_M, f"{flight.callsign}: {np.max(error):.0f} m off"


def test_a_file_feed_is_tracked_and_recorded_with_its_bad_line_counted(tmp_path: Path) -> None:
    lines = [line for _, line in sbs_lines(60.0)]
    lines.insert(100, "MSG,3,1,1,48AE01,1,2025/09/10,21:33:32.000,,,,,,,,,,,,")  # 20 fields
    feed = tmp_path / "feed.sbs"
    feed.write_text("\n".join(lines) + "\n")
    out = tmp_path / "recording"
    with LiveSource([parse_input(f"sbs@file://{feed}")], DEPLOYMENT, batch_s=2.0) as source:
        summary = execute(source, out)
    assert dict(source.stats[0].skips) == {"syntax": 1}
    metadata = read_metadata(out)
    assert metadata["status"] == "complete" and metadata["exercise"] is False
    assert metadata["start"] == "2025-09-10T21:33:20+00:00"
    assert summary.plots["adsb"] == 2 * 120 and summary.tracking is None
    assert read_table(out, "plots").num_rows == 240
    assert "truth" not in metadata["contents"]["tables"]
    assert_tracks_follow_flights(read_table(out, "tracks"), FLIGHTS)


@pytest.mark.parametrize("duration_s", [None, 3600.0])
def test_the_recording_is_written_as_the_run_goes(tmp_path: Path, duration_s: float | None) -> None:
    # with a duration given too: it is only the run's longest, and the run may still be
    # stopped or killed at any moment (before, the recording was then kept in memory for
    # 600 s of data per part, and its duration said 3,600 s for 700 s of data)
    flight = FLIGHTS[:1]
    feed = tmp_path / "feed.sbs"
    feed.write_text("\n".join(line for _, line in sbs_lines(700.0, flight)) + "\n")
    out = tmp_path / "recording"
    seen: dict[float, int] = {}

    def look(t_s: float) -> None:
        seen[t_s] = len(list((out / "plots").glob("part-*.parquet")))

    with LiveSource(
        [parse_input(f"sbs@file://{feed}")], DEPLOYMENT, batch_s=10.0, duration_s=duration_s
    ) as source:
        summary = execute(source, out, progress=look)
    # a live recording is written in parts of 10 s of data (LIVE_PART_S), so a killed
    # run loses at most the last few seconds; the parts are written on a thread of their
    # own, which may lag a window or two behind the run, so they are counted well apart
    assert 1 <= seen[300.0] < seen[610.0]
    assert read_table(out, "plots").num_rows == 1400
    # its duration is the time reached, so it can be replayed like any recording
    assert 690.0 <= read_metadata(out)["duration_s"] <= 710.0
    replayed = replay(out, tmp_path / "replayed")
    assert replayed.plots == summary.plots
    assert replayed.peak_confirmed_tracks == summary.peak_confirmed_tracks


@pytest.fixture
def receiver() -> Iterator[dict]:
    """A TCP server on a loopback port, stopped after the test."""
    server = {"stop": threading.Event(), "connections": 0}
    yield server
    server["stop"].set()
    thread = server.get("thread")
    if thread is not None:
        thread.join(5.0)


def _listen(port: int) -> socket.socket:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(1)
    listener.settimeout(5.0)
    return listener


def test_a_dropped_tcp_connection_is_retried_and_tracking_resumes(
    receiver: dict, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    listener = _listen(0)
    port = listener.getsockname()[1]
    source = LiveSource(
        [parse_input(f"sbs@tcp://127.0.0.1:{port}")],
        DEPLOYMENT, batch_s=0.5, duration_s=4.5, backoff=Backoff(0.1, 0.4),
    )  # fmt: skip

    def serve(listener: socket.socket, until_s: float) -> None:
        """Send each flight's position on the source's clock, every 0.25 s, until then."""
        connection, _ = listener.accept()
        receiver["connections"] += 1
        with connection:
            k = 0
            while (t := source.clock.now_s()) < until_s and not receiver["stop"].is_set():
                text = ""
                for flight in FLIGHTS:
                    lat, lon = flight.lat_lon(t)
                    if k % 8 == 0:
                        text += (
                            f"MSG,1,1,1,{flight.icao24:06X},1,,,,,{flight.callsign},,,,,,,,,,,0\n"
                        )
                    text += (
                        f"MSG,3,1,1,{flight.icao24:06X},1,,,,,,{flight.alt_ft:.0f},,,"
                        f"{lat:.6f},{lon:.6f},,,,,,0\n"
                    )
                connection.sendall(text.encode())
                k += 1
                time.sleep(0.25)

    def run_server() -> None:
        with listener:
            serve(listener, 1.5)  # then the receiver goes away for a while
        time.sleep(0.5)
        with _listen(port) as again:
            serve(again, 10.0)

    receiver["thread"] = threading.Thread(target=run_server, daemon=True)
    receiver["thread"].start()
    out = tmp_path / "recording"
    with caplog.at_level("INFO", logger="flankwatch.live"), source:
        execute(source, out)
    stats = source.stats[0]
    assert receiver["connections"] == 2 and stats.connects == 2
    assert stats.drops >= 2  # the connection lost, then refused at least once
    assert "connection lost (closed by the receiver); retrying in 0.1 s" in caplog.text
    assert "cannot connect" in caplog.text and "retrying in 0.2 s" in caplog.text
    plots = read_table(out, "plots")["t_s"].to_numpy()
    assert np.any(plots < 1.5) and np.any(plots > 3.0)  # before the drop and after it
    tracks = read_table(out, "tracks")
    assert_tracks_follow_flights(
        tracks.filter(pa.array(tracks["time_s"].to_numpy() > 3.4)), FLIGHTS
    )
    assert not any(t.is_alive() for t in source._threads)


def test_beast_datagrams_over_udp_are_tracked(tmp_path: Path) -> None:
    source = LiveSource(
        [parse_input("beast@udp://127.0.0.1:0?lat=52.0&lon=21.0")],
        DEPLOYMENT, batch_s=0.5, duration_s=2.5,
    )  # fmt: skip
    port = source.ports[0]
    stop = threading.Event()

    def send() -> None:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
            sent = 0.0
            while not stop.is_set():
                now = source.clock.now_s()
                # the frames of each flight's messages at the source's clock, 0.25 s apart
                for flight in FLIGHTS:
                    sender.sendto(_beast_at(flight, now, sent), ("127.0.0.1", port))
                sent += 1
                time.sleep(0.25)

    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    try:
        with source:
            execute(source, tmp_path / "recording")
    finally:
        stop.set()
        sender.join(5.0)
    assert source.stats[0].plots > 10 and not source.stats[0].skips
    assert_tracks_follow_flights(read_table(tmp_path / "recording", "tracks"), FLIGHTS)


def _beast_at(flight: Flight, t_s: float, k: float) -> bytes:
    """Beast frames of one flight at ``t_s``: its identification and a position."""
    lat, lon = flight.lat_lon(t_s)
    frames = beast_frame(airborne_position(flight.icao24, lat, lon, flight.alt_ft, int(k) % 2))
    if int(k) % 4 == 0:
        frames += beast_frame(identification(flight.icao24, flight.callsign))
    return frames


def _app() -> typer.Typer:
    app = typer.Typer()
    app.command()(live)
    app.command()(lambda: None)  # a second command, so that `live` is named as in the CLI
    return app


def test_the_live_command_runs_a_file_with_the_default_deployment(tmp_path: Path) -> None:
    feed = tmp_path / "feed.beast"
    feed.write_bytes(beast_bytes(20.0))
    out = tmp_path / "recording"
    result = CliRunner().invoke(
        _app(), ["live", "--input", f"beast@file://{feed}", "--out", str(out), "--quiet"]
    )
    assert result.exit_code == 0, result.output
    assert "no --deployment: defending the Polish border" in result.output
    assert "poland-2025-09-10" in result.output
    assert read_metadata(out)["status"] == "complete"
    assert read_metadata(out)["live_inputs"] == [f"beast@file://{feed}"]
    assert "plots: radar 0, adsb" in result.output


@pytest.mark.parametrize(
    ("arguments", "fault"),
    [
        (["--input", "sbs@tcp://localhost"], "is not HOST:PORT"),
        (["--input", "sbs@file:///no/such.sbs"], "no such file"),
        (["--input", "sbs@udp://127.0.0.1:0", "--deployment", "/no/such.yaml"], "such.yaml"),
    ],
)
def test_the_live_command_refuses_bad_input_with_exit_code_2(
    arguments: list[str], fault: str
) -> None:
    result = CliRunner().invoke(_app(), ["live", *arguments])
    assert result.exit_code == 2
    assert "error:" in result.output and fault in result.output


def test_the_live_command_sends_its_tracks_as_asterix_cat062(tmp_path: Path) -> None:
    from flankwatch.io.asterix import decode  # libasterix: imported only where it is used
    from flankwatch.io.asterix_sink import DEFAULT_SIC

    feed = tmp_path / "feed.beast"
    feed.write_bytes(beast_bytes(60.0))
    listener = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    listener.bind(("127.0.0.1", 0))
    listener.settimeout(0.5)
    port = listener.getsockname()[1]
    try:
        result = CliRunner().invoke(
            _app(),
            [
                "live",
                *("--input", f"beast@file://{feed}"),
                *("--out", str(tmp_path / "recording")),
                *("--asterix-out", f"udp://127.0.0.1:{port}", "--asterix-sac", "7"),
                "--quiet",
            ],
        )
        assert result.exit_code == 0, result.output
        datagrams = []
        with pytest.raises(TimeoutError):
            while True:
                datagrams.append(listener.recv(65_536))
    finally:
        listener.close()
    tracks = [decode(datagram).cat062 for datagram in datagrams]
    assert datagrams and not any(decode(datagram).skips for datagram in datagrams)
    # a file of Beast frames carries no date: compare with the nearest point of the path
    for flight in FLIGHTS:
        path_m = np.array([flight.enu_m(t)[:2] for t in np.arange(-600.0, 600.0, 0.5)])
        errors_m = []
        for batch in tracks:
            for row in np.flatnonzero(batch.icao24 == flight.icao24):
                assert batch.sac[row] == 7
                assert batch.sic[row] == DEFAULT_SIC  # not given: the default
                sent = FRAME.geodetic_to_enu(batch.lat_deg[row], batch.lon_deg[row], 0.0)
                offsets = path_m - np.asarray(sent).reshape(3)[:2]
                errors_m.append(float(np.min(np.linalg.norm(offsets, axis=1))))
        assert errors_m, f"{flight.callsign} was never sent"
        assert max(errors_m) < TOLERANCE_M, f"{flight.callsign}: {max(errors_m):.0f} m off"


def test_the_live_command_cuts_windows_of_batch_s(tmp_path: Path) -> None:
    feed = tmp_path / "feed.beast"
    feed.write_bytes(beast_bytes(10.0))
    out = tmp_path / "recording"
    arguments = ["live", "--input", f"beast@file://{feed}", "--out", str(out), "--quiet"]
    result = CliRunner().invoke(_app(), [*arguments, "--batch-s", "0.5"])
    assert result.exit_code == 0, result.output
    windows = read_table(out, "windows")
    spans = windows["t1_s"].to_numpy() - windows["t0_s"].to_numpy()
    assert windows.num_rows >= 18 and np.allclose(spans, 0.5)
