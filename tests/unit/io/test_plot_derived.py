"""Settings the tracker derives from a plots file: each plot's noise from its sigma columns,
each sensor's revisit period from the time stamps, and the user's max speed."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv
import pytest

from flankwatch.io.plot_files import read_plots
from flankwatch.track.settings import TrackerSettings, settings_from_assignments
from flankwatch.track.tracker import build_tracker


def _two_sensor_file(path: Path) -> Path:
    """Two targets seen by sensor 1 every 2 s (sigma 10 m) and sensor 2 every 5 s (50 m)."""
    rng = np.random.default_rng(3)
    rows = []
    for sensor, period, sigma in ((1, 2.0, 10.0), (2, 5.0, 50.0)):
        for t in np.arange(0.0, 40.0, period):
            for start, velocity in (((0.0, 0.0), (120.0, 0.0)), ((9e3, 0.0), (0.0, 80.0))):
                x, y = np.add(start, t * np.asarray(velocity)) + rng.normal(0, sigma, 2)
                rows.append((t, sensor, x, y, sigma))
    columns = list(zip(*sorted(rows), strict=True))
    names = ("time_s", "sensor_id", "x_m", "y_m", "sigma_m")
    pa_csv.write_csv(pa.table(dict(zip(names, columns, strict=True))), path)
    return path


def test_revisit_periods_and_noise_come_from_the_file(tmp_path: Path) -> None:
    plot_file = read_plots(_two_sensor_file(tmp_path / "plots.csv"), batch_s=1.0)
    tracker = build_tracker(TrackerSettings(planar=True))
    first = plot_file.batches[0]
    assert sorted(first.cov_xx_m2.tolist()) == [100.0, 100.0, 2500.0, 2500.0]
    # a new track carries its plot's variance
    tracker.step(first.take(np.flatnonzero(first.sensor_id == 2)))
    assert np.allclose(tracker.table.cov[:, 0, 0, 0], 2500.0)
    for batch in plot_file.batches[1:]:
        out = tracker.step(batch)
    assert np.allclose(tracker.revisit_periods(np.array([1, 2])), [2.0, 5.0])
    assert np.allclose(tracker.association_windows(np.array([1, 2, 7])), [2.0, 5.0, 1.0])
    # a period given later overrides the estimate, and giving none again restores it
    tracker.set_revisit_periods(np.array([2]), np.array([4.0]))
    assert np.allclose(tracker.revisit_periods(np.array([1, 2])), [2.0, 4.0])
    tracker.set_revisit_periods(np.array([2]), np.array([np.nan]))
    assert np.allclose(tracker.revisit_periods(np.array([1, 2])), [2.0, 5.0])
    held = out.status != 0
    assert held.sum() == 2


def test_max_speed_is_a_setting_of_the_command_line() -> None:
    settings = settings_from_assignments(["max_speed_mps=120"])
    assert settings.max_speed_mps == 120.0
    tracker = build_tracker(settings)
    assert np.isclose(tracker.initiator.speed_sigma_mps, 40.0)
    assert build_tracker(TrackerSettings()).initiator.speed_sigma_mps == 150.0


@pytest.mark.parametrize("speed", ["0", "-5", "inf", "nan"])
def test_a_max_speed_that_is_not_a_positive_finite_speed_is_refused(speed: str) -> None:
    with pytest.raises(ValueError, match="max_speed_mps must be (positive|a finite number)"):
        settings_from_assignments([f"max_speed_mps={speed}"])


@pytest.mark.parametrize(
    ("assignment", "message"),
    [
        ("delete_after_s=-90", "delete_after_s must be positive"),
        ("cv_noise_m2ps3=-1", "cv_noise_m2ps3 must be positive"),
        ("turn_rate_dps=1e400", "turn_rate_dps must be a finite number"),
        ("delete_after_s=nan", "delete_after_s must be a finite number"),
        ("mode_switch_rate_per_s=-0.1", "mode_switch_rate_per_s must not be negative"),
        ("initial_cv_probability=2", "initial_cv_probability must be in [0, 1]"),
        ("stacked_updates=maybe", "'maybe' is not one of true or false"),
    ],
)
def test_a_setting_out_of_its_range_is_refused(assignment: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        settings_from_assignments([assignment])


def test_no_limit_is_written_as_infinity_where_it_means_one() -> None:
    settings = settings_from_assignments(["coast_score=inf", "mode_switch_prior_track_s=inf"])
    assert settings.coast_score == settings.mode_switch_prior_track_s == float("inf")
    assert settings_from_assignments(["stacked_updates=no"]).stacked_updates is False
