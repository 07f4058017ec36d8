"""Property: whatever an alert rule file holds, loading it gives rules or an AlertRuleError.

Random text, random bytes, random structures under the file's keys, and the
built-in rules with a field replaced (by a value of another type, a huge,
infinite, NaN or negative one), deleted or wrapped; a rule file is laid over
the defaults, so a partial file is as good as a whole one.
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

from flankwatch.alert.ruleset import (
    AlertRuleError,
    AlertRules,
    default_rules,
    default_text,
    load_rules,
    parse_rules,
)

FAST = settings(
    max_examples=80, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
BUILTIN_TEXT = default_text()
BUILTIN = yaml.safe_load(BUILTIN_TEXT)
DEFAULTS = default_rules()

VALUES = st.one_of(
    st.sampled_from(
        [0, -1, 1e308, -1e308, 2**70, math.inf, -math.inf, math.nan, "", "x" * 10_000, [], {}]
    ),
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["hostile", "city", "confirmed", "Actual", "en-US", "Severe"]),
    st.lists(st.text(max_size=6), max_size=3),
)

STRUCTURES = st.recursive(
    VALUES,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


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
            node[last] = old * (-1 if action == "negate" else draw(st.sampled_from([0, 1e300])))
        else:
            node[last] = draw(VALUES)
    return data


def _accepted_or_refused(text: str) -> None:
    try:
        rules = parse_rules(text, "alerts.yaml", base=DEFAULTS)
    except AlertRuleError as error:
        assert "alerts.yaml" in str(error)
        assert error.problems
        return
    assert isinstance(rules, AlertRules)
    for value in (rules.airports.distance_m, rules.public.horizon_s, rules.airports.clear_s):
        assert math.isfinite(value)


@FAST
@given(st.text(max_size=300))
def test_random_text_is_an_alert_rule_error(text: str) -> None:
    _accepted_or_refused(text)


@FAST
@given(st.binary(max_size=300))
def test_random_bytes_in_a_file_are_an_alert_rule_error(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "random.yaml"
        path.write_bytes(data)
        try:
            load_rules(path)
        except AlertRuleError as error:
            assert str(path) in str(error)


@FAST
@given(st.dictionaries(st.sampled_from(list(AlertRules.model_fields)), STRUCTURES, max_size=3))
def test_rule_fields_of_random_structure_are_an_alert_rule_error(data: dict[str, Any]) -> None:
    _accepted_or_refused(yaml.safe_dump(data))


@FAST
@given(mutated(BUILTIN))
def test_mutated_builtin_rules_are_accepted_or_refused(data: dict[str, Any]) -> None:
    _accepted_or_refused(yaml.safe_dump(data, sort_keys=False))


@FAST
@given(st.data())
def test_mutated_builtin_text_is_an_alert_rule_error(data: st.DataObject) -> None:
    lines = BUILTIN_TEXT.splitlines(keepends=True)
    i = data.draw(st.integers(0, len(lines) - 1))
    text = "".join(lines[:i] + [data.draw(st.text(max_size=40)) + "\n"] + lines[i + 1 :])
    _accepted_or_refused(text)
