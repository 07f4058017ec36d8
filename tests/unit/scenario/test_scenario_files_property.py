"""Property: whatever a scenario file holds, loading it gives a scenario or a ScenarioError.

Random text, random bytes, random YAML structures and the built-in scenarios
with fields replaced (by a value of another type, a huge, infinite, NaN or
negative one), deleted or wrapped. A scenario that is accepted must also be one
a run can start: its flight plans and sensors are built and its first windows
simulated.
"""

from __future__ import annotations

import copy
import math
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
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

FAST = settings(
    max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)

BUILTINS = {name: yaml.safe_load(builtin_text(name)) for name in builtin_names()}

ODD_VALUES = st.sampled_from(
    [
        0,
        -1,
        -1e9,
        1e308,
        -1e308,
        5e-324,
        2**63,
        2**70,
        math.inf,
        -math.inf,
        math.nan,
        "",
        "x" * 10_000,
        "warsaw",
        "2025-09-10T00:00:00",
        [],
        {},
        None,
        True,
        [[[]]],
        {"lat": 91, "lon": 0},
        [90.0, 0.0],
    ]
)
"""Values at the edges: zero, negative, huge, infinite, NaN, empty, of the wrong kind."""

VALUES = st.one_of(
    ODD_VALUES,
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.lists(st.floats(), max_size=3),
    st.dictionaries(st.text(max_size=6), st.integers(), max_size=2),
)

STRUCTURES = st.recursive(
    VALUES,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)

FIELDS = list(Scenario.model_fields)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every place in a parsed file: mapping values and list items, containers included."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield (*prefix, key)
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield (*prefix, i)
            yield from _paths(value, (*prefix, i))


@st.composite
def mutated(draw: st.DrawFn, data: dict[str, Any]) -> dict[str, Any]:
    """``data`` with one to three places replaced, scaled, negated, deleted or wrapped."""
    data = copy.deepcopy(data)
    for _ in range(draw(st.integers(1, 3))):
        paths = list(_paths(data))
        if not paths:
            break
        *parents, last = draw(st.sampled_from(paths))
        node: Any = data
        for part in parents:
            node = node[part]
        old = node[last]
        action = draw(st.sampled_from(["replace", "delete", "negate", "scale", "wrap"]))
        if action == "delete":
            del node[last]
        elif action == "wrap":
            node[last] = [old]
        elif action in ("negate", "scale") and isinstance(old, int | float):
            factor = -1 if action == "negate" else draw(st.sampled_from([0, 1e-9, 1e6, 1e300]))
            node[last] = old * factor
        else:
            node[last] = draw(VALUES)
    return data


def _accepted_or_refused(text: str) -> None:
    """Parse ``text``; a refusal must be a ScenarioError, an acceptance must run."""
    try:
        scenario = parse_scenario(text, "property.yaml")
    except ScenarioError as error:
        assert "property.yaml" in str(error)
        assert error.problems
        return
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
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "random.yaml"
        path.write_bytes(data)
        try:
            load_scenario(path)
        except ScenarioError as error:
            assert str(path) in str(error)


@FAST
@given(st.dictionaries(st.sampled_from(FIELDS), STRUCTURES, max_size=8))
def test_scenario_fields_of_random_structure_are_a_scenario_error(data: dict[str, Any]) -> None:
    _accepted_or_refused(yaml.safe_dump(data))


@FAST
@given(st.sampled_from(sorted(BUILTINS)).flatmap(lambda name: mutated(BUILTINS[name])))
def test_mutated_builtin_scenarios_are_accepted_and_run_or_refused(data: dict[str, Any]) -> None:
    _accepted_or_refused(yaml.safe_dump(data, sort_keys=False))


@FAST
@given(st.sampled_from(sorted(BUILTINS)), st.data())
def test_mutated_builtin_text_is_a_scenario_error(name: str, data: st.DataObject) -> None:
    """The text itself cut, or a line of it replaced by random text."""
    lines = builtin_text(name).splitlines(keepends=True)
    i = data.draw(st.integers(0, len(lines) - 1))
    if data.draw(st.booleans()):
        text = "".join(lines[:i]) + lines[i][: data.draw(st.integers(0, len(lines[i])))]
    else:
        text = "".join(lines[:i] + [data.draw(st.text(max_size=40)) + "\n"] + lines[i + 1 :])
    _accepted_or_refused(text)
