"""Plot files in (Cartesian, polar; CSV, Parquet), track files out, and their errors."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import pytest

from flankwatch.io import track_writer
from flankwatch.io.plot_files import PlotFileError, read_plots, track_file, write_tracks
from flankwatch.track.output import TrackBatch, TrackStatus
from flankwatch.track.settings import TrackerSettings


def _write(table: pa.Table, path: Path) -> Path:
    if path.suffix == ".csv":
        pa_csv.write_csv(table, path)
    else:
        pq.write_table(table, path)
    return path


def _targets(n_scans: int = 20, planar: bool = True, seed: int = 0):
    """Three straight targets seen once a second; columns of a Cartesian plots file."""
    rng = np.random.default_rng(seed)
    t = np.repeat(np.arange(n_scans, dtype=float), 3)
    start = np.tile([[0.0, 0.0], [5000.0, 0.0], [0.0, 8000.0]], (n_scans, 1))
    velocity = np.tile([[100.0, 0.0], [0.0, 60.0], [-40.0, -40.0]], (n_scans, 1))
    xy = start + t[:, None] * velocity + rng.normal(0, 5, (len(t), 2))
    columns = {
        "time_s": t,
        "sensor_id": np.ones(len(t), np.int64),
        "x_m": xy[:, 0],
        "y_m": xy[:, 1],
        "sigma_m": np.full(len(t), 5.0),
    }
    if not planar:
        columns["z_m"] = np.full(len(t), 800.0) + rng.normal(0, 5, len(t))
    return columns


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_cartesian_2d_file_is_read_in_time_ordered_batches(tmp_path: Path, suffix: str) -> None:
    columns = _targets()
    order = np.random.default_rng(1).permutation(len(columns["time_s"]))
    path = _write(pa.table({k: v[order] for k, v in columns.items()}), tmp_path / f"p{suffix}")
    plots = read_plots(path, batch_s=2.0)
    assert plots.planar and plots.n_plots == 60
    assert len(plots.batches) == 10
    times = np.concatenate([b.t_s for b in plots.batches])
    assert np.all(np.diff(times) >= 0)
    first = plots.batches[0]
    assert np.all(first.z_m == 0.0) and np.all(first.cov_zz_m2 < 1e-3)
    assert np.allclose(first.cov_xx_m2, 25.0)


def test_cartesian_3d_file_keeps_heights(tmp_path: Path) -> None:
    path = _write(pa.table(_targets(planar=False)), tmp_path / "p.parquet")
    plots = read_plots(path)
    assert not plots.planar
    assert np.allclose(plots.batches[0].z_m, 800.0, atol=30.0)
    assert np.allclose(plots.batches[0].cov_zz_m2, 25.0)


def test_polar_file_is_converted_about_its_sensor(tmp_path: Path) -> None:
    sensors = _write(
        pa.table(
            {"sensor_id": [3, 4], "x_m": [1000.0, -50.0], "y_m": [2000.0, 0.0], "z_m": [10.0, 0.0]}
        ),
        tmp_path / "sensors.csv",
    )
    plots_path = _write(
        pa.table(
            {
                "time_s": [0.0, 0.5],
                "sensor_id": [3, 4],
                "range_m": [10_000.0, 5000.0],
                "azimuth_deg": [90.0, 0.0],
                "elevation_deg": [0.0, 30.0],
                "sigma_range_m": [10.0, 10.0],
                "sigma_azimuth_deg": [0.1, 0.1],
                "sigma_elevation_deg": [0.2, 0.2],
            }
        ),
        tmp_path / "polar.parquet",
    )
    plots = read_plots(plots_path, sensors)
    batch = plots.batches[0]
    assert not plots.planar
    assert np.allclose(batch.position()[0], [11_000.0, 2000.0, 10.0], atol=1e-6)
    assert np.allclose(batch.position()[1], [-50.0, 5000 * np.cos(np.radians(30)), 2500.0])
    # cross-range variance (north, for an east-pointing beam) is (r * sigma_az)^2
    assert np.isclose(batch.cov_yy_m2[0], (10_000 * np.radians(0.1)) ** 2)
    assert np.isclose(batch.cov_xx_m2[0], 100.0)


def test_polar_without_elevation_is_planar(tmp_path: Path) -> None:
    sensors = _write(
        pa.table({"sensor_id": [1], "x_m": [0.0], "y_m": [0.0], "z_m": [50.0]}), tmp_path / "s.csv"
    )
    path = _write(
        pa.table(
            {
                "time_s": [0.0],
                "sensor_id": [1],
                "range_m": [1000.0],
                "azimuth_deg": [45.0],
                "sigma_range_m": [5.0],
                "sigma_azimuth_deg": [0.5],
            }
        ),
        tmp_path / "p.csv",
    )
    plots = read_plots(path, sensors)
    assert plots.planar
    assert np.allclose(plots.batches[0].position()[0], [1000 / np.sqrt(2), 1000 / np.sqrt(2), 0.0])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("time_s,sensor_id,x_m,sigma_m\n0,1,2,3\n", "missing column(s) y_m"),
        (
            "time_s,sensor_id,x_m,y_m,sigma_m\n0,1,2,3,4\n1,1,2,north,4\n",
            "row 2, column y_m: 'north' is not a number",
        ),
        (
            "time_s,sensor_id,x_m,y_m,sigma_m\n0,1,2,3,4\n1,1,2,3,-4\n",
            "row 2, column sigma_m: -4.0 must be positive",
        ),
        (
            "time_s,sensor_id,x_m,y_m,sigma_m\n0,1.5,2,3,4\n",
            "row 1, column sensor_id: 1.5 is not an integer",
        ),
        (
            "time_s,sensor_id,x_m,y_m,sigma_m\n0,1,2,3,4\n,1,2,3,4\n",
            "row 2, column time_s: empty value",
        ),
    ],
)
def test_bad_cartesian_files_say_where_and_why(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(content)
    with pytest.raises(PlotFileError) as error:
        read_plots(path)
    assert str(path) in str(error.value)
    assert message in str(error.value)


@pytest.mark.parametrize(
    ("header", "column", "meant"),
    [
        ("time_s,sensor_id,x_m,y_m,Z_m,sigma_m", "Z_m", "z_m"),
        ("time_s,sensor_id,x_m,y_m,zm,sigma_m", "zm", "z_m"),
        ("time_s,sensor_id,X_M,y_m,z_m,sigma_m", "X_M", "x_m"),
        (
            "time_s,sensor_id,Range_m,azimuth_deg,sigma_range_m,sigma_azimuth_deg",
            "Range_m",
            "range_m",
        ),
    ],
)
def test_a_misspelt_column_is_refused_not_left_out(
    tmp_path: Path, header: str, column: str, meant: str
) -> None:
    # read as an extra column, a misspelt z_m would silently make the file 2-D
    path = tmp_path / "plots.csv"
    path.write_text(f"{header}\n0,1,2,3,4,5\n")
    with pytest.raises(PlotFileError) as error:
        read_plots(path)
    assert f"column {column!r} is not one flankwatch reads; did you mean {meant!r}?" in str(
        error.value
    )


def test_columns_a_layout_does_not_read_are_listed(tmp_path: Path) -> None:
    path = tmp_path / "plots.csv"
    path.write_text(
        "callsign,time_s,sensor_id,x_m,y_m,z_m,sigma_m,sigma_range_m\nA,0,1,2,3,4,5,6\n"
    )
    plots = read_plots(path)
    assert plots.unread_columns == ("callsign", "sigma_range_m")
    assert not plots.planar


def test_an_elevation_sigma_without_elevations_is_refused(tmp_path: Path) -> None:
    sensors = _write(
        pa.table({"sensor_id": [1], "x_m": [0.0], "y_m": [0.0], "z_m": [50.0]}), tmp_path / "s.csv"
    )
    path = tmp_path / "p.csv"
    path.write_text(
        "time_s,sensor_id,range_m,azimuth_deg,sigma_range_m,sigma_azimuth_deg,sigma_elevation_deg\n"
        "0,1,1000,45,5,0.5,0.5\n"
    )
    with pytest.raises(PlotFileError, match="sigma_elevation_deg is given without elevation_deg"):
        read_plots(path, sensors)


def test_polar_errors_name_the_sensor_problem(tmp_path: Path) -> None:
    path = _write(
        pa.table(
            {
                "time_s": [0.0, 1.0],
                "sensor_id": [1, 2],
                "range_m": [1.0, 2.0],
                "azimuth_deg": [0.0, 0.0],
                "sigma_range_m": [1.0, 1.0],
                "sigma_azimuth_deg": [1.0, 1.0],
            }
        ),
        tmp_path / "p.csv",
    )
    with pytest.raises(PlotFileError, match="need a sensors file"):
        read_plots(path)
    sensors = _write(
        pa.table({"sensor_id": [1], "x_m": [0.0], "y_m": [0.0], "z_m": [0.0]}), tmp_path / "s.csv"
    )
    with pytest.raises(PlotFileError, match="row 2, column sensor_id: 2 is not in the sensors"):
        read_plots(path, sensors)
    with pytest.raises(PlotFileError, match="no such file"):
        read_plots(path, tmp_path / "missing.csv")
    with pytest.raises(PlotFileError, match="unknown format '.txt'"):
        read_plots(tmp_path / "plots.txt")


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_track_file_writes_confirmed_tracks_near_the_targets(tmp_path: Path, suffix: str) -> None:
    plots = _write(pa.table(_targets(n_scans=25)), tmp_path / "plots.csv")
    out = tmp_path / f"tracks{suffix}"
    settings = dataclasses.replace(TrackerSettings(), motion="cv")
    summary = track_file(plots, out, settings=settings)
    assert summary.planar and summary.n_plots == 75 and summary.n_batches == 25
    assert summary.n_confirmed_tracks == 3
    table = pa_csv.read_csv(out) if suffix == ".csv" else pq.read_table(out)
    assert table.num_rows == summary.n_rows
    tracks = table.to_pydict()
    assert set(tracks["status"]) <= {TrackStatus.CONFIRMED, TrackStatus.COASTING}
    last = [i for i, t in enumerate(tracks["time_s"]) if t == 24.0]
    positions = np.array([[tracks["x_m"][i], tracks["y_m"][i]] for i in last])
    expected = np.array([[2400.0, 0.0], [5000.0, 1440.0], [-960.0, 7040.0]])
    for point in expected:
        assert np.min(np.linalg.norm(positions - point, axis=1)) < 15.0
    assert np.all(np.array(tracks["z_m"]) == 0.0)


def test_write_tracks_rejects_unknown_formats(tmp_path: Path) -> None:
    with pytest.raises(PlotFileError, match="unknown format"):
        write_tracks([TrackBatch.empty()], tmp_path / "tracks.json")


_HEADER = "time_s,sensor_id,x_m,y_m,sigma_m\n"
_CARTESIAN_NAMES = ["time_s", "sensor_id", "x_m", "y_m", "sigma_m"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (_HEADER + "0,-1,0,0,5\n", "row 1, column sensor_id: -1 is not a sensor id"),
        (_HEADER + "0,1,0,0,5\n1,3000000000,0,0,5\n", "row 2, column sensor_id: 3000000000 is"),
        (_HEADER + "0,2147483648,0,0,5\n", "column sensor_id: 2147483648 is not a sensor id"),
        (_HEADER + "0,1,1e300,0,5\n", "row 1, column x_m: 1e+300 is out of bounds"),
        (_HEADER + "0,1,0,-1e300,5\n", "row 1, column y_m: -1e+300 is out of bounds"),
        (_HEADER + "1e300,1,0,0,5\n", "row 1, column time_s: 1e+300 is out of bounds"),
        (_HEADER + "0,1,0,0,1e300\n", "row 1, column sigma_m: 1e+300 is out of bounds"),
        (_HEADER + "0,1,0,0,1e-300\n", "row 1, column sigma_m: 1e-300 is out of bounds"),
        (_HEADER + "0,1,0,0,5\n0,1,inf,0,5\n", "row 2, column x_m: inf is not a finite number"),
        (_HEADER + "0,1,0,0,5\n0,1,0,-inf,5\n", "row 2, column y_m: -inf is not a finite"),
        (_HEADER + "0,1,0,0,5\n0,1,nan,0,5\n", "row 2, column x_m: nan is not a finite number"),
        (_HEADER + "0,1,0,0,NaN\n", "row 1, column sigma_m: nan is not a finite number"),
        (_HEADER + "0,1,true,0,5\n", "row 1, column x_m: True is not a number"),
        (_HEADER + "2025-01-01,1,0,0,5\n", "row 1, column time_s"),
        (_HEADER + "0,1,0,0,5,9\n", "row 1: expected 5 fields, got 6"),
        (_HEADER + "0,1,0,0,5\n\n1,1,5\n", "row 2: expected 5 fields, got 3"),
        ("time_s,sensor_id,x_m,x_m,y_m,sigma_m\n0,1,0,0,0,5\n", "column x_m given 2 times"),
        ("", "the file is empty"),
        ("\xff\xfe\x00garbage\n", "plots file"),
    ],
)
def test_bad_values_are_named_not_raised(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content.encode("latin-1"))
    with pytest.raises(PlotFileError) as error:
        read_plots(path)
    assert str(path) in str(error.value)
    assert message in str(error.value)


def test_a_file_with_a_header_and_no_rows_has_no_plots(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text(_HEADER)
    plots = read_plots(path)
    assert plots.n_plots == 0 and plots.batches == []


def _parquet_plots(**columns: pa.Array) -> pa.Table:
    base = {
        "time_s": pa.array([0.0]),
        "sensor_id": pa.array([1], pa.int64()),
        "x_m": pa.array([0.0]),
        "y_m": pa.array([0.0]),
        "sigma_m": pa.array([5.0]),
    }
    base.update(columns)
    return pa.table(base)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (_parquet_plots(sensor_id=pa.array([2**63 - 1], pa.uint64())), "is not a sensor id"),
        (_parquet_plots(sensor_id=pa.array([-5], pa.int8())), "-5 is not a sensor id"),
        (_parquet_plots(sensor_id=pa.array([True])), "column sensor_id: True is not a number"),
        (_parquet_plots(time_s=pa.array([0], pa.timestamp("s"))), "column time_s"),
        (_parquet_plots(x_m=pa.array([[1.0]])), "column x_m: [1.0] is not a number"),
        (_parquet_plots(x_m=pa.array([b"1"])), "column x_m"),
        (_parquet_plots(x_m=pa.array([float("nan")])), "column x_m: nan is not a finite"),
        (_parquet_plots(y_m=pa.array([float("inf")], pa.float32())), "column y_m: inf"),
        (_parquet_plots(y_m=pa.array([None], pa.float64())), "column y_m: empty value"),
        (
            pa.table([[0.0], [1], [0.0], [0.0], [5.0], [1.0]], names=[*_CARTESIAN_NAMES, "x_m"]),
            "column x_m given 2 times",
        ),
    ],
)
def test_bad_parquet_columns_are_named(tmp_path: Path, table: pa.Table, message: str) -> None:
    path = tmp_path / "bad.parquet"
    pq.write_table(table, path)
    with pytest.raises(PlotFileError) as error:
        read_plots(path)
    assert str(path) in str(error.value)
    assert message in str(error.value)


def test_text_numbers_and_dictionary_columns_are_read(tmp_path: Path) -> None:
    table = _parquet_plots(
        x_m=pa.array(["12.5"]),
        y_m=pa.array(["3"]).dictionary_encode(),
        sigma_m=pa.array([5], pa.int16()),
    )
    path = tmp_path / "p.parquet"
    pq.write_table(table, path)
    batch = read_plots(path).batches[0]
    assert batch.x_m[0] == 12.5 and batch.y_m[0] == 3.0 and batch.cov_xx_m2[0] == 25.0


def test_polar_values_out_of_bounds_are_named(tmp_path: Path) -> None:
    sensors = _write(
        pa.table({"sensor_id": [1], "x_m": [0.0], "y_m": [0.0], "z_m": [1e12]}), tmp_path / "s.csv"
    )
    polar = {
        "time_s": [0.0],
        "sensor_id": [1],
        "range_m": [1000.0],
        "azimuth_deg": [45.0],
        "elevation_deg": [95.0],
        "sigma_range_m": [5.0],
        "sigma_azimuth_deg": [0.5],
        "sigma_elevation_deg": [0.5],
    }
    path = _write(pa.table(polar), tmp_path / "p.csv")
    with pytest.raises(PlotFileError, match=r"sensors file .*row 1, column z_m: 1000000000000.0"):
        read_plots(path, sensors)
    sensors = _write(
        pa.table({"sensor_id": [1], "x_m": [0.0], "y_m": [0.0], "z_m": [0.0]}), tmp_path / "s.csv"
    )
    with pytest.raises(PlotFileError, match="row 1, column elevation_deg: 95.0 is out of bounds"):
        read_plots(path, sensors)
    for column, value, rule in [
        ("range_m", -1.0, "must not be negative"),
        ("sigma_azimuth_deg", 0.0, "must be positive"),
        ("azimuth_deg", 1e9, "is out of bounds"),
    ]:
        path = _write(pa.table({**polar, "elevation_deg": [5.0], column: [value]}), path)
        with pytest.raises(PlotFileError, match=f"row 1, column {column}: .* {rule}"):
            read_plots(path, sensors)


def test_tracks_are_not_written_where_no_folder_is(tmp_path: Path) -> None:
    plots = _write(pa.table(_targets(n_scans=3)), tmp_path / "plots.csv")
    with pytest.raises(PlotFileError, match="no folder .*missing"):
        track_file(plots, tmp_path / "missing" / "tracks.csv")
    assert not (tmp_path / "missing").exists()
    (tmp_path / "dir.csv").mkdir()
    with pytest.raises(PlotFileError, match="is a folder"):
        track_file(plots, tmp_path / "dir.csv")


@pytest.mark.parametrize("link", [False, True])
def test_tracks_never_overwrite_their_input(tmp_path: Path, link: bool) -> None:
    plots = _write(pa.table(_targets(n_scans=3)), tmp_path / "plots.csv")
    before = plots.read_bytes()
    out = plots
    if link:
        out = tmp_path / "link.csv"
        out.symlink_to(plots)
    with pytest.raises(PlotFileError, match="is the plots file; refusing to write over"):
        track_file(plots, out)
    assert plots.read_bytes() == before
    sensors = _write(
        pa.table({"sensor_id": [1], "x_m": [0.0], "y_m": [0.0], "z_m": [0.0]}), tmp_path / "s.csv"
    )
    with pytest.raises(PlotFileError, match="is the sensors file"):
        track_file(plots, tmp_path / "s.csv", sensors)


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_a_file_already_at_the_tracks_name_is_replaced_only_if_asked_and_a_tracks_file(
    tmp_path: Path, suffix: str
) -> None:
    plots = _write(pa.table(_targets(n_scans=3)), tmp_path / "plots.csv")
    out = tmp_path / f"tracks{suffix}"
    users = _write(pa.table({"time_s": [1.0], "note": ["the user's own"]}), out)
    before = users.read_bytes()
    for replace, refusal in ((False, "exists; use --force"), (True, "is not a tracks file")):
        with pytest.raises(PlotFileError, match=refusal):
            track_file(plots, out, replace=replace)
        assert out.read_bytes() == before
    out.unlink()
    track_file(plots, out)
    ours = out.read_bytes()
    with pytest.raises(PlotFileError, match="exists; use --force"):
        track_file(plots, out, include_tentative=True)
    assert out.read_bytes() == ours
    summary = track_file(plots, out, include_tentative=True, replace=True)
    assert out.read_bytes() != ours, "tentative tracks now written too"
    table = pa_csv.read_csv(out) if suffix == ".csv" else pq.read_table(out)
    assert table.num_rows == summary.n_rows > 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plots.csv", out.name]


def test_a_link_at_the_tracks_name_is_never_replaced(tmp_path: Path) -> None:
    plots = _write(pa.table(_targets(n_scans=3)), tmp_path / "plots.csv")
    track_file(plots, tmp_path / "ours.csv")
    link = tmp_path / "link.csv"
    link.symlink_to(tmp_path / "ours.csv")
    with pytest.raises(PlotFileError, match="is not a tracks file"):
        track_file(plots, link, replace=True)
    assert link.is_symlink()


def test_a_file_that_appears_while_tracking_is_not_replaced(tmp_path: Path) -> None:
    out = tmp_path / "tracks.csv"

    def batches():
        yield TrackBatch.empty()
        out.write_text("written meanwhile\n")
        yield TrackBatch.empty()

    with pytest.raises(PlotFileError, match="exists; use --force"):
        write_tracks(batches(), out)
    assert out.read_text() == "written meanwhile\n"
    assert list(tmp_path.iterdir()) == [out]


def test_a_failed_run_leaves_no_tracks_file(tmp_path: Path) -> None:
    def failing():
        yield TrackBatch.empty()
        raise RuntimeError("tracker failed")

    out = tmp_path / "tracks.parquet"
    with pytest.raises(RuntimeError):
        write_tracks(failing(), out)
    assert list(tmp_path.iterdir()) == []


def test_a_small_file_is_tracked_without_numba_and_a_larger_one_with_it(tmp_path: Path) -> None:
    # the small file is tracked with the kernels run as Python, faster than Numba's start
    small = _write(pa.table(_targets(n_scans=20)), tmp_path / "small.csv")  # 60 plots
    large = _write(pa.table(_targets(n_scans=40)), tmp_path / "large.csv")  # 120 plots
    assert 60 <= track_writer.INTERPRETED_MAX_PLOTS < 120
    script = (
        "import sys\n"
        "from flankwatch.io.plot_files import track_file\n"
        "summary = track_file(sys.argv[1], sys.argv[2])\n"
        "print(summary.n_confirmed_tracks, 'numba' in sys.modules)\n"
    )
    loaded = {}
    for plots in (small, large):
        done = subprocess.run(
            [sys.executable, "-c", script, str(plots), str(tmp_path / f"{plots.stem}-tracks.csv")],
            capture_output=True,
            text=True,
            timeout=300,
            check=True,
        )
        confirmed, numba = done.stdout.split()
        assert confirmed == "3"
        loaded[plots.stem] = numba
    assert loaded == {"small": "False", "large": "True"}


@pytest.mark.parametrize("planar", [True, False])
def test_tracks_are_the_same_byte_for_byte_with_kernels_run_as_python(
    tmp_path: Path, planar: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    plots = _write(pa.table(_targets(n_scans=30, planar=planar, seed=3)), tmp_path / "p.csv")
    monkeypatch.setattr(track_writer, "INTERPRETED_MAX_PLOTS", 0)
    track_file(plots, tmp_path / "compiled.csv", include_tentative=True)
    monkeypatch.setattr(track_writer, "INTERPRETED_MAX_PLOTS", 10**6)
    summary = track_file(plots, tmp_path / "python.csv", include_tentative=True)
    assert summary.n_confirmed_tracks == 3
    compiled = (tmp_path / "compiled.csv").read_bytes()
    assert compiled.count(b"\n") > 60
    assert (tmp_path / "python.csv").read_bytes() == compiled
