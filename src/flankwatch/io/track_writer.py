"""Writing a tracks file, and tracking a plots file into one.

A tracks file is written to a temporary file beside it and renamed into place once
whole; its folder must exist, and it must not be the plots or sensors file the run reads.
A file already at its name is replaced only when asked, and only if it is a tracks file
(its columns those of :data:`~flankwatch.track.output.TRACK_SCHEMA`): never another file.
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Iterable
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from flankwatch.compiled import interpreted
from flankwatch.io.plot_columns import TABLE_FORMATS, PlotFileError
from flankwatch.io.plot_reader import read_plots
from flankwatch.track.output import TRACK_SCHEMA, TrackBatch, TrackStatus
from flankwatch.track.settings import TrackerSettings

INTERPRETED_MAX_PLOTS = 100
"""A file of at most this many plots is tracked with the kernels run as plain Python
(:func:`~flankwatch.compiled.interpreted`): at 1.5-6 ms a plot that takes less time than
Numba's own start (about a second), and the tracks are the same, byte for byte."""


@dataclass(frozen=True)
class TrackFileSummary:
    """What :func:`track_file` did."""

    plots_path: Path
    tracks_path: Path
    n_plots: int
    """Plots read."""
    n_batches: int
    """Tracker steps (batches of plots)."""
    n_rows: int
    """Rows written to the tracks file."""
    n_confirmed_tracks: int
    """Distinct track numbers that were confirmed at some time."""
    start_s: float
    """Time of the first plot, s."""
    end_s: float
    """Time of the last plot, s."""
    planar: bool
    """True if the plots were 2-D and tracked in the plane."""
    elapsed_s: float
    """Wall-clock time spent tracking and writing, s."""
    unread_columns: tuple[str, ...] = ()
    """Columns of the plots file that were not read, in file order."""


def _check_tracks_path(path: Path, replace: bool) -> None:
    """Refuse a tracks file of unknown format, in a missing folder, that is a folder, or
    that exists (unless ``replace`` and it is a tracks file)."""
    suffix = path.suffix.lower()
    if suffix not in TABLE_FORMATS:
        raise PlotFileError(
            f"tracks file {path}: unknown format {suffix!r}; use .parquet, .pq or .csv"
        )
    folder = path.parent
    if not folder.is_dir():
        raise PlotFileError(f"tracks file {path}: no folder {folder} to write it in")
    if path.is_dir():
        raise PlotFileError(f"tracks file {path}: is a folder")
    if path.exists() or path.is_symlink():
        if not replace:
            raise PlotFileError(f"tracks file {path}: exists; use --force to replace it")
        if not _is_tracks_file(path):
            raise PlotFileError(
                f"tracks file {path}: exists and is not a tracks file; not replaced"
            )


def _is_tracks_file(path: Path) -> bool:
    """Whether ``path`` is a regular file with the columns of a tracks file, in their order:
    a CSV file's header row, a Parquet file's schema."""
    if path.is_symlink() or not path.is_file():
        return False
    names = TRACK_SCHEMA.names
    try:
        if path.suffix.lower() == ".csv":
            with path.open(encoding="utf-8", newline="") as file:
                header = file.readline(65536).rstrip("\r\n")
            return [name.strip('"') for name in header.split(",")] == names
        return pq.read_schema(path).names == names
    except (OSError, UnicodeDecodeError, pa.ArrowException):
        return False


def write_tracks(batches: Iterable[TrackBatch], path: str | Path, replace: bool = False) -> int:
    """Write track batches to a Parquet (``.parquet``, ``.pq``) or CSV (``.csv``) file with the
    columns of :data:`~flankwatch.track.output.TRACK_SCHEMA`; the number of rows written.

    The file is written under a temporary name beside it and renamed into place
    once whole; its folder must exist. A file already there is an error, unless
    ``replace`` and it is a tracks file (checked again before it is replaced).
    """
    path = Path(path)
    _check_tracks_path(path, replace)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    rows = 0
    try:
        with temporary.open("xb") as file:
            writer: pq.ParquetWriter | pa_csv.CSVWriter
            if path.suffix.lower() == ".csv":
                writer = pa_csv.CSVWriter(file, TRACK_SCHEMA)
            else:
                writer = pq.ParquetWriter(file, TRACK_SCHEMA)
            with writer:
                for batch in batches:
                    if len(batch):
                        writer.write_table(batch.to_arrow())
                        rows += len(batch)
        _check_tracks_path(path, replace)  # nothing else has appeared there meanwhile
        temporary.replace(path)
    except FileExistsError:
        raise PlotFileError(f"tracks file {path}: {temporary} is in the way") from None
    except BaseException as error:
        temporary.unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise PlotFileError(f"tracks file {path}: cannot be written: {error}") from None
        raise
    return rows


def _same_file(first: Path, second: Path) -> bool:
    """Whether two paths name the same file (through links too)."""
    try:
        return first.exists() and second.exists() and os.path.samefile(first, second)
    except OSError:
        return first.absolute() == second.absolute()


def track_file(
    plots_path: str | Path,
    tracks_path: str | Path,
    sensors_path: str | Path | None = None,
    settings: TrackerSettings | None = None,
    batch_s: float = 1.0,
    include_tentative: bool = False,
    replace: bool = False,
) -> TrackFileSummary:
    """Track the plots of ``plots_path`` and write the tracks to ``tracks_path``.

    One row per track per batch of ``batch_s`` seconds (each track at the batch's
    last plot time), tentative tracks left out unless ``include_tentative``; a
    track's last row has status ``DELETED``. A 2-D plots file is tracked with
    ``planar=True`` whatever ``settings`` says. A file already at ``tracks_path`` is
    refused before any tracking, unless ``replace`` and it is a tracks file.
    """
    started = time.perf_counter()
    tracks = Path(tracks_path)
    for what, source in (("plots", plots_path), ("sensors", sensors_path)):
        if source is not None and _same_file(Path(source), tracks):
            raise PlotFileError(
                f"tracks file {tracks}: is the {what} file; refusing to write over the input"
            )
    _check_tracks_path(tracks, replace)
    plot_file = read_plots(plots_path, sensors_path, batch_s)
    # the tracker (and its compiled kernels) is loaded once the plots have been read
    from flankwatch.track.tracker import build_tracker

    settings = dataclasses.replace(settings or TrackerSettings(), planar=plot_file.planar)
    tracker = build_tracker(settings)
    confirmed: set[int] = set()

    def tracked() -> Iterable[TrackBatch]:
        for batch in plot_file.batches:
            out = tracker.step(batch)
            held = (out.status == TrackStatus.CONFIRMED) | (out.status == TrackStatus.COASTING)
            confirmed.update(out.track_id[held].tolist())
            if not include_tentative:
                ever = np.isin(out.track_id, np.fromiter(confirmed, np.int64, len(confirmed)))
                out = out.take((out.status != TrackStatus.TENTATIVE) & ever)
            yield out

    small = plot_file.n_plots <= INTERPRETED_MAX_PLOTS
    with interpreted() if small else nullcontext():
        n_rows = write_tracks(tracked(), tracks_path, replace)
    batches = plot_file.batches
    return TrackFileSummary(
        plots_path=Path(plots_path),
        tracks_path=Path(tracks_path),
        n_plots=plot_file.n_plots,
        n_batches=len(batches),
        n_rows=n_rows,
        n_confirmed_tracks=len(confirmed),
        start_s=float(batches[0].t_s[0]) if batches else 0.0,
        end_s=float(batches[-1].t_s[-1]) if batches else 0.0,
        planar=plot_file.planar,
        elapsed_s=time.perf_counter() - started,
        unread_columns=plot_file.unread_columns,
    )
