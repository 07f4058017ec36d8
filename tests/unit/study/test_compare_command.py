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
        # a hundred million runs took memory for minutes before anything was said
        (["--policy", "layered", "--runs", "100000000"], "--runs"),
        (["--policy", "layered", "--force"], "--force"),
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


def _files(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` by its relative path, with its bytes."""
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_record_writes_each_run_as_flankwatch_run_does_and_replaces_only_its_own(
    tmp_path: Path,
) -> None:
    from flankwatch.cli import app as flankwatch

    scenario = str(_scenario(tmp_path))
    record = tmp_path / "study"
    args = ["compare", scenario, "--policy", "layered", "--runs", "1", "--workers", "1"]
    args += ["--quiet", "--record", str(record)]
    result = runner.invoke(app, [*args, "--out", str(tmp_path / "recorded.json")])
    assert result.exit_code == 0, result.output
    unrecorded = runner.invoke(app, [*args[:-2], "--out", str(tmp_path / "unrecorded.json")])
    assert unrecorded.exit_code == 0, unrecorded.output
    figures = [
        json.loads((tmp_path / f"{name}.json").read_text())["results"]
        for name in ("recorded", "unrecorded")
    ]
    assert figures[0] == figures[1]  # recording adds alerts and evaluation, not a figure
    (seed,) = draw_seeds(7, 1)
    folder = record / "layered" / f"defended-{seed}"
    assert [path.name for path in record.rglob("metadata.json")] == ["metadata.json"]
    alone = tmp_path / "alone"
    ran = runner.invoke(
        flankwatch,
        ["run", scenario, "--seed", str(seed), "--policy", "layered", "--out", str(alone)]
        + ["--quiet"],
    )
    assert ran.exit_code == 0, ran.output
    recorded = _files(folder)
    assert recorded == _files(alone)  # byte for byte
    assert json.loads(recorded["metadata.json"])["status"] == "complete"
    # a second study refuses to replace it unless forced, and replaces only recordings
    again = runner.invoke(app, args)
    assert again.exit_code == 2 and str(folder) in again.output, again.output
    assert runner.invoke(app, [*args, "--force"]).exit_code == 0
    assert _files(folder) == recorded
    mine = record / "fighters-only" / f"defended-{seed}" / "notes.txt"
    mine.parent.mkdir(parents=True)
    mine.write_text("mine\n")
    refused = runner.invoke(app, [*args, "--policy", "fighters-only", "--force"])
    assert refused.exit_code == 2 and "not a recording" in refused.output, refused.output
    assert mine.read_text() == "mine\n" and list(mine.parent.iterdir()) == [mine]


def test_record_refuses_two_policies_that_would_share_a_folder(tmp_path: Path) -> None:
    policies = []
    for folder in ("a", "b"):
        path = tmp_path / folder / "mine.yaml"
        path.parent.mkdir()
        path.write_text(yaml.safe_dump({"name": f"mine-{folder}", "rules": []}))
        policies += ["--policy", str(path)]
    args = ["compare", str(_scenario(tmp_path)), *policies, "--runs", "1"]
    result = runner.invoke(app, [*args, "--record", str(tmp_path / "study")])
    assert result.exit_code == 2, result.output
    assert f"{tmp_path / 'study' / 'mine'}: policies" in result.output
    assert "would share this folder" in result.output
    assert not (tmp_path / "study").exists()
