"""The assignment problem: its checks, the objective and the feasibility rules."""

from __future__ import annotations

import numpy as np
import pytest

from flankwatch.respond.wta import WtaProblem, check_feasible, objective


def _problem(cost_weight: float = 0.0) -> WtaProblem:
    return WtaProblem(
        value=np.array([10.0, 4.0]),
        kill_prob=np.array([[0.5, 0.0], [0.2, 0.9]]),
        uses=np.array([2, 1]),
        cost=np.array([1.0, 3.0]),
        cost_weight=cost_weight,
    )


def test_objective_is_surviving_value_plus_weighted_cost() -> None:
    counts = np.array([[2, 0], [0, 1]])
    # target 0: 10 * 0.5^2, target 1: 4 * 0.1; cost 2 uses x 1 + 1 use x 3, weighted 0.5
    assert objective(_problem(0.5), counts) == pytest.approx(2.5 + 0.4 + 0.5 * 5.0)
    assert objective(_problem(), np.zeros((2, 2))) == pytest.approx(14.0)


def test_several_weapons_on_one_target_multiply_survival() -> None:
    counts = np.array([[1, 0], [1, 0]])
    assert objective(_problem(), counts) == pytest.approx(10 * 0.5 * 0.8 + 4.0)


def test_feasibility_names_the_fault() -> None:
    problem = _problem()
    check_feasible(problem, np.array([[2, 0], [1, 0]]))
    with pytest.raises(ValueError, match="weapon 0: 3 uses assigned, 2 allowed"):
        check_feasible(problem, np.array([[3, 0], [0, 0]]))
    with pytest.raises(ValueError, match="weapon 0 assigned to target 1"):
        check_feasible(problem, np.array([[0, 1], [0, 0]]))
    with pytest.raises(ValueError, match="whole numbers"):
        objective(problem, np.array([[0.5, 0], [0, 0]]))
    with pytest.raises(ValueError, match="shape"):
        objective(problem, np.zeros((3, 2)))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"value": np.array([1.0, -1.0])}, "value: target 1 is negative"),
        ({"value": np.array([1.0])}, "value: 1 targets"),
        ({"kill_prob": np.array([[0.5, 1.0], [0.2, 0.9]])}, r"kill_prob\[0, 1\] = 1.0"),
        ({"kill_prob": np.array([[0.5, np.nan], [0.2, 0.9]])}, "not finite"),
        ({"uses": np.array([1.5, 1])}, "uses: must be whole numbers"),
        ({"uses": np.array([1])}, "uses: shape"),
        ({"cost": np.array([1.0, -2.0])}, "cost: weapon 1 is negative"),
        ({"cost_weight": -1.0}, "cost_weight"),
    ],
)
def test_a_bad_problem_is_refused_by_name(change: dict[str, object], message: str) -> None:
    fields: dict[str, object] = {
        "value": np.array([10.0, 4.0]),
        "kill_prob": np.array([[0.5, 0.0], [0.2, 0.9]]),
        "uses": np.array([2, 1]),
        "cost": None,
        "cost_weight": 0.0,
    } | change
    with pytest.raises(ValueError, match=message):
        WtaProblem(**fields)  # type: ignore[arg-type]


def test_arrays_are_copied_and_read_only() -> None:
    value = np.array([10.0, 4.0])
    problem = WtaProblem(value=value, kill_prob=np.full((1, 2), 0.5), uses=np.array([1]))
    value[0] = 99.0
    assert problem.value[0] == 10.0
    assert problem.cost is not None and (problem.cost == 0).all()
    with pytest.raises(ValueError):
        problem.value[0] = 1.0
