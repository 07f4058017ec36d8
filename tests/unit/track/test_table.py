"""The track table's summaries of each state."""

import warnings

import numpy as np

from flankwatch.track.table import TrackTable


def test_a_trace_rounded_below_zero_gives_a_zero_sigma_not_nan() -> None:
    table = TrackTable(1)
    cov = np.zeros((2, 1, 6, 6))
    cov[0, 0] = np.eye(6) * 4.0
    cov[1, 0][[0, 3], [0, 3]] = -1e-12  # rounding on plots of extreme scales
    mean = np.zeros((2, 1, 6))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        table.append(
            np.array([1, 2]),
            np.zeros(2),
            np.ones((2, 1)),
            mean,
            cov,
            np.zeros(2, np.uint32),
            np.array(["", ""], object),
        )
    assert np.allclose(table.ref_pos_sigma_m, [np.sqrt(12.0), 0.0])
    assert np.allclose(table.ref_vel_sigma_mps, [np.sqrt(12.0), 0.0])
    assert np.isnan(table.mode5_t_s).all()
