"""Merging predictions (Prediction.merge): values row by row, shared arrays kept shared."""

import numpy as np

from flankwatch.track.base import Prediction


def _forward(rng: np.random.Generator, n: int, modes: int, t_s: float) -> Prediction:
    """A prediction to a later time: ``mean`` is ``at_mean``; ``cov`` is ``at_cov``, ``cross``."""
    prob = rng.dirichlet(np.ones(modes), n)
    mean = rng.normal(size=(n, modes, 6))
    cov = rng.normal(size=(n, modes, 6, 6))
    return Prediction(prob, mean, cov, mean, cov, cov, np.full(n, t_s))


def test_merge_takes_each_row_from_its_side_and_keeps_shared_fields_shared() -> None:
    rng = np.random.default_rng(3)
    mask = np.array([True, False, False, True, False])
    where = _forward(rng, 2, 1, 10.0)  # single-mode, broadcast over the modes
    elsewhere = _forward(rng, 3, 3, 20.0)
    merged = Prediction.merge(mask, where, elsewhere)
    for name in ("prob", "mean", "cov", "at_mean", "at_cov", "cross", "t_s"):
        value = getattr(merged, name)
        assert len(value) == 5
        expected_where = np.broadcast_to(getattr(where, name), value[mask].shape)
        np.testing.assert_array_equal(value[mask], expected_where)
        np.testing.assert_array_equal(value[~mask], getattr(elsewhere, name))
    assert merged.mean is merged.at_mean
    assert merged.cov is merged.at_cov and merged.cov is merged.cross


def test_merge_separates_fields_shared_on_one_side_only() -> None:
    rng = np.random.default_rng(4)
    mask = np.array([True, False])
    where = _forward(rng, 1, 3, 5.0)
    late = _forward(rng, 1, 3, 5.0)
    elsewhere = Prediction(
        late.prob, late.mean, late.cov, late.mean + 1.0, late.cov + 1.0, late.cov - 1.0, late.t_s
    )
    merged = Prediction.merge(mask, where, elsewhere)
    assert merged.mean is not merged.at_mean
    np.testing.assert_array_equal(merged.at_mean[1], late.mean[0] + 1.0)
    np.testing.assert_array_equal(merged.cross[1], late.cov[0] - 1.0)
    np.testing.assert_array_equal(merged.cross[0], where.cov[0])
