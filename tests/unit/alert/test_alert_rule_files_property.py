"""Property: whatever an alert rule file holds, loading it gives rules or an AlertRuleError.

Random text, random bytes, random structures under the file's keys, and the
built-in rules with a field replaced (by a value of another type, a huge,
infinite, NaN or negative one), deleted or wrapped; a rule file is laid over
the defaults, so a partial file is as good as a whole one.
"""

from __future__ import annotations

import math
from typing import Any

import yaml
from hypothesis import given
from hypothesis import strategies as st

from flankwatch.alert.ruleset import (
    AlertRuleError,
    AlertRules,
    default_rules,
    default_text,
    load_rules,
    parse_rules,
)
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
BUILTIN_TEXT = default_text()
BUILTIN = yaml.safe_load(BUILTIN_TEXT)
DEFAULTS = default_rules()

VALUES = values(
    EDGE_VALUES,
    st.sampled_from(["hostile", "city", "confirmed", "Actual", "en-US", "Severe"]),
    st.lists(st.text(max_size=6), max_size=3),
)
STRUCTURES = structures(VALUES)


def _parse(text: str, source: str) -> AlertRules:
    return parse_rules(text, source, base=DEFAULTS)


def _accepted_or_refused(text: str) -> None:
    rules = parsed_or_refused(_parse, text, "alerts.yaml", AlertRuleError)
    if rules is None:
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
    load_random_bytes(data, load_rules, AlertRuleError)


@FAST
@given(st.dictionaries(st.sampled_from(list(AlertRules.model_fields)), STRUCTURES, max_size=3))
def test_rule_fields_of_random_structure_are_an_alert_rule_error(data: dict[str, Any]) -> None:
    _accepted_or_refused(yaml.safe_dump(data))


@FAST
@given(mutated(BUILTIN, VALUES))
def test_mutated_builtin_rules_are_accepted_or_refused(data: dict[str, Any]) -> None:
    _accepted_or_refused(yaml.safe_dump(data, sort_keys=False))


@FAST
@given(edited_text(BUILTIN_TEXT))
def test_mutated_builtin_text_is_an_alert_rule_error(text: str) -> None:
    _accepted_or_refused(text)
