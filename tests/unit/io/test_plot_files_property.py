"""Whatever a plots file holds, reading it ends in plots or in a PlotFileError, nothing else."""

from __future__ import annotations

import dataclasses
import decimal
import math
import tempfile
from pathlib import Path
from unittest import mock

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flankwatch.io import track_writer
from flankwatch.io.plot_files import PlotFile, PlotFileError, read_plots, track_file
from flankwatch.track.settings import TrackerSettings

CARTESIAN = ["time_s", "sensor_id", "x_m", "y_m", "z_m", "sigma_m"]
POLAR = [
    "time_s",
    "sensor_id",
    "range_m",
    "azimuth_deg",
    "elevation_deg",
    "sigma_range_m",
    "sigma_azimuth_deg",
    "sigma_elevation_deg",
]
NAMES = sorted(set(CARTESIAN + POLAR)) + ["", "other", "x_m ", "TIME_S", "naïve", "a,b"]

SENSORS = "sensor_id,x_m,y_m,z_m\n0,0,0,0\n1,1000,0,10\n2,0,-2000,0\n"

PROPERTY = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

floats = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(-1e4, 1e4),
    st.sampled_from([0.0, -0.0, 1e-300, 1e300, 2.0**31, 2.0**63, 1e9, 1e11 + 1, 0.5, 5.0]),
)
integers = st.one_of(
    st.integers(-(2**70), 2**70),
    st.integers(-2, 5),
    st.sampled_from([2**31 - 1, 2**31, 2**32, -(2**31), 2**63 - 1]),
)
texts = st.one_of(
    st.sampled_from(
        ["", "north", "nan", "NaN", "inf", "-inf", "true", "1_0", "0x10", " 5 ", "1e", "--1", "é"]
    ),
    st.text(max_size=8),
)
tokens = st.one_of(floats.map(repr), integers.map(str), texts)


def _csv_cell(token: str) -> str:
    if any(ch in token for ch in ',"\n\r'):
        return '"' + token.replace('"', '""') + '"'
    return token


GOOD = {
    "time_s": st.floats(0.0, 100.0),
    "sensor_id": st.integers(0, 2),
    "x_m": st.floats(-1e5, 1e5),
    "y_m": st.floats(-1e5, 1e5),
    "z_m": st.floats(0.0, 1e4),
    "sigma_m": st.floats(1.0, 100.0),
    "range_m": st.floats(0.0, 1e5),
    "azimuth_deg": st.floats(0.0, 360.0),
    "elevation_deg": st.floats(-5.0, 60.0),
    "sigma_range_m": st.floats(1.0, 100.0),
    "sigma_azimuth_deg": st.floats(0.01, 2.0),
    "sigma_elevation_deg": st.floats(0.01, 2.0),
}
"""Values a good plots file could hold, per column."""


@st.composite
def good_columns(draw: st.DrawFn) -> dict[str, list[float | int]]:
    """The columns of a good plots file (Cartesian or polar, 2-D or 3-D)."""
    layout = list(draw(st.sampled_from([CARTESIAN, POLAR])))
    if draw(st.booleans()):
        layout = [name for name in layout if name not in ("z_m", "elevation_deg")]
        layout = [name for name in layout if name != "sigma_elevation_deg"]
    n = draw(st.integers(0, 8))
    return {name: draw(st.lists(GOOD[name], min_size=n, max_size=n)) for name in layout}


@st.composite
def csv_files(draw: st.DrawFn) -> bytes:
    """CSV text: a good file spoilt in a few places, or rows of numbers and junk."""
    if draw(st.integers(0, 20)) == 0:
        return draw(st.binary(max_size=64))
    if draw(st.integers(0, 3)) == 0:
        header = draw(st.lists(st.sampled_from(NAMES), max_size=9))
        rows = draw(
            st.lists(
                st.lists(tokens, min_size=max(0, len(header) - 1), max_size=len(header) + 1),
                max_size=8,
            )
        )
    else:
        columns = draw(good_columns())
        header = list(columns)
        n = len(next(iter(columns.values())))
        rows = [[repr(columns[name][k]) for name in header] for k in range(n)]
        for _ in range(draw(st.integers(0, 3))):
            change = draw(st.sampled_from(["twice", "drop", "cell", "extra", "ragged"]))
            if change == "twice" and header:
                k = draw(st.integers(0, len(header) - 1))
                header.append(header[k])
                rows = [row + [row[k] if k < len(row) else ""] for row in rows]
            elif change == "drop" and header:
                k = draw(st.integers(0, len(header) - 1))
                del header[k]
                rows = [row[:k] + row[k + 1 :] for row in rows]
            elif change == "cell" and rows and rows[0]:
                row = draw(st.integers(0, len(rows) - 1))
                cell = draw(st.integers(0, len(rows[row]) - 1))
                rows[row][cell] = draw(tokens)
            elif change == "extra":
                header.append(draw(st.sampled_from(NAMES)))
                rows = [row + [draw(tokens)] for row in rows]
            elif change == "ragged" and rows:
                row = draw(st.integers(0, len(rows) - 1))
                rows[row] = rows[row][:-1] if draw(st.booleans()) else rows[row] + ["1"]
    lines = [",".join(_csv_cell(name) for name in header)]
    lines += [",".join(_csv_cell(token) for token in row) for row in rows]
    text = "\n".join(lines) + draw(st.sampled_from(["", "\n", "\r\n"]))
    return text.encode("utf-8")


def _array(draw: st.DrawFn, n: int) -> pa.Array:
    """An Arrow column of ``n`` values of a random type."""
    kind = draw(
        st.sampled_from(
            [
                "float64",
                "float64",
                "float32",
                "int64",
                "int8",
                "uint64",
                "bool",
                "string",
                "binary",
                "timestamp",
                "list",
                "dictionary",
                "null",
                "decimal",
                "small",
            ]
        )
    )
    if kind in ("float64", "float32"):
        values = draw(st.lists(st.one_of(floats, st.none()), min_size=n, max_size=n))
        return pa.array(values, getattr(pa, kind)())
    if kind == "small":
        return pa.array(draw(st.lists(st.floats(0.0, 20.0), min_size=n, max_size=n)))
    if kind == "int64":
        values = draw(st.lists(st.integers(-(2**63), 2**63 - 1), min_size=n, max_size=n))
        return pa.array(values, pa.int64())
    if kind == "int8":
        return pa.array(draw(st.lists(st.integers(-128, 127), min_size=n, max_size=n)), pa.int8())
    if kind == "uint64":
        values = draw(st.lists(st.integers(0, 2**64 - 1), min_size=n, max_size=n))
        return pa.array(values, pa.uint64())
    if kind == "bool":
        return pa.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)))
    if kind == "string":
        return pa.array(draw(st.lists(tokens, min_size=n, max_size=n)), pa.string())
    if kind == "binary":
        return pa.array(draw(st.lists(st.binary(max_size=4), min_size=n, max_size=n)))
    if kind == "timestamp":
        values = draw(st.lists(st.integers(0, 2**40), min_size=n, max_size=n))
        return pa.array(values, pa.timestamp("ms"))
    if kind == "list":
        return pa.array(draw(st.lists(st.lists(floats, max_size=2), min_size=n, max_size=n)))
    if kind == "dictionary":
        return pa.array(draw(st.lists(tokens, min_size=n, max_size=n))).dictionary_encode()
    if kind == "decimal":
        values = draw(st.lists(st.integers(-(10**12), 10**12), min_size=n, max_size=n))
        return pa.array([decimal.Decimal(v) / 100 for v in values], pa.decimal128(20, 2))
    return pa.nulls(n)


@st.composite
def parquet_tables(draw: st.DrawFn) -> pa.Table:
    """A good table spoilt in a few places, or columns of random types and values."""
    if draw(st.integers(0, 3)) == 0:
        names = draw(st.lists(st.sampled_from(NAMES), max_size=9))
        n = draw(st.integers(0, 10))
        return pa.Table.from_arrays([_array(draw, n) for _ in names], names=names)
    columns = draw(good_columns())
    names = list(columns)
    arrays = [pa.array(columns[name]) for name in names]
    n = len(arrays[0])
    for _ in range(draw(st.integers(0, 3))):
        change = draw(st.sampled_from(["twice", "drop", "type", "extra"]))
        if change == "twice" and names:
            k = draw(st.integers(0, len(names) - 1))
            names.append(names[k])
            arrays.append(arrays[k])
        elif change == "drop" and names:
            k = draw(st.integers(0, len(names) - 1))
            del names[k], arrays[k]
        elif change == "type" and names:
            arrays[draw(st.integers(0, len(names) - 1))] = _array(draw, n)
        elif change == "extra":
            names.append(draw(st.sampled_from(NAMES)))
            arrays.append(_array(draw, n))
    return pa.Table.from_arrays(arrays, names=names)


def _read(path: Path, sensors: Path | None) -> PlotFile | None:
    try:
        plots = read_plots(path, sensors, batch_s=1.0)
    except PlotFileError as error:
        assert str(path) in str(error) or (sensors is not None and str(sensors) in str(error))
        return None
    for batch in plots.batches:
        assert np.all(np.isfinite(batch.position()))
        assert np.all(np.diff(batch.t_s) >= 0)
    assert sum(len(batch) for batch in plots.batches) == plots.n_plots
    return plots


@PROPERTY
@given(content=csv_files(), polar_sensors=st.booleans())
def test_any_csv_file_reads_or_is_named(content: bytes, polar_sensors: bool) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "plots.csv"
        path.write_bytes(content)
        sensors = Path(folder) / "sensors.csv"
        sensors.write_text(SENSORS)
        _read(path, sensors if polar_sensors else None)


@PROPERTY
@given(table=parquet_tables(), polar_sensors=st.booleans())
def test_any_parquet_file_reads_or_is_named(table: pa.Table, polar_sensors: bool) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "plots.parquet"
        pq.write_table(table, path)
        sensors = Path(folder) / "sensors.csv"
        sensors.write_text(SENSORS)
        _read(path, sensors if polar_sensors else None)


@st.composite
def in_bounds(draw: st.DrawFn) -> pa.Table:
    """Cartesian plots with every value anywhere within the documented bounds."""
    n = draw(st.integers(1, 30))

    def column(low: float, high: float) -> list[float]:
        edge = st.sampled_from([low, high, 0.0 if low <= 0.0 <= high else low])
        return draw(st.lists(st.one_of(st.floats(low, high), edge), min_size=n, max_size=n))

    return pa.table(
        {
            "time_s": column(-1e11, 1e11),
            "sensor_id": draw(st.lists(st.sampled_from([0, 1, 2**31 - 1]), min_size=n, max_size=n)),
            "x_m": column(-1e9, 1e9),
            "y_m": column(-1e9, 1e9),
            "z_m": column(-1e9, 1e9),
            "sigma_m": column(1e-3, 1e7),
        }
    )


def _tracked_both_ways(plots: Path, sensors: Path | None, planar_cv: bool = False) -> bytes:
    """The tracks file of ``plots`` (with every tentative track), written with the kernels
    compiled and again with them run as Python; the two must be the same, byte for byte."""
    written = []
    settings_ = dataclasses.replace(TrackerSettings(), motion="cv") if planar_cv else None
    for way, limit in (("compiled", 0), ("python", 10**9)):
        out = plots.with_name(f"tracks-{way}.csv")
        with mock.patch.object(track_writer, "INTERPRETED_MAX_PLOTS", limit):
            summary = track_file(plots, out, sensors, settings_, include_tentative=True)
        assert math.isfinite(summary.elapsed_s)
        written.append(out.read_bytes())
    assert written[0] == written[1]
    return written[0]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(table=in_bounds(), planar=st.booleans())
def test_plots_within_bounds_are_tracked_without_a_traceback(table: pa.Table, planar: bool) -> None:
    # both ways: a small file is tracked with the kernels as Python, a larger one compiled
    if planar:
        table = table.drop_columns(["z_m"])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "plots.parquet"
        pq.write_table(table, path)
        tracks = _tracked_both_ways(path, None, planar_cv=True)
        assert tracks.startswith(b'"time_s","track_id"')


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(columns=good_columns())
def test_any_good_file_is_tracked_the_same_with_kernels_compiled_or_as_python(
    columns: dict[str, list[float | int]],
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "plots.parquet"
        pq.write_table(pa.table(columns), path)
        sensors = Path(folder) / "sensors.csv"
        sensors.write_text(SENSORS)
        _tracked_both_ways(path, sensors if "range_m" in columns else None)
