"""The Kalman update's kernels: the written-out position correction against the general one."""

from __future__ import annotations

import numpy as np
import pytest

from flankwatch.track.update_kernels import _correct_any, _correct_positions


def _covariances(rng: np.random.Generator, shape: tuple[int, ...], n: int) -> np.ndarray:
    a = rng.normal(0.0, 1.0, (*shape, n, n))
    return a @ np.swapaxes(a, -1, -2) + np.eye(n)


@pytest.mark.parametrize("modes", [1, 3])
def test_position_correction_is_the_general_correction_bit_for_bit(modes: int) -> None:
    rng = np.random.default_rng(7 + modes)
    p = 40
    mean = rng.normal(0.0, 50.0, (p, modes, 6))
    cov = _covariances(rng, (p, modes), 6)
    # the cross-covariances as a position innovation gives them: columns of a 6 x 6
    cross = rng.normal(0.0, 3.0, (p, modes, 6, 6))[..., :3]
    residual = rng.normal(0.0, 2.0, (p, modes, 3))
    s_inv = np.linalg.inv(_covariances(rng, (p, modes), 3))
    outs = []
    for correct in (_correct_positions, _correct_any):
        out = np.empty((p, modes, 6)), np.empty((p, modes, 6, 6)), np.empty((p, modes))
        correct(mean, cov, cross, residual, s_inv, *out)
        outs.append(out)
    for written_out, looped in zip(*outs, strict=True):
        assert written_out.tobytes() == looped.tobytes()
