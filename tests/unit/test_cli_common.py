"""What the commands share: number options named by their fault, control characters shown."""

from __future__ import annotations

import math

import pytest
import typer
from typer.testing import CliRunner

from flankwatch.cli import app
from flankwatch.cli_common import counted, number_within, shown

runner = CliRunner()


def test_a_number_within_its_range_or_none_is_taken() -> None:
    check = number_within(1.0, 600.0)
    assert check(None) is None
    assert check(1.0) == 1.0 and check(600.0) == 600.0


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (math.nan, "nan is not a number"),
        (math.inf, "must be a finite number, not inf"),
        (-math.inf, "must be a finite number, not -inf"),
        (0.5, "must be at least 1 s, not 0.5"),
        (601.0, "must be at most 600 s, not 601"),
    ],
)
def test_a_number_out_of_its_range_is_refused_by_its_fault(value: float, message: str) -> None:
    with pytest.raises(typer.BadParameter) as error:
        number_within(1.0, 600.0, unit="s")(value)
    assert str(error.value) == message


@pytest.mark.parametrize(
    "arguments",
    [
        ["run", "--duration", "nan"],
        ["track", "plots.csv", "--out", "tracks.csv", "--batch-s", "nan"],
        ["track", "plots.csv", "--out", "tracks.csv", "--max-speed", "nan"],
        ["wta", "instance.txt", "--time-limit", "nan"],
        ["serve", "--speed", "nan"],
        ["live", "--duration", "nan"],
        ["live", "--batch-s", "nan"],
    ],
)
def test_every_command_says_nan_is_not_a_number(arguments: list[str]) -> None:
    # click's own range check let nan through, or called it too small
    result = runner.invoke(app, arguments)
    assert result.exit_code == 2
    assert "nan is not a number" in result.output
    assert "Traceback" not in result.output


def test_control_characters_are_shown_as_escapes() -> None:
    assert shown("A\x1b[31mB\x07\x9b") == "A\\x1b[31mB\\x07\\x9b"
    assert shown("plain ąę text") == "plain ąę text"


def test_a_count_takes_the_plural_unless_it_is_one() -> None:
    assert counted(1, "raid") == "1 raid"
    assert counted(0, "raid") == "0 raids"
    assert counted(1_500, "civil flow") == "1,500 civil flows"
    assert counted(2, "sensor entry", "sensor entries") == "2 sensor entries"
    assert counted(1, "sensor entry", "sensor entries") == "1 sensor entry"
