"""YAML files: whatever the bytes, a bad file is a YamlFileError naming the file and line."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from pydantic import BaseModel, ConfigDict

from flankwatch.alert.ruleset import AlertRuleError
from flankwatch.plain_numbers import NumbersAsWritten
from flankwatch.yamlfile import (
    MAX_DEPTH,
    MAX_VALUES,
    Problem,
    YamlFileError,
    read_text,
    validate_yaml,
)


class _Thing(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = ""
    size: float = 0.0
    items: list[object] = []


class ThingError(YamlFileError):
    what = "thing"


def _fault(text: str) -> ThingError:
    with pytest.raises(ThingError) as caught:
        validate_yaml(text, "thing.yaml", _Thing, ThingError)
    assert "thing.yaml" in str(caught.value)
    return caught.value


def test_a_good_file_validates() -> None:
    thing = validate_yaml("name: a\nsize: 2.5\n", "thing.yaml", _Thing, ThingError)
    assert thing == _Thing(name="a", size=2.5)


def test_an_empty_file_is_an_empty_mapping() -> None:
    assert validate_yaml("", "thing.yaml", _Thing, ThingError) == _Thing()


def test_a_file_that_is_not_utf8_names_the_line_of_the_bad_byte(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("name: a\nsize: 1\nitems: [Łódź]\n".encode("cp1250"))
    with pytest.raises(ThingError) as caught:
        read_text(path, ThingError)
    (problem,) = caught.value.problems
    assert problem.line == 3
    assert "UTF-8" in problem.message
    assert str(path) in str(caught.value)


def test_a_byte_order_mark_is_allowed(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbfname: a\n")
    assert read_text(path, ThingError) == "name: a\n"


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ThingError, match="absent.yaml"):
        read_text(tmp_path / "absent.yaml", ThingError)


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("name: a\nsize: !!float abc\n", 2, "'abc' is not a valid !!float"),
        ("size: !!int x1\n", 1, "!!int"),
        ("name: !!bool maybe\n", 1, "!!bool"),
        ("name: a\n\nsize: 2025-13-45\n", 3, "month must be in 1..12"),
        ("name: !!python/object:os.system {}\n", 1, "python/object"),
        ("name: !!python/name:os.system\n", 1, "python/name"),
        ("name: !custom x\n", 1, "!custom"),
        ("name: [a, b\n", 2, "expected ',' or ']'"),
        ("name: a\nname: b\n", 2, "'name' is given twice (lines 1 and 2)"),
        ("name: a\x07\n", 1, "U+0007"),
        ("a: &x [1]\nb: *y\n", 2, "undefined alias"),
    ],
)
def test_yaml_faults_name_the_line(text: str, line: int, words: str) -> None:
    (problem,) = _fault(text).problems
    assert problem.field == "(yaml)"
    assert problem.line == line
    assert words in problem.message
    assert "<unicode string>" not in problem.message


@pytest.mark.parametrize("nesting", [MAX_DEPTH + 1, 10_000])
def test_very_deep_nesting_is_refused_not_a_crash(nesting: int) -> None:
    for text in ("items: " + "[" * nesting, "items: " + "[" * nesting + "]" * nesting):
        (problem,) = _fault(text).problems
        assert f"deeper than {MAX_DEPTH}" in problem.message
        assert problem.line == 1


def test_nesting_up_to_the_limit_is_read() -> None:
    depth = MAX_DEPTH - 2  # the top mapping and the list hold the nested lists
    thing = validate_yaml(
        "items: [" + "[" * depth + "]" * depth + "]", "thing.yaml", _Thing, ThingError
    )
    assert len(thing.items) == 1


def test_merge_keys_may_repeat_a_key() -> None:
    text = "base: &b {name: a}\nthing:\n  <<: *b\n  name: c\n"
    # only the key check matters here: the merged mapping is read, then the field is unknown
    (problem,) = _fault(text).problems[:1]
    assert "twice" not in problem.message


@pytest.mark.parametrize(
    ("text", "found"), [("- a\n- b\n", "list"), ("just words\n", "str"), ("3\n", "int")]
)
def test_a_file_that_is_not_a_mapping_says_what_it_is(text: str, found: str) -> None:
    (problem,) = _fault(text).problems
    assert problem.field == "(top)"
    assert f"not a {found}" in problem.message


@pytest.mark.parametrize("key", ["1", "1.5", "~", "true", "2020-01-01"])
def test_keys_that_are_not_names_are_reported(key: str) -> None:
    (problem,) = _fault(f"{key}: 1\n").problems
    assert problem.line == 1


def test_an_error_crosses_to_another_process_unchanged() -> None:
    """Raised in a run's child process (the alert rules are read there), raised again in
    the run: the same kind, file, problems and message."""
    error = AlertRuleError("rules.yaml", [Problem("rules[0].kind", "unknown kind 'x'")])
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is AlertRuleError
    assert (again.source, again.problems, str(again)) == (error.source, error.problems, str(error))


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("1e5", 100000.0),  # YAML 1.1 read this as text
        ("-2.5E-3", -0.0025),
        ("010", 10.0),  # YAML 1.1: octal eight
        (".inf", float("inf")),
        ("+.5", 0.5),
    ],
)
def test_numbers_are_read_as_yaml_1_2_writes_them(written: str, value: float) -> None:
    thing = validate_yaml(
        f"size: {written}\nitems: [{written}]\n", "thing.yaml", _Thing, ThingError
    )
    assert thing.size == value and thing.items == [value]


@pytest.mark.parametrize("written", ["1:30", "3:00:00", "0x2A30", "0b101", "0o17", "10_800"])
def test_yaml_1_1_number_forms_are_text_which_a_number_field_refuses(written: str) -> None:
    # YAML 1.1 read 1:30 as 90 (sexagesimal) and 0x2A30 as 10800, silently
    assert validate_yaml(f"items: [{written}]\n", "thing.yaml", _Thing, ThingError).items == [
        written
    ]
    with pytest.raises(ThingError) as caught:  # as the models of files people write read it
        validate_yaml(f"size: {written}\n", "thing.yaml", _PlainThing, ThingError)
    assert [(p.field, p.line) for p in caught.value.problems] == [("size", 1)]


class _PlainThing(NumbersAsWritten):
    size: float = 0.0


def test_aliases_that_expand_past_the_limit_are_refused_before_validation() -> None:
    # 59 kB of aliases stood for millions of values, and validation took 5 GB
    wide = "a: &a [" + ", ".join(["1"] * 1000) + "]\n"
    text = wide + "items: [" + ", ".join(["*a"] * (MAX_VALUES // 1000 + 1)) + "]\n"
    fault = _fault(text)
    assert [p.field for p in fault.problems] == ["(yaml)"]
    assert f"more than {MAX_VALUES:,} values once its aliases" in fault.problems[0].message


def test_aliases_within_the_limit_are_expanded() -> None:
    text = "items: [&a [1, 2, 3], *a, *a]\n"
    assert validate_yaml(text, "thing.yaml", _Thing, ThingError).items == [[1, 2, 3]] * 3
