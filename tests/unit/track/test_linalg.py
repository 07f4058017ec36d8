"""Small batched inverses: LAPACK for a few matrices, the closed form for many."""

from __future__ import annotations

import numpy as np
import pytest

from flankwatch.track.linalg import LAPACK_ELEMENTS, inverse_small


@pytest.mark.parametrize("m", [1, 2, 3])
@pytest.mark.parametrize("count", [2, 400])
def test_inverses_match_numpy_on_few_and_many_matrices(m: int, count: int) -> None:
    rng = np.random.default_rng(m * count)
    root = rng.normal(size=(count, m, m))
    a = root @ np.swapaxes(root, -1, -2) + np.eye(m)  # covariances: symmetric, positive
    assert (a.size <= LAPACK_ELEMENTS) == (count == 2)
    np.testing.assert_allclose(inverse_small(a), np.linalg.inv(a), rtol=1e-9, atol=1e-12)


def test_a_singular_matrix_among_few_gives_infinities_not_an_error() -> None:
    a = np.stack((np.eye(3), np.zeros((3, 3))))
    with np.errstate(divide="ignore", invalid="ignore"):
        inverse = inverse_small(a)
    np.testing.assert_allclose(inverse[0], np.eye(3))
    assert not np.isfinite(inverse[1]).all()
