"""Reading a CSV or Parquet table and checking its columns: every problem raises
:class:`PlotFileError` naming the file, the row (1-based, header not counted) and the
column. The bounds of each number column are those listed in
:mod:`flankwatch.io.plot_files`."""

from __future__ import annotations

import codecs
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

TABLE_FORMATS = (".parquet", ".pq", ".csv")
"""File name endings of the tables read and written: Parquet and CSV."""

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


_ONE_THREAD = pa_csv.ReadOptions(use_threads=False)
"""Files are read on the calling thread: a read on Arrow's thread pool leaves threads that
may still be starting when a bad value, found right after the read, ends the command, and
Arrow then aborts the process at exit (exit code 134 instead of 2: 5 of 80 runs of
`flankwatch track` on a file with a non-finite time, the machine loaded; apache/arrow
#39862). Reading a plots file of 50,000 rows took as long either way."""
_CHUNK_BYTES = 1 << 20
"""Bytes of a CSV file checked for UTF-8 at a time."""


class PlotFileError(ValueError):
    """A plots, sensors or tracks file that cannot be used; the message says where and why."""


def read_table(path: Path, what: str) -> pa.Table:
    """The table of a CSV or Parquet file, read by its literal path; columns named once."""
    suffix = path.suffix.lower()
    if suffix not in TABLE_FORMATS:
        raise PlotFileError(
            f"{what} file {path}: unknown format {suffix!r}; use .parquet, .pq or .csv"
        )
    if not path.is_file():
        raise PlotFileError(f"{what} file {path}: no such file")
    bad_rows: list[pa_csv.InvalidRow] = []

    def refuse(row: pa_csv.InvalidRow) -> str:
        bad_rows.append(row)
        return "error"

    try:
        if path.stat().st_size == 0:
            raise PlotFileError(f"{what} file {path}: the file is empty")
        with path.open("rb") as file:
            if suffix == ".csv":
                _check_utf8(file, path, what)
                options = pa_csv.ConvertOptions(
                    null_values=[""], strings_can_be_null=True, quoted_strings_can_be_null=True
                )
                parse = pa_csv.ParseOptions(invalid_row_handler=refuse)
                table = pa_csv.read_csv(
                    file, read_options=_ONE_THREAD, parse_options=parse, convert_options=options
                )
            else:
                table = pq.ParquetFile(file).read(use_threads=False)
        names = table.column_names
    except (pa.ArrowException, OSError, ValueError) as error:
        if isinstance(error, PlotFileError):
            raise
        if bad_rows:
            raise PlotFileError(f"{what} file {path}: {_fields_message(bad_rows[0])}") from None
        raise PlotFileError(f"{what} file {path}: cannot be read: {error}") from None
    for name in names:
        if names.count(name) > 1:
            raise PlotFileError(
                f"{what} file {path}: column {name} given {names.count(name)} times"
            )
    return table


def _check_utf8(file: BinaryIO, path: Path, what: str) -> None:
    """Refuse a CSV file that is not UTF-8 text, naming the line (1-based, the header
    counted) of the first byte that is not; the file is left at its start."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    lines = 1
    while chunk := file.read(_CHUNK_BYTES):
        try:
            decoder.decode(chunk)
        except UnicodeDecodeError as error:
            line = lines + chunk.count(b"\n", 0, max(error.start, 0))
            raise PlotFileError(f"{what} file {path}: line {line} is not UTF-8 text") from None
        lines += chunk.count(b"\n")
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise PlotFileError(f"{what} file {path}: line {lines} is not UTF-8 text") from None
    file.seek(0)


def _fields_message(row: pa_csv.InvalidRow) -> str:
    """What is wrong with a CSV row of the wrong number of fields, by its row (1-based,
    header and blank lines not counted, as Arrow counts them past the header)."""
    number = row.number
    where = "a row" if number is None or number < 2 else f"row {number - 1}"
    return f"{where}: expected {row.expected_columns} fields, got {row.actual_columns}"


def require_columns(table: pa.Table, columns: Iterable[str], path: Path, what: str) -> None:
    """Refuse a table that lacks any of ``columns``, naming those missing and those found."""
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


def number_column(table: pa.Table, name: str, path: Path, what: str) -> np.ndarray:
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
            check_rows(values > 0.0, path, name, "must be positive", values, what)
        elif low == 0.0:
            check_rows(values >= 0.0, path, name, "must not be negative", values, what)
        check_rows(
            (values >= low) & (values <= high),
            path,
            name,
            f"is out of bounds: {low:g} to {high:g} {unit}",
            values,
            what,
        )
    return values


def check_rows(
    condition: np.ndarray,
    path: Path,
    name: str,
    rule: str,
    values: np.ndarray,
    what: str = "plots",
) -> None:
    """Refuse the first row where ``condition`` fails: its value and the ``rule`` it breaks."""
    bad = np.flatnonzero(~condition)
    if len(bad):
        raise PlotFileError(
            f"{what} file {path}: row {bad[0] + 1}, column {name}: {values[bad[0]]} {rule}"
        )


def sensor_id_column(table: pa.Table, path: Path, what: str) -> np.ndarray:
    """The ``sensor_id`` column: whole numbers from 0 to :data:`MAX_SENSOR_ID`, as int32."""
    values = number_column(table, "sensor_id", path, what)
    check_rows(values == np.round(values), path, "sensor_id", "is not an integer", values, what)
    bad = np.flatnonzero((values < 0) | (values > MAX_SENSOR_ID))
    if len(bad):
        raise PlotFileError(
            f"{what} file {path}: row {bad[0] + 1}, column sensor_id: {int(values[bad[0]])} "
            f"is not a sensor id (0 to {MAX_SENSOR_ID})"
        )
    return values.astype(np.int32)
