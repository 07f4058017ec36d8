"""Property: whatever an identity rule file holds, loading it gives rules or a RuleError.

Random text, random bytes, random structures under the file's keys, and the
built-in rules with a field replaced (by a value of another type, a huge,
infinite, NaN or negative one), deleted or wrapped. Rules that are accepted
must also make an identifier.
"""

from __future__ import annotations

import copy
import math
import tempfile
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flankwatch.assess.identity import (
    DEFAULT_IDENTITY_FILE,
    IdentityRules,
    RuleIdentifier,
    load_identity_rules,
)
from flankwatch.assess.rulefile import RuleError, parse_rules
from flankwatch.geo.frames import LocalFrame

FAST = settings(
    max_examples=80, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
FRAME = LocalFrame(52.0, 21.5)
BUILTIN_TEXT = files("flankwatch.assess").joinpath("rules", DEFAULT_IDENTITY_FILE).read_text()
BUILTIN = yaml.safe_load(BUILTIN_TEXT)

VALUES = st.one_of(
    st.sampled_from(
        [0, -1, 1e308, -1e308, 2**70, math.inf, -math.inf, math.nan, "", "x" * 10_000, [], {}]
    ),
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["hostile", "BLR", "confirmed", "cruise-missile", "PLF", "abcdef"]),
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
        rules = parse_rules(text, "rules.yaml", IdentityRules)
    except RuleError as error:
        assert "rules.yaml" in str(error)
        assert error.problems
        return
    RuleIdentifier(rules, FRAME)


def test_the_builtin_rules_load() -> None:
    assert load_identity_rules().rules


@FAST
@given(st.text(max_size=300))
def test_random_text_is_a_rule_error(text: str) -> None:
    _accepted_or_refused(text)


@FAST
@given(st.binary(max_size=300))
def test_random_bytes_in_a_file_are_a_rule_error(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "random.yaml"
        path.write_bytes(data)
        try:
            load_identity_rules(path)
        except RuleError as error:
            assert str(path) in str(error)


@FAST
@given(st.dictionaries(st.sampled_from(list(IdentityRules.model_fields)), STRUCTURES, max_size=3))
def test_rule_fields_of_random_structure_are_a_rule_error(data: dict[str, Any]) -> None:
    _accepted_or_refused(yaml.safe_dump(data))


@FAST
@given(mutated(BUILTIN))
def test_mutated_builtin_rules_are_accepted_and_usable_or_refused(data: dict[str, Any]) -> None:
    _accepted_or_refused(yaml.safe_dump(data, sort_keys=False))


@FAST
@given(st.data())
def test_mutated_builtin_text_is_a_rule_error(data: st.DataObject) -> None:
    lines = BUILTIN_TEXT.splitlines(keepends=True)
    i = data.draw(st.integers(0, len(lines) - 1))
    text = "".join(lines[:i] + [data.draw(st.text(max_size=40)) + "\n"] + lines[i + 1 :])
    _accepted_or_refused(text)


def test_a_bound_too_large_to_square_is_a_rule_error() -> None:
    """Found by the properties above: a speed sigma of 1e301 overflowed when squared."""
    text = BUILTIN_TEXT.replace("max_speed_sigma_mps: 10 ", "max_speed_sigma_mps: 1.0e+301 ", 1)
    with pytest.raises(RuleError) as caught:
        parse_rules(text, "rules.yaml", IdentityRules)
    (problem,) = caught.value.problems
    assert problem.field == "rules[4].when.max_speed_sigma_mps"
    assert (
        problem.line
        == BUILTIN_TEXT.splitlines().index(
            next(line for line in BUILTIN_TEXT.splitlines() if "max_speed_sigma_mps: 10 " in line)
        )
        + 1
    )
