"""Property: whatever a scenario file holds, loading it gives a scenario or a ScenarioError.

Random text, random bytes, random YAML structures and the built-in scenarios
with fields replaced (by a value of another type, a huge, infinite, NaN or
negative one), deleted or wrapped. A scenario that is accepted must also be one
a run can start: its flight plans and sensors are built and its first windows
simulated.
"""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import given
from hypothesis import strategies as st

from flankwatch.scenario.loader import (
    ScenarioError,
    builtin_names,
    builtin_text,
    load_scenario,
    parse_scenario,
)
from flankwatch.scenario.schema import Scenario
from flankwatch.sim.engine import Simulation
from yaml_mutations import (
    EDGE_VALUES,
    edited_text,
    fast,
    load_random_bytes,
    mutated,
    parsed_or_refused,
    structures,
    values,
)

FAST = fast(max_examples=60)

BUILTINS = {name: yaml.safe_load(builtin_text(name)) for name in builtin_names()}

MISPLACED: list[Any] = ["warsaw", "2025-09-10T00:00:00", {"lat": 91, "lon": 0}, [90.0, 0.0]]
"""A place name for a position, a time without a zone, a latitude off the globe, a pole."""

ODD_VALUES = [*EDGE_VALUES, -1e9, 5e-324, 2**63, None, True, [[[]]], *MISPLACED]
"""The shared edge values, and a tiny, a 64-bit, a nested and a misplaced one."""

VALUES = values(
    ODD_VALUES,
    st.lists(st.floats(), max_size=3),
    st.dictionaries(st.text(max_size=6), st.integers(), max_size=2),
)
STRUCTURES = structures(VALUES)
SCALES = (0, 1e-9, 1e6, 1e300)

FIELDS = list(Scenario.model_fields)


def _accepted_or_refused(text: str) -> None:
    """Parse ``text``; a refusal must be a ScenarioError, an acceptance must run."""
    scenario = parsed_or_refused(parse_scenario, text, "property.yaml", ScenarioError)
    if scenario is not None:
        _starts(scenario)


def _starts(scenario: Scenario) -> None:
    """A valid scenario builds its plans and sensors and simulates its first windows."""
    objects = sum(r.count for r in scenario.raids) + sum(f.count for f in scenario.civil_traffic)
    if objects > 5_000:  # valid, but too slow for a property test
        return
    steps = Simulation(scenario).steps()
    for _ in range(2):
        next(steps, None)


@FAST
@given(st.text(max_size=300))
def test_random_text_is_a_scenario_error(text: str) -> None:
    _accepted_or_refused(text)


@FAST
@given(st.binary(max_size=300))
def test_random_bytes_in_a_file_are_a_scenario_error(data: bytes) -> None:
    load_random_bytes(data, load_scenario, ScenarioError)


@FAST
@given(st.dictionaries(st.sampled_from(FIELDS), STRUCTURES, max_size=8))
def test_scenario_fields_of_random_structure_are_a_scenario_error(data: dict[str, Any]) -> None:
    _accepted_or_refused(yaml.safe_dump(data))


@FAST
@given(
    st.sampled_from(sorted(BUILTINS)).flatmap(
        lambda name: mutated(BUILTINS[name], VALUES, scales=SCALES)
    )
)
def test_mutated_builtin_scenarios_are_accepted_and_run_or_refused(data: dict[str, Any]) -> None:
    _accepted_or_refused(yaml.safe_dump(data, sort_keys=False))


@FAST
@given(
    st.sampled_from(sorted(BUILTINS)).flatmap(
        lambda name: edited_text(builtin_text(name), cut=True)
    )
)
def test_mutated_builtin_text_is_a_scenario_error(text: str) -> None:
    """The text itself cut, or a line of it replaced by random text."""
    _accepted_or_refused(text)
