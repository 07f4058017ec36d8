"""The exact solver against brute force; the heuristic against the exact solver."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from wta_cases import brute_force, random_problem

from flankwatch.respond.wta import check_feasible, objective, read_instance, solve
from flankwatch.respond.wta.colgen import solve_columns
from flankwatch.respond.wta.exact import solve_exact
from flankwatch.respond.wta.heuristic import solve_heuristic


@pytest.mark.parametrize("seed", range(12))
def test_exact_equals_brute_force(seed: int) -> None:
    rng = np.random.default_rng(seed)
    problem = random_problem(rng, 3, 3, 2, cost_weight=[0.0, 0.5, 2.0][seed % 3])
    best = brute_force(problem)
    solution = solve_exact(problem, time_limit_s=20.0)
    check_feasible(problem, solution.counts)
    assert solution.optimal
    assert solution.objective == pytest.approx(best, rel=1e-6)
    assert solution.lower_bound == pytest.approx(best, rel=1e-6)
    assert solution.lower_bound <= solution.objective
    assert objective(problem, solution.counts) == pytest.approx(solution.objective)


def test_with_a_cost_idle_weapons_stay_idle() -> None:
    # one use removes 0.5 of value 10 (5.0) but costs 6: better not to shoot
    problem = random_problem(np.random.default_rng(0), 1, 1, 1)
    problem = type(problem)(
        value=np.array([10.0]),
        kill_prob=np.array([[0.5]]),
        uses=np.array([1]),
        cost=np.array([6.0]),
        cost_weight=1.0,
    )
    for method in ("exact", "heuristic", "auto"):
        assert solve(problem, 5.0, method).counts.sum() == 0
    cheaper = type(problem)(
        value=problem.value, kill_prob=problem.kill_prob, uses=problem.uses, cost=np.array([4.0])
    )
    assert solve(cheaper, 5.0, "auto").counts.sum() == 1


def test_heuristic_is_near_the_optimum_on_medium_problems() -> None:
    gaps = []
    for seed in range(8):
        rng = np.random.default_rng(100 + seed)
        problem = random_problem(rng, 8, 12, 3, cost_weight=[0.0, 1.0][seed % 2])
        heuristic = solve_heuristic(problem, time_limit_s=5.0)
        exact = solve_exact(problem, time_limit_s=30.0)
        check_feasible(problem, heuristic.counts)
        assert exact.optimal
        assert heuristic.objective >= exact.lower_bound * (1 - 1e-6)
        gaps.append(heuristic.objective / exact.objective - 1)
    assert max(gaps) < 0.05
    assert np.mean(gaps) < 0.01


def test_solve_is_deterministic_and_reports_its_method() -> None:
    problem = random_problem(np.random.default_rng(7), 10, 15, 2)
    first, second = solve(problem, 10.0, "heuristic"), solve(problem, 10.0, "heuristic")
    assert np.array_equal(first.counts, second.counts)
    assert first.solver == "heuristic" and not first.optimal
    exact = solve(problem, 30.0, "exact")
    assert exact.solver == "exact" and exact.optimal
    assert exact.objective <= first.objective + 1e-9


def test_bad_arguments_are_refused() -> None:
    problem = random_problem(np.random.default_rng(1), 2, 2, 1)
    with pytest.raises(ValueError, match="method 'fast'"):
        solve(problem, 1.0, "fast")
    with pytest.raises(ValueError, match="time limit"):
        solve(problem, 0.0)


SOLVERS = {
    "heuristic": lambda problem: solve(problem, 5.0, "heuristic"),
    "columns": lambda problem: solve_columns(problem, 5.0),
}
"""The two approximate solvers, by name."""


@pytest.mark.parametrize("method", sorted(SOLVERS))
@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n_weapons=st.integers(0, 7),
    n_targets=st.integers(0, 9),
    max_uses=st.integers(0, 4),
    cost_weight=st.sampled_from([0.0, 0.3, 5.0]),
    forbidden_share=st.sampled_from([0.0, 0.5, 1.0]),
)
def test_approximate_solvers_are_feasible_and_never_worse_than_doing_nothing(
    method: str,
    seed: int,
    n_weapons: int,
    n_targets: int,
    max_uses: int,
    cost_weight: float,
    forbidden_share: float,
) -> None:
    rng = np.random.default_rng(seed)
    problem = random_problem(rng, n_weapons, n_targets, max_uses, cost_weight, forbidden_share)
    solution = SOLVERS[method](problem)
    check_feasible(problem, solution.counts)
    nothing = objective(problem, np.zeros((n_weapons, n_targets)))
    assert solution.objective <= nothing + 1e-9
    assert solution.objective == pytest.approx(objective(problem, solution.counts))


BENCHMARK = Path(__file__).resolve().parents[4].parent / "shared" / "data" / "wta"


@pytest.mark.skipif(not (BENCHMARK / "wta_50x100x1.txt").exists(), reason="benchmark absent")
def test_heuristic_within_one_percent_on_a_benchmark_instance() -> None:
    problem = read_instance(BENCHMARK / "wta_50x100x1.txt")
    best_known = 1734.302257  # best_known.csv beside the instance (Andersen et al. 2022)
    solution = solve(problem, 5.0, "heuristic")
    check_feasible(problem, solution.counts)
    assert solution.objective <= best_known * 1.01
