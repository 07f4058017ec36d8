"""Live feed load: ``flankwatch live`` fed CAT048 plots (UDP) and SBS lines (TCP) on loopback.

A few hundred aircraft fly straight lines around the default deployment's origin
(52.0 N, 21.5 E); half are seen by a radar near Warsaw (CAT048 radar plots, in UDP
datagrams), half by ADS-B (BaseStation ``MSG,3`` lines on a TCP server the live
source connects to), at a target total rate. ``flankwatch live`` runs as a subprocess,
recording into a temporary folder (deleted afterwards), sending its tracks as CAT062
to a UDP socket and as Cursor on Target to a TCP listener of this benchmark.

Printed: plots sent, and per input what the run reports (received, decoded plots,
skipped, recorded) and how many plots are unaccounted for; latency percentiles from a
plot's send to its track leaving (CAT062 and CoT), against the 50 ms p99 target; the
process's resident memory at the feed's start, once warmed up (20 s in) and at the end,
with its growth a minute after the warm-up (target: flat).

Latency of a track message = its arrival time minus the send time of the newest
datagram (or SBS write) of the same aircraft sent at or before the message's track
time; aircraft are matched by Mode S address (CAT062) or callsign (CoT); coasting and
ended tracks are left out. Sender, receivers and the run share loopback and one clock.

    python benchmarks/live_load.py [--full] [--rate PLOTS_PER_S] [--seconds S]

Default: 60 s at 2,000 plots/s; ``--full``: 10 minutes at 10,000 plots/s.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np
import psutil

from flankwatch.geo.frames import LocalFrame
from flankwatch.live.command import default_deployment
from flankwatch.store.reading import read_table
from flankwatch.store.recording import read_metadata

sys.path.insert(0, str(Path(__file__).parent))

from arguments import positive_float, positive_int  # noqa: E402
from live_load_feed import Sender, Sent, Traffic, check_cat048  # noqa: E402

RADAR_DEG = (52.17, 20.97)
"""Where the CAT048 radar stands (near Warsaw), deg."""
TARGET_P99_S = 0.050
STARTUP_SLACK_S = 15.0
"""Seconds the run lasts beyond the sending (its clock starts before the feed does)."""
CONNECT_TIMEOUT_S = 120.0
WARM_UP_S = 20.0
"""Memory is judged from this long after the feed's start (a third of a shorter run) to its
end: the run's first seconds load its compiled kernels and fill its allocator's pool."""


@dataclass
class Arrivals:
    """Data received by one of the benchmark's sockets: (wall time, Unix s; bytes)."""

    chunks: list[tuple[float, bytes]] = field(default_factory=list)


def _udp_receiver(sock: socket.socket, into: Arrivals, stop: threading.Event) -> None:
    sock.settimeout(0.2)
    while not stop.is_set():
        try:
            data = sock.recv(65_535)
        except TimeoutError:
            continue
        into.chunks.append((time.time(), data))


def _tcp_receiver(server: socket.socket, into: Arrivals, stop: threading.Event) -> None:
    server.settimeout(0.2)
    while not stop.is_set():
        try:
            connection, _ = server.accept()
        except TimeoutError:
            continue
        connection.settimeout(0.2)
        with connection:
            while not stop.is_set():
                try:
                    data = connection.recv(1 << 16)
                except TimeoutError:
                    continue
                if not data:
                    break
                into.chunks.append((time.time(), data))


def _free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _listening(kind: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, kind)
    sock.bind(("127.0.0.1", 0))
    if kind == socket.SOCK_STREAM:
        sock.listen(1)
    return sock


class MemoryWatch(threading.Thread):
    """Samples a process's resident memory every ``every_s`` until it ends: ``samples``
    holds ``(s since the watch started, bytes)``."""

    def __init__(self, pid: int, every_s: float = 1.0) -> None:
        super().__init__(daemon=True)
        self.process, self.every_s = psutil.Process(pid), every_s
        self.samples: list[tuple[float, int]] = []

    def run(self) -> None:
        started = time.monotonic()
        while True:
            try:
                self.samples.append((time.monotonic() - started, self.process.memory_info().rss))
            except psutil.Error:
                return
            time.sleep(self.every_s)


def _latencies(
    sent: Sent, arrival_s: list[float], track_s: list[float], keys: list[int]
) -> np.ndarray:
    """Arrival minus the newest send of the same aircraft at or before the track time
    (plus the 1/128 s ASTERIX time resolution), s; messages without such a send left out."""
    out = []
    sends = {address: np.asarray(times) for address, times in sent.times.items()}
    for arrived, track, address in zip(arrival_s, track_s, keys, strict=True):
        times = sends.get(address)
        if times is None:
            continue
        k = int(np.searchsorted(times, track + 2 / 128, side="right"))
        if k:
            out.append(arrived - times[k - 1])
    return np.asarray(out)


def _cat062_latency(sent: Sent, arrivals: Arrivals, midnight_s: float) -> tuple[np.ndarray, int]:
    """Latencies of the CAT062 records of updated tracks, s; and the records received."""
    from flankwatch.io import asterix

    arrival, track, keys, records = [], [], [], 0
    for arrived, data in arrivals.chunks:
        tracks = asterix.decode(data).cat062
        records += len(tracks)
        for j in np.flatnonzero(~tracks.coasting & ~tracks.ended).tolist():
            epoch = midnight_s + float(tracks.tod_s[j])
            epoch += 86_400.0 * round((arrived - epoch) / 86_400.0)
            arrival.append(arrived)
            track.append(epoch)
            keys.append(int(tracks.icao24[j]))
    return _latencies(sent, arrival, track, keys), records


def _cot_latency(sent: Sent, arrivals: Arrivals, traffic: Traffic) -> tuple[np.ndarray, int]:
    """Latencies of the CoT track events of updated tracks, s; and the events received."""
    by_callsign = dict(zip(traffic.callsign, traffic.icao24.tolist(), strict=True))
    arrival, track, keys, events = [], [], [], 0
    text = b""
    for arrived, data in arrivals.chunks:
        text += data
        *whole, text = text.split(b"</event>")
        for part in whole:
            event = ET.fromstring(part[part.index(b"<event") :] + b"</event>")
            events += 1
            status = event.find("detail/_flankwatch_")
            contact = event.find("detail/contact")
            if status is None or contact is None or status.get("status") == "coasting":
                continue
            address = by_callsign.get(contact.get("callsign", ""))
            if address is None:
                continue
            arrival.append(arrived)
            track.append(datetime.fromisoformat(event.get("time", "")).timestamp())
            keys.append(address)
    return _latencies(sent, arrival, track, keys), events


def _inputs_table(stdout: str) -> dict[str, list[str]]:
    """The live command's inputs table, by the input's format: bytes, reports, plots,
    skipped, connects, drops, stale."""
    rows = {}
    for line in stdout.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("│┃").split("│")]
        if len(cells) == 8 and "@" in cells[-1]:
            rows[cells[-1].split("@")[0]] = cells[:-1]
    return rows


def _count(text: str) -> int:
    return int(text.replace(",", "")) if text else 0


def _skips(text: str) -> int:
    """Total of a ``kind n, kind n`` skipped cell ("none": 0)."""
    if text == "none":
        return 0
    return sum(_count(part.split()[-1]) for part in text.split(", "))


def _percentiles(name: str, latency_s: np.ndarray) -> None:
    if not len(latency_s):
        print(f"{name:>8}: no track message matched")
        return
    p50, p99 = np.percentile(latency_s, [50, 99])
    print(
        f"{name:>8}: {len(latency_s):,} updates, p50 {p50 * 1e3:.0f} ms, p99 {p99 * 1e3:.0f} ms "
        f"= {p99 / TARGET_P99_S:.1f} x the {TARGET_P99_S * 1e3:.0f} ms target, "
        f"max {latency_s.max() * 1e3:.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="10 minutes at 10,000 plots/s")
    parser.add_argument("--rate", type=positive_float, help="total plots per second [2000]")
    parser.add_argument("--seconds", type=positive_float, help="seconds of feed [60]")
    parser.add_argument("--aircraft", type=positive_int, default=400, help="aircraft flying [400]")
    parser.add_argument(
        "--asterix-share", type=float, default=0.5, help="share of aircraft seen by the radar"
    )
    args = parser.parse_args()
    rate = args.rate if args.rate is not None else (10_000.0 if args.full else 2_000.0)
    seconds = args.seconds if args.seconds is not None else (600.0 if args.full else 60.0)
    if not 0 <= args.asterix_share <= 1:
        parser.error(f"argument --asterix-share: must be from 0 to 1, not {args.asterix_share:g}")
    check_cat048()
    frame = default_deployment().frame
    traffic = Traffic.random(
        LocalFrame(frame.lat_deg, frame.lon_deg), args.aircraft, args.asterix_share,
        np.random.default_rng(7),
    )  # fmt: skip
    command = shutil.which("flankwatch")
    if command is None:
        sys.exit("error: the flankwatch command is not installed")

    stop = threading.Event()
    sbs_server, cot_server = _listening(socket.SOCK_STREAM), _listening(socket.SOCK_STREAM)
    cat062_socket = _listening(socket.SOCK_DGRAM)
    cat062, cot = Arrivals(), Arrivals()
    receivers = [
        threading.Thread(target=_udp_receiver, args=(cat062_socket, cat062, stop), daemon=True),
        threading.Thread(target=_tcp_receiver, args=(cot_server, cot, stop), daemon=True),
    ]
    for thread in receivers:
        thread.start()
    udp_port = _free_udp_port()
    folder = Path(tempfile.mkdtemp(prefix="flankwatch-live-load-"))
    try:
        lat, lon = RADAR_DEG
        argv = [
            command, "live",
            "--input", f"asterix@udp://127.0.0.1:{udp_port}?lat={lat}&lon={lon}",
            "--input", f"sbs@tcp://127.0.0.1:{sbs_server.getsockname()[1]}",
            "--duration", f"{seconds + STARTUP_SLACK_S:g}",
            "--asterix-out", f"udp://127.0.0.1:{cat062_socket.getsockname()[1]}",
            "--cot", f"tcp://127.0.0.1:{cot_server.getsockname()[1]}",
            "--out", str(folder / "run"), "--quiet",
        ]  # fmt: skip
        print(
            f"{len(traffic)} aircraft ({int(traffic.radar.sum())} by radar), "
            f"{rate:,.0f} plots/s for {seconds:.0f} s; running: flankwatch {' '.join(argv[1:])}"
        )
        with (folder / "stdout.txt").open("w") as out, (folder / "stderr.txt").open("w") as err:
            process = subprocess.Popen(
                argv, stdout=out, stderr=err, env={**os.environ, "COLUMNS": "300"}
            )
            sbs_server.settimeout(CONNECT_TIMEOUT_S)
            try:
                connection, _ = sbs_server.accept()
            except TimeoutError:
                process.kill()
                sys.exit(f"error: flankwatch live did not connect within {CONNECT_TIMEOUT_S:.0f} s")
            memory = MemoryWatch(process.pid)
            memory.start()
            sender = Sender(traffic, rate, RADAR_DEG, ("127.0.0.1", udp_port), connection)
            started = time.time()
            sent = sender.run(seconds)
            sent_s = time.time() - started
            sender.close()
            process.wait(timeout=seconds + STARTUP_SLACK_S + 300.0)
            connection.close()
        time.sleep(0.5)
        stop.set()
        stdout = (folder / "stdout.txt").read_text()
        if process.returncode != 0:
            print(stdout, (folder / "stderr.txt").read_text(), sep="\n")
            sys.exit(f"error: flankwatch live exited with {process.returncode}")
        _report(traffic, sent, sent_s, stdout, folder / "run", memory.samples, cat062, cot)
    finally:
        stop.set()
        shutil.rmtree(folder, ignore_errors=True)


def _report(
    traffic: Traffic,
    sent: Sent,
    sent_s: float,
    stdout: str,
    recording: Path,
    rss: list[tuple[float, int]],
    cat062: Arrivals,
    cot: Arrivals,
) -> None:
    """Print the counts, latencies and memory of a finished run."""
    total = sent.asterix_plots + sent.sbs_plots
    print(
        f"sent: {total:,} plots in {sent_s:.1f} s = {total / sent_s:,.0f} plots/s "
        f"({sent.asterix_plots:,} CAT048 in {sent.asterix_datagrams:,} datagrams, "
        f"{sent.sbs_plots:,} SBS lines); sender late on {sent.behind_ticks} ticks"
    )
    summary = read_metadata(recording)["summary"]
    plots = read_table(recording, "plots")
    recorded = np.bincount(plots.column("sensor_id").to_numpy(), minlength=2)
    table = _inputs_table(stdout)
    for k, (name, count) in enumerate((("asterix", sent.asterix_plots), ("sbs", sent.sbs_plots))):
        row = table.get(name)
        if row is None:
            print(f"{name:>8}: no inputs table row found in the run's output")
            continue
        decoded, skipped = _count(row[2]), _skips(row[3])
        print(
            f"{name:>8}: sent {count:,}; received {_count(row[0]):,} bytes, "
            f"{_count(row[1]):,} reports; {decoded:,} plots ({decoded / sent_s:,.0f}/s), "
            f"skipped {row[3]}; recorded {int(recorded[k]):,}; "
            f"unaccounted for {count - decoded - skipped:,}"
        )
    print(
        f"run: {summary['batches']} windows, peak confirmed tracks "
        f"{summary['peak_confirmed_tracks']} of {len(traffic)} aircraft"
    )
    midnight = float(np.floor(time.time() / 86_400.0) * 86_400.0)
    latency, records = _cat062_latency(sent, cat062, midnight)
    print(f"CAT062: {records:,} records in {len(cat062.chunks):,} datagrams")
    _percentiles("CAT062", latency)
    latency, events = _cot_latency(sent, cot, traffic)
    print(f"CoT: {events:,} events")
    _percentiles("CoT", latency)
    _memory(rss)


def _memory(rss: list[tuple[float, int]]) -> None:
    """Print the run's resident memory at the feed's start, once warmed up and at the end,
    and how fast it grew after the warm-up."""
    if len(rss) < 2:
        return
    mib = [(t_s, size / 2**20) for t_s, size in rss]
    warm_s = min(WARM_UP_S, mib[-1][0] / 3.0)
    warm_t_s, warm = next((t_s, size) for t_s, size in mib if t_s >= warm_s)
    end_t_s, end = mib[-1]
    per_min = (end - warm) / max(end_t_s - warm_t_s, 1e-9) * 60.0
    print(
        f"resident memory: {mib[0][1]:,.0f} MiB at the feed's start, {warm:,.0f} MiB "
        f"{warm_t_s:.0f} s in (warmed up), {end:,.0f} MiB at the end "
        f"(max {max(size for _, size in mib):,.0f} MiB): end/warmed up {end / warm:.2f}, "
        f"{per_min:+.1f} MiB a minute after the warm-up"
    )


if __name__ == "__main__":
    main()
