"""Reading instance files: the benchmark's format, and faults named by file and line."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from flankwatch.respond.wta import WtaFormatError, read_instance

TINY = "2 3 2\n5\n7.5\n0\n0 0 0.5\n1 2 0.25\n\n0 1 0.1\n"


def test_reads_a_tiny_instance(tmp_path: Path) -> None:
    path = tmp_path / "tiny.txt"
    path.write_text(TINY)
    problem = read_instance(path)
    assert problem.value.tolist() == [5.0, 7.5, 0.0]
    assert problem.uses.tolist() == [2, 2]
    expected = np.array([[0.5, 0.1, 0.0], [0.0, 0.0, 0.25]])
    assert np.array_equal(problem.kill_prob, expected)  # missing pairs: may not engage
    assert problem.cost_weight == 0.0


@pytest.mark.parametrize(
    ("text", "where", "what"),
    [
        ("", "", "empty file"),
        ("2 3\n", "line 1", "expected 'W T K'"),
        ("2 3 1\n5\n7\n", "line 3", "file ends after 2 of 3 target values"),
        ("1 2 1\n5\nseven\n", "line 3", "expected a target value, got 'seven'"),
        ("1 2 1\n5\n-1\n", "line 3", "target 1 value -1 must be finite and >= 0"),
        ("1 2 1\n5\n7\n0 2 0.5\n", "line 4", "target index '2' is not a whole number in 0..1"),
        ("1 2 1\n5\n7\n0 1 1.5\n", "line 4", "probability 1.5 must lie in [0, 1)"),
        ("1 2 1\n5\n7\n0 1 0.5\n0 1 0.4\n", "line 5", "given twice"),
        ("1 2 1\n5\n7\n0 1\n", "line 4", "expected 'weapon target probability'"),
        ("1 2 1\n5\n7\nx 1 0.5\n", "line 4", "weapon index 'x'"),
        ("1000000000000 1 1\n5\n0 0 0.5\n", "line 1", "too large: at most 10,000,000"),
        ("2 2 1000000000\n5\n3\n0 0 0.5\n", "line 1", "2 weapons x 2 targets x 1000000000"),
    ],
)
def test_a_malformed_file_names_file_and_line(
    tmp_path: Path, text: str, where: str, what: str
) -> None:
    path = tmp_path / "bad.txt"
    path.write_text(text)
    with pytest.raises(WtaFormatError) as raised:
        read_instance(path)
    message = str(raised.value)
    assert message.startswith(str(path))
    assert where in message and what in message


def test_a_missing_file_is_a_format_error(tmp_path: Path) -> None:
    with pytest.raises(WtaFormatError, match="cannot read"):
        read_instance(tmp_path / "absent.txt")
