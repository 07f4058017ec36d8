"""A study's seeds and runs: drawn reproducibly, the same seeds for every policy."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from study_scenario import defended_data

from flankwatch.respond.policy import PolicyError
from flankwatch.scenario.loader import load_scenario, parse_scenario
from flankwatch.scenario.schema import Scenario
from flankwatch.store.recording import RecordingError
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


def test_a_relative_recordings_folder_is_taken_from_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    scenario, text = load_scenario("poland-2025-09-10")
    specs = study_specs(scenario, text, "p", ["layered"], [3], record=Path("runs"))
    # a worker started in another folder records where the command was given
    assert [spec.out for spec in specs] == [tmp_path / "runs" / "layered" / "poland-2025-09-10-3"]


@pytest.mark.parametrize("in_the_way", ["runs", "runs/layered"])
def test_a_file_where_a_run_folder_would_go_is_refused_before_any_run(
    tmp_path: Path, in_the_way: str
) -> None:
    blocker = tmp_path / in_the_way
    blocker.parent.mkdir(exist_ok=True)
    blocker.write_text("mine\n")
    scenario, text = load_scenario("poland-2025-09-10")
    with pytest.raises(RecordingError, match=f"cannot be made: {blocker} is not a folder"):
        study_specs(scenario, text, "p", ["layered"], [3], record=tmp_path / "runs")
    assert blocker.read_text() == "mine\n"


def test_a_study_of_a_scenario_with_no_defence_is_refused() -> None:
    data = defended_data()
    del data["defence"]
    text = yaml.safe_dump(data, sort_keys=False)
    with pytest.raises(ValueError, match="plain: has no defence"):
        study_specs(parse_scenario(text, "plain"), text, "plain", ["layered"], [1])


def _with_a_laser() -> tuple[Scenario, str]:
    """The defended scenario with an effector type of its own, a laser, and one unit of it."""
    data = defended_data()
    laser = {"label": "laser", "kind": "jammer", "readiness_s": 1, "loadout": {"jammer-burst": 5}}
    data["defence"]["catalogue"] = {"effectors": {"laser": laser}}
    data["defence"]["units"].append({"name": "l", "type": "laser", "at": [52.04, 23.28]})
    text = yaml.safe_dump(data, sort_keys=False)
    return parse_scenario(text, "defended"), text


def test_a_policy_file_travels_with_its_runs_and_may_name_the_scenarios_own_types(
    tmp_path: Path,
) -> None:
    policy = tmp_path / "lasers.yaml"
    rules = [{"classes": ["decoy", "one-way-attack-drone"], "effectors": ["laser"]}]
    policy.write_text(yaml.safe_dump({"name": "lasers", "cost_weight": 1e-6, "rules": rules}))
    scenario, text = _with_a_laser()
    specs = study_specs(scenario, text, "defended", [str(policy), "fighters-only"], [5])
    policy.unlink()  # as on a worker of another machine: the file is not there
    lasers, fighters = (run_one(spec) for spec in specs)
    assert lasers.policy == str(policy) and fighters.policy == "fighters-only"
    assert list(lasers.response.shots_by_weapon) == ["jammer-burst"]  # the laser's alone
    assert lasers.response.shots_by_weapon["jammer-burst"] > 0
    assert fighters.response.shots_by_weapon == {}  # the laser is not a fighter's


def test_a_policy_naming_a_type_the_scenario_lacks_is_refused_before_any_run(
    tmp_path: Path,
) -> None:
    policy = tmp_path / "lasers.yaml"
    rules = [{"classes": ["decoy"], "effectors": ["laser"]}]
    policy.write_text(yaml.safe_dump({"name": "lasers", "cost_weight": 1e-6, "rules": rules}))
    text = yaml.safe_dump(defended_data(), sort_keys=False)
    with pytest.raises(PolicyError, match="'laser' is neither an effector kind"):
        study_specs(parse_scenario(text, "defended"), text, "defended", [str(policy)], [5])
    scenario, text = _with_a_laser()
    assert study_specs(scenario, text, "defended", [str(policy)], [5])[0].rules.name == "lasers"
