"""A study's seeds and runs: drawn reproducibly, the same seeds for every policy."""

from __future__ import annotations

import pytest
import yaml
from study_scenario import defended_data

from flankwatch.scenario.loader import load_scenario, parse_scenario
from flankwatch.study.runs import draw_seeds, run_one, study_specs


def test_seeds_are_reproducible_distinct_and_the_first_k_of_n_are_the_k() -> None:
    seeds = draw_seeds(2025, 20)
    assert seeds == draw_seeds(2025, 20)
    assert len(set(seeds)) == 20
    assert draw_seeds(2025, 5) == seeds[:5]
    assert draw_seeds(2026, 5) != seeds[:5]
    assert all(0 <= seed < 2**32 for seed in seeds)


@pytest.mark.parametrize(("base", "runs", "named"), [(-1, 3, "base seed"), (1, 0, "1 run")])
def test_bad_study_sizes_are_refused(base: int, runs: int, named: str) -> None:
    with pytest.raises(ValueError, match=named):
        draw_seeds(base, runs)


def test_every_policy_runs_on_the_same_seeds_policy_by_policy() -> None:
    scenario, text = load_scenario("poland-2025-09-10")
    specs = study_specs(scenario, text, "poland-2025-09-10", ["layered", "fighters-only"], [3, 1])
    assert [(s.policy, s.seed) for s in specs] == [
        ("layered", 3),
        ("layered", 1),
        ("fighters-only", 3),
        ("fighters-only", 1),
    ]


def test_a_run_of_a_scenario_with_no_defence_is_refused() -> None:
    data = defended_data()
    del data["defence"]
    data["duration_s"] = 10.0
    text = yaml.safe_dump(data, sort_keys=False)
    (spec,) = study_specs(parse_scenario(text, "plain"), text, "plain", ["layered"], [1])
    with pytest.raises(ValueError, match="defended: has no defence"):
        run_one(spec)
