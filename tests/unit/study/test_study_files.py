"""A study's table in a file: CSV or JSON, never over a file that is not one."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from flankwatch.respond.summary import ResponseSummary
from flankwatch.study.files import CSV_HEADER, StudyFileError, check_writable, write_table
from flankwatch.study.runs import RunResult
from flankwatch.study.table import Comparison, compare


def _results() -> list[RunResult]:
    return [
        RunResult(
            "fighters-only",
            seed,
            ResponseSummary(
                shots=seed,
                shots_by_weapon={"aim-9x": seed},
                kills=1,
                misses=seed - 1,
                withheld=0,
                scrambles=1,
                spent_eur=4e5 * seed,
                debris_in_no_engagement=0,
            ),
        )
        for seed in (1, 2, 3)
    ]


def _table(results: list[RunResult]) -> Comparison:
    return compare(results, ["fighters-only"], "night", 7)


def test_a_csv_has_a_row_per_policy_and_figure(tmp_path: Path) -> None:
    path = tmp_path / "table.csv"
    results = _results()
    write_table(path, _table(results), results)
    assert path.read_text().splitlines()[0] == CSV_HEADER
    rows = list(csv.DictReader(path.open()))
    shots = next(row for row in rows if row["figure"] == "shots:aim-9x")
    assert (float(shots["median"]), float(shots["p5"]), shots["runs"]) == (2.0, 1.1, "3")
    destroyed = next(row for row in rows if row["figure"] == "destroyed")
    assert destroyed["median"] == "" and destroyed["runs"] == "0"  # no truth: no figure


def test_a_json_file_holds_the_table_and_every_run(tmp_path: Path) -> None:
    path = tmp_path / "table.json"
    results = _results()
    write_table(path, _table(results), results)
    data = json.loads(path.read_text())
    assert data["scenario"] == "night" and data["base_seed"] == 7
    assert [r["seed"] for r in data["results"]] == [1, 2, 3]
    assert data["results"][2]["response"]["spent_eur"] == pytest.approx(1.2e6)
    assert {row["figure"] for row in data["table"]} >= {"shots", "spent_eur"}


def test_only_its_own_tables_are_replaced(tmp_path: Path) -> None:
    results = _results()
    table_csv, table_json = tmp_path / "table.csv", tmp_path / "table.json"
    for path in (table_csv, table_json):
        write_table(path, _table(results), results)
        write_table(path, _table(results[:1]), results[:1])  # its own: replaced
    assert {row["runs"] for row in csv.DictReader(table_csv.open())} == {"0", "1"}
    assert len(json.loads(table_json.read_text())["results"]) == 1
    thesis = tmp_path / "thesis.csv"
    thesis.write_text("chapter,pages\n1,40\n")
    with pytest.raises(StudyFileError, match="refusing"):
        write_table(thesis, _table(results), results)
    assert thesis.read_text() == "chapter,pages\n1,40\n"
    notes = tmp_path / "notes.json"
    notes.write_text('{"mine": true}')
    with pytest.raises(StudyFileError, match="not a flankwatch study table"):
        check_writable(notes)
    with pytest.raises(StudyFileError, match=".csv or .json"):
        check_writable(tmp_path / "table.txt")
    with pytest.raises(StudyFileError, match="no such folder"):
        check_writable(tmp_path / "missing" / "table.csv")
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "notes.json",
        "table.csv",
        "table.json",
        "thesis.csv",
    ]
