"""The chi-square quantile and tails of the gates, against SciPy's."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import chi2

from flankwatch.track.chi_square import lower_tail, quantile, upper_tail
from flankwatch.track.gating import gate_threshold

PROBABILITIES = (1e-9, 1e-3, 0.2, 0.5, 0.8, 0.99, 0.9995, 0.999999, 1.0 - 1e-12)


@pytest.mark.parametrize("dof", range(1, 9))
@pytest.mark.parametrize("probability", PROBABILITIES)
def test_the_quantile_is_scipys_to_1e_13(dof: int, probability: float) -> None:
    assert quantile(probability, dof) == pytest.approx(chi2.ppf(probability, dof), rel=1e-13)


def test_a_whole_number_given_as_a_float_is_taken() -> None:
    assert quantile(0.99, 3.0) == quantile(0.99, 3)  # type: ignore[arg-type]


def test_two_degrees_of_freedom_give_the_closed_form_exactly() -> None:
    # P(X > x) = exp(-x / 2) for 2 degrees of freedom: the 0.99 gate is -2 ln(1 - 0.99)
    assert quantile(0.99, 2) == -2.0 * math.log(1.0 - 0.99)
    assert gate_threshold(0.99, 2) == quantile(0.99, 2)


@given(
    x=st.floats(min_value=0.0, max_value=200.0),
    dof=st.integers(min_value=1, max_value=12),
)
def test_the_tails_are_scipys_and_sum_to_one(x: float, dof: int) -> None:
    upper, lower = upper_tail(x, dof), lower_tail(x, dof)
    assert upper == pytest.approx(chi2.sf(x, dof), rel=1e-12, abs=1e-300)
    assert lower == pytest.approx(chi2.cdf(x, dof), rel=1e-12, abs=1e-300)
    assert upper + lower == pytest.approx(1.0, rel=1e-12)


@given(
    probability=st.floats(min_value=1e-12, max_value=1.0 - 1e-12),
    dof=st.integers(min_value=1, max_value=12),
)
def test_the_quantile_inverts_the_distribution(probability: float, dof: int) -> None:
    x = quantile(probability, dof)
    assert chi2.cdf(x, dof) == pytest.approx(probability, rel=1e-11, abs=1e-14)
    assert x == pytest.approx(chi2.ppf(probability, dof), rel=1e-12)


@pytest.mark.parametrize(
    ("probability", "dof"), [(0.0, 2), (1.0, 2), (-0.1, 2), (0.5, 0), (0.5, 1.5)]
)
def test_a_probability_outside_0_1_or_a_fractional_dof_is_refused(
    probability: float, dof: float
) -> None:
    with pytest.raises(ValueError, match="probability|degrees of freedom"):
        quantile(probability, dof)  # type: ignore[arg-type]
