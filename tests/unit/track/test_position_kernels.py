"""The position kernels' scalar functions: the same bits compiled and run as Python."""

from __future__ import annotations

import math

import numpy as np

from flankwatch.compiled import interpreted
from flankwatch.track.kernels import imm_predict
from flankwatch.track.position_kernels import log, mode_probabilities


def test_log_is_numpys_log_at_its_edges_both_ways() -> None:
    for x, expected in ((0.0, -math.inf), (math.inf, math.inf)):
        assert log(x) == expected
        with interpreted():
            assert log(x) == expected
    for x in (-1.0, -math.inf, math.nan):
        assert math.isnan(log(x))
        with interpreted():
            assert math.isnan(log(x))


def test_logs_and_mode_probabilities_are_the_same_bits_compiled_and_as_python() -> None:
    # NumPy's vectorised exp and log (on CPUs with AVX-512) differ in the last bit from the
    # C library's, which compiled kernels call: the kernels must not use them as Python
    rng = np.random.default_rng(11)
    values = np.exp(rng.uniform(-700.0, 700.0, 2000))
    with interpreted():
        as_python = [log(float(x)) for x in values]
    assert [log(float(x)) for x in values] == as_python
    weights = rng.uniform(-50.0, 0.0, (500, 3))
    compiled, python = np.empty_like(weights), np.empty_like(weights)
    for row in range(len(weights)):
        mode_probabilities(weights[row].copy(), compiled[row])
        with interpreted():
            mode_probabilities(weights[row].copy(), python[row])
    assert compiled.tobytes() == python.tobytes()


def test_an_imm_prediction_with_turns_is_the_same_bits_compiled_and_as_python() -> None:
    # the modes' mixing (exp of the step) and the turns (sin and cos of their angles)
    rng = np.random.default_rng(5)
    n, m = 60, 3
    prob = rng.dirichlet(np.ones(m), n)
    mean = rng.normal(0.0, 500.0, (n, m, 6))
    a = rng.normal(0.0, 3.0, (n, m, 6, 6))
    cov = a @ np.swapaxes(a, -1, -2) + np.eye(6)
    rows = np.arange(n)
    dt_s = rng.uniform(0.1, 30.0, n)
    turn_rate_rps = np.array([0.0, 0.05, -0.05])
    noise = np.abs(rng.normal(0.0, 1.0, (3, m, 3)))
    single = rng.random(n) < 0.2
    compiled = imm_predict(prob, mean, cov, rows, dt_s, 0.02, turn_rate_rps, noise, single)
    with interpreted():
        python = imm_predict(prob, mean, cov, rows, dt_s, 0.02, turn_rate_rps, noise, single)
    for got, expected in zip(python, compiled, strict=True):
        assert got.tobytes() == expected.tobytes()
