"""A study's table written to a file: CSV (one row per policy and figure) or JSON.

A file already at the path is replaced only if it is a study table written
here (a CSV whose first line is :data:`CSV_HEADER`, or a JSON object whose
``format`` is :data:`JSON_FORMAT`); anything else is left alone.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

from flankwatch.study.runs import RunResult
from flankwatch.study.table import Comparison

COLUMNS = ("policy", "figure", "median", "p5", "p95", "runs")
CSV_HEADER = ",".join(COLUMNS)
JSON_FORMAT = "flankwatch-compare/1"
SUFFIXES = (".csv", ".json")


class StudyFileError(ValueError):
    """A table file that cannot or must not be written."""


def check_writable(path: Path) -> None:
    """Raise :class:`StudyFileError` unless a table may be written at ``path``: a
    ``.csv`` or ``.json`` name, in an existing folder, not over another kind of file."""
    if path.suffix.lower() not in SUFFIXES:
        raise StudyFileError(f"{path}: the table is written as .csv or .json, not {path.suffix!r}")
    if not path.parent.is_dir():
        raise StudyFileError(f"{path}: no such folder {str(path.parent)!r}")
    if path.exists() and not _is_ours(path):
        raise StudyFileError(
            f"{path}: exists and is not a flankwatch study table; refusing to replace it"
        )


def _is_ours(path: Path) -> bool:
    if not path.is_file():
        return False
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    if path.suffix.lower() == ".csv":
        return text.splitlines()[:1] == [CSV_HEADER]
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return False
    return isinstance(data, dict) and data.get("format") == JSON_FORMAT


def table_text(comparison: Comparison, results: Sequence[RunResult], suffix: str) -> str:
    """The file's text: CSV of the table's rows, or JSON with the table and every run."""
    if suffix.lower() == ".csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(comparison.rows())
        return buffer.getvalue()
    document = {
        "format": JSON_FORMAT,
        "scenario": comparison.scenario,
        "base_seed": comparison.base_seed,
        "runs": comparison.runs,
        "policies": list(comparison.policies),
        "table": comparison.rows(),
        "results": [
            {"policy": r.policy, "seed": r.seed, "response": asdict(r.response)} for r in results
        ],
    }
    return json.dumps(document, indent=2, sort_keys=False) + "\n"


def write_table(path: Path, comparison: Comparison, results: Sequence[RunResult]) -> None:
    """Write the table at ``path`` (checked with :func:`check_writable`), whole or not at all."""
    check_writable(path)
    handle, partial = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(table_text(comparison, results, path.suffix))
        os.replace(partial, path)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
