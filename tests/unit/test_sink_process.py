"""Alerts and sinks in a process of their own: the same run byte for byte, used only where
the tracker has no process of its own and nothing in the run needs the alerts, its
failures named, a failed run's recording kept as in one process."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

import flankwatch.pipeline as pipeline
from flankwatch.loop import Picture, SinkBase, Window
from flankwatch.pipeline import RunOptions, execute, run_scenario
from flankwatch.scenario.schema import Scenario
from flankwatch.sim.source import SimulationSource
from flankwatch.sim.truth import TruthBatch
from flankwatch.sink_process import SinkProcessError, SinksApart
from flankwatch.store.recording import RecordingError, read_metadata
from processes import alive, count_entries, needs_two_cores, recorded_files

DEFENCE = {
    "units": [
        {"name": "gun", "type": "skynex", "at": [52.06, 23.45]},
        {"name": "qra", "type": "f16-qra", "at": [52.0, 23.0], "count": 2},
    ],
}
DECOYS = {
    "name": "decoys",
    "threat": "gerbera",
    "count": 2,
    "launch": [52.08, 23.75],
    "interval_s": 30,
    "target": [52.03, 23.10],
    "cruise_alt_m": 500,
}


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> Callable[[], int]:
    """How many SinksApart processes the test has started."""
    return count_entries(monkeypatch, pipeline, "SinksApart")


@pytest.fixture
def defended(base_scenario: dict[str, Any], make_scenario: Callable[..., Scenario]) -> Scenario:
    """Ten minutes of two decoys from Belarus flying past a 35 mm gun toward a town, seen
    by one gap-filler radar, with two F-16 on alert nearby."""
    base_scenario.update(
        duration_s=600.0,
        origin={"lat": 52.05, "lon": 23.3},
        sensors=[{"name": "gf", "type": "gap-filler", "at": [52.05, 23.5]}],
        raids=[DECOYS],
        assets=[{"name": "town", "kind": "city", "at": [52.03, 23.10], "value": 2.0}],
        defence=DEFENCE,
    )
    return make_scenario(base_scenario)


@needs_two_cores
def test_a_run_with_its_sinks_apart_records_the_same_bytes_as_in_one_process(
    defended: Scenario, tmp_path: Path, started: Callable[[], int]
) -> None:
    one = run_scenario(defended, "", tmp_path / "one", options=RunOptions(policy="layered"))
    assert started() == 0
    reached: list[float] = []
    apart = run_scenario(
        defended,
        "",
        tmp_path / "apart",
        progress=reached.append,
        options=RunOptions(policy="layered", sink_process=True, tracking_process=True),
    )
    assert started() == 1
    assert one.response is not None and one.response.shots > 0
    assert one.alerts_issued > 0
    assert recorded_files(tmp_path / "apart") == recorded_files(tmp_path / "one")
    assert apart.to_dict() == one.to_dict()
    assert (
        read_metadata(tmp_path / "apart")["summary"] == read_metadata(tmp_path / "one")["summary"]
    )
    assert reached[-1] == defended.duration_s and len(reached) == 120


@needs_two_cores
def test_the_tracker_ahead_takes_the_second_process_before_the_sinks(
    base_scenario: dict[str, Any],
    make_scenario: Callable[..., Scenario],
    tmp_path: Path,
    started: Callable[[], int],
) -> None:
    """Nothing acts on a night without a defence: its tracker works ahead in the second
    process, and the sinks stay in the run's own (a third process would only slow the two
    busy cores)."""
    base_scenario.update(duration_s=120.0, raids=[DECOYS])
    night = make_scenario(base_scenario)
    options = RunOptions(sink_process=True, tracking_process=True)
    source = SimulationSource(night, "")
    assert pipeline._tracks_ahead(source, options)
    run_scenario(night, "", tmp_path / "run", options=options)
    assert started() == 0


def test_the_sinks_stay_where_the_run_needs_the_alerts(defended: Scenario) -> None:
    source = SimulationSource(defended, "")
    options = RunOptions(sink_process=True)
    assert not pipeline._tracks_ahead(source, RunOptions(tracking_process=True))
    assert pipeline._sinks_apart(options, None, ()) == (len(os.sched_getaffinity(0)) >= 2)
    assert not pipeline._sinks_apart(options, None, (SinkBase(),))
    assert not pipeline._sinks_apart(RunOptions(sink_process=True, response_only=True), None, ())
    assert not pipeline._sinks_apart(RunOptions(), None, ())


@needs_two_cores
def test_a_recording_folder_that_is_not_free_is_refused_before_the_run(
    defended: Scenario, tmp_path: Path
) -> None:
    folder = tmp_path / "taken"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    with pytest.raises(RecordingError, match="not empty"):
        run_scenario(defended, "", folder, options=RunOptions(sink_process=True))
    assert (folder / "notes.txt").read_text() == "mine"
    assert [path.name for path in folder.iterdir()] == ["notes.txt"]


class _StopsAt(SimulationSource):
    """The simulation, stopped by Ctrl-C at window ``at``."""

    def __init__(self, scenario: Scenario, at: int) -> None:
        super().__init__(scenario, "")
        self.at = at

    def windows(self) -> Iterator[tuple[Window, TruthBatch | None]]:
        for window, truth in super().windows():
            if window.index == self.at:
                raise KeyboardInterrupt
            yield window, truth


@needs_two_cores
def test_a_stopped_run_keeps_what_its_sinks_wrote_as_in_one_process(
    defended: Scenario, tmp_path: Path
) -> None:
    for name, options in (("one", RunOptions()), ("apart", RunOptions(sink_process=True))):
        with pytest.raises(KeyboardInterrupt):
            execute(_StopsAt(defended, 90), tmp_path / name, options)
    for name in ("one", "apart"):
        assert read_metadata(tmp_path / name)["status"] == "interrupted"
    rows = {
        name: sum(pq.read_table(part).num_rows for part in (tmp_path / name / "plots").iterdir())
        for name in ("one", "apart")
    }
    assert rows["apart"] == rows["one"] > 0


@needs_two_cores
def test_a_sinks_process_that_is_killed_leaves_its_recording_failed(
    defended: Scenario, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the recording said `running` for ever: its writer was gone, the run could not tell it
    made: list[SinksApart] = []
    enter = SinksApart.__enter__

    def remembered(self: SinksApart) -> SinksApart:
        made.append(self)
        return enter(self)

    monkeypatch.setattr(SinksApart, "__enter__", remembered)

    class KillsTheSinks(SimulationSource):
        def windows(self) -> Iterator[tuple[Window, TruthBatch | None]]:
            for window, truth in super().windows():
                if window.index == 30:
                    made[0]._process.kill()
                    made[0]._process.join(30.0)
                yield window, truth

    with pytest.raises(SinkProcessError, match=r"ended \(exit code -9\)"):
        execute(KillsTheSinks(defended, ""), tmp_path / "r", RunOptions(sink_process=True))
    metadata = read_metadata(tmp_path / "r")
    assert metadata["status"] == "failed"
    assert metadata["error"] == "the sinks' process ended (exit code -9)"


@needs_two_cores
def test_a_failure_in_the_sinks_process_is_raised_in_the_run_with_its_window(
    defended: Scenario,
) -> None:
    source = SimulationSource(defended, "")
    window, truth = next(iter(source.windows()))
    with SinksApart(source.info, RunOptions(), None, None, pipeline.ALERTS) as apart:
        apart.send(Picture(window), truth)  # no assessment: the alert stage fails
        with pytest.raises(SinkProcessError, match="at window 0: ValueError: the alert stage"):
            apart.close()


def test_the_sinks_process_ends_when_its_parent_is_gone(tmp_path: Path) -> None:
    script = (
        "import os\n"
        "from flankwatch.pipeline import ALERTS, RunOptions\n"
        "from flankwatch.scenario.loader import load_scenario\n"
        "from flankwatch.sim.source import SimulationSource\n"
        "from flankwatch.sink_process import SinksApart\n"
        "if __name__ == '__main__':\n"
        "    night, text = load_scenario('poland-2025-09-10')\n"
        "    info = SimulationSource(night, text).info\n"
        "    apart = SinksApart(info, RunOptions(), None, None, ALERTS).__enter__()\n"
        "    print(apart._process.pid, flush=True)\n"
        "    os._exit(0)\n"
    )
    path = tmp_path / "parent.py"
    path.write_text(script)
    done = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=120)
    child = int(done.stdout.split()[0])
    deadline = time.monotonic() + 30.0
    while alive(child) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not alive(child)
