"""Plot files in (Cartesian, polar; CSV, Parquet), track files out, and their errors."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import pytest

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
