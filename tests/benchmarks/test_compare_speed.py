"""The study benchmark runs ``flankwatch compare`` as users do and times one of its runs part
by part (on the study tests' three-minute defended scenario)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

TESTS = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TESTS / "unit" / "study"))

from study_scenario import defended_data  # noqa: E402

SCRIPT = TESTS.parent / "benchmarks" / "compare_speed.py"


@pytest.mark.skipif(shutil.which("flankwatch") is None, reason="needs the installed command")
def test_the_study_benchmark_times_the_command_and_one_run_part_by_part(tmp_path: Path) -> None:
    scenario = tmp_path / "defended.yaml"
    scenario.write_text(yaml.safe_dump(defended_data(), sort_keys=False))
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--scenario", str(scenario), "--runs", "2"]
        + ["--workers", "1"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "--policy fighters-only --policy layered --runs 2 --workers 1" in out
    # four runs, and no ratio to a target made for another study
    summary = re.search(r"4 runs \(2 policies x 2, 1 workers\): .*, ([\d.]+) s a run", out)
    assert summary is not None, out
    assert float(summary.group(1)) > 0.0
    assert "(the 10 min target is for 40 runs on 2 workers)" in out
    assert "one run (fighters-only, seed " in out
    parts = dict(re.findall(r"^\s*([\w ,()-]+?)\s+[\d.]+\s+([\d.]+)%$", out, re.M))
    for part in ("simulation", "tracking", "assessment", "response", "the loop and the rest"):
        assert part in parts, out
    assert sum(map(float, parts.values())) == pytest.approx(100.0, abs=0.1 * len(parts))


def test_the_study_benchmark_keeps_its_table_only_in_a_new_file(tmp_path: Path) -> None:
    mine = tmp_path / "mine.json"
    mine.write_text("a user's file")
    for keep in (mine, tmp_path / "no" / "such" / "folder.json"):
        done = subprocess.run(
            [sys.executable, str(SCRIPT), "--keep", str(keep)], capture_output=True, text=True
        )
        assert done.returncode == 2
        assert f"--keep {keep}: give a new file in an existing folder" in done.stderr
        assert "Traceback" not in done.stderr
    assert mine.read_text() == "a user's file"
