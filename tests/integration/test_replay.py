"""Replay: a recording's plots through the stages again, same or other rules."""

from __future__ import annotations

import json
from collections.abc import Callable
from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
import yaml
from typer.testing import CliRunner

from flankwatch.cli import app
from flankwatch.pipeline import RunOptions, replay, run_scenario
from flankwatch.scenario.loader import parse_scenario
from flankwatch.store.reading import read_table
from flankwatch.store.recording import RecordingError, read_metadata

pytestmark = pytest.mark.slow

DECIDED = ("tracks", "events", "alerts", "threat_ranking")
"""The tables the stages write (plots and truth are the source's)."""


def same_table(a: pa.Table, b: pa.Table) -> bool:
    """Whether two tables hold the same columns and values, a NaN equal to a NaN (a track's
    ``mode5_t_s`` is NaN until it takes a Mode 5 reply; Arrow's ``equals`` holds NaN unequal)."""
    if a.schema != b.schema or a.num_rows != b.num_rows:
        return False
    for name in a.column_names:
        x, y = a[name], b[name]
        if pa.types.is_floating(x.type):
            if not np.array_equal(x.to_numpy(), y.to_numpy(), equal_nan=True):
                return False
        elif not x.equals(y):
            return False
    return True


@pytest.fixture(scope="module")
def original(
    tmp_path_factory: pytest.TempPathFactory, incursion_data: Callable[[], dict[str, Any]]
) -> Path:
    text = yaml.safe_dump(incursion_data(), sort_keys=False)
    out = tmp_path_factory.mktemp("original") / "recording"
    run_scenario(parse_scenario(text, "incursion"), text, out)
    return out


def test_an_unchanged_replay_reproduces_tracks_events_and_alerts(
    original: Path, tmp_path: Path
) -> None:
    summary = replay(original, tmp_path / "again")
    for table in DECIDED:
        before, after = read_table(original, table), read_table(tmp_path / "again", table)
        assert before.num_rows > 0, table
        assert same_table(after, before), table
    before = sorted(p.name for p in (original / "cap").iterdir())
    after = sorted(p.name for p in (tmp_path / "again" / "cap").iterdir())
    assert before == after and before
    for name in before:
        assert (tmp_path / "again" / "cap" / name).read_bytes() == (
            original / "cap" / name
        ).read_bytes()
    recorded = read_metadata(original)["summary"]
    assert json.loads(json.dumps(summary.to_dict(), default=str)) == recorded
    assert summary.alerts_issued == recorded["alerts_issued"] > 0
    assert summary.tracking is not None
    assert summary.tracking.gospa_mean_m == recorded["tracking"]["gospa_mean_m"]
    assert read_metadata(tmp_path / "again")["replay_of"] == str(original)


def test_other_identity_rules_give_a_different_recorded_night(
    original: Path, tmp_path: Path
) -> None:
    default = yaml.safe_load(files("flankwatch.assess").joinpath("rules/identity.yaml").read_text())
    # Nothing is ever declared hostile: only the ADS-B and own-aircraft rules stay.
    default["rules"] = [r for r in default["rules"] if r["identity"] not in ("hostile", "suspect")]
    rules = tmp_path / "lenient.yaml"
    rules.write_text(yaml.safe_dump(default))
    summary = replay(original, tmp_path / "lenient", options=RunOptions(identity_rules=rules))
    assert summary.alerts_issued == 0
    assert read_table(tmp_path / "lenient", "alerts").num_rows == 0
    assert read_table(original, "alerts").num_rows > 0
    kinds = read_table(tmp_path / "lenient", "events").column("kind").to_pylist()
    assert "alert-issued" not in kinds
    same_tracks = read_table(tmp_path / "lenient", "tracks")
    assert same_table(same_tracks, read_table(original, "tracks"))


def test_other_tracker_settings_change_the_tracks(original: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["replay", str(original), "--out", str(tmp_path / "cv"), "--quiet"]
        + ["--set", "motion=cv", "--set", "confirm_m=5"],
    )
    assert result.exit_code == 0, result.output
    assert "replay against the original" in result.output
    assert not same_table(read_table(tmp_path / "cv", "tracks"), read_table(original, "tracks"))


def test_replay_refuses_its_own_folder_a_non_recording_and_a_used_out(
    original: Path, tmp_path: Path
) -> None:
    runner = CliRunner()
    onto_itself = runner.invoke(app, ["replay", str(original), "--out", str(original)])
    assert onto_itself.exit_code == 2 and "choose another --out" in onto_itself.output
    inside = runner.invoke(app, ["replay", str(original), "--out", str(original / "again")])
    assert inside.exit_code == 2 and not (original / "again").exists()
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    not_a_recording = runner.invoke(app, ["replay", str(tmp_path / "mine"), "--out", "x"])
    assert not_a_recording.exit_code == 2 and "not a recording" in not_a_recording.output
    used = runner.invoke(app, ["replay", str(original), "--out", str(tmp_path / "mine")])
    assert used.exit_code == 2
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep me"


def test_an_unfinished_recording_is_not_replayed(original: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    copy.mkdir()
    for path in original.rglob("*"):
        target = copy / path.relative_to(original)
        if path.is_dir():
            target.mkdir(exist_ok=True)
        else:
            target.write_bytes(path.read_bytes())
    metadata = json.loads((copy / "metadata.json").read_text())
    metadata["status"] = "running"
    (copy / "metadata.json").write_text(json.dumps(metadata))
    with pytest.raises(RecordingError, match="not complete"):
        replay(copy, tmp_path / "out")
