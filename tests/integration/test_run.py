"""Whole runs through the ``flankwatch`` command: recordings, determinism, a killed run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from flankwatch.cli import app
from flankwatch.processes import usable_cores
from flankwatch.store.query import query
from flankwatch.store.recording import read_metadata

TABLES = ("plots", "truth", "objects", "sensors")


def _small_scenario(data: dict[str, Any]) -> dict[str, Any]:
    """A scenario of an hour with every kind of sensor and of object, cut to 600 s by the tests."""
    data.update(duration_s=3600.0, seed=11)
    data["sensors"] = [
        {"name": "radar", "type": "gap-filler", "at": [52.0, 22.0]},
        {"name": "long-range", "type": "nur-41", "at": [52.35, 20.40]},
        {"name": "adsb", "type": "adsb-station", "at": "warsaw"},
        {
            "name": "picket",
            "type": "acoustic-node",
            "line": {"start": [52.0, 22.6], "end": [52.3, 22.6], "count": 12},
        },
    ]
    data["raids"] = [
        {
            "name": "drones",
            "threat": "geran-2",
            "count": 4,
            "interval_s": 60.0,
            "launch": [52.1, 22.9],
            "target": [52.2, 21.0],
            "cruise_alt_m": 800.0,
            "spread_m": 2000.0,
        }
    ]
    data["civil_traffic"] = [
        {
            "name": "shuttle",
            "departure": "EPWA",
            "arrival": "EPGD",
            "count": 1,
            "callsign_prefix": "TST",
        }
    ]
    return data


@pytest.fixture
def scenario_file(base_scenario: dict[str, Any], write_scenario: Callable[..., Path]) -> Path:
    return write_scenario(_small_scenario(base_scenario), "small.yaml")


def _run(scenario: Path, out: Path, *options: str) -> None:
    result = CliRunner().invoke(
        app, ["run", str(scenario), "--duration", "600", "--out", str(out), "--quiet", *options]
    )
    assert result.exit_code == 0, result.output


def _files(folder: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_run_writes_a_recording_that_query_reads(scenario_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "rec"
    _run(scenario_file, out)
    metadata = read_metadata(out)
    assert metadata["status"] == "complete"
    assert metadata["duration_s"] == 600.0
    assert metadata["seed"] == 11
    assert (out / "scenario.yaml").read_text(encoding="utf-8") == scenario_file.read_text(
        encoding="utf-8"
    )
    counts = {name: query(out, f"SELECT count(*) FROM {name}")[1][0][0] for name in TABLES}
    assert all(counts[name] > 0 for name in TABLES), counts
    _, sensors = query(out, "SELECT count(*), count(DISTINCT sensor_id) FROM sensors")
    assert sensors == [(1 + 1 + 1 + 12, 15)]
    _, objects = query(out, "SELECT count(*) FROM objects")
    assert objects == [(4 + 1,)]
    _, times = query(out, "SELECT min(t_s), max(t_s) FROM plots")
    assert 0.0 <= times[0][0] <= times[0][1] < 600.0
    assert (
        metadata["summary"]["plots"]["radar"]
        + metadata["summary"]["plots"]["adsb"]
        + (metadata["summary"]["plots"]["acoustic"])
        == counts["plots"]
    )

    for name in TABLES:
        result = CliRunner().invoke(app, ["query", str(out), f"SELECT count(*) AS n FROM {name}"])
        assert result.exit_code == 0, result.output
        assert str(counts[name]) in result.output


def test_query_of_a_bad_statement_or_folder_exits_2(scenario_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "rec"
    _run(scenario_file, out)
    runner = CliRunner()
    assert runner.invoke(app, ["query", str(out), "SELECT * FROM nowhere"]).exit_code == 2
    assert runner.invoke(app, ["query", str(tmp_path), "SELECT 1"]).exit_code == 2


def test_run_refuses_a_folder_that_is_not_a_recording(scenario_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "notes"
    out.mkdir()
    (out / "keep.txt").write_text("mine", encoding="utf-8")
    result = CliRunner().invoke(app, ["run", str(scenario_file), "--out", str(out), "--quiet"])
    assert result.exit_code == 2
    assert (out / "keep.txt").read_text(encoding="utf-8") == "mine"


def test_run_exits_2_on_a_bad_scenario(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: Not Valid\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["run", str(bad), "--out", str(tmp_path / "rec")])
    assert result.exit_code == 2
    assert not (tmp_path / "rec").exists()


def test_same_scenario_and_seed_give_byte_identical_recordings(
    scenario_file: Path, tmp_path: Path
) -> None:
    _run(scenario_file, tmp_path / "a")
    _run(scenario_file, tmp_path / "b")
    first, second = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert sorted(first) == sorted(second)
    assert {"metadata.json", "scenario.yaml", "objects.parquet", "sensors.parquet"} <= set(first)
    assert any(name.startswith("plots/") for name in first)
    for name in first:
        assert first[name] == second[name], name


def test_a_different_seed_gives_different_plots(scenario_file: Path, tmp_path: Path) -> None:
    _run(scenario_file, tmp_path / "a")
    _run(scenario_file, tmp_path / "b", "--seed", "12")
    assert read_metadata(tmp_path / "b")["seed"] == 12
    sql = "SELECT t_s, x_m, y_m FROM plots WHERE kind = 0 ORDER BY t_s, x_m"
    assert query(tmp_path / "a", sql)[1] != query(tmp_path / "b", sql)[1]


@contextmanager
def _night_run_with_parts(out: Path, parts: int) -> Iterator[subprocess.Popen[str]]:
    """``flankwatch run`` of the built-in night (hours of simulated time: long enough to stop
    half-way) into ``out``, once its plots have ``parts`` parts; killed if still running
    on leaving."""
    process = subprocess.Popen(
        [sys.executable, "-m", "flankwatch.cli", "run", "poland-2025-09-10"]
        + ["--out", str(out), "--quiet"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        wanted = out / "plots" / f"part-{parts - 1:06d}.parquet"
        deadline = time.monotonic() + 300.0  # generous: a loaded machine is slow, not wrong
        while not wanted.exists():
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "no part written within five minutes"
            time.sleep(0.02)
        yield process
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
        if process.stderr is not None:
            process.stderr.close()


@pytest.mark.slow
def test_a_run_killed_half_way_leaves_a_readable_recording(tmp_path: Path) -> None:
    out = tmp_path / "killed"
    with _night_run_with_parts(out, 3) as process:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    assert process.returncode == -signal.SIGKILL

    metadata = read_metadata(out)
    if usable_cores() >= 2:
        # the alerts' and sinks' own process (this night has a defence) sees the run gone
        # within a second or so, keeps what its sinks wrote and marks the recording failed
        deadline = time.monotonic() + 60.0
        while metadata["status"] == "running" and time.monotonic() < deadline:
            time.sleep(0.1)
            metadata = read_metadata(out)
        assert metadata["status"] == "failed"
        assert "the run's process is gone" in metadata["error"]
    else:
        assert metadata["status"] == "running"
    assert "summary" not in metadata
    _, rows = query(out, "SELECT count(*), max(t_s) FROM plots")
    ((count, last_t_s),) = rows
    assert count > 0
    assert 1_200.0 <= last_t_s < metadata["duration_s"]
    _, truth = query(out, "SELECT count(*) FROM truth")
    assert truth[0][0] > 0
    _, objects = query(out, "SELECT count(*) FROM objects")
    assert objects[0][0] > 0


@pytest.mark.slow
def test_ctrl_c_ends_a_run_with_its_recording_marked_interrupted(tmp_path: Path) -> None:
    out = tmp_path / "stopped"
    with _night_run_with_parts(out, 2) as process:
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "interrupted at " in err and f"{out} holds the recording up to there" in err, err
    assert "Traceback" not in err
    metadata = read_metadata(out)
    assert metadata["status"] == "interrupted"
    assert "error" not in metadata and "summary" not in metadata
    _, rows = query(out, "SELECT max(t_s) FROM plots")
    assert 600.0 <= rows[0][0] < metadata["duration_s"]
