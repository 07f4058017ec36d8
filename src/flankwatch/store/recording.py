"""Writing and reading recordings.

A recording is a folder:

- ``metadata.json``: format, flankwatch version, scenario name, seed, start time,
  local frame, and ``status`` (``running`` while the run goes, then ``complete``
  or ``failed``) with the run's summary once it ends;
- ``scenario.yaml``: the scenario text the run was made from;
- one Parquet file per static table (``sensors.parquet``, ``objects.parquet``);
- one folder per growing table (``plots/``, ``truth/``, later ``tracks/`` and
  ``events/``) holding numbered Parquet parts.

Growing tables are written part by part as the run goes, each part a complete
Parquet file, so a run killed half-way leaves every part written so far
readable. Parts are cut by row count and by simulated time, never by the wall
clock, so the same run writes the same files byte for byte.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

FORMAT = "flankwatch-recording/1"
METADATA = "metadata.json"


class RecordingError(Exception):
    """A folder that is not a recording, or a recording that cannot be written there."""


class RecordingWriter:
    """Writes one recording folder; use as a context manager around the run."""

    def __init__(
        self,
        folder: Path,
        metadata: dict[str, Any],
        scenario_text: str,
        part_rows: int = 500_000,
        part_period_s: float = 600.0,
    ) -> None:
        self.folder = Path(folder)
        self.metadata = {"format": FORMAT, **metadata, "status": "running"}
        self.part_rows = part_rows
        self.part_period_s = part_period_s
        self._buffers: dict[str, list[pa.Table]] = {}
        self._buffered_rows: dict[str, int] = {}
        self._parts: dict[str, int] = {}
        self._flushed_at_s: dict[str, float] = {}
        self._schemas: dict[str, pa.Schema] = {}
        _prepare(self.folder)
        (self.folder / "scenario.yaml").write_text(scenario_text, encoding="utf-8")
        self._write_metadata()

    def __enter__(self) -> RecordingWriter:
        return self

    def __exit__(self, kind: type | None, error: BaseException | None, trace: object) -> None:
        if kind is not None:
            self.flush()
            self.metadata["status"] = "failed"
            self.metadata["error"] = f"{kind.__name__}: {error}"
            self._write_metadata()

    def write_table(self, name: str, table: pa.Table) -> None:
        """Write a static table as ``<name>.parquet``."""
        pq.write_table(table, self.folder / f"{name}.parquet")

    def write_file(self, relative: str, text: str) -> None:
        """Write a text file (a CAP message, say) at ``relative`` inside the recording."""
        path = self.folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(path.name + ".tmp")
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(path)

    def declare(self, name: str, schema: pa.Schema) -> None:
        """Announce a growing table, so that it exists (empty) even if no row ever comes."""
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
            self._flush(name)
            self._flushed_at_s[name] = t_s

    def flush(self) -> None:
        """Write every buffered row out as parts."""
        for name in list(self._schemas):
            self._flush(name)

    def close(self, summary: dict[str, Any]) -> None:
        """Write what is left, and mark the recording complete with the run's summary."""
        self.flush()
        for name, schema in self._schemas.items():
            if not self._parts.get(name):
                _write_part(schema.empty_table(), self._part_path(name))
                self._parts[name] = 1
        self.metadata["status"] = "complete"
        self.metadata["summary"] = summary
        self._write_metadata()

    def _flush(self, name: str) -> None:
        tables = self._buffers.pop(name, [])
        self._buffered_rows[name] = 0
        if not tables:
            return
        _write_part(pa.concat_tables(tables), self._part_path(name), compression="zstd")
        self._parts[name] = self._parts.get(name, 0) + 1

    def _part_path(self, name: str) -> Path:
        return self.folder / name / f"part-{self._parts.get(name, 0):06d}.parquet"

    def _write_metadata(self) -> None:
        text = json.dumps(self.metadata, indent=2, sort_keys=True, default=str)
        temporary = self.folder / f"{METADATA}.tmp"
        temporary.write_text(text + "\n", encoding="utf-8")
        temporary.replace(self.folder / METADATA)


def _write_part(table: pa.Table, path: Path, **options: Any) -> None:
    """Write a part under a temporary name, then rename it: a part is whole or absent."""
    temporary = path.with_name(path.name + ".tmp")
    pq.write_table(table, temporary, **options)
    temporary.replace(path)


def _prepare(folder: Path) -> None:
    """Make ``folder`` ready: new, empty, or a former recording (which is replaced)."""
    if folder.exists():
        if not folder.is_dir():
            raise RecordingError(f"{folder}: exists and is not a folder")
        if any(folder.iterdir()):
            if not (folder / METADATA).exists():
                raise RecordingError(
                    f"{folder}: not empty and not a recording; refusing to write into it"
                )
            shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)


def read_metadata(folder: Path) -> dict[str, Any]:
    """The metadata of the recording in ``folder``."""
    path = Path(folder) / METADATA
    if not path.exists():
        raise RecordingError(f"{folder}: not a recording (no {METADATA})")
    metadata = json.loads(path.read_text(encoding="utf-8"))
    if metadata.get("format") != FORMAT:
        raise RecordingError(f"{folder}: unknown recording format {metadata.get('format')!r}")
    return metadata


def table_sources(folder: Path) -> dict[str, str]:
    """Each table of the recording and the Parquet path or glob that holds it."""
    folder = Path(folder)
    read_metadata(folder)
    sources = {}
    for path in sorted(folder.iterdir()):
        if path.suffix == ".parquet":
            sources[path.stem] = str(path)
        elif path.is_dir() and any(path.glob("*.parquet")):
            sources[path.name] = str(path / "*.parquet")
    return sources
