"""`flankwatch compare`: a table per policy from a few runs; bad input exits 2, named."""

from __future__ import annotations

import json
from pathlib import Path

import typer
import yaml
from study_scenario import defended_data
from typer.testing import CliRunner

from flankwatch.study.command import compare
from flankwatch.study.runs import draw_seeds

app = typer.Typer()
app.command()(compare)
app.command("other")(lambda: None)  # two commands: the function runs as `compare`
runner = CliRunner()


def _scenario(tmp_path: Path, defended: bool = True) -> Path:
    data = defended_data()
    if not defended:
        del data["defence"]
    path = tmp_path / "defended.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def test_compare_prints_and_writes_the_table(tmp_path: Path) -> None:
    out = tmp_path / "table.json"
    args = ["compare", str(_scenario(tmp_path)), "--policy", "fighters-only"]
    args += ["--policy", "layered", "--runs", "1", "--workers", "1", "--quiet"]
    result = runner.invoke(app, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "fighters-only" in result.output and "layered" in result.output
    assert "threats destroyed" in result.output
    data = json.loads(out.read_text())
    (seed,) = draw_seeds(7, 1)
    assert data["policies"] == ["fighters-only", "layered"]
    assert [(r["policy"], r["seed"]) for r in data["results"]] == [
        ("fighters-only", seed),
        ("layered", seed),
    ]
    assert data["results"][1]["response"]["shots"] > 0  # the gun fires under layered
    assert data["base_seed"] == 7  # the scenario's seed


def test_bad_input_exits_2_naming_it_before_any_run(tmp_path: Path) -> None:
    scenario = str(_scenario(tmp_path))
    notes = tmp_path / "notes.csv"
    notes.write_text("mine\n")
    cases = [
        (["--policy", "no-such-policy"], "no-such-policy"),
        (["--policy", "layered", "--policy", "layered"], "each policy once"),
        (
            ["--policy", "layered", "--scheduler", "tcp://127.0.0.1:9", "--workers", "2"],
            "--workers",
        ),
        (["--policy", "layered", "--out", str(notes)], "refusing"),
        (["--policy", "layered", "--runs", "0"], "--runs"),
    ]
    for extra, named in cases:
        result = runner.invoke(app, ["compare", scenario, *extra])
        assert result.exit_code == 2, (extra, result.output)
        assert named in result.output, (extra, result.output)
    assert notes.read_text() == "mine\n"
    undefended = runner.invoke(
        app, ["compare", str(_scenario(tmp_path, defended=False)), "--policy", "layered"]
    )
    assert undefended.exit_code == 2 and "no defence" in undefended.output
