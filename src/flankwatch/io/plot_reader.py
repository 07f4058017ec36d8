"""Reading a plots file (Cartesian or polar, 2-D or 3-D; see
:mod:`flankwatch.io.plot_files`) into time-ordered batches of plots."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa

from flankwatch.geo.polar import polar_to_cartesian
from flankwatch.io.plot_columns import (
    PlotFileError,
    check_rows,
    number_column,
    read_table,
    require_columns,
    sensor_id_column,
)
from flankwatch.stream import PlotBatch, PlotKind, position_columns

PLANAR_VARIANCE_M2 = 1e-6
"""Variance given to the fixed ``z = 0`` of plots from a 2-D file, m^2."""

_CARTESIAN = ("time_s", "sensor_id", "x_m", "y_m", "sigma_m")
_POLAR = ("time_s", "sensor_id", "range_m", "azimuth_deg", "sigma_range_m", "sigma_azimuth_deg")
_ELEVATION = ("elevation_deg", "sigma_elevation_deg")
_SENSORS = ("sensor_id", "x_m", "y_m", "z_m")
_READ = {"cartesian": (*_CARTESIAN, "z_m"), "polar": (*_POLAR, *_ELEVATION)}
"""The columns each layout of plots file reads."""
_KNOWN = frozenset(name for columns in _READ.values() for name in columns)
_CLOSE = 0.8
"""How alike (difflib's ratio, 0 to 1) a column's name must be to a column the file lacks
for it to be taken as that column misspelt: ``zm`` or ``Z_m`` for ``z_m``."""

MIN_BATCH_S = 1e-3
"""Shortest batch, s."""


@dataclass(frozen=True)
class PlotFile:
    """The plots of a file, in time-ordered batches."""

    batches: list[PlotBatch]
    """Batches of ``batch_s`` seconds, in time order, each sorted by time."""
    planar: bool
    """True for a 2-D file (no ``z_m``, or polar without elevation)."""
    n_plots: int
    """Number of plots read."""
    unread_columns: tuple[str, ...] = ()
    """Columns of the file that its layout does not read, in file order."""


def _read_sensors(path: Path) -> dict[int, np.ndarray]:
    table = read_table(path, "sensors")
    require_columns(table, _SENSORS, path, "sensors")
    ids = sensor_id_column(table, path, "sensors")
    position = np.column_stack([number_column(table, n, path, "sensors") for n in _SENSORS[1:]])
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
    t_s = number_column(table, "time_s", path, "plots")
    sensor = sensor_id_column(table, path, "plots")
    sigma = number_column(table, "sigma_m", path, "plots")
    n = len(t_s)
    planar = "z_m" not in table.column_names
    z = np.zeros(n) if planar else number_column(table, "z_m", path, "plots")
    zeros = np.zeros(n)
    plots = PlotBatch.build(
        n,
        t_s=t_s,
        sensor_id=sensor,
        kind=np.full(n, PlotKind.RADAR),
        x_m=number_column(table, "x_m", path, "plots"),
        y_m=number_column(table, "y_m", path, "plots"),
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
    if planar and "sigma_elevation_deg" in table.column_names:
        raise PlotFileError(
            f"plots file {path}: column sigma_elevation_deg is given without elevation_deg; "
            "add the elevations, or drop the column to track the file in 2-D"
        )
    if not planar:
        require_columns(table, _ELEVATION, path, "plots")
    t_s = number_column(table, "time_s", path, "plots")
    sensor = sensor_id_column(table, path, "plots")
    known = np.array([s in sensors for s in sensor.tolist()], bool)
    check_rows(known, path, "sensor_id", f"is not in the sensors file {sensors_path}", sensor)
    n = len(t_s)
    range_m = number_column(table, "range_m", path, "plots")
    azimuth = np.radians(number_column(table, "azimuth_deg", path, "plots"))
    sigma_range = number_column(table, "sigma_range_m", path, "plots")
    sigma_azimuth = np.radians(number_column(table, "sigma_azimuth_deg", path, "plots"))
    if planar:
        elevation, sigma_elevation = np.zeros(n), np.zeros(n)
    else:
        elevation = np.radians(number_column(table, "elevation_deg", path, "plots"))
        sigma_elevation = np.radians(number_column(table, "sigma_elevation_deg", path, "plots"))
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


def _unread_columns(table: pa.Table, path: Path, layout: str) -> tuple[str, ...]:
    """The columns of ``table`` that a plots file of ``layout`` does not read.

    Raises :class:`PlotFileError` for one that is a known column in other letter case
    (``Z_m``, ``Range_m``) or looks like a column the file lacks, a character off (``zm``):
    taken as an extra column, it would silently change the file (no ``z_m`` makes it 2-D).
    """
    present = set(table.column_names)
    lacking = [name for name in _READ[layout] if name not in present]
    unread = []
    for name in table.column_names:
        if name in _READ[layout]:
            continue
        if name not in _KNOWN:
            lower = name.lower()
            like = [lower] if lower in _KNOWN else []
            like = like or difflib.get_close_matches(lower, lacking, n=1, cutoff=_CLOSE)
            if like:
                raise PlotFileError(
                    f"plots file {path}: column {name!r} is not one flankwatch reads; "
                    f"did you mean {like[0]!r}? (names are matched exactly)"
                )
        unread.append(name)
    return tuple(unread)


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
    table = read_table(path, "plots")
    if "range_m" in table.column_names or "azimuth_deg" in table.column_names:
        unread = _unread_columns(table, path, "polar")
        require_columns(table, _POLAR, path, "plots")
        plots, planar = _polar_plots(
            table, path, None if sensors_path is None else Path(sensors_path)
        )
    else:
        unread = _unread_columns(table, path, "cartesian")
        require_columns(table, _CARTESIAN, path, "plots")
        if sensors_path is not None:
            raise PlotFileError(
                f"sensors file {sensors_path}: only a polar plots file uses one, and "
                f"{path} holds Cartesian plots (x_m, y_m)"
            )
        plots, planar = _cartesian_plots(table, path)
    plots = plots.sorted_by_time()
    if not len(plots):
        return PlotFile([], planar, 0, unread)
    slot = np.floor((plots.t_s - plots.t_s[0]) / batch_s).astype(np.int64)
    bounds = np.flatnonzero(np.diff(slot)) + 1
    batches = [plots.take(rows) for rows in np.split(np.arange(len(plots)), bounds)]
    return PlotFile(batches, planar, len(plots), unread)
