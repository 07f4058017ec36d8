"""Reading scenario files: built-ins validate; faults name the file, the field and the line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from flankwatch.cli import app
from flankwatch.scenario.loader import (
    ScenarioError,
    builtin_names,
    builtin_text,
    load_scenario,
    parse_scenario,
)
from flankwatch.scenario.schema import Scenario

SCENARIO_TEXT = """\
name: loader-test
start: 2025-09-10T00:00:00+00:00
duration_s: 600
seed: 3
sensors:
  - name: radar
    type: gap-filler
    at: [52.0, 22.0]
raids:
  - name: first
    threat: geran-2
    count: 2
    launch: [51.5, 24.0]
    target: [52.0, 22.5]
  - name: second
    threat: gerbera
    count: 1
    launch: [51.0, 24.0]
    target: czosnowka
airports: [EPWA]
civil_traffic:
  - name: shuttle
    departure: EPWA
    arrival: EPGD
    count: 1
"""
"""A valid scenario; each test breaks one line of it."""


def _line_of(text: str, fragment: str) -> int:
    """The 1-based number of the only line of ``text`` that holds ``fragment``."""
    lines = [n for n, line in enumerate(text.splitlines(), start=1) if fragment in line]
    assert len(lines) == 1, fragment
    return lines[0]


def _broken(old: str, new: str) -> tuple[str, int]:
    """The scenario with one line changed, and that line's number."""
    assert SCENARIO_TEXT.count(old) == 1, old
    text = SCENARIO_TEXT.replace(old, new)
    return text, _line_of(text, new.strip().splitlines()[0])


def _problems(text: str, source: str = "broken.yaml") -> ScenarioError:
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(text, source)
    return caught.value


def test_the_unbroken_scenario_is_valid() -> None:
    scenario = parse_scenario(SCENARIO_TEXT, "good.yaml")
    assert isinstance(scenario, Scenario)
    assert [raid.count for raid in scenario.raids] == [2, 1]
    assert scenario.raids[1].target.name  # a gazetteer name was resolved


@pytest.mark.parametrize("name", builtin_names())
def test_every_builtin_scenario_validates(name: str) -> None:
    scenario, text = load_scenario(name)
    assert scenario.name == name
    assert text == builtin_text(name)
    assert scenario.start.utcoffset() is not None
    assert scenario.sensors


def test_there_are_builtin_scenarios() -> None:
    assert "poland-2025-09-10" in builtin_names()


def test_a_fault_names_the_file_the_field_and_the_line(tmp_path: Path) -> None:
    text, line = _broken("    count: 2\n", "    count: 0\n")
    path = _write(tmp_path, text)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    error = caught.value
    assert error.source == str(path)
    assert [(p.field, p.line) for p in error.problems] == [("raids[0].count", line)]
    message = str(error)
    assert str(path) in message
    assert f"raids[0].count (line {line})" in message


def _write(folder: Path, text: str) -> Path:
    path = folder / "scenario.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_every_fault_is_reported_not_only_the_first() -> None:
    text = SCENARIO_TEXT.replace("    count: 2\n", "    count: -1\n").replace("seed: 3", "seed: -3")
    error = _problems(text)
    fields = {p.field for p in error.problems}
    assert {"seed", "raids[0].count"} <= fields
    assert _find(error, "seed").line == _line_of(text, "seed: -3")


def _find(error: ScenarioError, field: str) -> Any:
    found = [p for p in error.problems if p.field == field]
    assert found, f"no problem at {field}: {error}"
    return found[0]


@pytest.mark.parametrize(
    ("old", "new", "field", "named"),
    [
        ("    threat: geran-2\n", "    threat: geran-9\n", "raids[0].threat", "geran-9"),
        ("    type: gap-filler\n", "    type: gap-fillr\n", "sensors[0].type", "gap-fillr"),
        ("    target: czosnowka\n", "    target: atlantis\n", "raids[1].target", "atlantis"),
        ("airports: [EPWA]\n", "airports: [ZZZQ]\n", "airports[0]", "ZZZQ"),
        ("    arrival: EPGD\n", "    arrival: QQQQ\n", "civil_traffic[0].arrival", "QQQQ"),
    ],
)
def test_unknown_names_are_faults_at_their_field(
    old: str, new: str, field: str, named: str
) -> None:
    text, line = _broken(old, new)
    problem = _find(_problems(text), field)
    assert named in problem.message
    assert problem.line == line


def test_a_misspelt_field_is_rejected() -> None:
    text, line = _broken("    count: 1\n    launch: [51.0", "    cuont: 1\n    launch: [51.0")
    error = _problems(text)
    extra = _find(error, "raids[1].cuont")
    assert extra.line == line
    assert "count" in {p.field.rsplit(".", 1)[-1] for p in error.problems}  # and count is missing


def test_a_misspelt_top_level_field_is_rejected() -> None:
    text = SCENARIO_TEXT + "sede: 4\n"
    assert _find(_problems(text), "sede").line == _line_of(text, "sede: 4")


def test_a_start_without_an_offset_is_rejected() -> None:
    text, line = _broken("start: 2025-09-10T00:00:00+00:00\n", "start: 2025-09-10T00:00:00\n")
    problem = _find(_problems(text), "start")
    assert problem.line == line
    assert "timezone" in problem.message.lower()


def test_a_launch_time_without_an_offset_is_rejected() -> None:
    text, _ = _broken("    count: 2\n", "    count: 2\n    first_launch: 2025-09-10T00:10:00\n")
    line = _line_of(text, "first_launch")
    error = _problems(text)
    assert any(
        p.field.startswith("raids[0].first_launch") and p.line == line for p in error.problems
    )


def test_a_yaml_syntax_error_is_reported_with_its_line() -> None:
    text, line = _broken("    at: [52.0, 22.0]\n", "    at: [52.0, 22.0\n")
    error = _problems(text, "syntax.yaml")
    (problem,) = error.problems
    assert problem.field == "(yaml)"
    assert problem.line is not None
    assert line <= problem.line <= line + 2  # the parser notices the open bracket a little later
    assert "syntax.yaml" in str(error)


def test_a_file_that_is_not_a_mapping_is_rejected() -> None:
    (problem,) = _problems("- just\n- a list\n").problems
    assert problem.field == "(top)"


def test_a_missing_file_is_a_scenario_error(tmp_path: Path) -> None:
    path = tmp_path / "absent.yaml"
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert str(path) in str(caught.value)


def test_an_unknown_builtin_name_is_a_scenario_error() -> None:
    with pytest.raises(ScenarioError) as caught:
        load_scenario("no-such-scenario")
    assert "no-such-scenario" in str(caught.value)


# --- the command --------------------------------------------------------------------------------


def test_validate_exits_0_on_a_good_file(tmp_path: Path) -> None:
    path = _write(tmp_path, SCENARIO_TEXT)
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert "loader-test" in result.output


def test_validate_exits_2_on_a_bad_file_naming_the_fault(tmp_path: Path) -> None:
    text, line = _broken("    count: 2\n", "    count: 0\n")
    path = _write(tmp_path, text)
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    output = " ".join(result.output.split())
    assert f"raids[0].count (line {line})" in output
    assert path.name in output


def test_validate_exits_2_on_a_yaml_syntax_error(tmp_path: Path) -> None:
    path = _write(tmp_path, "name: [unclosed\n")
    assert CliRunner().invoke(app, ["validate", str(path)]).exit_code == 2


@pytest.mark.parametrize("name", builtin_names())
def test_validate_accepts_every_builtin(name: str) -> None:
    result = CliRunner().invoke(app, ["validate", name])
    assert result.exit_code == 0, result.output
