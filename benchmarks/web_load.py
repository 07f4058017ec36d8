"""Web picture load: a replay of ``mass-raid-2025-09-07`` streamed at 60x.

The recording is made once with ``flankwatch run mass-raid-2025-09-07 --out DIR``
(in a temporary folder, deleted afterwards) unless ``--recording DIR`` names one.

Two parts:

1. Every window of the night, as a client playing at 60x receives it: the server
   makes the window's frame and the frame message from the previous window
   (:func:`flankwatch.web.frames.frame_message`) and encodes it as the WebSocket
   sends it. Printed: the time to load the recording and the memory it takes, bytes
   per window (mean, p95, max), bytes per changed track
   (message bytes over the tracks sent in it, and one track object's own size), and
   the server's time per window (mean, p99) against the window period at 60x.
2. A real server (uvicorn on a loopback port) and a WebSocket client playing from
   the busiest hour at 60x for ``--socket-s`` seconds: frames and bytes received per
   second against the windows due.

    python benchmarks/web_load.py [--recording DIR] [--speed 60] [--socket-s 20]
"""

from __future__ import annotations

import argparse
import json
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import psutil
import uvicorn
from arguments import existing_folder, non_negative_float, one_line
from websockets.sync.client import connect

from flankwatch.store.recording import RecordingError
from flankwatch.web.app import create_app
from flankwatch.web.frames import frame_at, frame_message
from flankwatch.web.live import check_speed
from flankwatch.web.served import Served, serve_recording
from flankwatch.yamlfile import YamlFileError

SCENARIO = "mass-raid-2025-09-07"


def encoded(message: dict[str, object]) -> str:
    """A message as the server sends it."""
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False)


def windows(served: Served, speed: float) -> dict[str, np.ndarray]:
    """Per window: message bytes, tracks live, tracks sent, track-object bytes, seconds."""
    timeline = served.timeline
    out: dict[str, list[float]] = {k: [] for k in ("bytes", "live", "sent", "track_bytes", "s")}
    before = None
    for index in range(len(timeline)):
        started = time.perf_counter()
        frame = frame_at(timeline, index)
        message = frame_message(timeline, before, frame, served.start, playing=True, speed=speed)
        text = encoded(message)
        out["s"].append(time.perf_counter() - started)
        before = frame
        if index == 0:
            continue  # the full frame after connecting is not a window's change
        tracks = message["tracks"]["set"]  # type: ignore[index]
        out["bytes"].append(len(text.encode("utf-8")))
        out["live"].append(len(frame.tracks))
        out["sent"].append(len(tracks))
        out["track_bytes"].append(sum(len(encoded(t).encode("utf-8")) for t in tracks))
    return {k: np.asarray(v, float) for k, v in out.items()}


def over_socket(served: Served, speed: float, seconds: float, from_s: float) -> None:
    """A real server and client: what arrives in ``seconds`` of playing from ``from_s``."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(served), log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    frames = total = 0
    first_t = last_t = from_s
    try:
        with connect(f"ws://127.0.0.1:{port}/ws", max_size=None) as client:
            client.recv()
            client.send(json.dumps({"type": "speed", "value": speed}))
            client.send(json.dumps({"type": "seek", "t_s": from_s}))
            while True:
                message = json.loads(client.recv())
                if message.get("type") == "frame" and message["full"]:
                    break
            started = time.monotonic()
            while time.monotonic() - started < seconds:
                text = client.recv(timeout=5.0)
                message = json.loads(text)
                if message.get("type") != "frame":
                    continue
                frames += 1
                total += len(text.encode("utf-8"))
                last_t = message["t_s"]
            elapsed = time.monotonic() - started
    finally:
        server.should_exit = True
        thread.join(10.0)
    due = (last_t - first_t) / served.batch_s
    print(
        f"over a loopback WebSocket, {elapsed:.1f} s playing at {speed:g}x from "
        f"t={from_s:,.0f} s: {frames} frames for {due:.0f} windows of data "
        f"({(last_t - first_t) / elapsed:.1f} s of data per s, {speed:g} due); "
        f"{total / elapsed / 1000:.1f} kB/s"
    )


def speed(text: str) -> float:
    """``type=`` for ``--speed``: a number the server plays at."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, not {text!r}") from None
    try:
        return check_speed(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recording", type=existing_folder, help=f"a recording of {SCENARIO}")
    parser.add_argument("--speed", type=speed, default=60.0, help="times real time")
    parser.add_argument(
        "--socket-s", type=non_negative_float, default=20.0, help="seconds over a socket (0: none)"
    )
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="web-load-") if args.recording is None else None
    recording = args.recording or Path(str(folder)) / "recording"
    try:
        if args.recording is None:
            print(f"recording {SCENARIO} (once) ...", flush=True)
            subprocess.run(
                ["flankwatch", "run", SCENARIO, "--out", str(recording), "--quiet"], check=True
            )
        started = time.perf_counter()
        try:
            served = serve_recording(recording, args.speed)
        except (RecordingError, YamlFileError) as error:
            parser.error(f"--recording {one_line(error)}")
        rss_mb = psutil.Process().memory_info().rss / 1e6
        print(
            f"loaded {served.name}: {len(served.timeline):,} windows of {served.batch_s:g} s "
            f"in {time.perf_counter() - started:.1f} s; server memory {rss_mb:,.0f} MB"
        )
        stats = windows(served, args.speed)
        period_s = served.batch_s / args.speed
        changed = stats["sent"] > 0
        per_track = stats["bytes"][changed] / stats["sent"][changed]
        live, sent = stats["live"], stats["sent"]
        print(
            f"live tracks per window: mean {live.mean():.0f}, max {live.max():.0f}; "
            f"tracks sent per window: mean {sent.mean():.0f}, max {sent.max():.0f}"
        )
        print(
            f"bytes per window: mean {stats['bytes'].mean():,.0f}, "
            f"p95 {np.percentile(stats['bytes'], 95):,.0f}, max {stats['bytes'].max():,.0f}"
        )
        print(
            f"bytes per changed track: message {per_track.mean():.0f} (mean over windows), "
            f"track object {stats['track_bytes'].sum() / stats['sent'].sum():.0f}"
        )
        mean_s, p99_s = stats["s"].mean(), np.percentile(stats["s"], 99)
        print(
            f"server time per window: mean {mean_s * 1e3:.1f} ms, p99 {p99_s * 1e3:.1f} ms; "
            f"window period at {args.speed:g}x {period_s * 1e3:.0f} ms "
            f"(mean {mean_s / period_s:.1%}, p99 {p99_s / period_s:.1%} of it)"
        )
        busiest = int(np.argmax(stats["live"]))
        if args.socket_s > 0:
            over_socket(served, args.speed, args.socket_s, served.timeline.t1_s[busiest])
    finally:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
