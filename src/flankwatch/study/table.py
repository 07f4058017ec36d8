"""A study's table: per policy, the median and 90 % interval of each response figure.

The interval runs from the 5th to the 95th percentile over the runs (NumPy's
linear interpolation between order statistics: with 20 runs, the 5th percentile
lies between the lowest and the second lowest value). A figure a run cannot
give (the cost-exchange ratio of a run that destroyed nothing priced) is left
out of that figure's statistics, and ``runs`` says over how many runs it was
taken.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from flankwatch.respond.summary import ResponseSummary
from flankwatch.study.runs import RunResult

LOW_PERCENTILE = 5.0
HIGH_PERCENTILE = 95.0


@dataclass(frozen=True)
class Figure:
    """A row of the table: ``key`` names it in files, ``label`` on screen."""

    key: str
    label: str


FIGURES = (
    Figure("threats_inside", "threats inside the airspace"),
    Figure("destroyed", "threats destroyed"),
    Figure("leakers", "leakers"),
    Figure("leaker_value", "value of assets leakers reached"),
    Figure("shots", "shots"),
    Figure("spent_eur", "spent, EUR"),
    Figure("cost_exchange_ratio", "cost-exchange ratio (EUR spent per EUR destroyed)"),
    Figure("debris_in_no_engagement", "debris in no-engagement areas"),
    Figure("withheld", "shots withheld"),
)
"""The figures of every comparison, in table order (shots by weapon type follow shots,
withheld shots by rule follow withheld shots)."""

BREAKDOWNS = {"shots": "shots_by_weapon", "withheld": "withheld_by_rule"}
"""Figures broken down in rows under them, and the :class:`ResponseSummary` field of each
breakdown; a row's key is the figure's and the part's (``shots:aim-120c``,
``withheld:debris``)."""


@dataclass(frozen=True)
class Interval:
    """A figure over the runs: median, 5th and 95th percentiles, and how many runs gave it."""

    median: float
    low: float
    high: float
    runs: int


@dataclass(frozen=True)
class Comparison:
    """Medians and 90 % intervals per policy and figure (``cells[policy, key]``;
    missing where no run gave the figure)."""

    scenario: str
    base_seed: int
    runs: int
    policies: tuple[str, ...]
    figures: tuple[Figure, ...]
    cells: dict[tuple[str, str], Interval]

    def rows(self) -> list[dict[str, str | float | int | None]]:
        """One plain row per policy and figure (for CSV and JSON files)."""
        rows: list[dict[str, str | float | int | None]] = []
        for policy in self.policies:
            for figure in self.figures:
                cell = self.cells.get((policy, figure.key))
                rows.append(
                    {
                        "policy": policy,
                        "figure": figure.key,
                        "median": None if cell is None else cell.median,
                        "p5": None if cell is None else cell.low,
                        "p95": None if cell is None else cell.high,
                        "runs": 0 if cell is None else cell.runs,
                    }
                )
        return rows


def interval(values: Sequence[float]) -> Interval | None:
    """Median and 5th-95th percentiles of ``values`` (None if there are none)."""
    if not values:
        return None
    low, median, high = np.percentile(
        np.asarray(values, float), [LOW_PERCENTILE, 50.0, HIGH_PERCENTILE]
    )
    return Interval(float(median), float(low), float(high), len(values))


def figure_value(response: ResponseSummary, key: str) -> float | None:
    """One run's value of figure ``key`` (a weapon type's shots, or a rule's withheld shots:
    0 if none)."""
    figure, _, part = key.partition(":")
    if part:
        return float(getattr(response, BREAKDOWNS[figure]).get(part, 0))
    value = getattr(response, key)
    return None if value is None else float(value)


def compare(
    results: Sequence[RunResult], policies: Sequence[str], scenario: str, base_seed: int
) -> Comparison:
    """The table of ``results`` for ``policies`` (in that order)."""
    figures: list[Figure] = []
    for figure in FIGURES:
        figures.append(figure)
        if figure.key in BREAKDOWNS:
            field = BREAKDOWNS[figure.key]
            parts = sorted({p for result in results for p in getattr(result.response, field)})
            figures.extend(Figure(f"{figure.key}:{p}", f"  {figure.key}: {p}") for p in parts)
    cells: dict[tuple[str, str], Interval] = {}
    for policy in policies:
        mine = [result.response for result in results if result.policy == policy]
        for figure in figures:
            values = [figure_value(r, figure.key) for r in mine]
            cell = interval([v for v in values if v is not None])
            if cell is not None:
                cells[policy, figure.key] = cell
    runs = max((sum(r.policy == p for r in results) for p in policies), default=0)
    return Comparison(scenario, base_seed, runs, tuple(policies), tuple(figures), cells)
