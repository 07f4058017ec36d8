"""Writing recordings, and reading their metadata (the tables are read by
:mod:`flankwatch.store.reading`).

A recording is a folder:

- ``metadata.json``: format, flankwatch version, scenario name, seed, start time,
  local frame, ``status`` (``running`` while the run goes, then ``complete``,
  ``interrupted`` when the user stopped it (Ctrl-C) or ``failed``) with the run's
  summary once it completes, and ``contents``: every
  table and file the writer made there (see below);
- ``scenario.yaml``: the scenario text the run was made from;
- one Parquet file per static table (``sensors.parquet``, ``objects.parquet``);
- one folder per growing table (``plots/``, ``truth/``, ``tracks/``,
  ``events/``, ...) holding numbered Parquet parts ``part-000000.parquet``, ...;
- text files written by the run (``cap/<message id>.xml``).

Growing tables are written part by part as the run goes, each part a complete
Parquet file, so a run killed half-way leaves every part written so far
readable. Parts are cut by row count and by simulated time, never by the wall
clock, so the same run writes the same files byte for byte. A part is encoded
and written on a thread of its own while the run goes on (Arrow releases the
interpreter while it writes). Parts are cut at a window's data time; before cutting
more at a later time, the writer waits for those cut before, so the parts of one data
time at most are being written while the run goes on (their rows are held until
then anyway). :meth:`RecordingWriter.wait` waits for every part cut so far, the
recording is marked complete, interrupted or failed only once every part is on disk,
and a part that could not be written fails the next cut or the close.

A folder is written into only when it is new or empty. A folder holding a
recording is replaced only when asked (``force=True``), and then only what
the recording consists of is removed: the files listed in its ``contents``
and the parts of its growing tables. A file the program did not write is
never removed, and a folder that is not a recording is never written into.
"""

from __future__ import annotations

import json
import math
import re
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

__all__ = [
    "FORMAT",
    "METADATA",
    "RecordingError",
    "RecordingWriter",
    "check_out_folder",
    "read_metadata",
    "recording_start",
]

FORMAT = "flankwatch-recording/1"
METADATA = "metadata.json"
SCENARIO = "scenario.yaml"
TEMPORARY = ".tmp"
"""Suffix of a file being written; renamed into place once whole."""

_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")
_PART = re.compile(r"part-(\d{6,})\.parquet")
STATIC = "static"
GROWING = "growing"


class RunInterrupted(Exception):
    """Raised through a run to stop it on purpose (a server shutting down): like Ctrl-C, it
    leaves the recording ``interrupted``, not ``failed``."""


class RecordingError(Exception):
    """A folder that is not a recording, or a recording that cannot be written there."""


class RecordingWriter:
    """Writes one recording folder; use as a context manager around the run.

    ``folder`` must not exist, or be empty; with ``force=True`` it may also hold
    a flankwatch recording, which is replaced (only its own files are removed).
    """

    def __init__(
        self,
        folder: Path,
        metadata: dict[str, Any],
        scenario_text: str,
        part_rows: int = 500_000,
        part_period_s: float = 600.0,
        *,
        force: bool = False,
    ) -> None:
        self.folder = Path(folder)
        self.metadata: dict[str, Any] = {
            "format": FORMAT,
            **metadata,
            "status": "running",
            "contents": {"tables": {}, "files": []},
        }
        self.part_rows = part_rows
        self.part_period_s = part_period_s
        self._buffers: dict[str, list[pa.Table]] = {}
        self._buffered_rows: dict[str, int] = {}
        self._parts: dict[str, int] = {}
        self._flushed_at_s: dict[str, float] = {}
        self._schemas: dict[str, pa.Schema] = {}
        self._parts_writer = ThreadPoolExecutor(1, thread_name_prefix="recording-parts")
        self._writing: list[tuple[float, Future[None]]] = []
        """Parts handed to the writing thread and not yet known to be written, each with
        the data time it was cut at, s."""
        _prepare(self.folder, force)
        self._write_metadata()
        (self.folder / SCENARIO).write_text(scenario_text, encoding="utf-8")

    def __enter__(self) -> RecordingWriter:
        return self

    def __exit__(self, kind: type | None, error: BaseException | None, trace: object) -> None:
        if kind is not None:
            try:
                self.flush()
            finally:
                self._parts_writer.shutdown()
                if issubclass(kind, KeyboardInterrupt | RunInterrupted):
                    self.metadata["status"] = "interrupted"
                else:
                    self.metadata["status"] = "failed"
                    self.metadata["error"] = f"{kind.__name__}: {error}"
                self._write_metadata()

    def write_table(self, name: str, table: pa.Table) -> None:
        """Write a static table as ``<name>.parquet``."""
        self._register_table(name, STATIC)
        _write_part(table, self.folder / f"{name}.parquet")

    def write_file(self, relative: str, text: str) -> None:
        """Write a text file (a CAP message, say) at ``relative`` inside the recording."""
        parts = _relative_parts(relative)
        if parts is None:
            raise RecordingError(f"{self.folder}: {relative!r} is not a file name inside it")
        name = "/".join(parts)
        tables: dict[str, str] = self.metadata["contents"]["tables"]
        if (
            name in (METADATA, SCENARIO)
            or parts[0] in tables
            or (len(parts) == 1 and name.endswith(".parquet"))
        ):
            raise RecordingError(f"{self.folder}: {relative!r} is one of the recording's own files")
        files: list[str] = self.metadata["contents"]["files"]
        if name not in files:
            files.append(name)  # listed before it exists: a recording lists all it holds
            self._write_metadata()
        path = self.folder.joinpath(*parts)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(path.name + TEMPORARY)
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(path)

    def declare(self, name: str, schema: pa.Schema) -> None:
        """Announce a growing table, so that it exists (empty) even if no row ever comes."""
        self._register_table(name, GROWING)
        self._schemas[name] = schema
        (self.folder / name).mkdir(exist_ok=True)

    def append(self, name: str, table: pa.Table, t_s: float) -> None:
        """Add rows to growing table ``name`` at simulated time ``t_s`` (s)."""
        if name not in self._schemas:
            self.declare(name, table.schema)
        if table.num_rows:
            self._buffers.setdefault(name, []).append(table)
            self._buffered_rows[name] = self._buffered_rows.get(name, 0) + table.num_rows
        due = t_s - self._flushed_at_s.get(name, 0.0) >= self.part_period_s
        if self._buffered_rows.get(name, 0) >= self.part_rows or due:
            self._flush(name, t_s)
            self._flushed_at_s[name] = t_s

    def flush(self) -> None:
        """Write every buffered row out as parts, and wait until all parts are written."""
        for name in list(self._schemas):
            self._flush(name, -math.inf)  # the last parts wait for nothing: all, below
        self.wait()

    def wait(self) -> None:
        """Wait until every part cut so far is on disk (raises the error of one that failed)."""
        self._collect(math.inf)

    def close(self, summary: dict[str, Any]) -> None:
        """Write what is left, and mark the recording complete with the run's summary."""
        try:
            self.flush()
        finally:
            self._parts_writer.shutdown()
        for name, schema in self._schemas.items():
            if not self._parts.get(name):
                _write_part(schema.empty_table(), self._part_path(name))
                self._parts[name] = 1
        self.metadata["status"] = "complete"
        self.metadata["summary"] = summary
        self._write_metadata()

    def _register_table(self, name: str, kind: str) -> None:
        """List table ``name`` in the contents (before any of it is written)."""
        if not is_plain_name(name):
            raise RecordingError(f"{self.folder}: {name!r} is not a table name")
        tables: dict[str, str] = self.metadata["contents"]["tables"]
        if tables.get(name, kind) != kind:
            raise RecordingError(f"{self.folder}: table {name!r} is already {tables[name]}")
        if name not in tables:
            tables[name] = kind
            self._write_metadata()

    def _flush(self, name: str, t_s: float) -> None:
        """Cut table ``name``'s buffered rows as a part at data time ``t_s`` (s), to be
        written on the writing thread once the parts cut before ``t_s`` are written."""
        tables = self._buffers.pop(name, [])
        self._buffered_rows[name] = 0
        if not tables:
            return
        self._collect(t_s)
        part = pa.concat_tables(tables)
        path = self._part_path(name)
        future = self._parts_writer.submit(_write_part, part, path, compression="zstd")
        self._writing.append((t_s, future))
        self._parts[name] = self._parts.get(name, 0) + 1

    def _collect(self, before_s: float) -> None:
        """Wait for the parts cut before data time ``before_s`` (s), and forget every part
        written; raise the error of one that failed."""
        writing, self._writing = self._writing, []
        for index, (cut_s, future) in enumerate(writing):
            if cut_s >= before_s and not future.done():
                self._writing.extend(writing[index:])
                return
            future.result()

    def _part_path(self, name: str) -> Path:
        return self.folder / name / f"part-{self._parts.get(name, 0):06d}.parquet"

    def _write_metadata(self) -> None:
        _write_metadata(self.folder, self.metadata)


def _write_metadata(folder: Path, metadata: dict[str, Any]) -> None:
    """Write ``metadata`` as the recording's metadata file, whole or not at all."""
    text = json.dumps(metadata, indent=2, sort_keys=True, default=str)
    temporary = folder / f"{METADATA}{TEMPORARY}"
    temporary.write_text(text + "\n", encoding="utf-8")
    temporary.replace(folder / METADATA)


def mark_failed(folder: Path, reason: str) -> None:
    """Mark the recording in ``folder`` failed, for ``reason``, if it still says it is
    running: its writer's process died (killed) before it could say so itself. Anything
    else there (no recording, another status) is left as it is."""
    folder = Path(folder)
    try:
        metadata = json.loads((folder / METADATA).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    if isinstance(metadata, dict) and metadata.get("format") == FORMAT:
        if metadata.get("status") == "running":
            metadata["status"] = "failed"
            metadata["error"] = reason
            _write_metadata(folder, metadata)


def _write_part(table: pa.Table, path: Path, **options: Any) -> None:
    """Write a part under a temporary name, then rename it: a part is whole or absent."""
    temporary = path.with_name(path.name + TEMPORARY)
    pq.write_table(table, temporary, **options)
    temporary.replace(path)


def is_plain_name(name: object) -> bool:
    """Whether ``name`` is one plain path component with no leading dot: a table's name, or
    one part of the path of a file the recording lists."""
    return isinstance(name, str) and _NAME.fullmatch(name) is not None


def _relative_parts(relative: object) -> tuple[str, ...] | None:
    """The components of a plain relative file path inside a recording, or None."""
    if not isinstance(relative, str) or "\\" in relative:
        return None
    parts = PurePosixPath(relative).parts
    if not parts or not all(is_plain_name(part) for part in parts):
        return None
    return parts


def check_out_folder(folder: Path, force: bool) -> dict[str, Any] | None:
    """Refuse a folder a recording cannot be written into (:class:`RecordingError` saying
    why); the metadata of the recording there that ``force`` lets be replaced, or None for
    a new or empty folder. Nothing is written or removed."""
    if folder.is_symlink() and not folder.exists():
        raise RecordingError(f"{folder}: a link to nothing; refusing to write there")
    if not folder.exists():
        _check_can_make(folder)
        return None
    if not folder.is_dir():
        raise RecordingError(f"{folder}: exists and is not a folder")
    if not any(folder.iterdir()):
        return None
    try:
        metadata = read_metadata(folder)
    except RecordingError:
        raise RecordingError(
            f"{folder}: not empty and not a recording; refusing to write into it"
        ) from None
    if not force:
        raise RecordingError(
            f"{folder}: holds a recording already; refusing to replace it unless forced (--force)"
        )
    return metadata


def _check_can_make(folder: Path) -> None:
    """Refuse a new ``folder`` whose nearest existing ancestor is not a folder."""
    ancestor = folder.absolute().parent
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise RecordingError(f"{folder}: cannot be made: {ancestor} is not a folder")


def _prepare(folder: Path, force: bool) -> None:
    """Make ``folder`` ready: new, empty, or (with ``force``) a recording whose files go."""
    metadata = check_out_folder(folder, force)
    if metadata is not None:
        _remove_recording(folder, metadata)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:  # a read-only file system, no permission, no space
        raise RecordingError(f"{folder}: cannot be made: {error.strerror or error}") from None


def listed_contents(folder: Path, metadata: dict[str, Any]) -> tuple[dict[str, str], list[str]]:
    """The tables (name to kind) and the files (relative paths) a recording holds.

    Recordings written before ``contents`` was kept are read by their layout: a
    Parquet file at the top is a static table, a folder holding parts a growing
    table, and ``cap/*.xml`` the CAP messages.
    """
    contents = metadata.get("contents")
    if isinstance(contents, dict):
        tables = contents.get("tables")
        files = contents.get("files")
        return (
            {
                name: kind
                for name, kind in (tables.items() if isinstance(tables, dict) else [])
                if is_plain_name(name) and kind in (STATIC, GROWING)
            },
            [name for name in (files if isinstance(files, list) else []) if _relative_parts(name)],
        )
    tables = {}
    for path in sorted(folder.iterdir()):
        if path.is_symlink():
            continue
        if own_file(path) and path.suffix == ".parquet" and is_plain_name(path.stem):
            tables[path.stem] = STATIC
        elif own_folder(path) and is_plain_name(path.name) and parts_in(path):
            tables[path.name] = GROWING
    cap = folder / "cap"
    files = []
    if cap.is_dir() and not cap.is_symlink():
        files = [
            f"cap/{path.name}" for path in sorted(cap.glob("*.xml")) if is_plain_name(path.name)
        ]
    return tables, files


def _remove_recording(folder: Path, metadata: dict[str, Any]) -> None:
    """Remove the files of the recording in ``folder`` and nothing else.

    Folders it made are removed when nothing else is left in them; the folder
    itself stays (empty when all it held was the recording).
    """
    tables, files = listed_contents(folder, metadata)
    emptied: set[Path] = set()
    for name, kind in tables.items():
        if kind == STATIC:
            _unlink(folder / f"{name}.parquet")
            _unlink(folder / f"{name}.parquet{TEMPORARY}")
            continue
        table = folder / name
        if table.is_dir() and not table.is_symlink():
            for path in table.iterdir():
                stem = path.name.removesuffix(TEMPORARY)
                if _PART.fullmatch(stem):
                    _unlink(path)
            emptied.add(table)
    for name in files:
        parts = _relative_parts(name)
        if parts is None:
            continue
        path = folder.joinpath(*parts)
        if any(parent.is_symlink() for parent in _parents_within(folder, path)):
            continue
        _unlink(path)
        _unlink(path.with_name(path.name + TEMPORARY))
        emptied.update(_parents_within(folder, path))
    for path in sorted(emptied, key=lambda p: len(p.parts), reverse=True):
        if path.is_dir() and not path.is_symlink() and not any(path.iterdir()):
            path.rmdir()
    _unlink(folder / SCENARIO)
    _unlink(folder / f"{METADATA}{TEMPORARY}")
    _unlink(folder / METADATA)


def _parents_within(folder: Path, path: Path) -> list[Path]:
    """The folders between ``folder`` (excluded) and ``path`` (excluded)."""
    return [parent for parent in path.parents if folder in parent.parents]


def _unlink(path: Path) -> None:
    """Remove a file the recording wrote; leave a link or a folder alone."""
    if path.is_file() and not path.is_symlink():
        path.unlink()


def read_metadata(folder: Path) -> dict[str, Any]:
    """The metadata of the recording in ``folder``."""
    path = Path(folder) / METADATA
    if not path.is_file():
        raise RecordingError(f"{folder}: not a recording (no {METADATA})")
    try:
        metadata = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise RecordingError(
            f"{folder}: not a recording ({METADATA} unreadable: {error})"
        ) from None
    if not isinstance(metadata, dict) or metadata.get("format") != FORMAT:
        found = metadata.get("format") if isinstance(metadata, dict) else None
        raise RecordingError(f"{folder}: unknown recording format {found!r}")
    if metadata.get("summary") is not None and not isinstance(metadata["summary"], dict):
        raise RecordingError(f"{folder}: {METADATA}: its summary is not an object")
    _check_times(metadata, folder)
    return metadata


def _check_times(metadata: dict[str, Any], folder: Path) -> None:
    """Refuse metadata whose ``start`` (where given) is no time with an offset, whose
    ``duration_s`` (where given) is no finite number of seconds, 0 or more, or whose
    ``batch_s`` (where given) is no finite number of seconds above 0."""
    if "start" in metadata:
        recording_start(metadata, folder)
    batch = metadata.get("batch_s")
    if batch is not None and (
        isinstance(batch, bool)
        or not isinstance(batch, int | float)
        or not math.isfinite(batch)
        or batch <= 0
    ):
        raise RecordingError(
            f"{folder}: {METADATA}: batch_s must be a finite number of seconds above 0, "
            f"not {batch!r}"
        )
    duration = metadata.get("duration_s")
    if duration is not None and (
        isinstance(duration, bool)
        or not isinstance(duration, int | float)
        or not math.isfinite(duration)
        or duration < 0
    ):
        raise RecordingError(
            f"{folder}: {METADATA}: duration_s must be a finite number of seconds, 0 or more, "
            f"not {duration!r}"
        )


def recording_start(metadata: dict[str, Any], folder: Path) -> datetime:
    """The UTC time of the recording's ``t_s = 0`` from its metadata; raises
    :class:`RecordingError` if it has none with an offset."""
    try:
        start = datetime.fromisoformat(str(metadata["start"]))
    except (KeyError, ValueError):
        start = None
    if start is None or start.tzinfo is None:
        raise RecordingError(
            f"{folder}: {METADATA}: start must be a UTC time with its offset, "
            f"not {metadata.get('start')!r}"
        )
    return start


def own_file(path: Path) -> bool:
    """Whether ``path`` is a file of the recording: a plain file, not a link elsewhere."""
    return path.is_file() and not path.is_symlink()


def own_folder(path: Path) -> bool:
    """Whether ``path`` is a folder of the recording: a plain folder, not a link elsewhere."""
    return path.is_dir() and not path.is_symlink()


def parts_in(table: Path) -> list[Path]:
    """The whole parts of a growing table's folder, in order (links are not parts)."""
    numbered = []
    for path in table.iterdir():
        match = _PART.fullmatch(path.name)
        if match and own_file(path):
            numbered.append((int(match.group(1)), path))
    return [path for _, path in sorted(numbered)]
