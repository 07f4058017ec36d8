"""The tracker benchmark's plot families: deterministic, with the properties they claim, written
as files the plot reader takes, and scored the same from ``flankwatch track``'s file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

from families import FAMILIES, clutter, dense, manoeuvring, multisensor, polar  # noqa: E402
from families.files import read_truth, write_scene  # noqa: E402
from families.scene import Scene  # noqa: E402
from families.scoring import GOSPA_C_M, score, tracks_file_estimates  # noqa: E402
from families.suite import run_family  # noqa: E402
from tracker_families import gospa_text  # noqa: E402

from flankwatch.io import track_writer  # noqa: E402
from flankwatch.io.plot_files import track_file  # noqa: E402
from flankwatch.io.plot_reader import read_plots  # noqa: E402


def _same(a: Scene, b: Scene) -> bool:
    return (
        a.plots.keys() == b.plots.keys()
        and all(np.array_equal(a.plots[k], b.plots[k]) for k in a.plots)
        and np.array_equal(a.truth_pos_m, b.truth_pos_m)
    )


@pytest.mark.parametrize("family", list(FAMILIES))
def test_a_family_is_the_same_for_its_seed_and_another_for_another(family: str) -> None:
    generate = FAMILIES[family]
    first, again = generate(30, 6), generate(30, 6)
    assert _same(first, again)
    other = generate(30, 6, 7)
    assert not _same(first, other)


def _rows_per_scan(scene: Scene, sensor_scans: float) -> tuple[float, float]:
    """Clutter plots per scan and share of target looks that gave a plot."""
    clutter_per_scan = float(np.sum(scene.origin == -1)) / sensor_scans
    detected = float(np.sum(scene.origin >= 0)) / (scene.n_targets * sensor_scans)
    return clutter_per_scan, detected


def test_the_clutter_family_has_heavy_clutter_and_pd_0_7() -> None:
    scene = clutter.generate(60, 40)
    per_scan, pd = _rows_per_scan(scene, scene.n_scans)
    assert per_scan >= 45.0  # Poisson mean 50 over 40 scans: sd about 1.1
    assert pd == pytest.approx(0.7, abs=0.03)
    many = clutter.generate(400, 10)
    assert _rows_per_scan(many, many.n_scans)[0] == pytest.approx(200.0, rel=0.05)


def test_the_manoeuvring_targets_turn_up_to_6_deg_s_and_change_speed() -> None:
    scene = manoeuvring.generate(80, 60)
    n = scene.n_targets
    t = scene.truth_t_s.reshape(-1, n)[:, 0]
    xy = scene.truth_pos_m.reshape(-1, n, 2)
    velocity = np.diff(xy, axis=0) / np.diff(t)[:, None, None]
    heading = np.unwrap(np.arctan2(velocity[..., 0], velocity[..., 1]), axis=0)
    mid_t = 0.5 * (t[1:] + t[:-1])
    rate_dps = np.degrees(np.abs(np.diff(heading, axis=0))) / np.diff(mid_t)[:, None]
    assert rate_dps.max() <= 6.0 * 1.05
    assert np.percentile(rate_dps, 95) > 4.0
    assert np.mean(rate_dps < 0.3) > 0.15  # straight legs too
    speed = np.linalg.norm(velocity, axis=2)
    assert np.median(speed.max(axis=0) - speed.min(axis=0)) > 20.0


def test_the_multisensor_family_interleaves_three_sensors_of_their_accuracy_and_revisit() -> None:
    scene = multisensor.generate(50, 20)
    ids = scene.plots["sensor_id"]
    expected = {i: (revisit, sigma) for i, revisit, sigma, _, _ in multisensor.SENSORS}
    assert set(np.unique(ids)) == set(expected)
    for sensor, (revisit, sigma) in expected.items():
        mine = ids == sensor
        assert np.all(scene.plots["sigma_m"][mine] == sigma)
        target = scene.origin[mine]
        t = scene.plots["time_s"][mine][target == 0]
        assert np.median(np.diff(t)) == pytest.approx(revisit, abs=0.05)
    second = np.floor(scene.plots["time_s"]).astype(int)
    sensors_per_second = [len(np.unique(ids[second == s])) for s in range(2, 18)]
    assert min(sensors_per_second) >= 2


def test_the_dense_family_has_several_targets_per_km2_crossing_in_pairs() -> None:
    scene = dense.generate(100, 100)
    area_km2 = (2.0 * scene.area_half_side_m / 1000.0) ** 2
    assert scene.n_targets / area_km2 == pytest.approx(dense.TARGETS_PER_KM2)
    xy = scene.truth_pos_m.reshape(-1, scene.n_targets, 2)
    gap = np.linalg.norm(xy[:, 0::2] - xy[:, 1::2], axis=2).min(axis=0)
    assert np.mean(gap < 100.0) > 0.9  # pairs meet (truth every ~1 s, speeds <= 80 m/s)


def test_polar_plots_of_three_radars_read_back_where_the_targets_are(tmp_path: Path) -> None:
    scene = polar.generate(40, 8)
    assert len({(s.sensor_id, s.revisit_s, s.sigma_range_m) for s in scene.sensors}) == 3
    files = write_scene(scene, tmp_path, "csv")
    assert files.sensors is not None
    plot_file = read_plots(files.plots, files.sensors)
    assert not plot_file.planar
    batches = plot_file.batches
    measured = np.concatenate([np.column_stack((b.x_m, b.y_m, b.z_m)) for b in batches])
    cov = np.concatenate([b.covariance() for b in batches])
    target = scene.origin >= 0
    assert scene.trajectories is not None
    truth = scene.trajectories.at(scene.plots["time_s"][target], scene.origin[target])
    error = measured[target] - truth
    d2 = np.einsum("ni,nij,nj->n", error, np.linalg.inv(cov[target]), error)
    assert np.mean(d2) == pytest.approx(3.0, rel=0.15)  # chi-square, 3 degrees of freedom


@pytest.mark.parametrize("family", list(FAMILIES))
@pytest.mark.parametrize("file_format", ["csv", "parquet"])
def test_written_files_are_read_by_the_plot_reader(
    family: str, file_format: str, tmp_path: Path
) -> None:
    scene = FAMILIES[family](25, 5)
    files = write_scene(scene, tmp_path, file_format)
    plot_file = read_plots(files.plots, files.sensors)
    assert plot_file.n_plots == len(scene.plots["time_s"])
    assert plot_file.planar == scene.planar
    last_times = [float(batch.t_s[-1]) for batch in plot_file.batches]
    assert last_times == sorted(set(read_truth(files.truth).t_s.tolist()))
    assert (files.sensors is not None) == scene.polar


def test_files_already_written_are_kept_and_other_files_never_replaced(tmp_path: Path) -> None:
    scene = FAMILIES["sparse"](5, 3)
    files = write_scene(scene, tmp_path, "csv")
    first = files.plots.read_bytes()
    assert write_scene(scene, tmp_path, "csv") == files, "the same scene written again"
    assert files.plots.read_bytes() == first
    files.truth.write_text("the user's own notes\n")
    with pytest.raises(ValueError, match="truth.csv: exists and is not this scene's file"):
        write_scene(scene, tmp_path, "csv")
    assert files.truth.read_text() == "the user's own notes\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [files.plots.name, files.truth.name]
    in_the_way = tmp_path / f".{files.plots.name}.{os.getpid()}.tmp"
    in_the_way.write_text("also the user's\n")
    with pytest.raises(ValueError, match="is in the way"):
        write_scene(scene, tmp_path, "csv")
    assert in_the_way.read_text() == "also the user's\n"


def test_flankwatch_track_and_score_reproduce_the_suite_figure(tmp_path: Path) -> None:
    family = "polar"  # three radars, a sensors file: the longest way through the reader
    row = run_family(family, 20, 8, tmp_path, "csv", stonesoup_budget=0)
    files = row.files
    tracks = tmp_path / "tracks.csv"
    command = [
        sys.executable,
        "-m",
        "flankwatch.cli",
        "track",
        str(files.plots),
        "--out",
        str(tracks),
    ]
    if files.sensors is not None:
        command += ["--sensors", str(files.sensors)]
    subprocess.run(command, check=True, capture_output=True)
    from_file = score(read_truth(files.truth), tracks_file_estimates(tracks), GOSPA_C_M[family])
    assert from_file == row.flankwatch.score == row.flankwatch_all_scans
    assert from_file.n_times == len(set(read_truth(files.truth).t_s.tolist()))
    printed = subprocess.run(
        [
            sys.executable,
            str(BENCHMARKS / "tracker_families.py"),
            "--score",
            str(tracks),
            "--truth",
            str(files.truth),
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert f"GOSPA {gospa_text(row.flankwatch.score)} m" in printed


@pytest.mark.parametrize("family", list(FAMILIES))
def test_every_family_is_tracked_the_same_with_kernels_run_as_python(
    family: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a small file is tracked with the kernels as Python (`flankwatch track` on at most
    # INTERPRETED_MAX_PLOTS plots); each family's models and sensors must give the same bytes
    files = write_scene(FAMILIES[family](5, 10), tmp_path, "csv")
    written = {}
    for way, limit in (("compiled", 0), ("python", 10**9)):
        monkeypatch.setattr(track_writer, "INTERPRETED_MAX_PLOTS", limit)
        out = tmp_path / f"{way}.csv"
        track_file(files.plots, out, files.sensors, include_tentative=True)
        written[way] = out.read_bytes()
    assert written["compiled"].count(b"\n") > 20
    assert written["python"] == written["compiled"]
