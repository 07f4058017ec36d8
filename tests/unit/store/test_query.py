"""SQL on a recording reads its tables and nothing else: it writes nothing, anywhere."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pytest

from flankwatch.store.query import QueryError, connect, query, query_head
from flankwatch.store.recording import RecordingError, RecordingWriter

SCHEMA = pa.schema([("t_s", pa.float64()), ("value", pa.int64())])


def _recording(folder: Path, rows: int = 3) -> Path:
    writer = RecordingWriter(folder, {"seed": 1}, "name: q\n", part_period_s=1.0)
    writer.write_table("sensors", pa.table({"sensor_id": [1, 2]}))
    for k in range(rows):
        values = pa.array(np.arange(2, dtype=np.int64) + 10 * k)
        writer.append("plots", pa.table({"t_s": [float(k + 1)] * 2, "value": values}), k + 1.0)
    writer.close({})
    return folder


def _digest(folder: Path) -> dict[str, str]:
    """Every entry under ``folder`` and a hash of its bytes."""
    found = {}
    for root, dirs, files in os.walk(folder):
        for name in dirs:
            found[os.path.join(root, name)] = "folder"
        for name in files:
            path = os.path.join(root, name)
            found[path] = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    return found


@pytest.fixture()
def recording(tmp_path: Path) -> Path:
    return _recording(tmp_path / "run [1] *")


def test_views_read_only_this_recordings_files(tmp_path: Path, recording: Path) -> None:
    # siblings that a pattern made from the folder's name (run [1] *) would also read
    _recording(tmp_path / "run 1 x", rows=5)
    _recording(tmp_path / "run [1] *x", rows=7)
    columns, rows = query(recording, "SELECT count(*) AS n, sum(value) FROM plots")
    assert columns[0] == "n"
    assert rows == [(6, 0 + 1 + 10 + 11 + 20 + 21)]
    assert query(recording, "SELECT sensor_id FROM sensors ORDER BY 1")[1] == [(1,), (2,)]


@pytest.mark.parametrize(
    "sql",
    [
        "COPY plots TO '{part}' (FORMAT parquet)",
        "COPY plots TO '{part}' (FORMAT parquet, USE_TMP_FILE false)",
        "COPY (SELECT '{{}}' AS x) TO '{metadata}' (FORMAT csv, HEADER false)",
        "COPY plots TO '{out}/new.csv'",
        "COPY plots TO '{folder}/plots/part-000009.parquet' (FORMAT parquet)",
        "EXPORT DATABASE '{out}/export'",
        "ATTACH '{out}/db.duckdb' AS other",
        "ATTACH ':memory:' AS other",
        "SELECT * FROM read_csv('/etc/passwd', sep = ':')",
        "SELECT * FROM read_text('/etc/passwd')",
        "SELECT * FROM glob('/etc/*')",
        "SELECT * FROM read_parquet('{part}')",
        "SELECT * FROM sniff_csv('/etc/passwd')",
        "INSTALL httpfs",
        "LOAD httpfs",
        "SET enable_external_access = true",
        "RESET lock_configuration",
        "SET temp_directory = '{out}'",
        "PRAGMA threads = 1",
        "CREATE TABLE t AS SELECT 1",
        "SELECT 1; COPY plots TO '{out}/x.csv'",
        "CALL checkpoint()",
    ],
)
def test_anything_but_reading_is_refused_and_nothing_changes(
    tmp_path: Path, recording: Path, sql: str
) -> None:
    out = tmp_path / "elsewhere"
    out.mkdir()
    text = sql.format(
        part=recording / "plots" / "part-000000.parquet",
        metadata=recording / "metadata.json",
        folder=recording,
        out=out,
    )
    before = _digest(tmp_path)
    with pytest.raises(QueryError):
        query(recording, text)
    assert _digest(tmp_path) == before


@pytest.mark.parametrize(
    "sql",
    [
        "COPY plots TO '{part}' (FORMAT parquet, USE_TMP_FILE false)",
        "COPY plots TO '{out}/new.csv'",
        "EXPORT DATABASE '{out}/export'",
        "ATTACH '{out}/db.duckdb' AS other",
        "SELECT * FROM read_csv('/etc/passwd', sep = ':')",
        "SELECT * FROM read_parquet('{part}')",
        "INSTALL httpfs",
        "LOAD httpfs",
        "SET enable_external_access = true",
        "SET allowed_paths = ['{out}']",
        "RESET enable_external_access",
        "SET temp_directory = '{out}'",
        "SET python_enable_replacements = true",
    ],
)
def test_the_connection_itself_is_locked_down(tmp_path: Path, recording: Path, sql: str) -> None:
    # whatever gets past the statement check meets a DuckDB that can touch no file
    out = tmp_path / "elsewhere"
    out.mkdir()
    before = _digest(tmp_path)
    with connect(recording) as connection:
        with pytest.raises(duckdb.Error):
            connection.execute(
                sql.format(part=recording / "plots" / "part-000000.parquet", out=out)
            )
        assert connection.execute("SELECT count(*) FROM plots").fetchall() == [(6,)]
    assert _digest(tmp_path) == before


def test_python_variables_are_not_tables(recording: Path) -> None:
    secret = pa.table({"s": ["hidden"]})  # noqa: F841 - what a replacement scan would find
    with pytest.raises(QueryError, match="secret"):
        query(recording, "SELECT * FROM secret")


def test_refusals_say_why(recording: Path) -> None:
    with pytest.raises(QueryError, match="refused: .*only reads .*COPY"):
        query(recording, "COPY plots TO 'x.csv'")
    with pytest.raises(QueryError, match="one SQL statement, not 2"):
        query(recording, "SELECT 1; SELECT 2")
    with pytest.raises(QueryError, match="refused"):
        query(recording, "SELECT * FROM read_csv('/etc/passwd')")


def test_reading_queries_run(recording: Path) -> None:
    assert query(recording, "SELECT 1;")[1] == [(1,)]
    assert query(recording, "WITH a AS (SELECT max(t_s) AS m FROM plots) SELECT m FROM a")[1] == [
        (3.0,)
    ]
    columns, rows = query(recording, "DESCRIBE plots")
    assert [row[0] for row in rows] == ["t_s", "value"]
    assert {row[0] for row in query(recording, "SHOW TABLES")[1]} == {"plots", "sensors"}
    assert query(recording, "EXPLAIN SELECT * FROM plots")[1]


def test_a_bad_statement_is_a_query_error(recording: Path) -> None:
    with pytest.raises(QueryError, match="nowhere"):
        query(recording, "SELECT * FROM nowhere")
    with pytest.raises(QueryError):
        query(recording, "SELEC 1")


def test_a_damaged_table_stops_only_the_queries_that_name_it(recording: Path) -> None:
    (recording / "sensors.parquet").write_bytes(b"not parquet at all")
    # before, every query failed on the one damaged table
    assert query(recording, "SELECT count(*) FROM plots")[1] == [(6,)]
    head = query_head(recording, "SELECT count(*) FROM plots", 10)
    assert head.rows == [(6,)] and head.total == 1
    assert list(head.unreadable) == ["sensors"]
    assert "table 'sensors' cannot be read" in head.unreadable["sensors"]
    for sql in ("SELECT * FROM sensors", "SELECT * FROM plots JOIN SENSORS ON true"):
        with pytest.raises(RecordingError, match="table 'sensors' cannot be read"):
            query(recording, sql)
