"""A study's table: medians and 5th-95th percentiles per policy, and how it is printed."""

from __future__ import annotations

import numpy as np
import pytest

from flankwatch.printing import console, print_study
from flankwatch.respond.summary import ResponseSummary, cost_exchange_ratio
from flankwatch.study.runs import RunResult
from flankwatch.study.table import FIGURES, compare, interval


def _response(
    destroyed: int,
    shots: dict[str, int],
    spent_eur: float,
    destroyed_cost_eur: float,
    withheld: dict[str, int] | None = None,
) -> ResponseSummary:
    return ResponseSummary(
        shots=sum(shots.values()),
        shots_by_weapon=shots,
        kills=destroyed,
        misses=sum(shots.values()) - destroyed,
        withheld=sum((withheld or {}).values()),
        withheld_by_rule=withheld or {},
        scrambles=1,
        spent_eur=spent_eur,
        debris_in_no_engagement=0,
        threats_inside=20,
        destroyed=destroyed,
        leakers=20 - destroyed,
        leaker_value=float(20 - destroyed),
        destroyed_cost_eur=destroyed_cost_eur,
        cost_exchange_ratio=cost_exchange_ratio(spent_eur, destroyed_cost_eur),
    )


def test_the_interval_is_the_5th_to_95th_percentile_around_the_median() -> None:
    values = list(range(1, 22))  # 1..21: the median is 11
    cell = interval(values)
    assert cell is not None
    assert cell.median == 11.0
    assert cell.low == pytest.approx(np.percentile(values, 5)) == pytest.approx(2.0)
    assert cell.high == pytest.approx(20.0)
    assert cell.runs == 21
    assert interval([]) is None


def test_figures_per_policy_with_shots_by_weapon_and_undefined_ratios_left_out() -> None:
    results = [
        RunResult("fighters-only", 1, _response(3, {"aim-120c": 4}, 8e6, 18_000.0)),
        RunResult("fighters-only", 2, _response(4, {"aim-120c": 5, "aim-9x": 1}, 1e7, 24_000.0)),
        RunResult("fighters-only", 3, _response(0, {}, 0.0, 0.0)),
        RunResult("layered", 1, _response(10, {"gun-35mm": 30}, 5e5, 60_000.0)),
        RunResult("layered", 2, _response(12, {"gun-35mm": 40}, 6e5, 72_000.0)),
    ]
    table = compare(results, ["layered", "fighters-only"], "night", 7)
    assert table.policies == ("layered", "fighters-only")
    keys = [figure.key for figure in table.figures]
    shots = keys.index("shots")
    assert keys[shots + 1 : shots + 4] == ["shots:aim-120c", "shots:aim-9x", "shots:gun-35mm"]
    assert set(keys) >= {figure.key for figure in FIGURES}
    destroyed = table.cells["fighters-only", "destroyed"]
    assert (destroyed.median, destroyed.runs) == (3.0, 3)
    assert table.cells["layered", "destroyed"].median == 11.0
    # a weapon a policy never fired counts 0 in each of its runs
    assert table.cells["layered", "shots:aim-120c"].median == 0.0
    assert table.cells["fighters-only", "shots:aim-9x"].high == pytest.approx(0.9)
    # the run that destroyed nothing has no ratio: the median is over the two that did
    ratio = table.cells["fighters-only", "cost_exchange_ratio"]
    assert ratio.runs == 2
    assert ratio.median == pytest.approx((8e6 / 18_000 + 1e7 / 24_000) / 2)
    assert table.runs == 3
    rows = table.rows()
    assert len(rows) == 2 * len(table.figures)
    assert rows[0]["policy"] == "layered" and rows[0]["figure"] == table.figures[0].key


def test_withheld_shots_are_broken_down_by_the_rule_that_held_them() -> None:
    results = [
        RunResult("a", 1, _response(3, {"x": 4}, 1e6, 1e4, {"debris": 2, "stale-track": 1})),
        RunResult("a", 2, _response(3, {"x": 4}, 1e6, 1e4, {"debris": 4})),
        RunResult("b", 1, _response(3, {"x": 4}, 1e6, 1e4)),
    ]
    table = compare(results, ["a", "b"], "night", 7)
    keys = [figure.key for figure in table.figures]
    withheld = keys.index("withheld")
    assert keys[withheld + 1 :] == ["withheld:debris", "withheld:stale-track"]
    assert table.cells["a", "withheld"].median == 3.5
    assert table.cells["a", "withheld:debris"].median == 3.0
    assert table.cells["a", "withheld:stale-track"].median == 0.5
    assert table.cells["b", "withheld:debris"].median == 0.0  # none withheld: 0 in each run


def test_the_table_does_not_depend_on_the_order_runs_finished_in() -> None:
    results = [
        RunResult("a", seed, _response(seed % 5, {"x": seed}, 1e5 * seed, 6e3 * (1 + seed % 5)))
        for seed in range(12)
    ]
    forward = compare(results, ["a"], "s", 1)
    backward = compare(results[::-1], ["a"], "s", 1)
    assert forward == backward


def test_the_printed_table_shows_each_policy_and_figure() -> None:
    results = [
        RunResult("fighters-only", 1, _response(3, {"aim-120c": 4}, 8e6, 18_000.0)),
        RunResult("fighters-only", 2, _response(0, {}, 0.0, 0.0)),
    ]
    with console.capture() as captured:
        print_study(compare(results, ["fighters-only"], "night", 7))
    text = captured.get()
    assert "fighters-only" in text and "threats destroyed" in text
    assert "shots: aim-120c" in text
    assert "4M [400k-7.6M]" in text  # money in k and M
    assert "(n=1)" in text  # the ratio is defined in one run of two
