"""`flankwatch query`: values and messages shown as they are; anything but reading refused."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pyarrow as pa
import pytest
from typer.testing import CliRunner

from flankwatch.cli import app
from flankwatch.store.recording import RecordingWriter

runner = CliRunner()


def _recording(folder: Path) -> Path:
    writer = RecordingWriter(folder, {"seed": 1}, "name: q\n")
    writer.write_table("sensors", pa.table({"sensor_id": [1, 2], "name": ["[bold]a[/]", "b"]}))
    writer.append("plots", pa.table({"t_s": [1.0, 2.0], "value": [1, 2]}), 2.0)
    writer.close({})
    return folder


def _digest(folder: Path) -> dict[str, str]:
    found = {}
    for root, _, files in os.walk(folder):
        for name in files:
            path = Path(root) / name
            found[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


@pytest.fixture()
def recording(tmp_path: Path) -> Path:
    return _recording(tmp_path / "run")


@pytest.mark.parametrize(
    "value",
    ["[/x]", "[bold]loud[/bold]", "[red]", "a [b] c", ":smile:", "[link=http://x]y[/link]"],
)
def test_values_are_shown_as_they_are(recording: Path, value: str) -> None:
    literal = value.replace("'", "''")
    result = runner.invoke(app, ["query", str(recording), f"SELECT '{literal}' AS v"])
    assert result.exit_code == 0, result.output
    assert value in result.output


def test_column_names_and_recorded_values_are_shown_as_they_are(recording: Path) -> None:
    sql = 'SELECT name AS "[i]who[/i]" FROM sensors ORDER BY sensor_id'
    result = runner.invoke(app, ["query", str(recording), sql])
    assert result.exit_code == 0, result.output
    assert "[i]who[/i]" in result.output
    assert "[bold]a[/]" in result.output


def test_a_long_value_is_not_cut(recording: Path) -> None:
    value = "x" * 150 + "END"
    result = runner.invoke(app, ["query", str(recording), f"SELECT '{value}' AS a, 1 AS b"])
    assert result.exit_code == 0, result.output
    assert result.output.count("x") == 150 and "END" in result.output  # folded, not cut


def test_an_error_message_keeps_its_brackets(tmp_path: Path) -> None:
    folder = tmp_path / "[bold]not a [red]recording"
    folder.mkdir()
    result = runner.invoke(app, ["query", str(folder), "SELECT 1"])
    assert result.exit_code == 2
    assert str(folder) in result.output
    assert "not a recording" in result.output


def test_a_sql_error_keeps_its_brackets(recording: Path) -> None:
    result = runner.invoke(app, ["query", str(recording), 'SELECT * FROM "[b]missing[/b]"'])
    assert result.exit_code == 2
    assert "[b]missing[/b]" in result.output


@pytest.mark.parametrize(
    "sql",
    [
        "COPY plots TO '{run}/plots/part-000001.parquet' (FORMAT parquet)",
        "COPY (SELECT 1) TO '{run}/metadata.json' (FORMAT csv)",
        "COPY plots TO '{elsewhere}/out.csv'",
        "ATTACH '{elsewhere}/x.duckdb' AS x",
        "SELECT * FROM read_csv('/etc/passwd', sep = ':')",
        "INSTALL httpfs",
        "LOAD httpfs",
        "SET enable_external_access = true",
        "SET memory_limit = '1GB'",
    ],
)
def test_anything_but_reading_exits_2_and_changes_nothing(
    tmp_path: Path, recording: Path, sql: str
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    before = _digest(tmp_path)
    text = sql.format(run=recording, elsewhere=elsewhere)
    result = runner.invoke(app, ["query", str(recording), text])
    assert result.exit_code == 2, result.output
    assert "refused" in result.output
    assert "Traceback" not in result.output
    assert _digest(tmp_path) == before
    assert sorted(os.listdir(elsewhere)) == []


def test_more_rows_than_the_limit_are_counted(recording: Path) -> None:
    sql = "SELECT * FROM range(5)"
    result = runner.invoke(app, ["query", str(recording), sql, "--limit", "2"])
    assert result.exit_code == 0, result.output
    assert "(3 more rows; use --limit)" in result.output


def test_help_text_keeps_its_brackets() -> None:
    result = runner.invoke(app, ["run", "--help"], terminal_width=200)
    assert result.exit_code == 0
    assert "[default: runs/<scenario>-<seed>]" in result.output


def test_a_negative_limit_is_refused(recording: Path) -> None:
    result = runner.invoke(app, ["query", str(recording), "SELECT 1", "--limit", "-1"])
    assert result.exit_code == 2
    assert "--limit" in result.output


def test_control_characters_are_shown_as_escapes(recording: Path) -> None:
    # a callsign from a feed holding ESC [31m would have coloured (or driven) the terminal
    sql = "SELECT chr(27) || '[31mRED' || chr(0) AS s, 1 AS " + '"col' + "\x07" + '"'
    result = runner.invoke(app, ["query", str(recording), sql])
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output and "\x00" not in result.output
    assert "\\x1b[31mRED\\x00" in result.output and "col\\x07" in result.output


def test_a_value_past_the_cell_limit_is_cut_and_says_so(recording: Path) -> None:
    sql = "SELECT repeat('x', 5000) || 'END' AS s"
    result = runner.invoke(app, ["query", str(recording), sql])
    assert result.exit_code == 0, result.output
    assert "(4,003 more characters)" in " ".join(result.output.split())
    assert "END" not in result.output


def test_rows_past_the_limit_are_counted_without_being_kept(recording: Path) -> None:
    result = runner.invoke(
        app, ["query", str(recording), "SELECT * FROM range(123456)", "--limit", "0"]
    )
    assert result.exit_code == 0, result.output
    assert "(123,456 more rows; use --limit)" in result.output


def test_a_damaged_table_is_named_and_left_out_of_queries_that_do_not_name_it(
    recording: Path,
) -> None:
    (recording / "sensors.parquet").write_bytes(b"not parquet at all")
    result = runner.invoke(app, ["query", str(recording), "SELECT count(*) AS n FROM plots"])
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())  # the console wraps long lines (a long folder)
    assert "warning:" in said and "table 'sensors' cannot be read" in said
    assert "left out (the query does not name it)" in said
    result = runner.invoke(app, ["query", str(recording), "SELECT * FROM sensors"])
    assert result.exit_code == 2
    said = " ".join(result.output.split())
    assert "table 'sensors' cannot be read" in said and "Traceback" not in said
