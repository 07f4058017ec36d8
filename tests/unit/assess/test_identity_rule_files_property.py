"""Property: whatever an identity rule file holds, loading it gives rules or a RuleError.

Random text, random bytes, random structures under the file's keys, and the
built-in rules with a field replaced (by a value of another type, a huge,
infinite, NaN or negative one), deleted or wrapped. Rules that are accepted
must also make an identifier.
"""

from __future__ import annotations

from importlib.resources import files
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from flankwatch.assess.identity import (
    DEFAULT_IDENTITY_FILE,
    IdentityRules,
    RuleIdentifier,
    load_identity_rules,
)
from flankwatch.assess.rulefile import RuleError, parse_rules
from flankwatch.geo.frames import LocalFrame
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

FAST = fast(max_examples=80)
FRAME = LocalFrame(52.0, 21.5)
BUILTIN_TEXT = files("flankwatch.assess").joinpath("rules", DEFAULT_IDENTITY_FILE).read_text()
BUILTIN = yaml.safe_load(BUILTIN_TEXT)

VALUES = values(
    EDGE_VALUES,
    st.sampled_from(["hostile", "BLR", "confirmed", "cruise-missile", "PLF", "abcdef"]),
    st.lists(st.text(max_size=6), max_size=3),
)
STRUCTURES = structures(VALUES)


def _parse(text: str, source: str) -> IdentityRules:
    return parse_rules(text, source, IdentityRules)


def _accepted_or_refused(text: str) -> None:
    rules = parsed_or_refused(_parse, text, "rules.yaml", RuleError)
    if rules is not None:
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
    load_random_bytes(data, load_identity_rules, RuleError)


@FAST
@given(st.dictionaries(st.sampled_from(list(IdentityRules.model_fields)), STRUCTURES, max_size=3))
def test_rule_fields_of_random_structure_are_a_rule_error(data: dict[str, Any]) -> None:
    _accepted_or_refused(yaml.safe_dump(data))


@FAST
@given(mutated(BUILTIN, VALUES))
def test_mutated_builtin_rules_are_accepted_and_usable_or_refused(data: dict[str, Any]) -> None:
    _accepted_or_refused(yaml.safe_dump(data, sort_keys=False))


@FAST
@given(edited_text(BUILTIN_TEXT))
def test_mutated_builtin_text_is_a_rule_error(text: str) -> None:
    _accepted_or_refused(text)


def test_a_bound_too_large_to_square_is_a_rule_error() -> None:
    """Found by the properties above: a speed sigma of 1e301 overflowed when squared."""
    text = BUILTIN_TEXT.replace("max_speed_sigma_mps: 10 ", "max_speed_sigma_mps: 1.0e+301 ", 1)
    with pytest.raises(RuleError) as caught:
        parse_rules(text, "rules.yaml", IdentityRules)
    (problem,) = caught.value.problems
    assert problem.field == "rules[8].when.max_speed_sigma_mps"
    assert (
        problem.line
        == BUILTIN_TEXT.splitlines().index(
            next(line for line in BUILTIN_TEXT.splitlines() if "max_speed_sigma_mps: 10 " in line)
        )
        + 1
    )
