"""LiveSource: inputs merged into time-ordered windows, skips counted, never stopped by
bad input; files on their own timestamps, UDP on the clock."""

from __future__ import annotations

import itertools
import logging
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from live_feeds import FLIGHTS, FUTURE_SBS_LINE, START_EPOCH_S, avr_text, beast_bytes, sbs_lines

from flankwatch.deployment import Deployment, Origin
from flankwatch.live import Backoff, InputError, LiveSource, parse_input
from flankwatch.loop import Kill
from flankwatch.stream import PlotBatch

DEPLOYMENT = Deployment(
    name="test", start="2025-01-01T00:00:00+00:00", origin=Origin(lat=52.0, lon=21.0)
)


def _sbs_file(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n")
    return path


def _windows(source: LiveSource) -> list:
    with source:
        return [window for window, truth in source.windows() if truth is None]


def test_file_inputs_merge_into_contiguous_time_ordered_windows(tmp_path: Path) -> None:
    sbs = _sbs_file(tmp_path / "a.sbs", [line for _, line in sbs_lines(10.0)])
    beast = tmp_path / "b.beast"
    beast.write_bytes(beast_bytes(10.0))
    specs = [
        parse_input(f"sbs@file://{sbs}"),
        parse_input(f"beast@file://{beast}?lat=52.2&lon=21.1"),
    ]
    source = LiveSource(specs, DEPLOYMENT, batch_s=2.0)
    assert source.info.deployment.start.timestamp() == START_EPOCH_S
    assert not source.info.exercise and source.info.duration_s == np.inf
    assert source.info.sensors.column("lat_deg").to_pylist() == [52.0, 52.2]
    windows = _windows(source)
    assert [(w.t0_s, w.t1_s) for w in windows] == [(t, t + 2.0) for t in range(0, 10, 2)]
    plots = PlotBatch.concat([w.plots for w in windows])
    for w in windows:
        assert np.all((w.plots.t_s >= w.t0_s) & (w.plots.t_s < w.t1_s))
        assert np.all(np.diff(w.plots.t_s) >= 0)
    # the receiver position given, Mode S positions need no even/odd pair
    assert [int(np.sum(plots.sensor_id == k)) for k in (0, 1)] == [40, 40]
    assert [s.plots for s in source.stats] == [40, 40]
    assert set(plots.icao24.tolist()) == {f.icao24 for f in FLIGHTS}
    assert all(not s.skips for s in source.stats) and all(s.ended for s in source.stats)


def test_bad_lines_and_late_reports_are_counted_and_the_run_goes_on(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    lines = [line for _, line in sbs_lines(6.0)]
    early = [line for _, line in sbs_lines(1.0)]  # dated at the start: late once t > 2 s
    lines[5:5] = ["\x00\xff garbage", "MSG,3,1,1,ZZZZZZ,1,,,,,,,,,52,21,,,,,,0"]
    source = LiveSource(
        [parse_input(f"sbs@file://{_sbs_file(tmp_path / 'a.sbs', lines + early)}")],
        DEPLOYMENT, batch_s=2.0,
    )  # fmt: skip
    with caplog.at_level(logging.WARNING, logger="flankwatch.live"):
        windows = _windows(source)
    stats = source.stats[0]
    assert dict(stats.skips) == {"syntax": 1, "field": 1, "late": 6}
    assert stats.plots == sum(len(w.plots) for w in windows) == 24
    assert "skipped at 6: syntax" in caplog.text and "skipped at 7: field" in caplog.text


def test_a_silent_input_is_reported_stale_until_data_comes_again(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    before = [line for _, line in sbs_lines(2.0)]
    after = [line for _, line in sbs_lines(2.0, start_epoch_s=START_EPOCH_S + 60.0)]
    path = _sbs_file(tmp_path / "gap.sbs", before + after)
    source = LiveSource([parse_input(f"sbs@file://{path}")], DEPLOYMENT, batch_s=5.0, stale_s=20.0)
    with caplog.at_level(logging.INFO, logger="flankwatch.live"):
        windows = _windows(source)
    assert windows[-1].t1_s == 65.0
    assert source.stats[0].stale_periods == 1 and not source.stats[0].stale
    assert "s: stale" in caplog.text and "data again after" in caplog.text


def test_files_without_dates_start_at_the_deployment_start_and_duration_cuts(
    tmp_path: Path,
) -> None:
    path = tmp_path / "a.avr"
    path.write_text(avr_text(20.0))
    source = LiveSource(
        [parse_input(f"avr@file://{path}")], DEPLOYMENT, batch_s=3.0, duration_s=7.0
    )
    windows = _windows(source)
    assert source.info.deployment.start == DEPLOYMENT.start
    assert [(w.t0_s, w.t1_s) for w in windows] == [(0.0, 3.0), (3.0, 6.0), (6.0, 7.0)]
    assert windows[-1].plots.t_s.max() < 7.0


def test_effects_are_ignored(tmp_path: Path) -> None:
    path = _sbs_file(tmp_path / "a.sbs", [line for _, line in sbs_lines(1.0)])
    with LiveSource([parse_input(f"sbs@file://{path}")], DEPLOYMENT) as source:
        source.apply([Kill(0.0, 1, 0.0, 0.0, 0.0)])
        assert source.ignored_effects == 1


def test_inputs_that_cannot_be_used_are_refused(tmp_path: Path) -> None:
    path = _sbs_file(tmp_path / "a.sbs", [])
    with pytest.raises(InputError, match="cannot be mixed"):
        LiveSource(
            [parse_input(f"sbs@file://{path}"), parse_input("sbs@udp://127.0.0.1:0")], DEPLOYMENT
        )
    with pytest.raises(InputError, match="cannot listen"):
        LiveSource([parse_input("sbs@udp://192.0.2.1:30003")], DEPLOYMENT)
    with pytest.raises(InputError, match="no --input"):
        LiveSource([], DEPLOYMENT)


def test_udp_datagrams_are_windowed_on_the_clock_and_the_socket_closed() -> None:
    source = LiveSource(
        [parse_input("sbs@udp://127.0.0.1:0"), parse_input("beast@udp://127.0.0.1:0")],
        DEPLOYMENT, batch_s=0.5, duration_s=1.5, backoff=Backoff(0.1, 0.2),
    )  # fmt: skip
    start = time.time()
    assert abs(source.info.deployment.start.timestamp() - start) < 1.0
    sbs_port, beast_port = source.ports
    sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    windows = []
    with sender, source:
        for window, _ in source.windows():
            windows.append(window)
            if window.index == 0:  # sent while the second window is filled
                for _, line in sbs_lines(1.0):
                    sender.sendto(line.encode(), ("127.0.0.1", sbs_port))
                sender.sendto(beast_bytes(1.0), ("127.0.0.1", beast_port))
    assert [(w.t0_s, w.t1_s) for w in windows] == [(0.0, 0.5), (0.5, 1.0), (1.0, 1.5)]
    assert time.time() - start >= 1.5
    received = PlotBatch.concat([w.plots for w in windows[1:]])
    assert int(np.sum(received.sensor_id == 0)) == 4  # SBS: every position line, each its own
    assert int(np.sum(received.sensor_id == 1)) == 2  # Beast: positions after a pair
    assert np.all((received.t_s >= 0.5) & (received.t_s < 1.5))
    assert all(not thread.is_alive() for thread in source._threads)
    for port in (sbs_port, beast_port):  # the ports are free again
        probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        probe.bind(("127.0.0.1", port))
        probe.close()


def test_datagrams_sent_before_the_first_window_is_read_keep_their_arrival_time() -> None:
    # the run's set-up (stages, sinks) takes seconds before it reads a window: what
    # arrives meanwhile is timed as it arrives, not when the run gets round to it
    source = LiveSource([parse_input("sbs@udp://127.0.0.1:0")], DEPLOYMENT, duration_s=2.0)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender, source:
        for _, line in sbs_lines(1.0):
            sender.sendto(line.encode(), ("127.0.0.1", source.ports[0]))
        sent_s = source.clock.now_s()
        time.sleep(1.2)  # the set-up
        windows = [window for window, _ in source.windows()]
    received = PlotBatch.concat([w.plots for w in windows])
    assert len(received) == 4 and not source.stats[0].skips
    assert np.all(received.t_s <= sent_s + 0.2)


def test_backoff_doubles_up_to_its_limit() -> None:
    backoff = Backoff(first_s=0.5, max_s=3.0)
    assert [backoff.delay_s(n) for n in range(1, 6)] == [0.5, 1.0, 2.0, 3.0, 3.0]


def test_a_line_dated_far_ahead_is_one_skip_and_the_run_ends_with_the_file(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    lines = [line for _, line in sbs_lines(6.0)]
    lines.insert(20, FUTURE_SBS_LINE)  # line 21
    path = _sbs_file(tmp_path / "future.sbs", lines)
    source = LiveSource([parse_input(f"sbs@file://{path}")], DEPLOYMENT, batch_s=2.0)
    with source, caplog.at_level(logging.WARNING, logger="flankwatch.live"):
        windows = [w for w, _ in itertools.islice(source.windows(), 100)]  # not toward 2099
    assert [(w.t0_s, w.t1_s) for w in windows] == [(0.0, 2.0), (2.0, 4.0), (4.0, 6.0)]
    assert dict(source.stats[0].skips) == {"future": 1}
    assert source.stats[0].plots == sum(len(w.plots) for w in windows) == 24
    assert "skipped at 21: future: time 2099-09-10T21:33:30.000Z" in caplog.text


@pytest.mark.parametrize("year", [2099, 1970])
def test_a_file_whose_first_line_is_misdated_starts_at_its_true_time(
    tmp_path: Path, year: int
) -> None:
    # the run's start and the file's time come from the timestamps its head agrees on, so a
    # corrupt first timestamp costs its own line, not the file
    lines = [FUTURE_SBS_LINE.replace("2099", str(year)), *(line for _, line in sbs_lines(6.0))]
    path = _sbs_file(tmp_path / "misdated.sbs", lines)
    source = LiveSource([parse_input(f"sbs@file://{path}")], DEPLOYMENT, batch_s=2.0)
    with source:
        windows = [w for w, _ in itertools.islice(source.windows(), 100)]
    assert source.start_epoch_s == START_EPOCH_S
    assert [(w.t0_s, w.t1_s) for w in windows] == [(0.0, 2.0), (2.0, 4.0), (4.0, 6.0)]
    assert dict(source.stats[0].skips) == {"future" if year == 2099 else "late": 1}
    assert sum(len(w.plots) for w in windows) == 24


def test_a_run_without_asterix_does_not_load_libasterix(tmp_path: Path) -> None:
    """libasterix (imported as ``asterix``) takes seconds to import: an SBS run must not."""
    path = _sbs_file(tmp_path / "a.sbs", [line for _, line in sbs_lines(2.0)])
    program = f"""
import sys
from flankwatch.deployment import Deployment, Origin
from flankwatch.live import LiveSource, parse_input
origin = Origin(lat=52.0, lon=21.0)
deployment = Deployment(name="t", start="2025-01-01T00:00:00+00:00", origin=origin)
with LiveSource([parse_input("sbs@file://{path}")], deployment) as source:
    plots = sum(len(window.plots) for window, _ in source.windows())
loaded = [name for name in sys.modules if name.partition(".")[0] == "asterix"]
loaded += [name for name in sys.modules if name.startswith("flankwatch.io.asterix")]
print(plots, loaded)
"""
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["8", "[]"]
