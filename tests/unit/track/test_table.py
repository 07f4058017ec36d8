"""The track table's summaries of each state."""

import warnings

import numpy as np
import pytest

from flankwatch.track.predictor import combine
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


def _table(modes: int, n: int, rng: np.random.Generator) -> TrackTable:
    """A table of ``n`` tracks of ``modes`` modes with random states."""
    table = TrackTable(modes)
    a = rng.normal(0.0, 3.0, (n, modes, 6, 6))
    table.append(
        np.arange(100, 100 + n),
        rng.uniform(0.0, 10.0, n),
        rng.dirichlet(np.ones(modes), n),
        rng.normal(0.0, 200.0, (n, modes, 6)),
        a @ np.swapaxes(a, -1, -2),
        rng.integers(0, 1 << 24, n).astype(np.uint32),
        np.array([f"CS{i}" for i in range(n)], object),
    )
    return table


def test_the_summaries_are_the_combined_states_in_numpy() -> None:
    rng = np.random.default_rng(5)
    for modes in (1, 3):
        table = _table(modes, 40, rng)
        table.mean[7, -1, 3:] = np.nan  # a mode whose velocity is NaN: its speed is NaN
        table.refresh(np.array([3, 7, 20]))
        state, cov = combine(table.prob, table.mean, table.cov)
        speed = np.sqrt(np.einsum("pmi,pmi->pm", table.mean[..., 3:], table.mean[..., 3:]))
        for row in (3, 7, 20):
            assert np.array_equal(table.ref_state[row], state[row], equal_nan=True)
            # the combined covariance's traces, bit for bit: the summary forms only its
            # diagonal, each entry summed as the whole covariance's is
            d = np.diagonal(cov[row])
            trace = [d[0] + d[1] + d[2], d[3] + d[4] + d[5]]
            sigma = [table.ref_pos_sigma_m[row], table.ref_vel_sigma_mps[row]]
            assert np.array_equal(sigma, np.sqrt(trace), equal_nan=True)
            # NumPy's einsum may sum the three squares in another order: the last bit
            assert np.allclose(
                table.ref_speed_mps[row], speed[row].max(), rtol=1e-15, equal_nan=True
            )
        assert np.isnan(table.ref_speed_mps[7])


def test_keeping_tracks_moves_every_column_of_the_kept_rows_in_order() -> None:
    table = _table(3, 50, np.random.default_rng(6))
    before = {name: getattr(table, name).copy() for name in TrackTable._COLUMNS}
    mask = np.ones(50, bool)
    mask[[0, 4, 5, 31, 49]] = False
    table.keep(mask)
    assert len(table) == 45
    for name, column in before.items():
        floats = column.dtype.kind == "f"
        assert np.array_equal(getattr(table, name), column[mask], equal_nan=floats), name


def test_keeping_no_track_of_a_table_never_filled_leaves_it_empty() -> None:
    table = TrackTable(3)
    table.keep(np.zeros(0, bool))
    assert len(table) == 0 and table.cov.shape == (0, 3, 6, 6)


def test_putting_modes_writes_only_the_rows_given() -> None:
    rng = np.random.default_rng(8)
    table = _table(3, 30, rng)
    before = {name: getattr(table, name).copy() for name in ("prob", "mean", "cov")}
    rows = np.array([29, 2, 17])
    new = (rng.dirichlet(np.ones(3), 3), rng.normal(size=(3, 3, 6)), rng.normal(size=(3, 3, 6, 6)))
    table.put_modes(rows, *new)
    for name, values in zip(("prob", "mean", "cov"), new, strict=True):
        expected = before[name].copy()
        expected[rows] = values
        assert np.array_equal(getattr(table, name), expected), name


def test_putting_modes_broadcasts_as_numpy_and_refuses_rows_outside_the_table() -> None:
    table = _table(3, 10, np.random.default_rng(9))
    table.put_modes(np.array([4, 6]), np.array([0.2, 0.3, 0.5]), np.zeros((2, 3, 6)), np.eye(6))
    assert np.array_equal(table.prob[[4, 6]], [[0.2, 0.3, 0.5]] * 2)
    assert np.array_equal(table.cov[6, 2], np.eye(6))
    with pytest.raises(IndexError, match="0..9"):
        table.put_modes(
            np.array([10]), np.ones((1, 3)), np.zeros((1, 3, 6)), np.zeros((1, 3, 6, 6))
        )
