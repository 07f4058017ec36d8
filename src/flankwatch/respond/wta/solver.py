"""One entry point for weapon-target assignment: ``solve(problem, time_limit_s, method)``.

Methods:
- ``"heuristic"``: greedy, local search and reassignment rounds (see ``heuristic``).
- ``"exact"``: the heuristic for a start (half the time at most), then the MILP
  (see ``exact``) with the rest; optimality proven or the best found.
- ``"auto"``: by size ``W * T * max(uses)``: up to ``AUTO_TINY`` (a few
  weapons and targets, as each cycle of a simulation poses) the heuristic alone,
  since HiGHS takes tens to hundreds of milliseconds even there; up to
  ``AUTO_EXACT`` (the 50 x 100 x 1 benchmark size, proven in about 5 s) as
  "exact"; above that, where the MILP seldom proves anything within seconds
  (50 x 100 x 3 takes about 20 to 60 s), column generation with a MILP over
  the columns (see ``colgen``), then the heuristic's local search on its answer
  (which matters only when the time limit cuts the generation short). This
  reaches the best known results of the public benchmark, where the heuristic
  alone stays up to a few per cent above them. No start from the heuristic:
  it would not help the generation, and its time-limited rounds would make the
  answer depend on the machine's speed.
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np

from flankwatch.respond.wta.colgen import solve_columns
from flankwatch.respond.wta.exact import solve_exact
from flankwatch.respond.wta.heuristic import improve, solve_heuristic
from flankwatch.respond.wta.problem import WtaProblem, WtaSolution, objective

METHODS = ("auto", "exact", "heuristic")
"""Names accepted by ``solve``'s ``method``."""

AUTO_TINY = 500
"""Largest W * T * max(uses) that "auto" leaves to the heuristic alone."""

AUTO_EXACT = 5_000
"""Largest W * T * max(uses) for which "auto" runs the MILP after the heuristic."""

_START_SHARE = 0.5
"""Share of the time limit the heuristic may take before the MILP."""

_POLISH_SHARE = 0.05
"""Share of the time limit kept for local search after column generation."""

_EXACT_SHARE = 0.9
"""Share of the time left given to HiGHS, which can overrun its limit a little."""


def solve(problem: WtaProblem, time_limit_s: float = 10.0, method: str = "auto") -> WtaSolution:
    """Assign weapons to targets by ``method`` within about ``time_limit_s`` s (wall time).

    The same problem gives the same answer unless the time limit cuts a search short.
    """
    if method not in METHODS:
        raise ValueError(f"method {method!r}: expected one of {', '.join(METHODS)}")
    if not np.isfinite(time_limit_s) or time_limit_s <= 0:
        raise ValueError(f"time limit {time_limit_s} s: must be a positive number of seconds")
    size = problem.n_weapons * problem.n_targets * int(problem.uses.max(initial=0))
    if method == "heuristic" or (method == "auto" and size <= AUTO_TINY):
        return solve_heuristic(problem, time_limit_s)
    started = time.perf_counter()
    if method == "auto" and size > AUTO_EXACT:
        return _solve_by_columns(problem, time_limit_s)
    start = solve_heuristic(problem, _START_SHARE * time_limit_s)
    left_s = time_limit_s - (time.perf_counter() - started)
    exact = solve_exact(problem, max(_EXACT_SHARE * left_s, 0.01), start=start.counts)
    # the MILP starts from the heuristic's assignment, so it is never worse
    return dataclasses.replace(
        exact,
        solver="exact" if method == "exact" else "heuristic+exact",
        time_s=time.perf_counter() - started,
    )


def _solve_by_columns(problem: WtaProblem, time_limit_s: float) -> WtaSolution:
    """Column generation, then local search on what it gives (``_POLISH_SHARE`` of the
    time is kept for that)."""
    started = time.perf_counter()
    columns = solve_columns(problem, (1.0 - _POLISH_SHARE) * time_limit_s)
    left_s = time_limit_s - (time.perf_counter() - started)
    counts = improve(problem, columns.counts, max(left_s, 0.0))
    return dataclasses.replace(
        columns,
        counts=counts,
        objective=objective(problem, counts),
        solver="columns",
        time_s=time.perf_counter() - started,
    )
