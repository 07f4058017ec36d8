"""Random small problems and a brute-force optimum, shared by the solver tests."""

from __future__ import annotations

import itertools

import numpy as np

from flankwatch.respond.wta import WtaProblem, objective


def random_problem(
    rng: np.random.Generator,
    n_weapons: int,
    n_targets: int,
    max_uses: int,
    cost_weight: float = 0.0,
    forbidden_share: float = 0.3,
) -> WtaProblem:
    """Values 1..100, kill probabilities 0.05..0.95 with a share forbidden (0), costs 0..20."""
    kill_prob = rng.uniform(0.05, 0.95, (n_weapons, n_targets))
    kill_prob[rng.random((n_weapons, n_targets)) < forbidden_share] = 0.0
    return WtaProblem(
        value=rng.uniform(1.0, 100.0, n_targets),
        kill_prob=kill_prob,
        uses=rng.integers(0, max_uses + 1, n_weapons),
        cost=rng.uniform(0.0, 20.0, n_weapons),
        cost_weight=cost_weight,
    )


def brute_force(problem: WtaProblem) -> float:
    """The optimum by trying every assignment (tiny problems only)."""
    per_weapon = []
    for i in range(problem.n_weapons):
        allowed = np.flatnonzero(problem.kill_prob[i] > 0)
        options = []
        for combo in itertools.product(range(int(problem.uses[i]) + 1), repeat=len(allowed)):
            if sum(combo) <= problem.uses[i]:
                row = np.zeros(problem.n_targets, dtype=np.int64)
                row[allowed] = combo
                options.append(row)
        per_weapon.append(options)
    return min(objective(problem, np.array(rows)) for rows in itertools.product(*per_weapon))
