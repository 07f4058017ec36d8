"""Reading a recording's tables: each table's Parquet files, by their literal paths, and
the tables themselves (see :mod:`flankwatch.store.recording` for the folder's layout)."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from flankwatch.store.recording import (
    GROWING,
    METADATA,
    STATIC,
    RecordingError,
    is_plain_name,
    listed_contents,
    own_file,
    own_folder,
    parts_in,
    read_metadata,
)

__all__ = [
    "check_tables_present",
    "read_parts",
    "read_static",
    "read_table",
    "table_parts",
    "table_sources",
]


def table_parts(folder: Path) -> dict[str, list[Path]]:
    """Each table of the recording and the Parquet files that hold it, in order.

    A static table is one file; a growing table its parts written so far (a
    table with no part yet is left out). Files are named literally, never by
    pattern, so a folder whose name holds ``*`` or ``[`` is read as it is; a
    link inside the recording to a file or folder elsewhere is not read.
    """
    folder = Path(folder)
    metadata = read_metadata(folder)
    tables, _ = listed_contents(folder, metadata)
    found: dict[str, list[Path]] = {}
    for name, kind in sorted(tables.items()):
        path = folder / name
        if kind == STATIC:
            path = folder / f"{name}.parquet"
            if own_file(path):
                found[name] = [path]
        elif own_folder(path):
            parts = parts_in(path)
            if parts:
                found[name] = parts
    return found


def check_tables_present(folder: Path) -> None:
    """Raise :class:`RecordingError` naming the tables that a complete recording lists in
    its contents but whose files are gone: a complete recording has written every table
    it lists, so a view of it without them would show a night that was not recorded."""
    folder = Path(folder)
    metadata = read_metadata(folder)
    if metadata.get("status") != "complete":
        return
    tables, _ = listed_contents(folder, metadata)
    missing = sorted(set(tables) - set(table_parts(folder)))
    if missing:
        raise RecordingError(
            f"{folder}: the recording is damaged: {METADATA} lists table(s) "
            f"{', '.join(missing)}, whose files are missing"
        )


def table_sources(folder: Path) -> dict[str, list[str]]:
    """Each table of the recording and the paths of its Parquet files (as text), in order."""
    return {name: [str(path) for path in paths] for name, paths in table_parts(folder).items()}


def _read_parquet(path: Path) -> pa.Table:
    """The table of one Parquet file, read on the calling thread: a command that stops on a
    bad part right after a read on Arrow's thread pool can abort at exit (exit code 134;
    see ``flankwatch.io.plot_columns``). The Polish night's plots and tracks, 539,454 rows
    in 96 parts, read in 0.23-0.26 s so, 0.16-0.33 s on the pool."""
    try:
        with path.open("rb") as file:
            return pq.read_table(file, use_threads=False)
    except (OSError, pa.ArrowException) as error:
        raise RecordingError(f"{path}: not a readable Parquet file: {error}") from None


def read_parts(
    parts: dict[str, list[Path]], name: str, columns: list[str] | None = None
) -> pa.Table:
    """Table ``name`` of ``parts`` (as :func:`table_parts` gives them) as one table, its
    parts in order, only ``columns`` if given; a table with no columns and no rows if it has
    no part."""
    tables = []
    for path in parts.get(name, []):
        try:
            with path.open("rb") as file:
                tables.append(pq.read_table(file, columns=columns, use_threads=False))
        except (OSError, pa.ArrowException) as error:
            raise RecordingError(f"{path}: not a readable Parquet file: {error}") from None
    if not tables:
        return pa.table({})
    try:
        return pa.concat_tables(tables)
    except pa.ArrowInvalid as error:
        raise RecordingError(f"the parts of {name!r} differ: {error}") from None


def read_table(folder: Path, name: str) -> pa.Table:
    """Growing table ``name`` of the recording as one table: its parts in order.

    A table declared but with no part written yet reads as a table with no
    columns and no rows. Units are those of the table's columns (``t_s`` in s).
    """
    folder = Path(folder)
    tables, _ = listed_contents(folder, read_metadata(folder))
    if not is_plain_name(name) or tables.get(name) != GROWING:
        raise RecordingError(f"{folder}: no growing table {name!r}")
    path = folder / name
    parts = parts_in(path) if own_folder(path) else []
    if not parts:
        return pa.table({})
    try:
        return pa.concat_tables([_read_parquet(part) for part in parts])
    except pa.ArrowInvalid as error:
        raise RecordingError(f"{folder}: the parts of {name!r} differ: {error}") from None


def read_static(folder: Path, name: str) -> pa.Table:
    """Static table ``name`` of the recording (``sensors``, ``objects``)."""
    folder = Path(folder)
    tables, _ = listed_contents(folder, read_metadata(folder))
    if not is_plain_name(name) or tables.get(name) != STATIC:
        raise RecordingError(f"{folder}: no static table {name!r}")
    path = folder / f"{name}.parquet"
    if not own_file(path):
        raise RecordingError(f"{folder}: static table {name!r} not written yet")
    return _read_parquet(path)
