"""`flankwatch track`: a plots file in, a tracks file out, bad input named."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from flankwatch.cli import app

runner = CliRunner()


def _write_plots(path: Path, n_targets: int = 3, scans: int = 30) -> None:
    rng = np.random.default_rng(3)
    lines = ["time_s,sensor_id,x_m,y_m,z_m,sigma_m"]
    for k in range(scans):
        for i in range(n_targets):
            x = 20_000.0 * i + 50.0 * k + rng.normal(0, 20)
            y = 10_000.0 + 30.0 * k + rng.normal(0, 20)
            lines.append(f"{float(k)},1,{x:.1f},{y:.1f},{500 + rng.normal(0, 20):.1f},20")
    path.write_text("\n".join(lines) + "\n")


def test_tracks_a_csv_file(tmp_path: Path) -> None:
    plots, tracks = tmp_path / "plots.csv", tmp_path / "tracks.parquet"
    _write_plots(plots)
    result = runner.invoke(app, ["track", str(plots), "--out", str(tracks)])
    assert result.exit_code == 0, result.output
    table = pq.read_table(tracks)
    track_id = table["track_id"].to_numpy()
    time_s = table["time_s"].to_numpy()
    assert len(np.unique(track_id)) == 3
    last = time_s == time_s.max()
    assert np.allclose(table["vx_mps"].to_numpy()[last], 50.0, atol=10.0)
    assert np.allclose(table["vy_mps"].to_numpy()[last], 30.0, atol=10.0)


def test_a_setting_is_taken(tmp_path: Path) -> None:
    plots, tracks = tmp_path / "plots.csv", tmp_path / "tracks.csv"
    _write_plots(plots)
    result = runner.invoke(app, ["track", str(plots), "--out", str(tracks), "--set", "motion=cv"])
    assert result.exit_code == 0, result.output
    manoeuvre = pa_csv.read_csv(tracks)["manoeuvre_prob"].to_numpy()
    assert len(manoeuvre) and (manoeuvre == 0.0).all()


def test_a_bad_value_names_row_and_column(tmp_path: Path) -> None:
    plots = tmp_path / "plots.csv"
    plots.write_text("time_s,sensor_id,x_m,y_m,sigma_m\n0,1,0,0,5\n1,1,10,north,5\n")
    result = runner.invoke(app, ["track", str(plots), "--out", str(tmp_path / "t.csv")])
    assert result.exit_code == 2
    assert "row 2" in result.output and "y_m" in result.output


def test_an_unknown_setting_exits_2(tmp_path: Path) -> None:
    plots = tmp_path / "plots.csv"
    _write_plots(plots)
    result = runner.invoke(
        app, ["track", str(plots), "--out", str(tmp_path / "t.csv"), "--set", "nonsense=1"]
    )
    assert result.exit_code == 2
    assert "nonsense" in result.output


def test_an_error_names_a_file_with_brackets_as_it_is(tmp_path: Path) -> None:
    plots = tmp_path / "[bold]plots [red]x[dim].csv"
    plots.write_text("time_s,sensor_id,x_m,y_m,sigma_m\n0,-1,0,0,5\n")
    result = runner.invoke(app, ["track", str(plots), "--out", str(tmp_path / "t.csv")])
    assert result.exit_code == 2
    assert str(plots) in result.output
    assert "row 1, column sensor_id: -1 is not a sensor id" in result.output


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("0,3000000000,0,0,5", "3000000000 is not a sensor id"),
        ("0,1,1e300,0,5", "1e+300 is out of bounds"),
        ("0,1,inf,0,5", "inf is not a finite number"),
        ("0,1,nan,0,5", "nan is not a finite number"),
        ("0,1,0,0,0", "must be positive"),
    ],
)
def test_bad_values_exit_2_without_a_traceback(tmp_path: Path, line: str, message: str) -> None:
    plots = tmp_path / "plots.csv"
    plots.write_text(f"time_s,sensor_id,x_m,y_m,sigma_m\n{line}\n")
    result = runner.invoke(app, ["track", str(plots), "--out", str(tmp_path / "t.csv")])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert not (tmp_path / "t.csv").exists()


def test_a_duplicated_column_or_an_empty_file_exits_2(tmp_path: Path) -> None:
    plots = tmp_path / "plots.csv"
    plots.write_text("time_s,sensor_id,x_m,x_m,y_m,sigma_m\n0,1,0,0,0,5\n")
    result = runner.invoke(app, ["track", str(plots), "--out", str(tmp_path / "t.csv")])
    assert result.exit_code == 2 and "column x_m given 2 times" in result.output
    plots.write_text("")
    result = runner.invoke(app, ["track", str(plots), "--out", str(tmp_path / "t.csv")])
    assert result.exit_code == 2 and "empty" in result.output


def test_tracks_into_a_missing_folder_are_refused(tmp_path: Path) -> None:
    plots = tmp_path / "plots.csv"
    _write_plots(plots, scans=3)
    out = tmp_path / "no" / "such" / "tracks.csv"
    result = runner.invoke(app, ["track", str(plots), "--out", str(out)])
    assert result.exit_code == 2
    assert "no folder" in result.output
    assert not (tmp_path / "no").exists()


def test_tracks_never_overwrite_the_plots(tmp_path: Path) -> None:
    plots = tmp_path / "plots.csv"
    _write_plots(plots, scans=3)
    before = plots.read_bytes()
    result = runner.invoke(app, ["track", str(plots), "--out", str(plots)])
    assert result.exit_code == 2
    assert "refusing to write over the input" in result.output
    assert plots.read_bytes() == before


def test_tracks_replace_only_a_tracks_file_and_only_with_force(tmp_path: Path) -> None:
    plots, tracks = tmp_path / "plots.csv", tmp_path / "tracks.csv"
    _write_plots(plots, scans=5)
    tracks.write_text("the user's notes\n")
    for extra in ([], ["--force"]):
        result = runner.invoke(app, ["track", str(plots), "--out", str(tracks), *extra])
        assert result.exit_code == 2
        assert "Traceback" not in result.output
        assert tracks.read_text() == "the user's notes\n"
    assert "exists and is not a tracks file; not replaced" in result.output
    tracks.unlink()
    assert runner.invoke(app, ["track", str(plots), "--out", str(tracks)]).exit_code == 0
    result = runner.invoke(app, ["track", str(plots), "--out", str(tracks)])
    assert result.exit_code == 2 and "exists; use --force to replace it" in result.output
    result = runner.invoke(app, ["track", str(plots), "--out", str(tracks), "--force"])
    assert result.exit_code == 0, result.output


def test_max_speed_bounds_what_is_tracked(tmp_path: Path) -> None:
    plots = tmp_path / "fast.csv"
    lines = ["time_s,sensor_id,x_m,y_m,z_m,sigma_m"]
    for k in range(30):  # two targets at 300 m/s, 20 km apart
        lines += [f"{float(k)},1,{300.0 * k},{20_000.0 * i},500,20" for i in range(2)]
    plots.write_text("\n".join(lines) + "\n")
    confirmed = {}
    for label, extra in (("default", []), ("slow", ["--max-speed", "100"])):
        tracks = tmp_path / f"{label}.csv"
        result = runner.invoke(app, ["track", str(plots), "--out", str(tracks), *extra])
        assert result.exit_code == 0, result.output
        table = pa_csv.read_csv(tracks)
        confirmed[label] = len(np.unique(table["track_id"].to_numpy()))
    assert confirmed == {"default": 2, "slow": 0}


@pytest.mark.parametrize(
    ("options", "message"),
    [
        # the file decides whether it is 2-D; the setting was silently ignored
        (["--set", "planar=true"], "--set planar: the plots file decides it"),
        (["--set", "bogus=1"], "'bogus' is no tracker setting; they are gate_probability"),
        (["--set", "confirm_m=2.5"], "'2.5' is not a whole number"),
        # a sensors file with Cartesian plots was ignored, even a missing one
        (["--sensors", "no-such-sensors.csv"], "only a polar plots file uses one"),
    ],
)
def test_options_the_file_does_not_use_are_refused(
    tmp_path: Path, options: list[str], message: str
) -> None:
    plots = tmp_path / "plots.csv"
    _write_plots(plots)
    out = tmp_path / "t.csv"
    result = runner.invoke(app, ["track", str(plots), "--out", str(out), *options])
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.output.split())
    assert not out.exists()


@pytest.mark.parametrize("row", [b"\xff\xfe,1", b"1,1,\xff,0,1000,30"])
def test_a_file_that_is_not_utf8_is_named_by_its_line_without_a_traceback(
    tmp_path: Path, row: bytes
) -> None:
    plots = tmp_path / "plots.csv"
    plots.write_bytes(b"time_s,sensor_id,x_m,y_m,z_m,sigma_m\n0,1,0,0,1000,30\n" + row + b"\n")
    result = runner.invoke(app, ["track", str(plots), "--out", str(tmp_path / "t.csv")])
    assert result.exit_code == 2, result.output
    assert "line 3 is not UTF-8 text" in result.output
    assert "Traceback" not in result.output and "Exception ignored" not in result.output


def test_columns_not_read_are_named_and_a_misspelt_one_refused(tmp_path: Path) -> None:
    plots, tracks = tmp_path / "plots.csv", tmp_path / "tracks.csv"
    _write_plots(plots)
    lines = plots.read_text().splitlines()
    plots.write_text("\n".join([lines[0] + ",note\x1b[31m"] + [f"{x},x" for x in lines[1:]]) + "\n")
    result = runner.invoke(app, ["track", str(plots), "--out", str(tracks)])
    assert result.exit_code == 0, result.output
    assert "columns not read: note\\x1b[31m\n" in result.output
    plots.write_text(plots.read_text().replace("z_m", "Z_m", 1))
    result = runner.invoke(app, ["track", str(plots), "--out", str(tracks), "--force"])
    assert result.exit_code == 2
    assert "column 'Z_m' is not one flankwatch reads; did you mean 'z_m'?" in result.output
    assert "Traceback" not in result.output
