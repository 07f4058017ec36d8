"""`flankwatch run`: bad rule files and scenarios end the run with exit code 2, named."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from flankwatch.cli import app

runner = CliRunner()


def test_a_bad_identity_rule_file_exits_2_naming_the_field(tmp_path: Path) -> None:
    rules = tmp_path / "identity.yaml"
    rules.write_text("rules:\n  - name: r\n    when: {colour: red}\n    identity: hostile\n")
    result = runner.invoke(
        app,
        [
            "run",
            "--duration",
            "60",
            "--out",
            str(tmp_path / "r"),
            "--quiet",
            "--identity-rules",
            str(rules),
        ],
    )
    assert result.exit_code == 2
    assert "identity.yaml" in result.output and "rules[0].when.colour" in result.output
    assert not (tmp_path / "r").exists()


def test_a_bad_alert_rule_file_exits_2_naming_the_field(tmp_path: Path) -> None:
    rules = tmp_path / "alerts.yaml"
    rules.write_text("airports:\n  distance_m: -5\n")
    result = runner.invoke(
        app,
        [
            "run",
            "--duration",
            "60",
            "--out",
            str(tmp_path / "r"),
            "--quiet",
            "--alert-rules",
            str(rules),
        ],
    )
    assert result.exit_code == 2
    assert "alerts.yaml" in result.output and "airports.distance_m" in result.output


def test_an_unknown_scenario_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["run", "no-such-scenario", "--out", str(tmp_path / "r")])
    assert result.exit_code == 2
    assert "no-such-scenario" in result.output
    assert not (tmp_path / "r").exists()
