"""`flankwatch run`: bad rule files and scenarios end the run with exit code 2, named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
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


def test_an_infinite_duration_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "r"
    result = runner.invoke(app, ["run", "--duration", "inf", "--out", str(out)])
    assert result.exit_code == 2
    assert "'--duration': must be a finite number, not inf" in result.output
    assert not out.exists()


def test_run_never_empties_a_folder_it_did_not_make(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "thesis.tex").write_text("years of work")
    (tmp_path / "metadata.json").write_text('{"mine": true}')
    for extra in ([], ["--force"]):
        result = runner.invoke(app, ["run", "--duration", "30", "--out", ".", "--quiet", *extra])
        assert result.exit_code == 2, result.output
        assert "refusing" in result.output or "not a flankwatch recording" in result.output
    assert (tmp_path / "thesis.tex").read_text() == "years of work"
    assert (tmp_path / "metadata.json").read_text() == '{"mine": true}'


def test_run_replaces_its_own_recording_only_with_force(tmp_path: Path) -> None:
    out = tmp_path / "r"
    first = runner.invoke(app, ["run", "--duration", "30", "--out", str(out), "--quiet"])
    assert first.exit_code == 0, first.output
    again = runner.invoke(app, ["run", "--duration", "30", "--out", str(out), "--quiet"])
    assert again.exit_code == 2 and "--force" in again.output
    forced = runner.invoke(
        app, ["run", "--duration", "60", "--out", str(out), "--quiet", "--force"]
    )
    assert forced.exit_code == 0, forced.output
    assert json.loads((out / "metadata.json").read_text())["duration_s"] == 60.0


@pytest.mark.parametrize(
    ("scenario", "policy", "fault"),
    [
        ("poland-2025-09-10", "no-such-policy", "no-such-policy"),
        ("mass-raid-2025-09-07", "layered", "has no defence"),
    ],
)
def test_a_policy_that_cannot_apply_exits_2_and_writes_nothing(
    tmp_path: Path, scenario: str, policy: str, fault: str
) -> None:
    out = tmp_path / "r"
    result = runner.invoke(app, ["run", scenario, "--policy", policy, "--out", str(out)])
    assert result.exit_code == 2
    assert fault in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


def test_a_bad_asterix_address_exits_2(tmp_path: Path) -> None:
    out = tmp_path / "r"
    result = runner.invoke(
        app, ["run", "--duration", "10", "--asterix-out", "tcp://nowhere", "--out", str(out)]
    )
    assert result.exit_code == 2
    assert "tcp://nowhere" in result.output


@pytest.mark.parametrize("seed", ["-1", str(2**63)])
def test_a_seed_out_of_range_is_named_as_the_option_not_the_scenario(
    tmp_path: Path, seed: str
) -> None:
    result = runner.invoke(app, ["run", "--seed", seed, "--out", str(tmp_path / "r")])
    assert result.exit_code == 2
    assert "'--seed'" in result.output
    assert "not a valid scenario" not in result.output
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--asterix-sac", "3"], "--asterix-sac and --asterix-sic mark the records sent to"),
        (["--asterix-sic", "3"], "give --asterix-out too"),
        (["--asterix-out", "udp://[::1:8600"], "--asterix-out: ASTERIX destination"),
        (["--asterix-out", "udp://host"], "--asterix-out: ASTERIX destination 'udp://host'"),
    ],
)
@pytest.mark.parametrize("command", ["run", "replay", "live"])
def test_asterix_options_are_checked_first_and_never_ignored(
    tmp_path: Path, command: str, arguments: list[str], message: str
) -> None:
    # a SAC without a destination was ignored; a bad destination was found after the set-up
    first = {
        "run": ["run", "no-such-scenario"],
        "replay": ["replay", str(tmp_path / "no-recording")],
        "live": ["live", "--input", "sbs@file:///no/such/file"],
    }[command]
    result = runner.invoke(app, [*first, "--out", str(tmp_path / "r"), *arguments])
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())
    assert not (tmp_path / "r").exists()


def test_a_duration_shorter_than_a_window_is_named_as_the_option(tmp_path: Path) -> None:
    # it was reported as a fault of the scenario file (duration_s)
    out = tmp_path / "r"
    result = runner.invoke(app, ["run", "--duration", "2", "--out", str(out)])
    assert result.exit_code == 2
    assert "--duration: a run lasts at least one window (5 s in poland-2025-09-10), not 2 s" in (
        " ".join(result.output.split())
    )
    assert "not a valid scenario" not in result.output and not out.exists()


def test_a_second_process_that_died_is_named_with_exit_1_and_no_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import flankwatch.pipeline as pipeline
    from flankwatch.sink_process import SinkProcessError

    def dies(*args: object, **kwargs: object) -> None:
        raise SinkProcessError("the sinks' process ended (exit code -9) while the run went on")

    monkeypatch.setattr(pipeline, "run_scenario", dies)
    result = runner.invoke(app, ["run", "--quiet", "--out", str(tmp_path / "r")])
    assert result.exit_code == 1
    assert "error: the sinks' process ended (exit code -9)" in result.output
    assert "Traceback" not in result.output
