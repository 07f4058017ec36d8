"""A fast heuristic for weapon-target assignment: greedy start, local search, reassignment.

1. Greedy maximum marginal return: repeatedly spend the use with the largest
   drop in objective, ``w_j * p_ij - c_i`` (``w_j`` is target j's current
   surviving value, ``c_i`` the weighted cost of one use), while that drop is
   positive.
2. Local search, three neighbourhoods evaluated for all weapons or all pairs of
   uses at once with NumPy, improving moves on disjoint targets applied together:
   - re-insertion: take every use of one weapon away and spend them again the
     best way (greedy is optimal for one weapon, as each further use on a target
     gains less than the one before); this covers moving, adding and dropping uses;
   - swap: two uses of different weapons on different targets exchange targets;
   - ejection: a use takes the place of another, which moves to its weapon's best
     other target (or stays unspent when a cost makes that better).
3. Reassignment rounds, a large neighbourhood in the spirit of the very
   large-scale neighbourhood search of Ahuja, Kumar, Jha and Orlin (Operations
   Research 55(6), 2007): take one use from each of a random share of the targets
   (or of the weapons, every other round) and give them, with the spare uses,
   out again by an exact linear assignment in which each target receives at most
   one of them, so that the objective of each choice is exact; then step 2
   (for problems of up to ``LARGE_USES`` uses; see ``Rounds``). A
   round is kept if it lowers the objective; after a number of rounds
   without, the search restarts from the best assignment with the uses on a few
   random targets taken away (steps 1 and 2 again). It stops when ``patience``
   restarts in a row have not improved the best, or when the time left is
   shorter than the longest round so far.

Random choices come from a generator with a fixed seed: the same problem gives
the same answer, unless the time limit cuts the search short.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment

from flankwatch.respond.wta.problem import WtaProblem, WtaSolution, nothing_to_choose, objective

SEED = 20070601
"""Seed of the perturbation rounds (fixed: the result depends only on the problem)."""


@dataclass(frozen=True)
class Rounds:
    """How reassignment rounds run.

    search_each_round: step 2 after every round that changed something (else only
        after restarts).
    take_share: share of the targets (or weapons) a round takes a use from.
    stall_rounds: rounds without improvement before a restart.
    """

    search_each_round: bool
    take_share: float
    stall_rounds: int


SMALL_ROUNDS = Rounds(search_each_round=True, take_share=0.5, stall_rounds=10)
"""Rounds for problems of up to ``LARGE_USES`` uses in all."""

LARGE_ROUNDS = Rounds(search_each_round=False, take_share=0.9, stall_rounds=30)
"""Rounds above ``LARGE_USES`` uses, where a round with step 2 costs too much: more,
larger rounds did better on the benchmark's instances of 400 to 900 uses."""

LARGE_USES = 300
"""Uses in all above which a problem counts as large."""

_TIME_MARGIN = 0.02
"""Share of the time limit kept back for a step that runs past the deadline."""

_RELATIVE_TOLERANCE = 1e-12
"""A move must improve the objective by more than this fraction of it."""


class _Search:
    """Arrays shared by the steps: the problem's, and the current assignment."""

    def __init__(self, problem: WtaProblem) -> None:
        self.value = problem.value
        self.kill = problem.kill_prob
        self.survive = 1.0 - problem.kill_prob
        self.log_survive = np.log(self.survive)
        self.allowed = problem.kill_prob > 0
        self.uses = problem.uses
        self.use_cost = problem.use_cost
        self.counts: np.ndarray = np.zeros(problem.kill_prob.shape, dtype=np.int64)
        self.remaining: np.ndarray = self.value.copy()

    def refresh(self) -> None:
        """Recompute surviving values from the counts (no drift from repeated products)."""
        self.remaining = self.value * np.exp((self.counts * self.log_survive).sum(axis=0))

    def total(self) -> float:
        return float(self.remaining.sum() + self.use_cost @ self.counts.sum(axis=1))


def solve_heuristic(
    problem: WtaProblem,
    time_limit_s: float = 10.0,
    patience: int | None = None,
) -> WtaSolution:
    """Greedy, local search, then reassignment rounds until ``patience`` restarts in a row
    bring nothing or ``time_limit_s`` s pass.

    ``patience`` defaults to ``default_patience(problem)``. Returns a feasible
    assignment; nothing is proven (lower bound -inf).
    """
    trivial = nothing_to_choose(problem, "heuristic")
    if trivial is not None:
        return trivial
    started = time.perf_counter()
    deadline = started + (1.0 - _TIME_MARGIN) * time_limit_s
    search = _Search(problem)
    _greedy(search)
    _local_search(search, deadline)
    best_counts, best = search.counts.copy(), search.total()
    current_counts, current = best_counts.copy(), best
    rng = np.random.default_rng(SEED)
    idle_rounds = idle_restarts = 0
    patience = default_patience(problem) if patience is None else patience
    rounds = LARGE_ROUNDS if problem.uses.sum() > LARGE_USES else SMALL_ROUNDS
    round_s = 0.0
    for round_number in itertools.count():
        round_started = time.perf_counter()
        if idle_restarts >= patience or round_started + round_s >= deadline:
            break
        _reassign(search, rng, round_number % 2 == 1, rounds.take_share)
        if rounds.search_each_round and not np.array_equal(search.counts, current_counts):
            _local_search(search, deadline)
        if search.total() < current * (1 - _RELATIVE_TOLERANCE):
            current_counts, current, idle_rounds = search.counts.copy(), search.total(), 0
        else:
            search.counts = current_counts.copy()
            search.refresh()
            idle_rounds += 1
        if current < best * (1 - _RELATIVE_TOLERANCE):
            best_counts, best, idle_restarts = current_counts.copy(), current, 0
        if idle_rounds >= rounds.stall_rounds:
            idle_restarts += 1
            search.counts = best_counts.copy()
            _perturb(search, rng)
            _greedy(search)
            _local_search(search, deadline)
            current_counts, current, idle_rounds = search.counts.copy(), search.total(), 0
        round_s = max(round_s, time.perf_counter() - round_started)
    return WtaSolution(
        counts=best_counts,
        objective=objective(problem, best_counts),
        lower_bound=-np.inf,
        optimal=False,
        solver="heuristic",
        time_s=time.perf_counter() - started,
    )


def improve(problem: WtaProblem, counts: np.ndarray, time_limit_s: float) -> np.ndarray:
    """Local search (step 2) from the feasible (W, T) assignment ``counts`` until no move
    improves or ``time_limit_s`` s pass; returns the assignment reached (never worse)."""
    search = _Search(problem)
    search.counts = np.array(counts, dtype=np.int64)
    search.refresh()
    _local_search(search, time.perf_counter() + time_limit_s)
    return search.counts


def default_patience(problem: WtaProblem) -> int:
    """Restarts without improvement before stopping: (uses in all)^2 / 100, within 1..200.

    A problem of a dozen uses gets 1 (a few milliseconds), one of 150 uses 200.
    """
    total = int(problem.uses.sum())
    return int(np.clip(total * total // 100, 1, 200))


def _greedy(search: _Search) -> None:
    """Spend uses by maximum marginal return while a use lowers the objective."""
    left = search.uses - search.counts.sum(axis=1)
    gain = search.remaining[None, :] * search.kill - search.use_cost[:, None]
    gain[~search.allowed | (left <= 0)[:, None]] = -np.inf
    best_target = np.argmax(gain, axis=1)
    best = gain[np.arange(len(left)), best_target]
    while len(best):
        weapon = int(np.argmax(best))
        if not best[weapon] > 0:
            break
        target = int(best_target[weapon])
        search.counts[weapon, target] += 1
        search.remaining[target] *= search.survive[weapon, target]
        left[weapon] -= 1
        if left[weapon] == 0:
            gain[weapon] = -np.inf
        column = search.remaining[target] * search.kill[:, target] - search.use_cost
        column[~search.allowed[:, target] | (left <= 0)] = -np.inf
        gain[:, target] = column
        stale = np.flatnonzero(best_target == target)
        best_target[stale] = np.argmax(gain[stale], axis=1)
        best[stale] = gain[stale, best_target[stale]]


def _local_search(search: _Search, deadline: float) -> None:
    """Re-insertion, swap and ejection moves until none improves (or the deadline passes)."""
    moved = True
    while moved:
        moved = False
        for step in (_reinsert, _swap, _eject):
            if time.perf_counter() >= deadline:
                return
            moved = step(search) or moved
            search.refresh()


def _reinsert(search: _Search) -> bool:
    """Re-spend each weapon's uses the best way; apply the improving ones on disjoint targets."""
    counts = search.counts
    n_weapons, n_targets = counts.shape
    max_uses = int(search.uses.max(initial=0))
    if max_uses == 0 or n_targets == 0:
        return False
    kept = search.survive**counts
    without = search.remaining[None, :] / kept
    current = (without * (1.0 - kept)).sum(axis=1) - search.use_cost * counts.sum(axis=1)
    level_gain = np.empty((n_weapons, max_uses, n_targets))
    level_gain[:, 0] = without * search.kill
    for level in range(1, max_uses):
        level_gain[:, level] = level_gain[:, level - 1] * search.survive
    level_gain -= search.use_cost[:, None, None]
    level_gain[~np.broadcast_to(search.allowed[:, None, :], level_gain.shape)] = -np.inf
    flat = level_gain.reshape(n_weapons, -1)
    top = np.argpartition(flat, flat.shape[1] - max_uses, axis=1)[:, -max_uses:]
    top_gain = np.take_along_axis(flat, top, axis=1)
    order = np.argsort(-top_gain, axis=1, kind="stable")
    top, top_gain = np.take_along_axis(top, order, axis=1), np.take_along_axis(top_gain, order, 1)
    chosen = (top_gain > 0) & (np.arange(max_uses)[None, :] < search.uses[:, None])
    improvement = np.where(chosen, top_gain, 0.0).sum(axis=1) - current
    threshold = _RELATIVE_TOLERANCE * max(search.total(), 1e-300)
    candidates = np.flatnonzero(improvement > threshold)
    if not len(candidates):
        return False
    touched = np.zeros(n_targets, dtype=bool)
    for weapon in candidates[np.argsort(-improvement[candidates], kind="stable")]:
        new_counts = np.bincount(
            top[weapon][chosen[weapon]] % n_targets, minlength=n_targets
        ).astype(np.int64)
        targets = np.flatnonzero((new_counts > 0) | (counts[weapon] > 0))
        if touched[targets].any():
            continue
        touched[targets] = True
        counts[weapon] = new_counts
        search.remaining[targets] = (
            without[weapon, targets] * search.survive[weapon, targets] ** new_counts[targets]
        )
    return True


def _swap(search: _Search) -> bool:
    """Exchange the targets of two uses; apply the improving swaps on disjoint targets."""
    weapon, target = _use_list(search.counts)
    if len(weapon) < 2:
        return False
    own = search.survive[weapon, target]
    # replace[b, a]: change on use a's target when use b's weapon replaces use a's
    replace = search.remaining[target][None, :] * (
        search.survive[weapon][:, target] / own[None, :] - 1.0
    )
    replace[~search.allowed[weapon][:, target]] = np.inf
    change = replace + replace.T
    threshold = -_RELATIVE_TOLERANCE * max(search.total(), 1e-300)
    first, second = np.nonzero(change < threshold)
    first, second = first[first < second], second[first < second]  # each pair once
    if not len(first):
        return False
    touched = np.zeros(search.counts.shape[1], dtype=bool)
    for k in np.argsort(change[first, second], kind="stable"):
        a, b = first[k], second[k]
        ta, tb = target[a], target[b]
        if touched[ta] or touched[tb]:
            continue
        touched[ta] = touched[tb] = True
        wa, wb = weapon[a], weapon[b]
        search.counts[wa, ta] -= 1
        search.counts[wb, tb] -= 1
        search.counts[wb, ta] += 1
        search.counts[wa, tb] += 1
        search.remaining[ta] *= search.survive[wb, ta] / search.survive[wa, ta]
        search.remaining[tb] *= search.survive[wa, tb] / search.survive[wb, tb]
    return True


def _eject(search: _Search) -> bool:
    """Use a takes the place of use b on b's target; b's weapon goes to its best other target.

    "Other" is neither a's target nor b's (b may also stay unspent when a cost makes
    that better). Improving moves on disjoint targets are applied together.
    """
    weapon, target = _use_list(search.counts)
    if len(weapon) < 2:
        return False
    remaining, survive = search.remaining, search.survive
    own = survive[weapon, target]
    leave = remaining[target] * (1.0 / own - 1.0)
    # replace[a, b]: change on b's target when a's weapon replaces b's use there
    replace = remaining[target][None, :] * (survive[weapon][:, target] / own[None, :] - 1.0)
    replace[~search.allowed[weapon][:, target]] = np.inf
    # the two best targets of each use's weapon other than the use's own target
    gain = remaining[None, :] * search.kill
    gain[~search.allowed] = -np.inf
    n_best = min(3, gain.shape[1])
    best = np.argsort(-gain, axis=1, kind="stable")[:, :n_best][weapon]  # (uses, n_best)
    best = np.where(best[:, :1] == target[:, None], best[:, 1:], best[:, :-1])
    if best.shape[1] < 2:
        best = np.column_stack([best, np.full((len(weapon), 2 - best.shape[1]), -1)])
    best_gain = np.where(best >= 0, gain[weapon[:, None], best], -np.inf)
    # b lands on its first choice unless that is a's target (then the second)
    second = best[None, :, 0] == target[:, None]
    landing = np.where(second, best[None, :, 1], best[None, :, 0])
    moved_gain = np.where(second, best_gain[None, :, 1], best_gain[None, :, 0])
    idle = moved_gain < search.use_cost[weapon][None, :]
    moved_gain = np.where(idle, search.use_cost[weapon][None, :], moved_gain)
    change = leave[:, None] + replace - moved_gain
    change[target[:, None] == target[None, :]] = np.inf
    threshold = -_RELATIVE_TOLERANCE * max(search.total(), 1e-300)
    first, second = np.nonzero(change < threshold)
    if not len(first):
        return False
    touched = np.zeros(search.counts.shape[1], dtype=bool)
    for k in np.argsort(change[first, second], kind="stable"):
        a, b = first[k], second[k]
        ta, tb, tl = target[a], target[b], landing[a, b]
        if touched[ta] or touched[tb] or (not idle[a, b] and touched[tl]):
            continue
        wa, wb = weapon[a], weapon[b]
        touched[[ta, tb]] = True
        search.counts[wa, ta] -= 1
        search.counts[wb, tb] -= 1
        search.counts[wa, tb] += 1
        remaining[ta] /= survive[wa, ta]
        remaining[tb] *= survive[wa, tb] / survive[wb, tb]
        if not idle[a, b]:
            touched[tl] = True
            search.counts[wb, tl] += 1
            remaining[tl] *= survive[wb, tl]
    return True


def _use_list(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(weapon, target) of every use, a pair repeated as often as it is used."""
    weapon, target = np.nonzero(counts)
    repeat = counts[weapon, target]
    return np.repeat(weapon, repeat), np.repeat(target, repeat)


def _reassign(
    search: _Search, rng: np.random.Generator, by_weapon: bool, take_share: float
) -> None:
    """Take a use from each of a random ``take_share`` of the targets (or weapons); give
    them out again.

    The uses taken and every spare use are given out so that each target receives
    at most one of them; the objective of giving use r to target j is then exact,
    ``-w_j * p_rj + c_r`` with ``w_j`` the target's value left after the uses were
    taken, and the best way is a linear assignment problem (leaving a use unspent
    allowed). When taken by target, putting everything back is one of its
    solutions, so the objective never rises; taken by weapon, a target may lose
    two uses and get one back, so it may.
    """
    counts = search.counts
    n_targets = counts.shape[1]
    weapon, target = _use_list(counts)
    order = rng.permutation(len(weapon))
    _, first = np.unique((weapon if by_weapon else target)[order], return_index=True)
    first = first[rng.random(len(first)) < take_share]
    taken_weapon, taken_target = weapon[order][first], target[order][first]
    spare = np.flatnonzero(counts.sum(axis=1) < search.uses)
    left = search.remaining.copy()
    np.divide.at(left, taken_target, search.survive[taken_weapon, taken_target])
    np.subtract.at(counts, (taken_weapon, taken_target), 1)
    rows = np.concatenate([taken_weapon, spare])
    if not len(rows):
        return
    # a column per row for "leave it unspent"; without spare uses or costs, taken by
    # target, putting back is feasible and at least as good, so none is needed
    idle = len(rows) if by_weapon or len(spare) or search.use_cost[rows].any() else 0
    cost = np.zeros((len(rows), n_targets + idle))
    cost[:, :n_targets] = search.use_cost[rows, None] - left[None, :] * search.kill[rows]
    cost[:, :n_targets][~search.allowed[rows]] = np.inf
    row, column = linear_sum_assignment(cost)
    given = column < n_targets
    np.add.at(counts, (rows[row[given]], column[given]), 1)
    search.refresh()


def _perturb(search: _Search, rng: np.random.Generator) -> None:
    """Take away the uses on a twentieth of the targets (two at least), and every use of
    a random half of the weapons that were on them."""
    n_targets = search.counts.shape[1]
    size = max(2, n_targets // 20)
    targets = rng.choice(n_targets, size=min(size, n_targets), replace=False)
    weapons = np.flatnonzero(search.counts[:, targets].sum(axis=1) > 0)
    search.counts[np.ix_(weapons, targets)] = 0
    search.counts[rng.permutation(weapons)[: len(weapons) // 2]] = 0
    search.refresh()
