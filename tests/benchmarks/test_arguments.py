"""The benchmark scripts refuse bad input as the commands do: exit code 2 and one line naming
the option or file and what is wrong, never a traceback, before any long work; a 0 is never
taken for the default."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
TINY_INSTANCE = "1 2 1\n5\n3\n0 0 0.5\n0 1 0.25\n"
"""A weapon-target instance one weapon and two targets large, solved at once."""
TIMEOUT_S = 60.0
"""Long enough to refuse input; a script that takes bad input for good runs longer."""


def _run(script: str, *argv: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(BENCHMARKS / script), *argv],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=TIMEOUT_S,
    )


def _refused(done: subprocess.CompletedProcess[str], message: str) -> None:
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert message in last, done.stderr


NUMBERS = [
    ("sim_speed.py", ["--duration", "nan"], "argument --duration: must be a finite number"),
    ("sim_speed.py", ["--duration", "-5"], "argument --duration: must be above 0, not '-5'"),
    ("sim_speed.py", ["--duration", "0"], "argument --duration: must be above 0, not '0'"),
    ("night_speed.py", ["--duration", "nan"], "argument --duration: must be a finite number"),
    ("night_speed.py", ["--duration", "-5"], "argument --duration: must be above 0"),
    ("sim_speed.py", ["--duration", "0.5"], "--duration 0.5: "),  # under one window
    ("debris_sigmas.py", ["--sigmas", "-1"], "debris_sigmas (line "),
    ("debris_sigmas.py", ["--sigmas", "1", "nan"], "--sigmas nan: "),
    ("debris_sigmas.py", ["--seed", "-1"], "argument --seed: must be 0 or more, not '-1'"),
    ("compare_speed.py", ["--runs", "0"], "argument --runs: must be above 0, not '0'"),
    ("compare_speed.py", ["--workers", "0"], "argument --workers: must be above 0, not '0'"),
    ("compare_speed.py", ["--policy", "nosuch"], "--policy nosuch: not a valid policy"),
    ("tracker_vs_stonesoup.py", ["--sizes", "0"], "argument --sizes: must be above 0"),
    ("tracker_vs_stonesoup.py", ["--sizes", "-5"], "argument --sizes: must be above 0"),
    ("tracker_vs_stonesoup.py", ["--scans", "0"], "argument --scans: must be above 0"),
    ("tracker_vs_stonesoup.py", ["--repeat", "0"], "argument --repeat: must be above 0"),
    ("tracker_vs_stonesoup.py", ["--gospa-c", "-1"], "argument --gospa-c: must be above 0"),
    ("tracker_families.py", ["--scans", "0"], "argument --scans: must be above 0"),
    ("tracker_families.py", ["--sizes", "0"], "argument --sizes: must be above 0"),
    ("tracker_families.py", ["--repeat", "0"], "argument --repeat: must be above 0"),
    ("live_load.py", ["--rate", "0"], "argument --rate: must be above 0, not '0'"),
    ("live_load.py", ["--seconds", "0"], "argument --seconds: must be above 0, not '0'"),
]


@pytest.mark.parametrize(("script", "argv", "message"), NUMBERS)
def test_a_number_out_of_range_is_refused_naming_its_option(
    script: str, argv: list[str], message: str
) -> None:
    _refused(_run(script, *argv), message)


@pytest.mark.parametrize("script", ["sim_speed.py", "night_speed.py", "compare_speed.py"])
def test_a_scenario_not_there_or_not_valid_is_refused_naming_it(
    script: str, tmp_path: Path
) -> None:
    _refused(_run(script, "--scenario", "nosuch"), "--scenario nosuch: not a valid scenario")
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: broken\nduration_s: -1\n")
    _refused(_run(script, "--scenario", str(broken)), f"--scenario {broken}: not a valid scenario")


def test_the_web_benchmark_refuses_a_folder_that_is_not_a_recording(tmp_path: Path) -> None:
    plain = tmp_path / "plain.txt"
    plain.write_text("not a recording")
    empty = tmp_path / "empty"
    empty.mkdir()
    _refused(_run("web_load.py", "--recording", str(tmp_path / "no")), "no such folder")
    _refused(_run("web_load.py", "--recording", str(plain)), f"{plain}: not a folder")
    _refused(_run("web_load.py", "--recording", str(empty)), f"--recording {empty}: not a rec")
    for option, value, message in (
        ("--speed", "0", "argument --speed: speed must be from 1 to 600, not 0"),
        ("--socket-s", "-1", "argument --socket-s: must be 0 or more, not '-1'"),
    ):
        done = _run("web_load.py", "--recording", str(empty), option, value)
        _refused(done, message)


def test_the_families_benchmark_writes_only_into_a_folder(tmp_path: Path) -> None:
    mine = tmp_path / "good.csv"
    mine.write_text("a user's file")
    done = _run("tracker_families.py", "--write", str(mine), "--families", "sparse")
    _refused(done, f"--write {mine}: cannot make a folder there")
    assert mine.read_text() == "a user's file"


def _wta_folder(tmp_path: Path, best_known: str, instance: str = TINY_INSTANCE) -> Path:
    (tmp_path / "best_known.csv").write_text(best_known)
    (tmp_path / "wta_1x2x1.txt").write_text(instance)
    return tmp_path


GOOD_BEST_KNOWN = "instance,best_known_objective\nwta_1x2x1.txt,5.5\n"


def test_the_wta_benchmark_runs_a_good_folder(tmp_path: Path) -> None:
    folder = _wta_folder(tmp_path, GOOD_BEST_KNOWN)
    done = _run("wta.py", "--instances", str(folder), "--time-limit", "1", "--no-exact")
    assert done.returncode == 0, done.stderr
    assert "wta_1x2x1.txt" in done.stdout
    assert "worst gap 0.0000 %" in done.stdout


@pytest.mark.parametrize("limit", ["-1", "0", "nan"])
def test_the_wta_benchmark_refuses_a_time_limit_not_above_0(limit: str, tmp_path: Path) -> None:
    folder = _wta_folder(tmp_path, GOOD_BEST_KNOWN)
    done = _run("wta.py", "--instances", str(folder), "--time-limit", limit)
    _refused(done, "argument --time-limit: must be ")


@pytest.mark.parametrize(
    ("best_known", "instance", "message"),
    [
        (GOOD_BEST_KNOWN, "1 2 x\n", "wta_1x2x1.txt, line 1: expected 'W T K'"),
        (
            GOOD_BEST_KNOWN + "wta_2x2x1.txt,1.0\n",
            TINY_INSTANCE,
            "wta_2x2x1.txt: cannot read",
        ),
        (
            "instance,best_known_objective\nwta_1x2x1.txt,many\n",
            TINY_INSTANCE,
            "best_known.csv, line 2: best_known_objective 'many' is not a number above 0",
        ),
        ("garbage\n", TINY_INSTANCE, "best_known.csv: no column best_known_objective"),
    ],
)
def test_the_wta_benchmark_refuses_a_bad_file_naming_it(
    best_known: str, instance: str, message: str, tmp_path: Path
) -> None:
    folder = _wta_folder(tmp_path, best_known, instance)
    _refused(_run("wta.py", "--instances", str(folder), "--no-exact"), message)
