"""The static weapon-target assignment problem, its solutions and its objective.

W weapons, T targets. Target j has value ``value[j]``; one use of weapon i on
target j destroys it with probability ``kill_prob[i, j]`` (0 means the pair
may not engage: out of the envelope or forbidden by the rules). Weapon i may be
used at most ``uses[i]`` times in all, several times on one target if need be.
An assignment ``counts[i, j]`` (uses of weapon i on target j) costs

    sum_j value[j] * prod_i (1 - kill_prob[i, j]) ** counts[i, j]
        + cost_weight * sum_ij cost[i] * counts[i, j],

the expected surviving value plus the weighted cost of the uses.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class WtaProblem:
    """One assignment problem; arrays are checked and stored as read-only copies.

    value: (T,) target values, >= 0 (any unit; the objective is in the same unit).
    kill_prob: (W, T) kill probability of one use, in [0, 1); 0 = may not engage.
    uses: (W,) uses allowed per weapon, integers >= 0.
    cost: (W,) cost of one use of each weapon (any currency), >= 0; None = zeros.
    cost_weight: weight of cost in the objective (value unit per currency unit), >= 0.
    """

    value: np.ndarray
    kill_prob: np.ndarray
    uses: np.ndarray
    cost: np.ndarray | None = None
    cost_weight: float = 0.0

    def __post_init__(self) -> None:
        value = _float_array(self.value, "value", 1)
        kill_prob = _float_array(self.kill_prob, "kill_prob", 2)
        n_weapons, n_targets = kill_prob.shape
        if value.shape != (n_targets,):
            raise ValueError(f"value: {value.shape[0]} targets, kill_prob has {n_targets} columns")
        if (value < 0).any():
            raise ValueError(f"value: target {int(np.argmax(value < 0))} is negative")
        bad = (kill_prob < 0) | (kill_prob >= 1)
        if bad.any():
            i, j = np.argwhere(bad)[0]
            raise ValueError(f"kill_prob[{i}, {j}] = {kill_prob[i, j]}: must lie in [0, 1)")
        uses = np.asarray(self.uses)
        if uses.shape != (n_weapons,):
            raise ValueError(f"uses: shape {uses.shape}, expected ({n_weapons},) (one per weapon)")
        if uses.size and (
            not np.issubdtype(uses.dtype, np.number)
            or (uses != np.round(uses)).any()
            or (uses < 0).any()
        ):
            raise ValueError("uses: must be whole numbers >= 0")
        cost = np.zeros(n_weapons) if self.cost is None else _float_array(self.cost, "cost", 1)
        if cost.shape != (n_weapons,):
            raise ValueError(f"cost: shape {cost.shape}, expected ({n_weapons},) (one per weapon)")
        if (cost < 0).any():
            raise ValueError(f"cost: weapon {int(np.argmax(cost < 0))} is negative")
        if not np.isfinite(self.cost_weight) or self.cost_weight < 0:
            raise ValueError(f"cost_weight = {self.cost_weight}: must be finite and >= 0")
        for name, array in (
            ("value", value),
            ("kill_prob", kill_prob),
            ("uses", uses.astype(np.int64)),
            ("cost", cost),
        ):
            array.flags.writeable = False
            object.__setattr__(self, name, array)
        object.__setattr__(self, "cost_weight", float(self.cost_weight))

    @property
    def n_weapons(self) -> int:
        """W, the number of weapons."""
        return int(self.kill_prob.shape[0])

    @property
    def n_targets(self) -> int:
        """T, the number of targets."""
        return int(self.kill_prob.shape[1])

    @property
    def use_cost(self) -> np.ndarray:
        """(W,) weighted cost of one use of each weapon, in the objective's unit."""
        assert self.cost is not None  # set in __post_init__
        return self.cost_weight * self.cost


@dataclass(frozen=True)
class WtaSolution:
    """An assignment and what is known about it.

    counts: (W, T) uses of each weapon on each target.
    objective: its objective value (see the module docstring).
    lower_bound: best proven lower bound on the optimum (== objective when proven
        optimal; -inf when nothing is proven).
    optimal: whether optimality is proven (within the exact solver's gap tolerance).
    solver: the method that produced it ("exact", "heuristic", ...).
    time_s: wall time spent, s.
    """

    counts: np.ndarray
    objective: float
    lower_bound: float
    optimal: bool
    solver: str
    time_s: float


def nothing_to_choose(problem: WtaProblem, solver: str) -> WtaSolution | None:
    """The empty assignment, proven optimal, when it is the only one (no weapon with a
    use may engage any target); None otherwise."""
    if ((problem.kill_prob > 0) & (problem.uses > 0)[:, None]).any():
        return None
    counts = np.zeros(problem.kill_prob.shape, dtype=np.int64)
    value = objective(problem, counts)
    return WtaSolution(counts, value, value, optimal=True, solver=solver, time_s=0.0)


def objective(problem: WtaProblem, counts: np.ndarray) -> float:
    """Expected surviving value plus weighted cost of ``counts`` ((W, T) uses)."""
    counts = _counts_array(problem, counts)
    survive = np.prod((1.0 - problem.kill_prob) ** counts, axis=0)
    return float(problem.value @ survive + problem.use_cost @ counts.sum(axis=1))


def check_feasible(problem: WtaProblem, counts: np.ndarray) -> None:
    """Raise ValueError naming the first fault if ``counts`` breaks a rule of ``problem``.

    The rules: non-negative whole uses, at most ``uses[i]`` per weapon, none on a
    pair with kill probability 0.
    """
    counts = _counts_array(problem, counts)
    over = counts.sum(axis=1) > problem.uses
    if over.any():
        i = int(np.argmax(over))
        raise ValueError(
            f"weapon {i}: {int(counts[i].sum())} uses assigned, {int(problem.uses[i])} allowed"
        )
    forbidden = (counts > 0) & (problem.kill_prob == 0)
    if forbidden.any():
        i, j = np.argwhere(forbidden)[0]
        raise ValueError(f"weapon {i} assigned to target {j}, which it may not engage")


def _counts_array(problem: WtaProblem, counts: np.ndarray) -> np.ndarray:
    counts = np.asarray(counts)
    if counts.shape != problem.kill_prob.shape:
        raise ValueError(f"counts: shape {counts.shape}, expected {problem.kill_prob.shape}")
    if counts.size and ((counts != np.round(counts)).any() or (counts < 0).any()):
        raise ValueError("counts: must be whole numbers >= 0")
    return counts.astype(np.int64)


def _float_array(array: object, name: str, ndim: int) -> np.ndarray:
    try:
        result = np.array(array, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: not an array of numbers") from None
    if result.ndim != ndim:
        raise ValueError(f"{name}: {result.ndim}-dimensional, expected {ndim}")
    if not np.isfinite(result).all():
        raise ValueError(f"{name}: contains a value that is not finite")
    return result
