"""Weapon-target assignment by column generation, then a MILP over the columns found.

A *pattern* of target j is a multiset of weapon uses spent on it; its cost is
exact, ``V_j prod_i (1 - p_ij)^n_i + sum_i c_i n_i``. The master problem picks one
pattern per target (the empty one allowed) without spending more than
``uses[i]`` of any weapon: a set-partitioning MILP whose linear relaxation is
much tighter than that of the outer approximation in ``exact``, because each
pattern's cost is exact.

1. Column generation on the linear relaxation: start from the empty pattern,
   the starting assignment's pattern and every single use of a target's
   ``CANDIDATES`` best weapons; solve the LP (HiGHS, interior point, whose
   central duals make the generation stall less than simplex vertices do);
   with the duals (``mu_j`` per target, a price ``pi_i >= 0`` per use of weapon
   i) price, for every target at once, every multiset of up to
   ``MAX_TARGET_USES`` uses of the target's ``CANDIDATES`` weapons of highest
   ``V_j p_ij - pi_i - c_i``; add the best few patterns per target with negative
   reduced cost ``cost - mu_j + sum_i pi_i n_i``; repeat until none is found or
   the share ``GENERATION_SHARE`` of the time is spent.
2. The MILP over all generated patterns (HiGHS, relative gap ``MIP_GAP``): its
   answer is feasible for the full problem. The starting assignment is among
   the columns, so the answer is never worse than the start (if HiGHS runs out
   of time without an answer, the start is returned).

Pricing looks only at a few weapons per target and a few uses, so the result
is a heuristic one (no bound is claimed), but on the public benchmark of
Andersen, Pavlikov and Toffolo (2022) it is within 0.1 % of the best known.
"""

from __future__ import annotations

import itertools
import time
from functools import lru_cache

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse import csr_matrix

from flankwatch.respond.wta.problem import WtaProblem, WtaSolution, nothing_to_choose, objective

CANDIDATES = 12
"""Weapons per target that pricing combines."""

MAX_TARGET_USES = 3
"""Most uses in a pattern found by pricing."""

COLUMNS_PER_TARGET = 3
"""Most patterns added per target in one pricing round."""

GENERATION_SHARE = 0.6
"""Share of the time limit column generation may take; the MILP gets the rest."""

MIP_GAP = 2e-4
"""Relative gap at which HiGHS stops the MILP over the columns."""

_HIGHS_SHARE = 0.9
"""Share of the time left handed to HiGHS as its limit, which it can overrun a little."""

_REDUCED_TOLERANCE = 1e-9
"""A pattern enters when its reduced cost is below -this x the LP objective."""


class _Patterns:
    """The columns: a target and a row of weapon indices (sentinel W pads) per pattern."""

    def __init__(self, problem: WtaProblem, width: int) -> None:
        self.problem = problem
        self.width = width
        n_weapons = problem.n_weapons
        # a row W of zeros stands for "no use" in the padded weapon rows
        self.log_survive = np.vstack([np.log1p(-problem.kill_prob), np.zeros(problem.n_targets)])
        self.use_cost = np.append(problem.use_cost, 0.0)
        self.target: list[int] = []
        self.weapons: list[np.ndarray] = []
        self.cost: list[float] = []
        self.seen: set[tuple[int, bytes]] = set()
        self.sentinel = n_weapons

    def add(self, target: int, weapons: np.ndarray) -> bool:
        """Add target's pattern ``weapons`` (indices, sentinel-padded or not); False if known."""
        row = np.full(self.width, self.sentinel, dtype=np.int64)
        used = np.sort(weapons[weapons < self.sentinel])
        row[: len(used)] = used
        key = (target, row.tobytes())
        if key in self.seen:
            return False
        self.seen.add(key)
        self.target.append(target)
        self.weapons.append(row)
        value = self.problem.value[target]
        self.cost.append(
            float(value * np.exp(self.log_survive[row, target].sum()) + self.use_cost[row].sum())
        )
        return True

    def constraints(self) -> list[LinearConstraint]:
        """One pattern per target (== 1); uses per weapon within its limit."""
        n_columns = len(self.target)
        problem = self.problem
        per_target = csr_matrix(
            (np.ones(n_columns), (self.target, np.arange(n_columns))),
            shape=(problem.n_targets, n_columns),
        )
        rows = np.array(self.weapons)
        column = np.broadcast_to(np.arange(n_columns)[:, None], rows.shape)
        used = rows < self.sentinel
        per_weapon = csr_matrix(
            (np.ones(int(used.sum())), (rows[used], column[used])),
            shape=(problem.n_weapons, n_columns),
        )
        return [
            LinearConstraint(per_target, 1.0, 1.0),
            LinearConstraint(per_weapon, -np.inf, problem.uses),
        ]

    def counts(self, chosen: np.ndarray) -> np.ndarray:
        """(W, T) assignment of the chosen columns (indices)."""
        counts = np.zeros(self.problem.kill_prob.shape, dtype=np.int64)
        rows = np.array(self.weapons)[chosen]
        targets = np.broadcast_to(np.array(self.target)[chosen][:, None], rows.shape)
        used = rows < self.sentinel
        np.add.at(counts, (rows[used], targets[used]), 1)
        return counts


def solve_columns(
    problem: WtaProblem, time_limit_s: float = 10.0, start: np.ndarray | None = None
) -> WtaSolution:
    """Column generation, then the MILP over the columns, within about ``time_limit_s`` s.

    ``start`` is an optional feasible (W, T) assignment; the answer is never worse.
    Nothing is proven (lower bound -inf).
    """
    trivial = nothing_to_choose(problem, "columns")
    if trivial is not None:
        return trivial
    started = time.perf_counter()
    deadline = started + time_limit_s
    if start is None:
        start = np.zeros(problem.kill_prob.shape, dtype=np.int64)
    n_weapons, n_targets = problem.kill_prob.shape
    pattern_uses = min(MAX_TARGET_USES, int(problem.uses.sum()))
    patterns = _Patterns(problem, max(pattern_uses, int(start.sum(axis=0).max(initial=0))))
    for target in range(n_targets):
        patterns.add(target, np.empty(0, dtype=np.int64))
        patterns.add(target, np.repeat(np.arange(n_weapons), start[:, target]))
    singles = _candidates(problem, np.zeros(n_weapons))
    for target in range(n_targets):
        for weapon in singles[:, target]:
            patterns.add(target, np.array([weapon]))
    _generate(problem, patterns, pattern_uses, started + GENERATION_SHARE * time_limit_s)
    best_counts, best = start, objective(problem, start)
    result = milp(
        np.array(patterns.cost),
        integrality=np.ones(len(patterns.cost)),
        bounds=Bounds(0.0, 1.0),
        constraints=patterns.constraints(),
        options={
            "time_limit": max(_HIGHS_SHARE * (deadline - time.perf_counter()), 0.01),
            "mip_rel_gap": MIP_GAP,
        },
    )
    if result.x is not None:
        counts = patterns.counts(np.flatnonzero(result.x > 0.5))
        value = objective(problem, counts)
        if value < best:
            best_counts, best = counts, value
    return WtaSolution(
        counts=best_counts,
        objective=best,
        lower_bound=-np.inf,
        optimal=False,
        solver="columns",
        time_s=time.perf_counter() - started,
    )


def _generate(
    problem: WtaProblem, patterns: _Patterns, pattern_uses: int, deadline: float
) -> None:
    """Solve the LP, add priced patterns, until none prices out or the deadline passes."""
    n_weapons, n_targets = problem.kill_prob.shape
    while time.perf_counter() < deadline:
        per_target, per_weapon = patterns.constraints()
        result = linprog(
            np.array(patterns.cost),
            A_ub=per_weapon.A,
            b_ub=problem.uses,
            A_eq=per_target.A,
            b_eq=np.ones(n_targets),
            bounds=(0.0, None),
            method="highs-ipm",
            options={"time_limit": max(deadline - time.perf_counter(), 0.01)},
        )
        if result.status != 0:
            return
        target_dual = result.eqlin.marginals
        price = -result.ineqlin.marginals
        candidates = _candidates(problem, price)
        combos, multiplicity = _combinations(candidates.shape[0], pattern_uses)
        # slot K of a combination is "no use": weapon W, the sentinel
        weapons = np.vstack([candidates, np.full(n_targets, n_weapons)])[combos]
        reduced = (
            problem.value[None, :]
            * np.exp(patterns.log_survive[weapons, np.arange(n_targets)].sum(axis=1))
            + (np.append(price, 0.0) + patterns.use_cost)[weapons].sum(axis=1)
            - target_dual[None, :]
        )
        limit = np.append(problem.uses, np.iinfo(np.int64).max)[candidates]
        reduced[(multiplicity[:, :, None] > limit[None, :, :]).any(axis=1)] = np.inf
        threshold = -_REDUCED_TOLERANCE * max(abs(float(result.fun)), 1e-12)
        best = np.argsort(reduced, axis=0, kind="stable")[:COLUMNS_PER_TARGET]
        added = False
        for target in range(n_targets):
            for combo in best[:, target]:
                if reduced[combo, target] < threshold:
                    added = patterns.add(target, weapons[combo, :, target]) or added
        if not added:
            return


def _candidates(problem: WtaProblem, price: np.ndarray) -> np.ndarray:
    """(K, T) each target's weapons of highest ``V_j p_ij - price_i - c_i`` (sentinel W
    where fewer may engage)."""
    n_weapons = problem.n_weapons
    score = problem.value[None, :] * problem.kill_prob - (price + problem.use_cost)[:, None]
    usable = (problem.kill_prob > 0) & (problem.uses > 0)[:, None]
    score[~usable] = -np.inf
    count = min(CANDIDATES, n_weapons)
    candidates = np.argsort(-score, axis=0, kind="stable")[:count]
    candidates[~np.take_along_axis(usable, candidates, axis=0)] = n_weapons
    return candidates


@lru_cache(maxsize=8)
def _combinations(n_candidates: int, pattern_uses: int) -> tuple[np.ndarray, np.ndarray]:
    """Every multiset of up to ``pattern_uses`` of ``n_candidates`` slots, padded with the
    extra slot ``n_candidates`` (no use): (combination, use) slot indices and the
    (combination, slot) multiplicity of each real slot."""
    rows = [
        combo + (n_candidates,) * (pattern_uses - size)
        for size in range(pattern_uses + 1)
        for combo in itertools.combinations_with_replacement(range(n_candidates), size)
    ]
    combos = np.array(rows, dtype=np.int64).reshape(len(rows), pattern_uses)
    multiplicity = (combos[:, :, None] == np.arange(n_candidates)[None, None, :]).sum(axis=1)
    return combos, multiplicity
