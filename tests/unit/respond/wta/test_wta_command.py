"""`flankwatch wta`: an instance in, the objective printed, the uses written as CSV."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import typer
from typer.testing import CliRunner

from flankwatch.respond.wta import objective, read_instance
from flankwatch.respond.wta.command import wta

app = typer.Typer()
app.command()(wta)
runner = CliRunner()

INSTANCE = "3 4 2\n10\n20\n5\n40\n" + "".join(
    f"{i} {j} {0.1 + 0.2 * ((i + j) % 4)}\n" for i in range(3) for j in range(4) if (i, j) != (2, 3)
)


def _instance(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.txt"
    path.write_text(INSTANCE)
    return path


def test_writes_one_row_per_use(tmp_path: Path) -> None:
    instance, out = _instance(tmp_path), tmp_path / "uses.csv"
    result = runner.invoke(app, [str(instance), "--out", str(out), "--method", "exact"])
    assert result.exit_code == 0, result.output
    lines = out.read_text().splitlines()
    assert lines[0] == "weapon,target"
    problem = read_instance(instance)
    counts = np.zeros((3, 4), dtype=np.int64)
    for line in lines[1:]:
        weapon, target = map(int, line.split(","))
        counts[weapon, target] += 1
    assert len(lines) - 1 == problem.uses.sum()  # no cost: every use is spent
    assert (counts.sum(axis=1) <= 2).all() and counts[2, 3] == 0
    assert f"{objective(problem, counts):.6f}" in result.output
    assert "proven" in result.output


def test_refuses_to_overwrite_unless_forced(tmp_path: Path) -> None:
    instance, out = _instance(tmp_path), tmp_path / "uses.csv"
    out.write_text("weapon,target\n0,0\n")
    result = runner.invoke(app, [str(instance), "--out", str(out)])
    assert result.exit_code == 2
    assert "exists" in result.output and "--force" in result.output
    assert out.read_text() == "weapon,target\n0,0\n"
    result = runner.invoke(app, [str(instance), "--out", str(out), "--force"])
    assert result.exit_code == 0, result.output
    assert len(out.read_text().splitlines()) == 1 + 6


def test_force_never_replaces_another_kind_of_file(tmp_path: Path) -> None:
    instance, out = _instance(tmp_path), tmp_path / "notes.txt"
    out.write_text("my notes\n")
    result = runner.invoke(app, [str(instance), "--out", str(out), "--force"])
    assert result.exit_code == 2
    assert "not an assignment file" in result.output
    assert out.read_text() == "my notes\n"


def test_a_bad_instance_exits_2_naming_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("1 2 1\n5\n7\n0 1 2.0\n")
    result = runner.invoke(app, [str(bad)])
    assert result.exit_code == 2
    assert "line 4" in result.output and "probability" in result.output
    assert "Traceback" not in result.output
    missing = runner.invoke(app, [str(tmp_path / "absent.txt")])
    assert missing.exit_code == 2 and "cannot read" in missing.output


def test_an_infinite_time_limit_is_refused(tmp_path: Path) -> None:
    result = runner.invoke(app, [str(_instance(tmp_path)), "--time-limit", "inf"])
    assert result.exit_code == 2
    assert "'--time-limit': must be a finite number, not inf" in result.output


def test_an_out_in_a_missing_folder_is_refused_before_solving(tmp_path: Path) -> None:
    out = tmp_path / "absent" / "uses.csv"
    result = runner.invoke(app, [str(_instance(tmp_path)), "--out", str(out)])
    assert result.exit_code == 2
    assert f"no folder {out.parent} to write it in" in result.output
    assert "objective" not in result.output  # nothing solved


def test_an_unknown_method_is_refused(tmp_path: Path) -> None:
    result = runner.invoke(app, [str(_instance(tmp_path)), "--method", "fast"])
    assert result.exit_code == 2
