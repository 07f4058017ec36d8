"""Motion models and predictors."""

from __future__ import annotations

import numpy as np

from flankwatch.track.motion import ConstantVelocity, CoordinatedTurn
from flankwatch.track.predictor import IMMPredictor, KalmanPredictor, combine


def test_constant_velocity_moves_and_grows_uncertainty() -> None:
    predictor = KalmanPredictor(ConstantVelocity(2.0, 1.0))
    mean = np.array([[[0.0, 0.0, 100.0, 10.0, -5.0, 1.0]]])
    cov = np.eye(6)[None, None]
    p = predictor.predict(np.ones((1, 1)), mean, cov, np.zeros(1), np.full(1, 3.0))
    assert np.allclose(p.mean[0, 0], [30.0, -15.0, 103.0, 10.0, -5.0, 1.0])
    # position variance: 1 + 9 * 1 (velocity) + q t^3 / 3
    assert np.isclose(p.cov[0, 0, 0, 0], 1.0 + 9.0 + 2.0 * 27.0 / 3.0)
    assert p.mean is p.at_mean and p.cross is p.at_cov
    assert p.t_s[0] == 3.0


def test_coordinated_turn_rotates_velocity() -> None:
    rate = np.radians(10.0)
    f, _ = CoordinatedTurn(rate, 1.0, 1.0).transition(np.array([9.0]))
    state = np.array([0.0, 0.0, 0.0, 0.0, 100.0, 0.0])  # heading north
    moved = f[0] @ state
    # a left (anticlockwise) turn of 90 degrees: now heading west
    assert np.allclose(moved[3:5], [-100.0, 0.0], atol=1e-9)
    radius = 100.0 / rate
    assert np.allclose(moved[:2], [-radius, radius])


def test_late_plot_retrodicts_without_moving_the_track() -> None:
    predictor = KalmanPredictor(ConstantVelocity(1.0, 1.0))
    mean = np.array([[[100.0, 0.0, 0.0, 10.0, 0.0, 0.0]]])
    cov = np.eye(6)[None, None]
    p = predictor.predict(np.ones((1, 1)), mean, cov, np.full(1, 5.0), np.full(1, 3.0))
    assert np.allclose(p.mean, mean) and np.allclose(p.cov, cov)
    assert np.allclose(p.at_mean[0, 0, :2], [80.0, 0.0])
    assert p.t_s[0] == 5.0
    assert p.at_cov[0, 0, 0, 0] > cov[0, 0, 0, 0]


def test_imm_switch_matrix_and_mixing_keep_probabilities() -> None:
    models = [
        ConstantVelocity(1.0, 1.0),
        CoordinatedTurn(0.1, 1.0, 1.0),
        CoordinatedTurn(-0.1, 1.0, 1.0),
    ]
    imm = IMMPredictor(models, 0.05, [0.8, 0.1, 0.1])
    pi = imm.switch_matrix(np.array([0.0, 1.0, 1e6]))
    assert np.allclose(pi.sum(axis=2), 1.0)
    assert np.allclose(pi[0], np.eye(3))
    assert np.allclose(pi[2], 1.0 / 3.0)
    prob = imm.initial_prob(2)
    mean = np.zeros((2, 3, 6))
    mean[:, :, 3] = 50.0
    cov = np.broadcast_to(np.eye(6), (2, 3, 6, 6)).copy()
    p = imm.predict(prob, mean, cov, np.zeros(2), np.array([1.0, 2.0]))
    assert np.allclose(p.prob.sum(axis=1), 1.0)
    state, state_cov = combine(p.prob, p.mean, p.cov)
    assert state.shape == (2, 6) and state_cov.shape == (2, 6, 6)
    assert np.all(np.linalg.eigvalsh(state_cov) > 0)


def test_imm_all_modes_at_once_matches_each_model_alone() -> None:
    # the IMM moves its CV and turn modes in one pass; the result is each model's own
    rng = np.random.default_rng(3)
    models = [
        ConstantVelocity(0.5, 1.0),
        CoordinatedTurn(0.1, 5.0, 1.0),
        CoordinatedTurn(-0.1, 5.0, 1.0),
    ]
    imm = IMMPredictor(models, 0.05, [0.8, 0.1, 0.1])
    p = 20
    prob = rng.dirichlet([1.0, 1.0, 1.0], p)
    mean = rng.normal(0.0, 100.0, (p, 3, 6))
    a = rng.normal(0.0, 1.0, (p, 3, 6, 6))
    cov = a @ np.swapaxes(a, -1, -2) + np.eye(6)
    t = rng.uniform(0.0, 10.0, p)
    to = t + rng.uniform(-3.0, 10.0, p)  # some late plots
    out = imm.predict(prob, mean, cov, t, to)
    # the same mixing, then each model on its own
    pi = imm.switch_matrix(to - t)
    joint = pi * prob[:, :, None]
    weight = joint / joint.sum(axis=1)[:, None, :]
    mixed_mean = np.einsum("pij,pik->pjk", weight, mean)
    spread = mean[:, :, None, :] - mixed_mean[:, None, :, :]
    mixed_cov = np.einsum("pij,pikl->pjkl", weight, cov) + np.einsum(
        "pij,pijk,pijl->pjkl", weight, spread, spread
    )
    for m, model in enumerate(models):
        f, q = model.transition(to - t)
        expected_mean = np.einsum("pij,pj->pi", f, mixed_mean[:, m])
        expected_cov = f @ mixed_cov[:, m] @ np.swapaxes(f, 1, 2) + q
        assert np.allclose(out.at_mean[:, m], expected_mean, rtol=1e-9, atol=1e-6)
        assert np.allclose(out.at_cov[:, m], expected_cov, rtol=1e-9, atol=1e-6)
    late = to < t
    assert np.array_equal(out.t_s, np.where(late, t, to))
    assert np.allclose(out.mean[late], mean[late])
