"""Weapon-target assignment by column generation, then a MILP over the columns found.

A *pattern* of target j is a multiset of weapon uses spent on it; its cost is
exact, ``V_j prod_i (1 - p_ij)^n_i + sum_i c_i n_i``. The master problem picks one
pattern per target (the empty one allowed) without spending more than
``uses[i]`` of any weapon: a set-partitioning MILP whose linear relaxation is
much tighter than that of the outer approximation in ``exact``, because each
pattern's cost is exact.

1. Column generation on the linear relaxation: start from the empty pattern,
   the starting assignment's pattern and every single use of a target's
   ``CANDIDATES[0]`` best weapons; solve the LP (HiGHS, interior point); with
   the duals (``mu_j`` per target, a price ``pi_i >= 0`` per use of weapon i)
   price, for every target at once, every multiset of up to
   ``MAX_TARGET_USES`` uses of a few weapons chosen per target (see
   ``_candidates``); add the best few patterns per target with negative reduced
   cost ``cost - mu_j + sum_i pi_i n_i``; repeat until the LP value is near the
   Lagrangian bound or the share ``GENERATION_SHARE`` of the time is spent.
   Duals are smoothed towards the best bound's (P. Wentges, "Weighted
   Dantzig-Wolfe decomposition for linear mixed-integer programming",
   International Transactions in Operational Research 4(2), 1997), which
   shortens the first rounds, where the LP value stalls.
2. Round the last LP (see ``_round``): an upper bound U. A pattern whose reduced
   cost exceeds ``U - LP`` can be in no solution better than U, so the MILP
   (HiGHS, relative gap ``MIP_GAP``) gets only the others (at most
   ``MILP_COLUMNS_PER_TARGET`` per target on average), after adding up to
   ``ENRICH_PER_TARGET`` more per target of reduced cost below ``U - LP``.
   The answer is the best of the start, the rounding and the MILP's, so never
   worse than the start, and it still comes when HiGHS runs out of time.

Pricing looks only at a few weapons per target and a few uses, so the result
is a heuristic one (no bound is claimed); on the public benchmark of Andersen,
Pavlikov and Toffolo (2022) it comes within 0.011 % of the best known on all
18 instances (``benchmarks/wta.py``), and on random problems of up to 20
weapons it found the proven optimum every time.
"""

from __future__ import annotations

import itertools
import time
from functools import lru_cache
from typing import NamedTuple

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse import csr_matrix

from flankwatch.respond.wta.problem import WtaProblem, WtaSolution, nothing_to_choose, objective

CANDIDATES = (5, 4, 3)
"""Weapons per target that pricing combines, per level of use (see ``_candidates``)."""

MAX_TARGET_USES = 3
"""Most uses in a pattern found by pricing."""

COLUMNS_PER_TARGET = 1
"""Patterns added per target in one pricing round (more make the LP slower than they
save rounds)."""

GENERATION_SHARE = 0.6
"""Share of the time limit column generation may take; the MILP gets the rest."""

MIP_GAP = 5e-4
"""Relative gap at which HiGHS stops the MILP over the columns."""

CONVERGED_GAP = 1e-3
"""Generation stops when the best Lagrangian bound (as far as pricing sees) is within
this share of the LP value."""

SMOOTHING = 0.5
"""Weight of the best-bound duals in the duals pricing uses (see ``_generate``)."""

MILP_COLUMNS_PER_TARGET = 8
"""Most patterns the MILP gets, per target on average (those of least reduced cost)."""

ENRICH_PER_TARGET = 5
"""Most patterns per target added after the generation (see step 2): alternatives that
let the MILP find whole solutions near the LP value."""

_HIGHS_SHARE = 0.9
"""Share of the time left handed to HiGHS as its limit, which it can overrun a little."""

_REDUCED_TOLERANCE = 1e-9
"""A pattern enters when its reduced cost is below -this x the LP objective."""


class _Patterns:
    """The columns: per pattern a target, a row of weapon indices (sentinel W pads, sorted
    so that it comes last) and the exact cost."""

    def __init__(self, problem: WtaProblem, width: int) -> None:
        self.problem = problem
        self.width = width
        self.sentinel = problem.n_weapons
        # a row W of zeros stands for "no use" in the padded weapon rows
        self.log_survive = np.vstack([np.log1p(-problem.kill_prob), np.zeros(problem.n_targets)])
        self.use_cost = np.append(problem.use_cost, 0.0)
        self.target = np.empty(0, dtype=np.int64)
        self.weapons = np.empty((0, width), dtype=np.int64)
        self.cost = np.empty(0)
        self.seen: set[bytes] = set()

    def add(self, targets: np.ndarray, weapons: np.ndarray) -> int:
        """Add the patterns ``weapons[k]`` (sentinel-padded rows) of ``targets[k]`` not yet
        known; returns how many were new."""
        rows = np.full((len(targets), self.width), self.sentinel, dtype=np.int64)
        rows[:, : weapons.shape[1]] = np.sort(weapons, axis=1)
        keys = np.column_stack([targets, rows])
        new = np.zeros(len(targets), dtype=bool)
        for k, key in enumerate(keys):
            code = key.tobytes()
            if code not in self.seen:
                self.seen.add(code)
                new[k] = True
        targets, rows = targets[new], rows[new]
        cost = self.problem.value[targets] * np.exp(
            self.log_survive[rows, targets[:, None]].sum(axis=1)
        ) + self.use_cost[rows].sum(axis=1)
        self.target = np.concatenate([self.target, targets])
        self.weapons = np.vstack([self.weapons, rows])
        self.cost = np.concatenate([self.cost, cost])
        return int(new.sum())

    def add_assignment(self, counts: np.ndarray) -> int:
        """Add the patterns of a (W, T) assignment, but for targets with more than
        ``width`` uses; returns how many were new."""
        n_weapons, n_targets = counts.shape
        fits = np.flatnonzero(counts.sum(axis=0) <= self.width)
        rows = np.full((len(fits), self.width), self.sentinel, dtype=np.int64)
        for row, target in enumerate(fits):
            used = np.repeat(np.arange(n_weapons), counts[:, target])
            rows[row, : len(used)] = used
        return self.add(fits, rows)

    def reduced_cost(self, target_dual: np.ndarray, price: np.ndarray) -> np.ndarray:
        """Reduced cost of every column under the duals (``price`` >= 0 per weapon use)."""
        return self.cost - target_dual[self.target] + np.append(price, 0.0)[self.weapons].sum(1)

    def constraints(self, columns: np.ndarray) -> tuple[csr_matrix, csr_matrix]:
        """For ``columns`` (indices): the matrix of "one pattern per target" (== 1) and that
        of the uses per weapon (<= uses)."""
        problem = self.problem
        n_columns = len(columns)
        per_target = csr_matrix(
            (np.ones(n_columns), (self.target[columns], np.arange(n_columns))),
            shape=(problem.n_targets, n_columns),
        )
        rows = self.weapons[columns]
        column = np.broadcast_to(np.arange(n_columns)[:, None], rows.shape)
        used = rows < self.sentinel
        per_weapon = csr_matrix(
            (np.ones(int(used.sum())), (rows[used], column[used])),
            shape=(problem.n_weapons, n_columns),
        )
        return per_target, per_weapon

    def counts(self, columns: np.ndarray) -> np.ndarray:
        """(W, T) assignment made of ``columns`` (indices)."""
        counts = np.zeros(self.problem.kill_prob.shape, dtype=np.int64)
        rows = self.weapons[columns]
        targets = np.broadcast_to(self.target[columns][:, None], rows.shape)
        used = rows < self.sentinel
        np.add.at(counts, (rows[used], targets[used]), 1)
        return counts


class _Relaxation(NamedTuple):
    """A solved LP over the columns: its value, target duals, weapon prices (>= 0), and
    the values ``x`` of the columns it had (the pool's first ``len(x)``)."""

    value: float
    target_dual: np.ndarray
    price: np.ndarray
    x: np.ndarray


def solve_columns(
    problem: WtaProblem, time_limit_s: float = 10.0, start: np.ndarray | None = None
) -> WtaSolution:
    """Column generation, then the MILP over the columns, within about ``time_limit_s`` s.

    ``start`` is an optional feasible (W, T) assignment. The answer is the best of
    the start, the last LP rounded (see ``_round``) and the MILP's, so it is never
    worse than the start and still comes when HiGHS runs out of time. Nothing is
    proven (lower bound -inf).
    """
    trivial = nothing_to_choose(problem, "columns")
    if trivial is not None:
        return trivial
    started = time.perf_counter()
    deadline = started + time_limit_s
    if start is None:
        start = np.zeros(problem.kill_prob.shape, dtype=np.int64)
    pattern_uses = min(MAX_TARGET_USES, int(problem.uses.sum()))
    patterns = _first_patterns(problem, start, pattern_uses)
    relaxation = _generate(
        problem, patterns, pattern_uses, started + GENERATION_SHARE * time_limit_s
    )
    found = [start]
    columns = np.arange(len(patterns.cost))
    if relaxation is not None:
        found.append(_round(problem, patterns, relaxation))
        patterns.add_assignment(found[-1])
        # reduced cost a pattern may have in a solution better than the best found
        slack = min(objective(problem, counts) for counts in found) - relaxation.value
        scale = max(abs(relaxation.value), 1e-12)
        duals = (scale, relaxation.target_dual, relaxation.price)
        _price(problem, patterns, pattern_uses, duals, ENRICH_PER_TARGET, slack / scale)
        columns = _milp_columns(patterns, relaxation, slack)
    per_target, per_weapon = patterns.constraints(columns)
    result = milp(
        patterns.cost[columns],
        integrality=np.ones(len(columns)),
        bounds=Bounds(0.0, 1.0),
        constraints=[
            LinearConstraint(per_target, 1.0, 1.0),
            LinearConstraint(per_weapon, -np.inf, problem.uses),
        ],
        options={
            "time_limit": max(_HIGHS_SHARE * (deadline - time.perf_counter()), 0.01),
            "mip_rel_gap": MIP_GAP,
        },
    )
    if result.x is not None:
        found.append(patterns.counts(columns[result.x > 0.5]))
    values = [objective(problem, counts) for counts in found]
    best = int(np.argmin(values))
    return WtaSolution(
        counts=found[best],
        objective=values[best],
        lower_bound=-np.inf,
        optimal=False,
        solver="columns",
        time_s=time.perf_counter() - started,
    )


def _milp_columns(patterns: _Patterns, relaxation: _Relaxation, slack: float) -> np.ndarray:
    """Indices of the columns the MILP gets: the empty patterns (the first T columns),
    and of the others those with reduced cost at most ``slack``, at most
    ``MILP_COLUMNS_PER_TARGET`` per target on average, least reduced cost first."""
    n_targets = patterns.problem.n_targets
    reduced = patterns.reduced_cost(relaxation.target_dual, relaxation.price)[n_targets:]
    tolerance = _REDUCED_TOLERANCE * max(abs(relaxation.value), 1e-12)
    others = np.flatnonzero(reduced <= slack + tolerance)
    others = others[np.argsort(reduced[others], kind="stable")]
    others = np.sort(others[: MILP_COLUMNS_PER_TARGET * n_targets])
    return np.concatenate([np.arange(n_targets), n_targets + others])


def _first_patterns(problem: WtaProblem, start: np.ndarray, pattern_uses: int) -> _Patterns:
    """The first columns: per target the empty pattern, the start's, and each single use
    of its ``CANDIDATES[0]`` best weapons."""
    n_weapons, n_targets = problem.kill_prob.shape
    width = max(pattern_uses, int(start.sum(axis=0).max(initial=0)))
    patterns = _Patterns(problem, width)
    targets = np.arange(n_targets)
    patterns.add(targets, np.full((n_targets, 1), n_weapons))
    patterns.add_assignment(start)
    singles = _candidates(problem, np.zeros(n_weapons))[: CANDIDATES[0]]
    patterns.add(np.tile(targets, len(singles)), singles.reshape(-1, 1))
    return patterns


def _round(problem: WtaProblem, patterns: _Patterns, relaxation: _Relaxation) -> np.ndarray:
    """(W, T) each target's LP pattern of largest value; then, while a weapon is used
    more than allowed, the use of such a weapon whose removal costs least goes;
    then, while a spare use lowers the objective, the one that lowers it most is
    spent."""
    n_columns = len(relaxation.x)
    order = np.lexsort((-relaxation.x, patterns.target[:n_columns]))
    first = np.ones(n_columns, dtype=bool)
    first[1:] = np.diff(patterns.target[order]) != 0
    counts = patterns.counts(order[first])
    survive = 1.0 - problem.kill_prob
    remaining = problem.value * np.prod(survive**counts, axis=0)
    over = np.flatnonzero(counts.sum(axis=1) > problem.uses)
    while len(over):
        # loss of taking one use of each over-used weapon off each of its targets
        loss = remaining[None, :] * (1.0 / survive[over] - 1.0) - problem.use_cost[over, None]
        loss[counts[over] == 0] = np.inf
        row, target = np.unravel_index(np.argmin(loss), loss.shape)
        weapon = over[row]
        counts[weapon, target] -= 1
        remaining[target] /= survive[weapon, target]
        over = np.flatnonzero(counts.sum(axis=1) > problem.uses)
    spare = np.flatnonzero(counts.sum(axis=1) < problem.uses)
    while len(spare):
        gain = remaining[None, :] * problem.kill_prob[spare] - problem.use_cost[spare, None]
        row, target = np.unravel_index(np.argmax(gain), gain.shape)
        if not gain[row, target] > 0:
            break
        weapon = spare[row]
        counts[weapon, target] += 1
        remaining[target] *= survive[weapon, target]
        spare = np.flatnonzero(counts.sum(axis=1) < problem.uses)
    return counts


def _generate(
    problem: WtaProblem, patterns: _Patterns, pattern_uses: int, deadline: float
) -> _Relaxation | None:
    """Solve the LP, add priced patterns, until the best Lagrangian bound found is within
    ``CONVERGED_GAP`` of the LP value, pricing finds nothing new, or the deadline passes.

    Pricing uses duals smoothed towards those of the best bound so far (Wentges'
    stabilisation, share ``SMOOTHING``), which cuts the rounds where the LP value
    stalls; when that finds no pattern pricing out at the LP's own duals, those
    are priced too. Returns the last LP solved (None if none was).
    """
    n_targets = problem.n_targets
    relaxation = None
    center: tuple[float, np.ndarray, np.ndarray] | None = None  # best bound, its duals
    while time.perf_counter() < deadline:
        per_target, per_weapon = patterns.constraints(np.arange(len(patterns.cost)))
        result = linprog(
            patterns.cost,
            A_ub=per_weapon,
            b_ub=problem.uses,
            A_eq=per_target,
            b_eq=np.ones(n_targets),
            bounds=(0.0, None),
            method="highs-ipm",
            options={"time_limit": max(deadline - time.perf_counter(), 0.01)},
        )
        if result.status != 0:
            break
        target_dual, price = result.eqlin.marginals, -result.ineqlin.marginals
        relaxation = _Relaxation(float(result.fun), target_dual, price, result.x)
        scale = max(abs(relaxation.value), 1e-12)
        tried = [(target_dual, price)]
        if center is not None:
            tried.insert(
                0,
                (
                    SMOOTHING * center[1] + (1.0 - SMOOTHING) * target_dual,
                    SMOOTHING * center[2] + (1.0 - SMOOTHING) * price,
                ),
            )
        for point_dual, point_price in tried:
            known = len(patterns.cost)
            bound, added = _price(
                problem,
                patterns,
                pattern_uses,
                (scale, point_dual, point_price),
                COLUMNS_PER_TARGET,
                0.0,
            )
            if center is None or bound > center[0]:
                center = (bound, point_dual, point_price)
            reduced = patterns.reduced_cost(target_dual, price)[known:]
            if (reduced < -_REDUCED_TOLERANCE * scale).any():
                break
        else:
            break  # nothing prices out at the LP's duals
        if relaxation.value - center[0] <= CONVERGED_GAP * scale:
            break
    return relaxation


def _price(
    problem: WtaProblem,
    patterns: _Patterns,
    pattern_uses: int,
    duals: tuple[float, np.ndarray, np.ndarray],
    per_target: int,
    below: float,
) -> tuple[float, int]:
    """Add, per target, up to ``per_target`` patterns of its candidate weapons whose
    reduced cost is below ``below`` x ``scale`` (less a tolerance); ``duals`` is
    (``scale``, target duals, weapon prices).

    Returns the Lagrangian bound of the duals as far as pricing and the columns
    known before see (each target's cheapest pattern at these prices, less the
    price of all uses), and how many patterns were new.
    """
    n_weapons, n_targets = problem.kill_prob.shape
    targets = np.arange(n_targets)
    scale, target_dual, price = duals
    candidates = _candidates(problem, price)
    combos, multiplicity = _combinations(candidates.shape[0], pattern_uses)
    # slot K of a combination is "no use": weapon W, the sentinel
    weapons = np.vstack([candidates, np.full(n_targets, n_weapons)])[combos]
    reduced = (
        problem.value[None, :] * np.exp(patterns.log_survive[weapons, targets].sum(axis=1))
        + (np.append(price, 0.0) + patterns.use_cost)[weapons].sum(axis=1)
        - target_dual[None, :]
    )
    # uses allowed per slot; 0 for a slot without a weapon, whose combinations would
    # repeat those with the "no use" slot
    limit = np.append(problem.uses, 0)[candidates]
    reduced[(multiplicity[:, :, None] > limit[None, :, :]).any(axis=1)] = np.inf
    cheapest = reduced.min(axis=0)
    np.minimum.at(cheapest, patterns.target, patterns.reduced_cost(target_dual, price))
    bound = float((target_dual + cheapest).sum() - price @ problem.uses)
    count = min(per_target, len(combos))
    best = np.argpartition(reduced, count - 1, axis=0)[:count]  # (count, T)
    entering = reduced[best, targets] < (below - _REDUCED_TOLERANCE) * scale
    combo, target = best[entering], np.broadcast_to(targets, best.shape)[entering]
    return bound, patterns.add(target, weapons[combo, :, target])


def _candidates(problem: WtaProblem, price: np.ndarray) -> np.ndarray:
    """(K, T) the weapons pricing combines for each target (sentinel W pads).

    For the l-th use on a target, the ``CANDIDATES[l]`` weapons not yet listed with
    the highest ``w_j p_ij - price_i - c_i``, where ``w_j`` is the value the best
    listed weapon of each earlier level leaves: a second use gains little on a
    target the first nearly destroys, so cheap weapons (low price) count there.
    """
    n_weapons, n_targets = problem.kill_prob.shape
    columns = np.arange(n_targets)
    open_pairs = (problem.kill_prob > 0) & (problem.uses > 0)[:, None]
    left = problem.value.copy()
    levels = []
    for count in CANDIDATES:
        score = left[None, :] * problem.kill_prob - (price + problem.use_cost)[:, None]
        score[~open_pairs] = -np.inf
        order = np.argsort(-score, axis=0, kind="stable")[: min(count, n_weapons)]
        listed = np.take_along_axis(open_pairs, order, axis=0)
        levels.append(np.where(listed, order, n_weapons))
        open_pairs[order[listed], np.nonzero(listed)[1]] = False
        left = np.where(listed[0], left * (1.0 - problem.kill_prob[order[0], columns]), left)
    return np.vstack(levels)


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
