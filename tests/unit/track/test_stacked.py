"""The stacked update against the Kalman filter applied plot by plot."""

import numpy as np
import pytest

from flankwatch.track.motion import ConstantVelocity, CoordinatedTurn
from flankwatch.track.stacked import stacked_update


def _transition(models):
    """The stacked update's transition callback for ``models`` (one per mode)."""

    def transition(dt):
        n, k = dt.shape
        parts = [model.transition(dt.ravel()) for model in models]
        f = np.stack([p[0] for p in parts], axis=1).reshape(n, k, len(models), 6, 6)
        q = np.stack([p[1] for p in parts], axis=1).reshape(n, k, len(models), 6, 6)
        return f, q

    return transition


def _one_track(models, mean, cov, times, z, r, valid=None):
    """The stacked update of one track whose modes all start from ``mean`` and ``cov``."""
    m = len(models)
    return stacked_update(
        np.full((1, m), 1.0 / m),
        np.stack([mean] * m)[None],
        np.stack([cov] * m)[None],
        times[None],
        z[None],
        r[None],
        np.ones((1, len(times)), bool) if valid is None else valid,
        _transition(models),
    )


def _one_by_one(model, mean, cov, times, z, r):
    """A single model's Kalman filter over plots ``z`` at ``times`` (from ``times[0]``)."""
    h = np.eye(3, 6)
    log_likelihood, t = [], times[0]
    for t_i, z_i, r_i in zip(times, z, r, strict=True):
        f, q = model.transition(np.array([t_i - t]))
        mean, cov, t = f[0] @ mean, f[0] @ cov @ f[0].T + q[0], t_i
        s = h @ cov @ h.T + r_i
        residual = z_i - h @ mean
        gain = cov @ h.T @ np.linalg.inv(s)
        mean, cov = mean + gain @ residual, cov - gain @ s @ gain.T
        d2 = residual @ np.linalg.solve(s, residual)
        log_likelihood.append(-0.5 * d2 - 0.5 * np.log(np.linalg.det(s)))
    return mean, cov, np.array(log_likelihood)


def _random_case(rng, n_plots):
    mean = np.array([1000.0, -2000.0, 500.0, 150.0, 40.0, -2.0]) + rng.normal(0, 50, 6)
    a = rng.normal(size=(6, 6))
    cov = a @ a.T + np.diag([400.0, 400.0, 900.0, 100.0, 100.0, 25.0])
    times = np.sort(rng.uniform(0.0, 8.0, n_plots))
    times[0] = 0.0
    z = mean[:3] + times[:, None] * mean[3:] + rng.normal(0, 80, (n_plots, 3))
    b = rng.normal(size=(n_plots, 3, 3))
    r = b @ b.swapaxes(1, 2) * 100.0 + np.eye(3) * 200.0
    return mean, cov, times, z, r


MODELS = {
    "constant velocity": ConstantVelocity(5.0, 1.0),
    "coordinated turn": CoordinatedTurn(np.radians(3.0), 50.0, 1.0),
}


@pytest.mark.parametrize("model", MODELS.values(), ids=MODELS.keys())
@pytest.mark.parametrize("n_plots", [1, 2, 5])
def test_stacked_equals_the_filter_plot_by_plot(n_plots, model):
    rng = np.random.default_rng(n_plots)
    mean, cov, times, z, r = _random_case(rng, n_plots)
    expected_mean, expected_cov, expected_ll = _one_by_one(model, mean, cov, times, z, r)
    result = _one_track([model], mean, cov, times, z, r)
    np.testing.assert_allclose(result.mean[0, 0], expected_mean, rtol=1e-9, atol=1e-6)
    np.testing.assert_allclose(result.cov[0, 0], expected_cov, rtol=1e-7, atol=1e-6)
    np.testing.assert_allclose(result.log_likelihood[0, 0], expected_ll, rtol=1e-9, atol=1e-9)


def test_empty_slots_change_nothing():
    rng = np.random.default_rng(7)
    model = ConstantVelocity(5.0, 1.0)
    mean, cov, times, z, r = _random_case(rng, 4)
    full = _one_track([model], mean, cov, times[:2], z[:2], r[:2])
    valid = np.array([[True, True, False, False]])
    padded = _one_track([model], mean, cov, times, z, r, valid)
    np.testing.assert_allclose(padded.mean, full.mean, rtol=1e-12)
    np.testing.assert_allclose(padded.cov, full.cov, rtol=1e-10)
    assert np.all(padded.log_likelihood[0, 0, 2:] == 0.0)


def test_a_turning_mode_wins_on_plots_of_a_turn():
    turn_rate = np.radians(3.0)
    models = [ConstantVelocity(5.0, 1.0), CoordinatedTurn(turn_rate, 5.0, 1.0)]
    times = np.arange(0.0, 40.0, 4.0)
    speed = 200.0
    heading = turn_rate * times  # anticlockwise from east
    radius = speed / turn_rate
    z = np.column_stack(
        (radius * np.sin(heading), radius * (1 - np.cos(heading)), np.zeros_like(times))
    )
    mean = np.array([0.0, 0.0, 0.0, speed, 0.0, 0.0])
    cov = np.diag([100.0, 100.0, 100.0, 25.0, 25.0, 1.0])
    r = np.broadcast_to(np.eye(3) * 100.0, (len(times), 3, 3))
    result = _one_track(models, mean, cov, times, z, r)
    assert result.prob[0, 1] > 0.99
    np.testing.assert_allclose(result.mean[0, 1, :2], z[-1, :2], atol=30.0)


def test_each_plot_given_the_earlier_ones_matches_the_filter():
    rng = np.random.default_rng(3)
    model = ConstantVelocity(5.0, 1.0)
    mean, cov, times, z, r = _random_case(rng, 3)
    result = _one_track([model], mean, cov, times, z, r)
    # the second plot's residual and covariance after the first plot's update
    first_mean, first_cov, _ = _one_by_one(model, mean, cov, times[:1], z[:1], r[:1])
    f, q = model.transition(np.array([times[1] - times[0]]))
    predicted, predicted_cov = f[0] @ first_mean, f[0] @ first_cov @ f[0].T + q[0]
    np.testing.assert_allclose(result.residual[0, 0, 1], z[1] - predicted[:3], atol=1e-6)
    np.testing.assert_allclose(
        result.residual_cov[0, 0, 1], predicted_cov[:3, :3] + r[1], rtol=1e-9
    )
