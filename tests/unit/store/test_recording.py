"""Recordings: folders of Parquet parts written as the run goes, read with DuckDB."""

from __future__ import annotations

import errno
import json
import os
import re
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from flankwatch.pipeline import run_scenario
from flankwatch.scenario.schema import Scenario
from flankwatch.store import recording as recording_module
from flankwatch.store.query import query
from flankwatch.store.reading import table_sources
from flankwatch.store.recording import (
    FORMAT,
    RecordingError,
    RecordingWriter,
    read_metadata,
    recording_start,
)

SCHEMA = pa.schema([("t_s", pa.float64()), ("value", pa.int64())])


def _rows(t_s: float, n: int) -> pa.Table:
    return pa.table({"t_s": np.full(n, t_s), "value": np.arange(n, dtype=np.int64)}, schema=SCHEMA)


def _parts(folder: Path, table: str) -> list[str]:
    return sorted(path.name for path in (folder / table).glob("*.parquet"))


def _count(folder: Path, table: str) -> int:
    _, rows = query(folder, f"SELECT count(*) FROM {table}")
    return rows[0][0]


def test_parts_are_written_by_simulated_time_and_readable_before_the_end(tmp_path: Path) -> None:
    folder = tmp_path / "rec"
    writer = RecordingWriter(folder, {"scenario": "unit"}, "name: unit\n", part_period_s=100.0)
    writer.declare("plots", SCHEMA)
    writer.append("plots", _rows(10.0, 3), 10.0)
    assert _parts(folder, "plots") == []  # buffered: not yet a part
    writer.append("plots", _rows(100.0, 4), 100.0)
    writer.wait()  # parts are written on a thread of their own
    assert _parts(folder, "plots") == ["part-000000.parquet"]
    assert _count(folder, "plots") == 7
    writer.append("plots", _rows(150.0, 5), 150.0)
    writer.append("plots", _rows(200.0, 6), 200.0)
    writer.wait()
    assert _parts(folder, "plots") == ["part-000000.parquet", "part-000001.parquet"]
    assert _count(folder, "plots") == 18
    assert read_metadata(folder)["status"] == "running"
    writer.append("plots", _rows(210.0, 2), 210.0)
    writer.close({"plots": 20})
    assert _count(folder, "plots") == 20
    _, rows = query(folder, "SELECT t_s, count(*) FROM plots GROUP BY t_s ORDER BY t_s")
    assert rows == [(10.0, 3), (100.0, 4), (150.0, 5), (200.0, 6), (210.0, 2)]


def test_parts_are_cut_by_row_count(tmp_path: Path) -> None:
    folder = tmp_path / "rec"
    writer = RecordingWriter(folder, {}, "", part_rows=10, part_period_s=1e9)
    for k in range(5):
        writer.append("plots", _rows(float(k), 4), float(k))
    # 8 rows buffered after two appends, 12 after three: a part; then 8 again
    writer.wait()
    assert _parts(folder, "plots") == ["part-000000.parquet"]
    assert _count(folder, "plots") == 12
    writer.close({})
    assert _count(folder, "plots") == 20


def test_a_declared_table_with_no_rows_is_an_empty_table(tmp_path: Path) -> None:
    folder = tmp_path / "rec"
    writer = RecordingWriter(folder, {}, "")
    writer.declare("events", SCHEMA)
    writer.close({})
    columns, rows = query(folder, "SELECT * FROM events")
    assert columns == ["t_s", "value"]
    assert rows == []


def test_static_tables_and_the_scenario_text_are_kept(tmp_path: Path) -> None:
    folder = tmp_path / "rec"
    writer = RecordingWriter(folder, {"seed": 5}, "name: kept\n")
    writer.write_table("sensors", pa.table({"sensor_id": [0, 1], "name": ["a", "b"]}))
    writer.close({})
    assert (folder / "scenario.yaml").read_text(encoding="utf-8") == "name: kept\n"
    _, rows = query(folder, "SELECT name FROM sensors ORDER BY sensor_id")
    assert rows == [("a",), ("b",)]
    assert set(table_sources(folder)) == {"sensors"}


def test_metadata_says_running_then_complete_with_the_summary(tmp_path: Path) -> None:
    folder = tmp_path / "rec"
    writer = RecordingWriter(folder, {"scenario": "unit", "seed": 9}, "")
    running = read_metadata(folder)
    assert running["status"] == "running"
    assert running["format"] == FORMAT
    assert running["seed"] == 9
    writer.close({"plots": 0})
    complete = read_metadata(folder)
    assert complete["status"] == "complete"
    assert complete["summary"] == {"plots": 0}
    assert complete["scenario"] == "unit"


def test_metadata_says_failed_and_buffered_rows_are_kept_when_the_run_raises(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "rec"
    with pytest.raises(RuntimeError, match="sensor exploded"):
        with RecordingWriter(folder, {}, "", part_period_s=1e9) as writer:
            writer.append("plots", _rows(1.0, 3), 1.0)
            raise RuntimeError("sensor exploded")
    metadata = read_metadata(folder)
    assert metadata["status"] == "failed"
    assert "sensor exploded" in metadata["error"]
    assert _count(folder, "plots") == 3


def test_metadata_says_interrupted_and_rows_are_kept_when_the_user_stops_the_run(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "rec"
    with pytest.raises(KeyboardInterrupt):
        with RecordingWriter(folder, {}, "", part_period_s=1e9) as writer:
            writer.append("plots", _rows(1.0, 4), 1.0)
            raise KeyboardInterrupt
    metadata = read_metadata(folder)
    assert metadata["status"] == "interrupted"
    assert "error" not in metadata and "summary" not in metadata
    assert _count(folder, "plots") == 4


def test_a_folder_that_is_not_empty_and_not_a_recording_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "precious"
    folder.mkdir()
    (folder / "thesis.txt").write_text("years of work", encoding="utf-8")
    with pytest.raises(RecordingError, match="not a recording"):
        RecordingWriter(folder, {}, "")
    assert (folder / "thesis.txt").read_text(encoding="utf-8") == "years of work"
    assert sorted(p.name for p in folder.iterdir()) == ["thesis.txt"]


def test_a_file_in_place_of_the_folder_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "file"
    path.write_text("x", encoding="utf-8")
    with pytest.raises(RecordingError):
        RecordingWriter(path, {}, "")
    assert path.read_text(encoding="utf-8") == "x"


def test_an_empty_folder_is_used(tmp_path: Path) -> None:
    folder = tmp_path / "rec"
    folder.mkdir()
    RecordingWriter(folder, {"seed": 1}, "").close({})
    assert read_metadata(folder)["status"] == "complete"


def test_a_former_recording_is_replaced_only_when_forced(tmp_path: Path) -> None:
    folder = tmp_path / "rec"
    first = RecordingWriter(folder, {"seed": 1}, "", part_period_s=1.0)
    first.append("plots", _rows(5.0, 7), 5.0)
    first.close({})
    with pytest.raises(RecordingError, match="holds a recording already"):
        RecordingWriter(folder, {"seed": 2}, "")
    assert read_metadata(folder)["seed"] == 1
    assert _count(folder, "plots") == 7
    second = RecordingWriter(folder, {"seed": 2}, "", force=True)
    assert read_metadata(folder) == {
        "format": FORMAT,
        "seed": 2,
        "status": "running",
        "contents": {"tables": {}, "files": []},
    }
    assert not (folder / "plots").exists()
    second.close({})


def test_reading_a_folder_that_is_not_a_recording_fails(tmp_path: Path) -> None:
    with pytest.raises(RecordingError):
        read_metadata(tmp_path)
    (tmp_path / "metadata.json").write_text(json.dumps({"format": "other/9"}), encoding="utf-8")
    with pytest.raises(RecordingError, match="format"):
        query(tmp_path, "SELECT 1")


def test_a_run_writes_its_parts_as_it_goes(
    tmp_path: Path,
    base_scenario: dict[str, Any],
    make_scenario: Callable[[dict[str, Any]], Scenario],
) -> None:
    base_scenario["duration_s"] = 1800.0
    base_scenario["raids"] = [
        {
            "name": "drones",
            "threat": "geran-2",
            "count": 3,
            "interval_s": 60.0,
            "launch": [52.3, 22.6],
            "target": [51.8, 21.6],
        }
    ]
    scenario = make_scenario(base_scenario)
    folder = tmp_path / "run"
    seen: list[tuple[float, int, int, str]] = []

    def progress(t_s: float) -> None:
        if t_s in (700.0, 1300.0):
            seen.append(
                (t_s, len(_parts(folder, "plots")), _count(folder, "truth"), _status(folder))
            )

    summary = run_scenario(scenario, "name: run\n", folder, progress=progress)
    # parts are cut every 600 s simulated: one by 700 s, two by 1300 s, and read while running
    assert [(t, n, status) for t, n, _, status in seen] == [
        (700.0, 1, "running"),
        (1300.0, 2, "running"),
    ]
    assert 0 < seen[0][2] < seen[1][2]
    assert read_metadata(folder)["status"] == "complete"
    total = _count(folder, "plots")
    assert total == sum(summary.plots.values())
    assert read_metadata(folder)["summary"]["plots"] == summary.plots


def _status(folder: Path) -> str:
    return read_metadata(folder)["status"]


def test_a_part_left_half_written_by_a_killed_run_does_not_spoil_the_table(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "rec"
    writer = RecordingWriter(folder, {}, "", part_period_s=1.0)
    writer.append("plots", _rows(5.0, 7), 5.0)
    writer.wait()
    assert _parts(folder, "plots") == ["part-000000.parquet"]
    assert not list((folder / "plots").glob("*.tmp"))  # the part was renamed into place
    # what a kill during the next write leaves behind: a temporary, truncated file
    (folder / "plots" / "part-000001.parquet.tmp").write_bytes(b"PAR1\x00\x01")
    assert _count(folder, "plots") == 7


def _with_a_failing_part(folder: Path) -> RecordingWriter:
    """A writer that has cut one part (plots at 5 s) whose write fails on the thread."""
    writer = RecordingWriter(folder, {}, "", part_period_s=1.0)
    writer.declare("plots", SCHEMA)
    (folder / "plots").rmdir()  # the part's folder is gone
    writer.append("plots", _rows(5.0, 7), 5.0)
    return writer


def test_a_part_that_cannot_be_written_fails_the_run_and_marks_the_recording_failed(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "rec"
    writer = _with_a_failing_part(folder)
    with pytest.raises(FileNotFoundError):
        writer.wait()
    (folder / "plots").mkdir()
    writer.append("plots", _rows(6.0, 2), 6.0)
    try:
        raise RuntimeError("the run broke")
    except RuntimeError as error:
        writer.__exit__(RuntimeError, error, None)
    assert _status(folder) == "failed"
    assert _count(folder, "plots") == 2  # the later part was written before the end


def test_parts_are_written_while_the_run_goes_on_one_data_time_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the run hands a window's parts to the writing thread and goes on; only parts cut at
    # a later data time wait for them (so at most one data time's parts are in flight)
    release = threading.Event()
    started: list[str] = []
    write = recording_module._write_part

    def slow_write(table: pa.Table, path: Path, **options: Any) -> None:
        started.append(path.parent.name)
        assert release.wait(10.0), "the part was never released"
        write(table, path, **options)

    monkeypatch.setattr(recording_module, "_write_part", slow_write)
    writer = RecordingWriter(tmp_path / "rec", {}, "", part_period_s=1.0)
    writer.append("plots", _rows(5.0, 7), 5.0)
    writer.append("tracks", _rows(5.0, 3), 5.0)  # cut at the same time: never waits
    later = threading.Thread(target=writer.append, args=("plots", _rows(6.0, 2), 6.0))
    later.start()
    later.join(0.3)
    assert later.is_alive(), "a part cut later did not wait for those cut before"
    assert started == ["plots"]  # one writing thread: the first part is still being written
    release.set()
    later.join(10.0)
    assert not later.is_alive()
    writer.close({})
    assert _count(tmp_path / "rec", "plots") == 9 and _count(tmp_path / "rec", "tracks") == 3


def test_a_part_that_failed_is_raised_when_the_next_parts_are_cut(tmp_path: Path) -> None:
    writer = _with_a_failing_part(tmp_path / "rec")
    with pytest.raises(FileNotFoundError):
        writer.append("plots", _rows(6.0, 2), 6.0)


def test_a_folder_that_cannot_be_made_is_named_not_raised(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # on a read-only file system `run` and `replay` ended in a traceback
    def read_only(self: Path, *args: object, **kwargs: object) -> None:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(self))

    monkeypatch.setattr(Path, "mkdir", read_only)
    with pytest.raises(RecordingError, match="rec: cannot be made: Read-only file system"):
        RecordingWriter(tmp_path / "rec", {}, "", part_period_s=1.0)


def test_a_summary_that_is_not_an_object_is_refused(tmp_path: Path) -> None:
    (tmp_path / "metadata.json").write_text(
        json.dumps({"format": FORMAT, "summary": "x"}), encoding="utf-8"
    )
    with pytest.raises(RecordingError, match="metadata.json: its summary is not an object"):
        read_metadata(tmp_path)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({}, "start must be a UTC time with its offset, not None"),
        ({"start": "yesterday"}, "start must be a UTC time with its offset, not 'yesterday'"),
        ({"start": "2025-09-10T00:00:00"}, "start must be a UTC time with its offset"),
        ({"duration_s": "x"}, "duration_s must be a finite number of seconds, 0 or more, not 'x'"),
        ({"duration_s": float("nan")}, "duration_s must be a finite number"),
        ({"duration_s": -5}, "duration_s must be a finite number"),
        ({"duration_s": True}, "duration_s must be a finite number"),
        ({"batch_s": 0}, "batch_s must be a finite number of seconds above 0, not 0"),
        ({"batch_s": float("inf")}, "batch_s must be a finite number of seconds above 0"),
        ({"batch_s": "5"}, "batch_s must be a finite number of seconds above 0, not '5'"),
    ],
)
def test_metadata_without_a_usable_start_or_duration_is_refused(
    tmp_path: Path, fields: dict[str, object], message: str
) -> None:
    # replay ended in a traceback, report in a message naming no file or field
    metadata = {"format": FORMAT, "start": "2025-09-10T00:00:00+00:00", **fields}
    if not fields:
        del metadata["start"]
    (tmp_path / "metadata.json").write_text(json.dumps(metadata), encoding="utf-8")
    with pytest.raises(RecordingError, match=f"metadata.json: {re.escape(message)}"):
        recording_start(read_metadata(tmp_path), tmp_path)
