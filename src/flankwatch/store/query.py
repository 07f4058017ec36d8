"""Querying a recording with SQL (DuckDB): every table of the folder is a view.

A query reads the recording and nothing else. The recording's Parquet files
are opened by Arrow from the literal list of each table's files (never a
pattern, so a folder named with ``*`` or ``[`` reads its own files and no
other's) and handed to DuckDB as views; DuckDB itself is then shut off from
the file system, the network, extensions and its own settings:

- ``enable_external_access = false``: no file is read or written by SQL
  (``COPY``, ``EXPORT``, ``ATTACH`` of a file, ``read_csv``, ``glob``, ...);
- no extension installed or loaded on demand, no community extension;
- ``temp_directory = ''``: nothing is spilled to disk;
- no Python variable is read as a table;
- ``lock_configuration = true``: no ``SET`` or ``RESET`` undoes any of this.

On top of that, :func:`query` runs one ``SELECT`` (or ``EXPLAIN``) statement
and refuses any other kind (``COPY``, ``ATTACH``, ``SET``, ``CREATE``,
``INSTALL``, ...).
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.fs as pa_fs

from flankwatch.store.reading import table_parts
from flankwatch.store.recording import RecordingError

__all__ = ["QueryError", "QueryHead", "connect", "query", "query_head"]

READ_ONLY_STATEMENTS = frozenset({duckdb.StatementType.SELECT, duckdb.StatementType.EXPLAIN})
"""The kinds of statement :func:`query` runs."""

_CONFIGURATION: dict[str, str | bool | int | float | list[str]] = {
    "python_enable_replacements": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "allow_community_extensions": False,
    "temp_directory": "",
}
_LOCKDOWN = ("SET enable_external_access = false", "SET lock_configuration = true")


class QueryError(Exception):
    """SQL that does not run on a recording, or that tries to do more than read it."""


def connect(
    folder: Path, needed: Collection[str] | None = None, unreadable: dict[str, str] | None = None
) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with one view per table of the recording, locked down.

    The connection can read the recording's tables and nothing else: no file,
    no network, no extension, no change of settings. A table that cannot be read raises
    :class:`RecordingError` if it is in ``needed`` (every table, if None); otherwise it is
    left out, and its name and the reason are put in ``unreadable``.
    """
    folder = Path(folder)
    views: dict[str, ds.Dataset] = {}
    for name, paths in table_parts(folder).items():
        try:
            views[name] = _dataset(folder, name, paths)
        except RecordingError as error:
            if needed is None or name in needed:
                raise
            if unreadable is not None:
                unreadable[name] = str(error)
    connection = duckdb.connect(":memory:", config=_CONFIGURATION)
    try:
        for name, dataset in views.items():
            connection.register(name, dataset)
        for statement in _LOCKDOWN:
            connection.execute(statement)
    except BaseException:
        connection.close()
        raise
    return connection


def _dataset(folder: Path, name: str, paths: list[Path]) -> ds.Dataset:
    """Table ``name`` as an Arrow dataset over exactly ``paths``, in order."""
    try:
        return ds.dataset(
            [str(path.absolute()) for path in paths],
            format="parquet",
            filesystem=pa_fs.LocalFileSystem(),
        )
    except (OSError, pa.ArrowException) as error:
        raise RecordingError(f"{folder}: table {name!r} cannot be read: {error}") from None


@dataclass
class QueryHead:
    """The first rows of a query's result, and what else is known of it."""

    columns: list[str]
    """The result's column names."""
    rows: list[tuple[Any, ...]]
    """Its first rows."""
    total: int
    """Its number of rows in all."""
    unreadable: dict[str, str] = field(default_factory=dict)
    """Tables of the recording that the SQL does not name and that cannot be read (their
    files damaged): left out, with the reason."""


def _named_tables(sql: str) -> set[str] | None:
    """The tables a ``SELECT`` names (lower case, as DuckDB's names are not case-sensitive),
    from its syntax tree, which a locked-down connection with no table serialises without
    running anything; None for a statement it cannot serialise (``EXPLAIN``)."""
    with duckdb.connect(":memory:", config=_CONFIGURATION) as connection:
        for statement in _LOCKDOWN:
            connection.execute(statement)
        row = connection.execute("SELECT json_serialize_sql(?)", [sql]).fetchone()
    tree = json.loads(row[0]) if row else {"error": True}
    if tree.get("error", True):
        return None
    named: set[str] = set()
    nodes: list[object] = [tree]
    while nodes:
        node = nodes.pop()
        if isinstance(node, dict):
            if node.get("type") == "BASE_TABLE" and isinstance(node.get("table_name"), str):
                named.add(node["table_name"].lower())
            nodes.extend(node.values())
        elif isinstance(node, list):
            nodes.extend(node)
    return named


def query(folder: Path, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Run one read-only statement ``sql`` on the recording; the column names and the rows.

    Raises :class:`RecordingError` when ``folder`` is not a readable recording, or a table
    the SQL names cannot be read, and :class:`QueryError` when the SQL does not run or is
    refused. Tables the SQL does not name are left out if they cannot be read.
    """
    head = _run(Path(folder), sql, None)
    return head.columns, head.rows


def query_head(folder: Path, sql: str, limit: int) -> QueryHead:
    """As :func:`query`, but only the first ``limit`` rows are kept; the rest are counted
    as they come (so a large result takes no more memory than ``limit`` rows)."""
    return _run(Path(folder), sql, limit)


_COUNT_CHUNK_ROWS = 1_000
"""Rows fetched at a time while counting those not kept."""


def _run(folder: Path, sql: str, limit: int | None) -> QueryHead:
    """The column names, the first ``limit`` rows (all if None) and the row count."""
    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error as error:
        raise QueryError(f"{folder}: {error}") from None
    if len(statements) != 1:
        raise QueryError(f"{folder}: give one SQL statement, not {len(statements)}")
    if statements[0].type not in READ_ONLY_STATEMENTS:
        kind = statements[0].type.name
        raise QueryError(
            f"{folder}: refused: a query only reads the recording (SELECT or EXPLAIN), "
            f"not a {kind} statement"
        )
    unreadable: dict[str, str] = {}
    with connect(folder, _named_tables(sql), unreadable) as connection:
        try:
            result = connection.execute(sql)
            columns = [column[0] for column in result.description or []]
            if limit is None:
                rows = result.fetchall()
                return QueryHead(columns, rows, len(rows), unreadable)
            rows = result.fetchmany(limit) if limit > 0 else []
            total = len(rows)
            while chunk := result.fetchmany(_COUNT_CHUNK_ROWS):
                total += len(chunk)
            return QueryHead(columns, rows, total, unreadable)
        except duckdb.PermissionException as error:
            raise QueryError(
                f"{folder}: refused: a query only reads the recording ({error})"
            ) from None
        except duckdb.Error as error:
            raise QueryError(f"{folder}: {error}") from None
        except pa.ArrowException as error:
            raise QueryError(f"{folder}: a table cannot be read: {error}") from None
