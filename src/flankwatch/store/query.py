"""Querying a recording with SQL (DuckDB): every table of the folder is a view."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from flankwatch.store.recording import table_sources


class QueryError(Exception):
    """SQL that does not run on a recording, or that tries to do more than read it."""


def connect(folder: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with one view per table of the recording."""
    connection = duckdb.connect(":memory:")
    for name, source in table_sources(folder).items():
        escaped = source.replace("'", "''")
        connection.execute(f"CREATE VIEW \"{name}\" AS SELECT * FROM read_parquet('{escaped}')")
    return connection


def query(folder: Path, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Run ``sql`` against the recording; the column names and the rows."""
    with connect(folder) as connection:
        result = connection.execute(sql)
        columns = [column[0] for column in result.description or []]
        return columns, result.fetchall()
