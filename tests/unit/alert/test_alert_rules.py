"""Alert rule files: defaults, overrides and errors that name the file and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from flankwatch.alert.ruleset import (
    AlertRuleError,
    AlertRules,
    default_rules,
    load_rules,
    parse_rules,
)


def test_default_rules_come_from_the_packaged_file() -> None:
    rules = load_rules()
    assert rules == default_rules()
    assert rules.airports.identities == ["suspect", "hostile"]
    assert rules.airports.distance_m == 30_000
    assert rules.airports.horizon_s == 1200
    assert rules.airports.clear_s == 1800
    assert rules.public.identities == ["hostile"]
    assert rules.cap.status == "Exercise"


def test_a_rule_file_overrides_only_what_it_says(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text("airports:\n  distance_m: 50000\ncap:\n  status: Actual\n", encoding="utf-8")
    rules = load_rules(path)
    assert rules.airports.distance_m == 50_000
    assert rules.airports.clear_s == 1800
    assert rules.cap.status == "Actual"
    assert rules.cap.sender == default_rules().cap.sender


def test_a_bad_value_names_the_file_the_field_and_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("public:\n  horizon_s: 60\n  clear_s: -5\n", encoding="utf-8")
    with pytest.raises(AlertRuleError) as caught:
        load_rules(path)
    text = str(caught.value)
    assert str(path) in text
    assert "public.clear_s (line 3)" in text
    assert [p.field for p in caught.value.problems] == ["public.clear_s"]


def test_a_number_written_as_yes_or_text_is_refused() -> None:
    for written in ("true", "'600'"):
        with pytest.raises(AlertRuleError, match=r"public\.horizon_s \(line 2\)"):
            parse_rules(f"public:\n  horizon_s: {written}\n", "x.yaml")


def test_an_unknown_identity_is_named_with_its_index() -> None:
    with pytest.raises(AlertRuleError, match=r"airports\.identities\[1\]"):
        parse_rules("airports:\n  identities: [hostile, enemy]\n", "x.yaml")


def test_an_unknown_field_is_an_error() -> None:
    with pytest.raises(AlertRuleError, match=r"airports\.distance_km"):
        parse_rules("airports:\n  distance_km: 30\n", "x.yaml")


def test_a_cap_status_must_be_one_of_the_standard() -> None:
    with pytest.raises(AlertRuleError, match=r"cap\.status"):
        parse_rules("cap:\n  status: Simulated\n", "x.yaml")


def test_a_sender_with_a_space_is_refused() -> None:
    with pytest.raises(AlertRuleError, match=r"cap\.sender"):
        parse_rules("cap:\n  sender: flank watch\n", "x.yaml")


def test_broken_yaml_and_a_missing_file_are_rule_errors(tmp_path: Path) -> None:
    with pytest.raises(AlertRuleError, match=r"(?s)x\.yaml: .*\(yaml\)"):
        parse_rules("airports: [\n", "x.yaml")
    with pytest.raises(AlertRuleError, match=r"\(file\)"):
        load_rules(tmp_path / "missing.yaml")
    with pytest.raises(AlertRuleError, match=r"\(top\)"):
        parse_rules("- a list\n", "x.yaml")


def test_an_empty_file_keeps_the_defaults() -> None:
    assert parse_rules("", "empty.yaml") == default_rules()


def test_rules_over_another_base() -> None:
    rules = parse_rules("public:\n  margin_m: 500\n", "x.yaml", base=AlertRules())
    assert rules.public.margin_m == 500


@pytest.mark.parametrize(
    ("text", "field", "message"),
    [
        # each was accepted, then ended the run with a traceback at the first NOTAM
        (
            'notam:\n  closed_text: "AD CLSD {distance_km:d} KM"\n',
            "notam.closed_text",
            "bad template",
        ),
        ('notam:\n  closed_text: "{reason!z}"\n', "notam.closed_text", "bad template"),
        ('notam:\n  closed_text: "{reason:{aerodrome}}"\n', "notam.closed_text", "bad template"),
        (
            'notam:\n  reopened_text: "{reason:>999999999999999999999}"\n',
            "notam.reopened_text",
            "bad template",
        ),
        ('notam:\n  closed_text: "{reason:>100000}"\n', "notam.closed_text", "over 2000"),
        # a control character is no XML 1.0: the CAP message could not be written
        ('airports:\n  reason: "UAV \\x01"\n', "airports.reason", "control character '\\x01'"),
        (
            'cap:\n  text:\n    en-GB:\n      event: "Air \\a attack"\n',
            "cap.text.en-GB.event",
            "control character '\\x07' at position 5",
        ),
    ],
)
def test_message_text_that_cannot_be_written_is_refused_at_load(
    text: str, field: str, message: str
) -> None:
    with pytest.raises(AlertRuleError) as caught:
        parse_rules(text, "x.yaml")
    problems = {p.field: p.message for p in caught.value.problems}
    assert field in problems, caught.value
    assert message in problems[field]


def test_a_cap_language_listed_twice_is_refused() -> None:
    # it gave every CAP message two identical info blocks
    with pytest.raises(AlertRuleError) as caught:
        parse_rules("cap:\n  languages: [en-GB, pl-PL, en-GB]\n", "x.yaml")
    assert "language(s) ['en-GB'] listed twice" in str(caught.value)


def test_a_template_with_a_text_spec_is_taken() -> None:
    rules = parse_rules('notam:\n  closed_text: "AD CLSD {aerodrome:>6} {reason!s}"\n', "x.yaml")
    assert rules.notam.closed_text.startswith("AD CLSD")
