"""`flankwatch track`: a plots file in, a tracks file out, bad input named."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
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
