"""Reading a recording's tables back (store/reading.py): parts in order, by their literal
paths."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from flankwatch.store.reading import check_tables_present, read_static, read_table, table_parts
from flankwatch.store.recording import RecordingError, RecordingWriter

SCHEMA = pa.schema([("t_s", pa.float64()), ("value", pa.int64())])


def _rows(t_s: float, n: int, first: int = 0) -> pa.Table:
    values = np.arange(first, first + n, dtype=np.int64)
    return pa.table({"t_s": np.full(n, t_s), "value": values}, schema=SCHEMA)


def _recording(folder: Path, parts: int = 3) -> RecordingWriter:
    writer = RecordingWriter(folder, {}, "", part_period_s=1.0)
    writer.write_table("sensors", pa.table({"sensor_id": [4, 5]}))
    for k in range(parts):
        writer.append("plots", _rows(float(k + 1), 2, first=2 * k), float(k + 1))
    return writer


@pytest.mark.parametrize("name", ["rec", "rec[1]", "rec*", "a?b", "rec [x] {y}"])
def test_a_growing_table_reads_as_one_table_in_part_order(tmp_path: Path, name: str) -> None:
    folder = tmp_path / name
    _recording(folder, parts=12).close({})
    # a sibling whose name a pattern built from this folder's name would match
    _recording(tmp_path / "rec1", parts=1).close({})
    table = read_table(folder, "plots")
    assert table.schema == SCHEMA
    assert table["value"].to_pylist() == list(range(24))
    parts = table_parts(folder)["plots"]
    assert [p.name for p in parts] == [f"part-{k:06d}.parquet" for k in range(12)]
    assert all(p.parent == folder / "plots" for p in parts)


def test_a_static_table_reads_back(tmp_path: Path) -> None:
    folder = tmp_path / "rec"
    _recording(folder).close({})
    assert read_static(folder, "sensors")["sensor_id"].to_pylist() == [4, 5]
    with pytest.raises(RecordingError, match="no static table"):
        read_static(folder, "plots")
    with pytest.raises(RecordingError, match="no growing table"):
        read_table(folder, "sensors")
    with pytest.raises(RecordingError, match="no growing table"):
        read_table(folder, "../rec")


def test_a_table_is_read_while_the_run_goes(tmp_path: Path) -> None:
    folder = tmp_path / "rec"
    writer = _recording(folder, parts=1)
    writer.append("plots", _rows(1.5, 2, first=2), 1.5)  # buffered: not a part yet
    writer.declare("events", SCHEMA)
    writer.wait()  # parts are written on the writer's own thread
    assert read_table(folder, "plots").num_rows == 2
    assert read_table(folder, "events").num_rows == 0
    (folder / "plots" / "part-000001.parquet.tmp").write_bytes(b"PAR1")  # being written
    assert read_table(folder, "plots").num_rows == 2
    writer.close({})
    assert read_table(folder, "plots").num_rows == 4
    assert read_table(folder, "events").schema == SCHEMA


def test_a_broken_part_is_a_recording_error(tmp_path: Path) -> None:
    folder = tmp_path / "rec"
    _recording(folder).close({})
    (folder / "plots" / "part-000001.parquet").write_bytes(b"garbage")
    with pytest.raises(RecordingError, match="part-000001"):
        read_table(folder, "plots")


def test_a_folder_that_is_not_a_recording_cannot_be_read(tmp_path: Path) -> None:
    with pytest.raises(RecordingError, match="not a recording"):
        read_table(tmp_path, "plots")
    (tmp_path / "metadata.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(RecordingError, match="not a recording"):
        read_static(tmp_path, "sensors")


def test_links_inside_a_recording_are_not_read(tmp_path: Path) -> None:
    other = tmp_path / "other"
    _recording(other, parts=4).close({})
    folder = tmp_path / "rec"
    _recording(folder, parts=1).close({})
    (folder / "plots" / "part-000001.parquet").symlink_to(other / "plots" / "part-000003.parquet")
    (folder / "truth").mkdir()
    (folder / "truth" / "part-000000.parquet").symlink_to(other / "plots" / "part-000000.parquet")
    assert read_table(folder, "plots").num_rows == 2
    assert "truth" not in table_parts(folder)
    (folder / "sensors.parquet").unlink()
    (folder / "sensors.parquet").symlink_to(other / "sensors.parquet")
    with pytest.raises(RecordingError, match="sensors"):
        read_static(folder, "sensors")
    assert "sensors" not in table_parts(folder)


def test_a_complete_recording_missing_a_listed_table_is_damaged(tmp_path: Path) -> None:
    folder = tmp_path / "rec"
    writer = _recording(folder, parts=2)
    check_tables_present(folder)  # a recording still being written lacks nothing yet
    writer.close({})
    check_tables_present(folder)
    for part in (folder / "plots").iterdir():
        part.unlink()
    (folder / "plots").rmdir()
    (folder / "sensors.parquet").unlink()
    with pytest.raises(
        RecordingError, match="damaged: metadata.json lists table.s. plots, sensors, whose files"
    ):
        check_tables_present(folder)
