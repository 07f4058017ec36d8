"""Tracking in a process of its own: the same run byte for byte, used only where nothing
acts on the source's windows, its failures named, its process always ended."""

from __future__ import annotations

import multiprocessing
import os
import queue
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import flankwatch.pipeline as pipeline
import flankwatch.tracking_process as tracking_process
from flankwatch.loop import Window
from flankwatch.pipeline import RunOptions, replay, run_scenario
from flankwatch.scenario.loader import load_scenario
from flankwatch.scenario.schema import Scenario
from flankwatch.sim.source import SimulationSource
from flankwatch.stream import PlotBatch
from flankwatch.track.remote import serve
from flankwatch.track.tracker import build_tracker
from flankwatch.tracking_process import TrackingAhead, TrackingProcessError
from processes import alive, count_entries, needs_two_cores, recorded_files

RAID = {
    "name": "drones",
    "threat": "gerbera",
    "count": 4,
    "launch": [52.25, 22.6],
    "target": [51.9, 21.6],
    "cruise_alt_m": 1_000.0,
}


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> Callable[[], int]:
    """How many TrackingAhead processes the test has started."""
    return count_entries(monkeypatch, pipeline, "TrackingAhead")


@pytest.fixture
def raid(base_scenario: dict[str, Any], make_scenario: Callable[..., Scenario]) -> Scenario:
    base_scenario.update(duration_s=900.0, raids=[RAID])
    return make_scenario(base_scenario)


@needs_two_cores
def test_a_run_tracked_ahead_records_the_same_bytes_as_in_one_process(
    raid: Scenario, tmp_path: Path, started: Callable[[], int]
) -> None:
    one = run_scenario(raid, "", tmp_path / "one", options=RunOptions())
    assert started() == 0
    ahead = run_scenario(raid, "", tmp_path / "ahead", options=RunOptions(tracking_process=True))
    assert started() == 1
    assert one.peak_confirmed_tracks > 0
    assert recorded_files(tmp_path / "ahead") == recorded_files(tmp_path / "one")
    assert ahead.to_dict() == one.to_dict()


@needs_two_cores
def test_a_replay_is_tracked_ahead_with_the_same_result(
    raid: Scenario, tmp_path: Path, started: Callable[[], int]
) -> None:
    run_scenario(raid, "", tmp_path / "run")
    replay(tmp_path / "run", tmp_path / "one")
    replay(tmp_path / "run", tmp_path / "ahead", options=RunOptions(tracking_process=True))
    assert started() == 1
    assert recorded_files(tmp_path / "ahead") == recorded_files(tmp_path / "one")


def test_a_simulation_with_a_response_is_not_tracked_ahead() -> None:
    """A response acts on the simulation (its kills end objects, its fighters fly), so the
    next windows cannot be made before the response to this one: no tracking ahead."""
    night, text = load_scenario("poland-2025-09-10")
    source = SimulationSource(night, text)
    assert night.defence is not None
    assert not pipeline._tracks_ahead(source, RunOptions(tracking_process=True))


def _window(index: int, plots: object) -> Window:
    return Window(index, 0.0, 5.0, plots)  # type: ignore[arg-type]


def _plots(index: int) -> PlotBatch:
    """Window ``index``'s plots (5 s windows): one target flying east at 100 m/s."""
    t = 5.0 * index + np.array([1.0, 3.0])
    return PlotBatch.build(
        2,
        t_s=t,
        x_m=100.0 * t,
        y_m=np.zeros(2),
        z_m=np.full(2, 500.0),
        cov_xx_m2=np.full(2, 100.0),
        cov_yy_m2=np.full(2, 100.0),
        cov_zz_m2=np.full(2, 100.0),
        sensor_id=np.ones(2, np.int64),
    )


def test_each_window_gets_back_the_tracks_of_a_tracker_in_this_process() -> None:
    here = build_tracker(None)
    here.set_revisit_periods(np.array([1]), np.array([4.0]))
    windows = [Window(index, 5.0 * index, 5.0 * index + 5.0, _plots(index)) for index in range(4)]
    with TrackingAhead(None, np.array([1]), np.array([4.0])) as ahead:
        for window in windows:
            ahead.submit(window)
        deadline = time.monotonic() + 60.0
        while not ahead.ready() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert ahead.ready()  # the first window's tracks came, and are kept for it
        tracks = [ahead.tracks(window) for window in windows]
        assert not ahead.ready()  # every window's tracks taken back
        process = ahead._process
    for window, batch in zip(windows, tracks, strict=True):
        expected = here.step(window.plots, now_s=window.t1_s)
        for name in batch.column_names():
            np.testing.assert_array_equal(getattr(batch, name), getattr(expected, name))
    assert len(tracks[-1]) >= 1
    assert not process.is_alive() and process.exitcode == 0


def test_a_run_that_fails_ends_its_tracking_process_at_once() -> None:
    with pytest.raises(KeyboardInterrupt):
        with TrackingAhead(None, np.array([1]), np.array([4.0])) as ahead:
            for index in range(3):
                ahead.submit(Window(index, 5.0 * index, 5.0 * index + 5.0, _plots(index)))
            process = ahead._process
            raise KeyboardInterrupt
    assert not process.is_alive()


def test_a_tracker_failure_is_raised_in_the_run_with_its_window() -> None:
    with TrackingAhead(None, np.array([1]), np.array([4.0])) as ahead:
        ahead.submit(_window(0, "not plots"))
        with pytest.raises(TrackingProcessError, match="at window 0: AttributeError"):
            ahead.tracks(_window(0, None))


def test_a_tracking_process_that_dies_is_named() -> None:
    with TrackingAhead(None, np.array([1]), np.array([4.0])) as ahead:
        ahead._process.kill()
        ahead._process.join(30.0)
        with pytest.raises(TrackingProcessError, match="tracking process ended .* before"):
            ahead.tracks(_window(0, None))


def test_a_run_whose_tracking_process_died_still_exits(tmp_path: Path) -> None:
    # windows queued past the pipe's buffer to a child that died held the run's process at
    # its exit for ever, the queue's thread blocked writing them
    script = (
        "import numpy as np\n"
        "from flankwatch.loop import Window\n"
        "from flankwatch.stream import PlotBatch\n"
        "from flankwatch.tracking_process import TrackingAhead, TrackingProcessError\n"
        "plots = PlotBatch.build(20_000, t_s=np.zeros(20_000))\n"
        "with TrackingAhead(None, np.array([1]), np.array([4.0])) as ahead:\n"
        "    ahead._process.kill()\n"
        "    ahead._process.join(30.0)\n"
        "    for index in range(20):\n"
        "        ahead.submit(Window(index, 0.0, 5.0, plots))\n"
        "    try:\n"
        "        ahead.tracks(Window(0, 0.0, 5.0, plots))\n"
        "    except TrackingProcessError as error:\n"
        "        print('named:', error)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "named: the tracking process ended" in done.stdout


def test_the_tracker_ends_quietly_when_nobody_reads_its_tracks() -> None:
    """A child waiting to send tracks when its parent ends (its end of the pipe closed)
    ends without an error of its own."""
    reader, writer = multiprocessing.Pipe(duplex=False)
    reader.close()
    requests: queue.Queue[Any] = queue.Queue()
    requests.put((0, _plots(0), 5.0))
    requests.put((1, _plots(1), 10.0))
    serve(None, np.array([1]), np.array([4.0]), requests, writer, os.getppid())
    assert requests.qsize() == 1  # it ended at the first send, not at the next request


def test_a_tracker_that_cannot_start_is_named() -> None:
    with TrackingAhead(None, np.array([1, 2]), np.array([4.0])) as ahead:
        with pytest.raises(TrackingProcessError, match="failed to start"):
            ahead.tracks(_window(0, None))


def test_the_tracking_process_ends_when_its_parent_is_gone(tmp_path: Path) -> None:
    script = (
        "import os, numpy as np\n"
        "from flankwatch.tracking_process import TrackingAhead\n"
        "if __name__ == '__main__':\n"
        "    ahead = TrackingAhead(None, np.array([1]), np.array([4.0])).__enter__()\n"
        "    print(ahead._process.pid, flush=True)\n"
        "    os._exit(0)\n"
    )
    path = tmp_path / "parent.py"
    path.write_text(script)
    done = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=60)
    child = int(done.stdout.split()[0])
    deadline = time.monotonic() + 30.0
    while alive(child) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not alive(child)


class _Paced:
    """Stands for :class:`TrackingAhead` beside :class:`_AheadSource`: records the windows
    sent, and says the oldest one's tracks have come only when ``tracked`` says so."""

    def __init__(self, tracked: Callable[[int], bool]) -> None:
        self.tracked = tracked
        self.sent: list[int] = []
        self.taken = 0

    def submit(self, window: Window) -> None:
        self.sent.append(window.index)

    def ready(self) -> bool:
        return self.tracked(self.taken)


class _Windows:
    """A source of ``n`` windows of ``plots`` plots each."""

    info = None

    def __init__(self, n: int, plots: int) -> None:
        self.n, self.plots = n, plots

    def windows(self) -> Any:
        for index in range(self.n):
            yield _window(index, np.zeros(self.plots)), None


def _sent_before_each(ahead: _Paced, n: int, plots: int) -> list[int]:
    """How many windows had been sent to the tracker when each window was passed on."""
    sent = []
    source = tracking_process._AheadSource(_Windows(n, plots), ahead)  # type: ignore[arg-type]
    for window, _ in source.windows():
        assert window.index == ahead.taken  # in order, each once
        sent.append(len(ahead.sent))
        ahead.taken += 1
    assert ahead.sent == list(range(n))
    return sent


def test_windows_go_on_a_few_ahead_while_the_tracker_keeps_up(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(tracking_process, "WINDOWS_AHEAD", 2)
    ahead = _Paced(lambda taken: True)
    assert _sent_before_each(ahead, 6, 1) == [3, 4, 5, 6, 6, 6]


def test_while_the_tracker_is_behind_more_windows_are_made_up_to_the_bounds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The run makes windows rather than wait for tracks: up to MOST_WINDOWS_AHEAD windows,
    or fewer where they would hold more than MOST_PLOTS_AHEAD plots."""
    monkeypatch.setattr(tracking_process, "WINDOWS_AHEAD", 2)
    monkeypatch.setattr(tracking_process, "MOST_WINDOWS_AHEAD", 5)
    monkeypatch.setattr(tracking_process, "MOST_PLOTS_AHEAD", 1_000)
    behind = _Paced(lambda taken: False)
    assert _sent_before_each(behind, 9, 1) == [6, 7, 8, 9, 9, 9, 9, 9, 9]
    monkeypatch.setattr(tracking_process, "MOST_PLOTS_AHEAD", 10)
    crowded = _Paced(lambda taken: False)
    assert _sent_before_each(crowded, 9, 3) == [4, 5, 6, 7, 8, 9, 9, 9, 9]
    catching_up = _Paced(lambda taken: taken >= 2)  # behind for the first two windows only
    monkeypatch.setattr(tracking_process, "MOST_PLOTS_AHEAD", 1_000)
    assert _sent_before_each(catching_up, 9, 1) == [6, 7, 7, 7, 7, 8, 9, 9, 9]
