"""Plot files in, track files out: the tracker on anyone's plots.

A plots file is Parquet (``.parquet``, ``.pq``) or CSV (``.csv``, with a header
row), one row per plot, in one of two layouts:

Cartesian (local ENU frame of the user's choice):

==============  ======  ======================================================
column          unit    meaning
==============  ======  ======================================================
time_s          s       time of the plot
sensor_id       -       integer id of the sensor
x_m, y_m        m       east and north position
z_m             m       up position; optional: without it the file is 2-D
sigma_m         m       standard deviation of each position coordinate
==============  ======  ======================================================

Polar (needs a sensors file with ``sensor_id, x_m, y_m, z_m`` in m, one row
per sensor):

===================  ======  ================================================
column               unit    meaning
===================  ======  ================================================
time_s               s       time of the plot
sensor_id            -       integer id of the sensor (in the sensors file)
range_m              m       slant range from the sensor
azimuth_deg          deg     clockwise from north
elevation_deg        deg     up from horizontal; optional (with its sigma):
                             without it the range is horizontal and the file 2-D
sigma_range_m        m       range noise standard deviation
sigma_azimuth_deg    deg     azimuth noise standard deviation
sigma_elevation_deg  deg     elevation noise standard deviation
===================  ======  ================================================

Polar plots are converted to Cartesian positions with a linearised covariance
(:func:`flankwatch.track.measurement.polar_to_cartesian`), the sensor's axes
taken parallel to the file's frame. A 2-D file is tracked in the plane: plots
get ``z = 0`` with a variance of 1e-6 m^2 and the tracker runs with
``planar=True``.

Values must be numbers (integers or floats; text that reads as one in a CSV
file) within these bounds, or the file is refused:

======================================  =======================================
column                                  allowed values
======================================  =======================================
time_s                                  -1e11 to 1e11 s
sensor_id                               an integer, 0 to 2147483647
x_m, y_m, z_m (plots and sensors)       -1e9 to 1e9 m
range_m                                 0 to 1e9 m
azimuth_deg                             -720 to 720 deg
elevation_deg                           -90 to 90 deg
sigma_m, sigma_range_m                  0.001 to 1e7 m
sigma_azimuth_deg, sigma_elevation_deg  1e-6 to 180 deg
======================================  =======================================

Plots are grouped into batches of ``batch_s`` seconds, in time order. Every
problem with a file raises :class:`PlotFileError` naming the file, the row
(1-based, header not counted) and the column: a file that is empty or not
CSV or Parquet, a column missing or given twice, a value that is empty, not
a number, not finite or out of bounds.

A tracks file is written to a temporary file beside it and renamed into place
once whole, so a failed run leaves no half-written file. Its folder must
exist (it is not created), and it must not be the plots file or the sensors
file the run reads.
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from flankwatch.stream import PlotBatch, PlotKind, position_columns
from flankwatch.track.measurement import polar_to_cartesian
from flankwatch.track.output import TRACK_SCHEMA, TrackBatch, TrackStatus
from flankwatch.track.settings import TrackerSettings
from flankwatch.track.tracker import build_tracker

__all__ = [
    "PlotFileError",
    "PlotFile",
    "TrackFileSummary",
    "read_plots",
    "write_tracks",
    "track_file",
]

PLANAR_VARIANCE_M2 = 1e-6
"""Variance given to the fixed ``z = 0`` of plots from a 2-D file, m^2."""

_CARTESIAN = ("time_s", "sensor_id", "x_m", "y_m", "sigma_m")
_POLAR = ("time_s", "sensor_id", "range_m", "azimuth_deg", "sigma_range_m", "sigma_azimuth_deg")
_ELEVATION = ("elevation_deg", "sigma_elevation_deg")
_SENSORS = ("sensor_id", "x_m", "y_m", "z_m")
_FORMATS = (".parquet", ".pq", ".csv")

MAX_TIME_S = 1e11
"""Largest magnitude of a plot time, s."""
MAX_DISTANCE_M = 1e9
"""Largest magnitude of a position coordinate, and largest range, m."""
MAX_SENSOR_ID = 2**31 - 1
"""Largest sensor id (sensor ids are 32-bit)."""
MAX_AZIMUTH_DEG = 720.0
"""Largest magnitude of an azimuth, deg."""
MAX_ELEVATION_DEG = 90.0
"""Largest magnitude of an elevation, deg."""
SIGMA_M = (1e-3, 1e7)
"""Smallest and largest position or range standard deviation, m."""
SIGMA_DEG = (1e-6, 180.0)
"""Smallest and largest angle standard deviation, deg."""
MIN_BATCH_S = 1e-3
"""Shortest batch, s."""
_BOUNDS: dict[str, tuple[float, float, str]] = {
    "time_s": (-MAX_TIME_S, MAX_TIME_S, "s"),
    "x_m": (-MAX_DISTANCE_M, MAX_DISTANCE_M, "m"),
    "y_m": (-MAX_DISTANCE_M, MAX_DISTANCE_M, "m"),
    "z_m": (-MAX_DISTANCE_M, MAX_DISTANCE_M, "m"),
    "range_m": (0.0, MAX_DISTANCE_M, "m"),
    "azimuth_deg": (-MAX_AZIMUTH_DEG, MAX_AZIMUTH_DEG, "deg"),
    "elevation_deg": (-MAX_ELEVATION_DEG, MAX_ELEVATION_DEG, "deg"),
    "sigma_m": (*SIGMA_M, "m"),
    "sigma_range_m": (*SIGMA_M, "m"),
    "sigma_azimuth_deg": (*SIGMA_DEG, "deg"),
    "sigma_elevation_deg": (*SIGMA_DEG, "deg"),
}
"""Allowed values of each number column: least, greatest, unit."""


class PlotFileError(ValueError):
    """A plots, sensors or tracks file that cannot be used; the message says where and why."""


@dataclass(frozen=True)
class PlotFile:
    """The plots of a file, in time-ordered batches."""

    batches: list[PlotBatch]
    """Batches of ``batch_s`` seconds, in time order, each sorted by time."""
    planar: bool
    """True for a 2-D file (no ``z_m``, or polar without elevation)."""
    n_plots: int
    """Number of plots read."""


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


def _read_table(path: Path, what: str) -> pa.Table:
    """The table of a CSV or Parquet file, read by its literal path; columns named once."""
    suffix = path.suffix.lower()
    if suffix not in _FORMATS:
        raise PlotFileError(
            f"{what} file {path}: unknown format {suffix!r}; use .parquet, .pq or .csv"
        )
    if not path.is_file():
        raise PlotFileError(f"{what} file {path}: no such file")
    try:
        if path.stat().st_size == 0:
            raise PlotFileError(f"{what} file {path}: the file is empty")
        with path.open("rb") as file:
            if suffix == ".csv":
                options = pa_csv.ConvertOptions(
                    null_values=[""], strings_can_be_null=True, quoted_strings_can_be_null=True
                )
                table = pa_csv.read_csv(file, convert_options=options)
            else:
                table = pq.ParquetFile(file).read()
        names = table.column_names
    except (pa.ArrowException, OSError, ValueError) as error:
        if isinstance(error, PlotFileError):
            raise
        raise PlotFileError(f"{what} file {path}: cannot be read: {error}") from None
    for name in names:
        if names.count(name) > 1:
            raise PlotFileError(
                f"{what} file {path}: column {name} given {names.count(name)} times"
            )
    return table


def _require(table: pa.Table, columns: Iterable[str], path: Path, what: str) -> None:
    missing = [name for name in columns if name not in table.column_names]
    if missing:
        raise PlotFileError(
            f"{what} file {path}: missing column(s) {', '.join(missing)}; "
            f"found {', '.join(table.column_names) or 'none'}"
        )


def _shown(value: object) -> str:
    """A value as it appears in an error message, cut short when long."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _numbers(table: pa.Table, name: str, path: Path, what: str) -> np.ndarray:
    """Column ``name`` as float64 within its bounds, or an error naming the first bad row."""
    column = table.column(name)
    if pa.types.is_dictionary(column.type):
        column = column.cast(column.type.value_type)
    if column.null_count:
        row = int(np.flatnonzero(column.is_null().to_numpy(zero_copy_only=False))[0]) + 1
        raise PlotFileError(f"{what} file {path}: row {row}, column {name}: empty value")
    kind = column.type
    if pa.types.is_integer(kind) or pa.types.is_floating(kind):
        values = np.asarray(column.to_numpy(), dtype=np.float64)
    elif pa.types.is_decimal(kind):
        values = np.array([float(value) for value in column.to_pylist()], dtype=np.float64)
    elif pa.types.is_string(kind) or pa.types.is_large_string(kind):
        texts = column.to_pylist()
        values = np.empty(len(texts))
        for row, text in enumerate(texts):
            try:
                values[row] = float(text)
            except (TypeError, ValueError, OverflowError):
                raise PlotFileError(
                    f"{what} file {path}: row {row + 1}, column {name}: "
                    f"{_shown(text)} is not a number"
                ) from None
    elif len(column) == 0 or pa.types.is_null(kind):
        values = np.empty(0)
    else:
        raise PlotFileError(
            f"{what} file {path}: row 1, column {name}: {_shown(column[0].as_py())} "
            f"is not a number (the column holds {kind} values)"
        )
    bad = np.flatnonzero(~np.isfinite(values))
    if len(bad):
        raise PlotFileError(
            f"{what} file {path}: row {bad[0] + 1}, column {name}: "
            f"{values[bad[0]]} is not a finite number"
        )
    if name in _BOUNDS:
        low, high, unit = _BOUNDS[name]
        if low > 0.0:
            _check(values > 0.0, path, name, "must be positive", values, what)
        elif low == 0.0:
            _check(values >= 0.0, path, name, "must not be negative", values, what)
        _check(
            (values >= low) & (values <= high),
            path,
            name,
            f"is out of bounds: {low:g} to {high:g} {unit}",
            values,
            what,
        )
    return values


def _check(
    condition: np.ndarray,
    path: Path,
    name: str,
    rule: str,
    values: np.ndarray,
    what: str = "plots",
) -> None:
    bad = np.flatnonzero(~condition)
    if len(bad):
        raise PlotFileError(
            f"{what} file {path}: row {bad[0] + 1}, column {name}: {values[bad[0]]} {rule}"
        )


def _sensor_ids(table: pa.Table, path: Path, what: str) -> np.ndarray:
    """The ``sensor_id`` column: whole numbers from 0 to :data:`MAX_SENSOR_ID`, as int32."""
    values = _numbers(table, "sensor_id", path, what)
    _check(values == np.round(values), path, "sensor_id", "is not an integer", values, what)
    bad = np.flatnonzero((values < 0) | (values > MAX_SENSOR_ID))
    if len(bad):
        raise PlotFileError(
            f"{what} file {path}: row {bad[0] + 1}, column sensor_id: {int(values[bad[0]])} "
            f"is not a sensor id (0 to {MAX_SENSOR_ID})"
        )
    return values.astype(np.int32)


def _read_sensors(path: Path) -> dict[int, np.ndarray]:
    table = _read_table(path, "sensors")
    _require(table, _SENSORS, path, "sensors")
    ids = _sensor_ids(table, path, "sensors")
    position = np.column_stack([_numbers(table, n, path, "sensors") for n in _SENSORS[1:]])
    seen: dict[int, np.ndarray] = {}
    for row, sensor in enumerate(ids.tolist()):
        if sensor in seen:
            raise PlotFileError(
                f"sensors file {path}: row {row + 1}, column sensor_id: "
                f"sensor {sensor} listed twice"
            )
        seen[sensor] = position[row]
    return seen


def _cartesian_plots(table: pa.Table, path: Path) -> tuple[PlotBatch, bool]:
    t_s = _numbers(table, "time_s", path, "plots")
    sensor = _sensor_ids(table, path, "plots")
    sigma = _numbers(table, "sigma_m", path, "plots")
    n = len(t_s)
    planar = "z_m" not in table.column_names
    z = np.zeros(n) if planar else _numbers(table, "z_m", path, "plots")
    zeros = np.zeros(n)
    plots = PlotBatch.build(
        n,
        t_s=t_s,
        sensor_id=sensor,
        kind=np.full(n, PlotKind.RADAR),
        x_m=_numbers(table, "x_m", path, "plots"),
        y_m=_numbers(table, "y_m", path, "plots"),
        z_m=z,
        cov_xx_m2=sigma**2,
        cov_yy_m2=sigma**2,
        cov_zz_m2=np.full(n, PLANAR_VARIANCE_M2) if planar else sigma**2,
        cov_xy_m2=zeros,
        cov_xz_m2=zeros,
        cov_yz_m2=zeros,
    )
    return plots, planar


def _polar_plots(table: pa.Table, path: Path, sensors_path: Path | None) -> tuple[PlotBatch, bool]:
    if sensors_path is None:
        raise PlotFileError(
            f"plots file {path}: polar plots (range_m, azimuth_deg) need a "
            "sensors file with sensor_id, x_m, y_m, z_m"
        )
    sensors = _read_sensors(Path(sensors_path))
    planar = "elevation_deg" not in table.column_names
    if not planar:
        _require(table, _ELEVATION, path, "plots")
    t_s = _numbers(table, "time_s", path, "plots")
    sensor = _sensor_ids(table, path, "plots")
    known = np.array([s in sensors for s in sensor.tolist()], bool)
    _check(known, path, "sensor_id", f"is not in the sensors file {sensors_path}", sensor)
    n = len(t_s)
    range_m = _numbers(table, "range_m", path, "plots")
    azimuth = np.radians(_numbers(table, "azimuth_deg", path, "plots"))
    sigma_range = _numbers(table, "sigma_range_m", path, "plots")
    sigma_azimuth = np.radians(_numbers(table, "sigma_azimuth_deg", path, "plots"))
    if planar:
        elevation, sigma_elevation = np.zeros(n), np.zeros(n)
    else:
        elevation = np.radians(_numbers(table, "elevation_deg", path, "plots"))
        sigma_elevation = np.radians(_numbers(table, "sigma_elevation_deg", path, "plots"))
    sensor_m = np.array([sensors[s] for s in sensor.tolist()]).reshape(n, 3)
    if planar:
        sensor_m[:, 2] = 0.0
    position, cov = polar_to_cartesian(
        range_m, azimuth, elevation, sigma_range, sigma_azimuth, sigma_elevation, sensor_m
    )
    if planar:
        cov[:, 2, :] = cov[:, :, 2] = 0.0
        cov[:, 2, 2] = PLANAR_VARIANCE_M2
    plots = PlotBatch.build(
        n,
        t_s=t_s,
        sensor_id=sensor,
        kind=np.full(n, PlotKind.RADAR),
        **position_columns(position, cov),
        range_m=range_m,
        azimuth_rad=azimuth,
        bearing_rad=azimuth,
        elevation_rad=np.full(n, np.nan) if planar else elevation,
        sigma_range_m=sigma_range,
        sigma_azimuth_rad=sigma_azimuth,
        sigma_elevation_rad=np.full(n, np.nan) if planar else sigma_elevation,
        sensor_x_m=sensor_m[:, 0],
        sensor_y_m=sensor_m[:, 1],
        sensor_z_m=sensor_m[:, 2],
    )
    return plots, planar


def read_plots(
    path: str | Path, sensors_path: str | Path | None = None, batch_s: float = 1.0
) -> PlotFile:
    """The plots of a Parquet or CSV file (see the module docstring) in time-ordered batches
    of ``batch_s`` seconds; polar plots need ``sensors_path``.

    Raises :class:`PlotFileError` naming the file, row and column of the first problem.
    """
    if not np.isfinite(batch_s) or batch_s < MIN_BATCH_S:
        raise ValueError(f"batch_s must be at least {MIN_BATCH_S} s, got {batch_s}")
    path = Path(path)
    table = _read_table(path, "plots")
    if "range_m" in table.column_names or "azimuth_deg" in table.column_names:
        _require(table, _POLAR, path, "plots")
        plots, planar = _polar_plots(
            table, path, None if sensors_path is None else Path(sensors_path)
        )
    else:
        _require(table, _CARTESIAN, path, "plots")
        plots, planar = _cartesian_plots(table, path)
    plots = plots.sorted_by_time()
    if not len(plots):
        return PlotFile([], planar, 0)
    slot = np.floor((plots.t_s - plots.t_s[0]) / batch_s).astype(np.int64)
    bounds = np.flatnonzero(np.diff(slot)) + 1
    batches = [plots.take(rows) for rows in np.split(np.arange(len(plots)), bounds)]
    return PlotFile(batches, planar, len(plots))


def _check_tracks_path(path: Path) -> None:
    """Refuse a tracks file of unknown format, in a missing folder, or that is a folder."""
    suffix = path.suffix.lower()
    if suffix not in _FORMATS:
        raise PlotFileError(
            f"tracks file {path}: unknown format {suffix!r}; use .parquet, .pq or .csv"
        )
    folder = path.parent
    if not folder.is_dir():
        raise PlotFileError(f"tracks file {path}: no folder {folder} to write it in")
    if path.is_dir():
        raise PlotFileError(f"tracks file {path}: is a folder")


def write_tracks(batches: Iterable[TrackBatch], path: str | Path) -> int:
    """Write track batches to a Parquet (``.parquet``, ``.pq``) or CSV (``.csv``) file with the
    columns of :data:`~flankwatch.track.output.TRACK_SCHEMA`; the number of rows written.

    The file is written under a temporary name beside it and renamed into place
    once whole; its folder must exist.
    """
    path = Path(path)
    _check_tracks_path(path)
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
) -> TrackFileSummary:
    """Track the plots of ``plots_path`` and write the tracks to ``tracks_path``.

    One row per track per batch of ``batch_s`` seconds (each track at the batch's
    last plot time), tentative tracks left out unless ``include_tentative``; a
    track's last row has status ``DELETED``. A 2-D plots file is tracked with
    ``planar=True`` whatever ``settings`` says.
    """
    started = time.perf_counter()
    tracks = Path(tracks_path)
    _check_tracks_path(tracks)
    for what, source in (("plots", plots_path), ("sensors", sensors_path)):
        if source is not None and _same_file(Path(source), tracks):
            raise PlotFileError(
                f"tracks file {tracks}: is the {what} file; refusing to write over the input"
            )
    plot_file = read_plots(plots_path, sensors_path, batch_s)
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

    n_rows = write_tracks(tracked(), tracks_path)
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
    )
