"""The compiled kernels against the same arithmetic written out in NumPy."""

from __future__ import annotations

import numpy as np
import pytest

from flankwatch.track.base import Innovation, Prediction
from flankwatch.track.kernels import (
    _move,
    imm_predict,
    mixture_moments,
    mode_transitions,
    track_summaries,
)
from flankwatch.track.motion import ConstantVelocity, CoordinatedTurn
from flankwatch.track.predictor import IMMPredictor, KalmanPredictor, combine
from flankwatch.track.updater import KalmanUpdater


def _covariances(rng: np.random.Generator, shape: tuple[int, ...], n: int) -> np.ndarray:
    a = rng.normal(0.0, 1.0, (*shape, n, n))
    return a @ np.swapaxes(a, -1, -2) + np.eye(n)


def test_kalman_predictor_matches_the_closed_form_and_keeps_late_tracks() -> None:
    rng = np.random.default_rng(5)
    model = ConstantVelocity(2.0, 0.5)
    predictor = KalmanPredictor(model)
    p = 30
    mean = rng.normal(0.0, 100.0, (p, 1, 6))
    cov = _covariances(rng, (p, 1), 6)
    t = rng.uniform(0.0, 10.0, p)
    to = t + rng.uniform(-3.0, 10.0, p)
    out = predictor.predict(np.ones((p, 1)), mean, cov, t, to)
    expected_mean, expected_cov = model.propagate(mean[:, 0], cov[:, 0], to - t)
    assert np.allclose(out.at_mean[:, 0], expected_mean, rtol=1e-12, atol=1e-9)
    assert np.allclose(out.at_cov[:, 0], expected_cov, rtol=1e-12, atol=1e-9)
    late = to < t
    assert late.any() and (~late).any()
    # a late plot leaves the track where it is, its cross-covariance P F' for the update
    f, _ = model.transition(to - t)
    assert np.array_equal(out.mean[late], mean[late])
    assert np.array_equal(out.t_s, np.where(late, t, to))
    expected_cross = cov[:, 0] @ np.swapaxes(f, 1, 2)
    assert np.allclose(out.cross[late, 0], expected_cross[late], rtol=1e-12, atol=1e-9)
    assert np.array_equal(out.cross[~late], out.at_cov[~late])


def _three_modes(
    rng: np.random.Generator, p: int, sigma_m: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mode probabilities, means (spread ``sigma_m``) and covariances of ``p`` tracks of
    three modes."""
    return (
        rng.dirichlet(np.ones(3), p),
        rng.normal(0.0, sigma_m, (p, 3, 6)),
        _covariances(rng, (p, 3), 6),
    )


TURN_RATES_RPS = np.array([0.0, 0.1, -0.1])
"""The turn rates of the kernel tests' three modes, rad/s."""


def _modes_and_noise(
    rng: np.random.Generator, p: int, sigma_m: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """:func:`_three_modes`, and a random process noise per power of the step and mode
    and axis ``(3, 3, 3)``."""
    prob, mean, cov = _three_modes(rng, p, sigma_m)
    return prob, mean, cov, np.abs(rng.normal(0.0, 1.0, (3, 3, 3)))


def test_imm_kernel_keeps_tracks_with_no_step_as_they_are() -> None:
    rng = np.random.default_rng(6)
    p = 4
    prob, mean, cov = _three_modes(rng, p, 10.0)
    noise = np.ones((3, 3, 3))
    out = imm_predict(
        prob, mean, cov, np.arange(p), np.zeros(p), 0.3, TURN_RATES_RPS, noise, np.zeros(p, bool)
    )
    # a zero step mixes and moves nothing, bit for bit
    assert np.array_equal(out[0], prob)
    assert np.array_equal(out[1], mean)
    assert np.array_equal(out[2], cov)


def test_imm_kernel_leaves_the_cross_covariance_out_only_when_asked() -> None:
    rng = np.random.default_rng(9)
    p = 12
    prob, mean, cov, noise = _modes_and_noise(rng, p, 40.0)
    dt = rng.choice([0.0, 0.5, 4.0], p)
    single = rng.random(p) < 0.4
    kept = imm_predict(prob, mean, cov, np.arange(p), dt, 0.3, TURN_RATES_RPS, noise, single, True)
    left = imm_predict(prob, mean, cov, np.arange(p), dt, 0.3, TURN_RATES_RPS, noise, single, False)
    for full, lean in zip(kept[:3], left[:3], strict=True):
        assert np.array_equal(full, lean)  # the same predictions, bit for bit
    assert kept[3].shape == (p, 3, 6, 6) and left[3].shape == (1, 3, 6, 6)


def test_each_track_is_predicted_as_alone_whatever_the_steps_around_it() -> None:
    # the kernel keeps the transitions of the last step it met: runs of one step, changes,
    # zero steps and late plots in between must each give the row's own prediction
    rng = np.random.default_rng(10)
    dt = np.array([1.0, 1.0, 1.0, 0.0, 1.0, 2.5, 2.5, -1.0, 1.0, np.nan, 1.0, 2.5])
    p = len(dt)
    prob, mean, cov, noise = _modes_and_noise(rng, p, 40.0)
    single = rng.random(p) < 0.4
    together = imm_predict(
        prob, mean, cov, np.arange(p), dt, 0.3, TURN_RATES_RPS, noise, single, True
    )
    for row in range(p):
        at = slice(row, row + 1)
        alone = imm_predict(
            prob[at],
            mean[at],
            cov[at],
            np.arange(1),
            dt[at],
            0.3,
            TURN_RATES_RPS,
            noise,
            single[at],
        )
        for both, one in zip(together, alone, strict=True):
            assert np.array_equal(both[row], one[0], equal_nan=True)


def test_the_kernel_reads_the_rows_asked_for_in_place() -> None:
    # rows in any order, repeated or left out: each the prediction of its gathered copy
    rng = np.random.default_rng(11)
    p = 9
    prob, mean, cov, noise = _modes_and_noise(rng, p, 40.0)
    rows = np.array([7, 2, 2, 0, 8, 5])
    dt = np.array([1.0, 0.0, 2.5, -1.0, 1.0, 1.0])
    single = np.array([False, True, False, False, True, False])
    in_place = imm_predict(prob, mean, cov, rows, dt, 0.3, TURN_RATES_RPS, noise, single)
    gathered = imm_predict(
        prob[rows],
        mean[rows],
        cov[rows],
        np.arange(len(rows)),
        dt,
        0.3,
        TURN_RATES_RPS,
        noise,
        single,
    )
    for a, b in zip(in_place, gathered, strict=True):
        assert np.array_equal(a, b)
    cv = ConstantVelocity(2.0, 0.5)
    turns = [CoordinatedTurn(rate, 5.0, 0.5) for rate in (0.1, -0.1)]
    imm = IMMPredictor([cv, *turns], 0.3, [0.8, 0.1, 0.1])
    t = rng.uniform(0.0, 3.0, p)
    to = t[rows] + dt  # one late plot (dt < 0): the track's own state comes back
    table = imm.predict(prob, mean, cov, t[rows], to, single, rows=rows)
    copied = imm.predict(prob[rows], mean[rows], cov[rows], t[rows], to, single)
    for name in ("prob", "mean", "cov", "at_mean", "at_cov", "cross", "t_s"):
        assert np.array_equal(getattr(table, name), getattr(copied, name))
    assert np.array_equal(table.mean[3], mean[0])


def test_tentative_tracks_move_by_the_first_mode_alone() -> None:
    rng = np.random.default_rng(8)
    cv = ConstantVelocity(2.0, 0.5)
    imm = IMMPredictor([cv, CoordinatedTurn(0.1, 5.0, 0.5)], 0.05, [0.9, 0.1])
    assert imm.first_mode_alone(KalmanPredictor(cv))
    assert not imm.first_mode_alone(KalmanPredictor(ConstantVelocity(3.0, 0.5)))
    p = 6
    prob = rng.dirichlet(np.ones(2), p)
    mean = rng.normal(0.0, 50.0, (p, 2, 6))
    cov = _covariances(rng, (p, 2), 6)
    t = np.zeros(p)
    to = np.array([-1.0, 0.0, 2.0, 2.0, 5.0, 5.0])
    single = np.array([True, True, True, False, True, False])
    # a tentative track's modes are equal
    mean[single, 1], cov[single, 1] = mean[single, 0], cov[single, 0]
    out = imm.predict(prob, mean, cov, t, to, single)
    alone = KalmanPredictor(cv).predict(np.ones((p, 1)), mean[:, :1], cov[:, :1], t, to)
    for row in np.flatnonzero(single):
        assert np.array_equal(out.prob[row], prob[row])
        for mode in range(2):
            assert np.array_equal(out.at_mean[row, mode], alone.at_mean[row, 0])
            assert np.array_equal(out.at_cov[row, mode], alone.at_cov[row, 0])
            assert np.array_equal(out.cross[row, mode], alone.cross[row, 0])
    both = imm.predict(prob, mean, cov, t, to)
    for row in np.flatnonzero(~single):
        assert np.array_equal(out.at_mean[row], both.at_mean[row])
        assert np.array_equal(out.prob[row], both.prob[row])


def test_imm_kernel_mixes_before_it_moves() -> None:
    # two modes 100 m apart, at rest: over a long step they mix fully, then move
    models = [ConstantVelocity(0.0, 0.0), CoordinatedTurn(0.2, 0.0, 0.0)]
    imm = IMMPredictor(models, 1.0, [0.5, 0.5])
    mean = np.zeros((1, 2, 6))
    mean[0, 1, 0] = 100.0
    cov = np.broadcast_to(np.eye(6), (1, 2, 6, 6)).copy()
    out = imm.predict(np.array([[0.5, 0.5]]), mean, cov, np.zeros(1), np.array([100.0]))
    assert np.allclose(out.prob, 0.5)
    # both modes start from the mixture, at 50 m, at rest, its x variance 1 + 50^2
    assert np.allclose(out.at_mean[0, :, 0], 50.0)
    assert np.allclose(out.at_mean[0, :, 3:], 0.0)
    # the constant-velocity mode then adds the velocity's uncertainty over 100 s
    assert np.isclose(out.at_cov[0, 0, 0, 0], 1.0 + 50.0**2 + 100.0**2)


@pytest.mark.parametrize(("modes", "dim"), [(1, 3), (3, 3), (3, 1), (3, 5), (1, 5)])
def test_update_matches_the_kalman_equations(modes: int, dim: int) -> None:
    rng = np.random.default_rng(10 * modes + dim)
    p = 12
    prob = rng.dirichlet(np.ones(modes), p)
    mean = rng.normal(0.0, 50.0, (p, modes, 6))
    cov = _covariances(rng, (p, modes), 6)
    h = rng.normal(0.0, 1.0, (p, modes, dim, 6))
    s = h @ cov @ np.swapaxes(h, -1, -2) + 0.5 * _covariances(rng, (p, modes), dim)
    cross = cov @ np.swapaxes(h, -1, -2)
    residual = rng.normal(0.0, 2.0, (p, modes, dim))
    prediction = Prediction(prob, mean, cov, mean, cov, cov, np.zeros(p))
    innovation = Innovation(residual, s, cross, np.linalg.inv(s))
    out_prob, out_mean, out_cov = KalmanUpdater().update(prediction, innovation)
    gain = cross @ np.linalg.inv(s)
    expected_mean = mean + np.einsum("pmij,pmj->pmi", gain, residual)
    expected_cov = cov - gain @ np.swapaxes(cross, -1, -2)
    assert np.allclose(out_mean, expected_mean, rtol=1e-10, atol=1e-8)
    assert np.allclose(out_cov, expected_cov, rtol=1e-10, atol=1e-8)
    assert np.array_equal(out_cov, np.swapaxes(out_cov, -1, -2))
    if modes == 1:
        assert out_prob is prediction.prob or np.array_equal(out_prob, prob)
        return
    d2 = np.einsum("pmi,pmij,pmj->pm", residual, np.linalg.inv(s), residual)
    density = np.exp(-0.5 * d2) / np.sqrt(np.linalg.det(2.0 * np.pi * s))
    expected_prob = prob * density
    expected_prob /= expected_prob.sum(axis=1, keepdims=True)
    assert np.allclose(out_prob, expected_prob, rtol=1e-9, atol=1e-12)


def _dense_move(
    mean: list, cov: list, f: list, a: float, q3: list, q2: list, q1: list
) -> tuple[list, list, list]:
    """``F x``, ``F P F' + Q`` and ``P F'`` by whole rows of ``F``, each sum from 0 in column
    order, in Python floats."""
    n = range(6)
    out_mean = [sum((f[r][k] * mean[k] for k in n), 0.0) for r in n]
    cross = [[sum((f[c][k] * cov[r][k] for k in n), 0.0) for c in n] for r in n]
    out_cov = [
        [
            sum((f[r][k] * cross[k][c] for k in n), 0.0)
            + a * a * a * q3[r][c]
            + a * a * q2[r][c]
            + a * q1[r][c]
            for c in n
        ]
        for r in n
    ]
    return out_mean, out_cov, cross


def test_the_written_out_move_is_the_dense_product_bit_for_bit() -> None:
    # the move skips the entries of F that are always zero: adding them changes no sum
    # and adds the noise only where white acceleration puts it (as does mode_transitions)
    rng = np.random.default_rng(12)
    noise = np.abs(rng.normal(0.0, 1.0, (3, 3, 3)))
    noise[:, 1, 2] = 0.0  # a mode with no vertical noise
    dense = np.zeros((3, 3, 6, 6))  # per power of the step and mode, (6, 6)
    for k in range(3):
        dense[0, :, k, k] = noise[0, :, k]
        dense[1, :, k, k + 3] = dense[1, :, k + 3, k] = noise[1, :, k]
        dense[2, :, k + 3, k + 3] = noise[2, :, k]
    for dt in (1.0, 2.5, -0.7):
        f_all, q_all = mode_transitions(np.array([dt]), TURN_RATES_RPS, noise)
        a = abs(dt)
        assert np.array_equal(q_all[0], a * a * a * dense[0] + a * a * dense[1] + a * dense[2])
        for mode in range(3):
            mean = rng.normal(0.0, 100.0, 6)
            cov = _covariances(rng, (), 6)
            f = f_all[0, mode]
            out = np.empty(6), np.empty((6, 6)), np.empty((6, 6))
            _move(mean, cov, f, abs(dt), noise, mode, *out)
            q = [dense[k, mode].tolist() for k in range(3)]
            expected = _dense_move(mean.tolist(), cov.tolist(), f.tolist(), abs(dt), *q)
            for got, want in zip(out, expected, strict=True):
                assert got.tobytes() == np.array(want).tobytes()


def test_update_weights_by_likelihood_without_underflow() -> None:
    # innovations hundreds of sigmas out: the densities underflow, their ratio does not
    prediction = Prediction(
        np.array([[0.5, 0.5]]),
        np.zeros((1, 2, 6)),
        np.broadcast_to(np.eye(6), (1, 2, 6, 6)).copy(),
        np.zeros((1, 2, 6)),
        np.broadcast_to(np.eye(6), (1, 2, 6, 6)).copy(),
        np.broadcast_to(np.eye(6), (1, 2, 6, 6)).copy(),
        np.zeros(1),
    )
    s = np.ones((1, 2, 1, 1))
    residual = np.array([[[600.0], [601.0]]])
    cross = np.zeros((1, 2, 6, 1))
    innovation = Innovation(residual, s, cross, 1.0 / s)
    prob, _, _ = KalmanUpdater().update(prediction, innovation)
    assert np.allclose(prob[0], [1.0, np.exp(-600.5)], rtol=1e-6, atol=0.0)


def test_mixture_moments_match_the_moment_matching_sums() -> None:
    rng = np.random.default_rng(11)
    p, modes = 9, 3
    prob = rng.dirichlet(np.ones(modes), p)
    mean = rng.normal(0.0, 30.0, (p, modes, 6))
    cov = _covariances(rng, (p, modes), 6)
    state, state_cov = combine(prob, mean, cov)
    expected = np.einsum("pm,pmi->pi", prob, mean)
    spread = mean - expected[:, None, :]
    expected_cov = np.einsum("pm,pmij->pij", prob, cov) + np.einsum(
        "pm,pmi,pmj->pij", prob, spread, spread
    )
    assert np.allclose(state, expected, rtol=1e-12, atol=1e-9)
    assert np.allclose(state_cov, expected_cov, rtol=1e-12, atol=1e-9)
    # one mode is its own moments, as it is
    one_state, one_cov = combine(np.ones((p, 1)), mean[:, :1], cov[:, :1])
    assert np.array_equal(one_state, mean[:, 0]) and np.array_equal(one_cov, cov[:, 0])


def test_three_modes_written_out_are_the_general_sums_bit_for_bit() -> None:
    # a fourth mode of weight 0 adds exact zeros, so the general loop sums as three modes
    rng = np.random.default_rng(12)
    p = 40
    prob = rng.dirichlet(np.ones(3), p)
    mean = rng.normal(0.0, 3e4, (p, 3, 6))
    cov = _covariances(rng, (p, 3), 6) * 1e3
    four_prob = np.concatenate((prob, np.zeros((p, 1))), axis=1)
    four_mean = np.concatenate((mean, rng.normal(0.0, 3e4, (p, 1, 6))), axis=1)
    four_cov = np.concatenate((cov, _covariances(rng, (p, 1), 6)), axis=1)
    three, general = (
        mixture_moments(prob, mean, cov),
        mixture_moments(four_prob, four_mean, four_cov),
    )
    assert np.array_equal(three[0], general[0]) and np.array_equal(three[1], general[1])
    # the tracks' summaries form the same combined state and the diagonal summed alike
    rows = np.arange(p)
    ref3 = [np.empty((p, 6)), np.empty(p), np.empty(p), np.empty(p)]
    ref4 = [np.empty((p, 6)), np.empty(p), np.empty(p), np.empty(p)]
    track_summaries(prob, mean, cov, rows, *ref3)
    track_summaries(four_prob, four_mean, four_cov, rows, *ref4)
    assert np.array_equal(ref3[0], three[0]) and np.array_equal(ref3[0], ref4[0])
    assert np.array_equal(ref3[1], ref4[1]) and np.array_equal(ref3[2], ref4[2])
    trace = three[1][:, 0, 0] + three[1][:, 1, 1] + three[1][:, 2, 2]
    assert np.array_equal(ref3[1], np.sqrt(trace))


def test_mode_transitions_are_each_models_own() -> None:
    models = [
        ConstantVelocity(0.5, 1.0),
        CoordinatedTurn(0.1, 5.0, 1.0),
        CoordinatedTurn(-0.1, 5.0, 0.0),
    ]
    imm = IMMPredictor(models, 0.05, [0.8, 0.1, 0.1])
    dt = np.array([-2.0, 0.0, 0.5, 3.0, 60.0])
    f, q = imm.transition(dt)
    assert f.shape == q.shape == (5, 3, 6, 6)
    for m, model in enumerate(models):
        expected_f, expected_q = model.transition(dt)
        assert np.allclose(f[:, m], expected_f, rtol=1e-12, atol=1e-12)
        assert np.allclose(q[:, m], expected_q, rtol=1e-12, atol=1e-12)
    single_f, single_q = KalmanPredictor(models[0]).transition(dt)
    assert np.array_equal(single_f, f[:, :1]) and np.array_equal(single_q, q[:, :1])
