"""The command line starts light: importing it, or asking for help, loads no heavy library.

Each check runs in a fresh interpreter, since the test session itself has imported
everything already.
"""

from __future__ import annotations

import importlib
import inspect
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flankwatch.cli import LAZY_COMMANDS, app

HEAVY = (
    "numpy",
    "scipy",
    "pyarrow",
    "duckdb",
    "dask",
    "distributed",
    "shapely",
    "pyproj",
    "pydantic",
    "yaml",
    "matplotlib",
    "fastapi",
    "uvicorn",
    "lxml",
)
"""Top-level packages a command may load only when it runs."""


def _all_modules_after(code: str) -> set[str]:
    """Every module imported by a fresh interpreter after running ``code``."""
    script = f"import sys\n{code}\nprint(' '.join(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    )
    return set(done.stdout.split())


def _modules_after(code: str) -> set[str]:
    """The top-level packages imported by a fresh interpreter after running ``code``."""
    return {name.split(".")[0] for name in _all_modules_after(code)}


def _help_script(*args: str) -> str:
    return (
        "from flankwatch.cli import app\n"
        "try:\n"
        f"    app({list(args)!r}, prog_name='flankwatch')\n"
        "except SystemExit:\n"
        "    pass"
    )


def test_importing_the_command_line_loads_no_heavy_library() -> None:
    loaded = _modules_after("import flankwatch.cli")
    assert "typer" in loaded  # the check sees what the import brought in
    assert loaded.isdisjoint(HEAVY), sorted(loaded & set(HEAVY))


def test_the_main_help_lists_every_command_without_loading_them() -> None:
    loaded = _modules_after(_help_script("--help"))
    assert loaded.isdisjoint(HEAVY), sorted(loaded & set(HEAVY))
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    for name in ("run", "replay", "track", "query", *LAZY_COMMANDS):
        assert f"  {name} " in result.output


@pytest.mark.parametrize("module", ["flankwatch.study.command", "flankwatch.web.report_command"])
def test_a_command_module_loads_no_heavy_library(module: str) -> None:
    loaded = _modules_after(f"import {module}")
    assert loaded.isdisjoint(HEAVY), sorted(loaded & set(HEAVY))


@pytest.mark.parametrize("command", ["track", "run", "compare"])
def test_a_command_help_loads_only_what_typer_needs(command: str) -> None:
    # typer itself reads options through pydantic; nothing else heavy is needed for help
    loaded = _modules_after(_help_script(command, "--help"))
    assert loaded.isdisjoint(set(HEAVY) - {"pydantic"}), sorted(loaded & set(HEAVY))


def test_tracking_a_file_loads_neither_the_run_nor_the_statistics_library() -> None:
    # what `flankwatch track` imports when it runs; scipy.stats alone took about 0.3 s, and
    # scipy.special about 0.1 s on top of the part of SciPy that Numba loads anyway
    loaded = _all_modules_after(
        "import flankwatch.io.plot_files, flankwatch.printing, flankwatch.track.settings\n"
        "from flankwatch.track.tracker import build_tracker"
    )
    assert "flankwatch.track.tracker" in loaded  # the check sees what the import brought in
    unwanted = {
        "scipy.stats",
        "scipy.special",
        "flankwatch.pipeline",
        "flankwatch.sim",
        "dask",
        "duckdb",
    }
    assert loaded.isdisjoint(unwanted), sorted(loaded & unwanted)


def test_a_plots_file_is_read_and_refused_before_the_tracker_is_loaded(tmp_path: Path) -> None:
    # a bad file is named at once, without Numba's start (about half a second here)
    bad = tmp_path / "plots.csv"
    bad.write_text("time_s,sensor_id,x_m,y_m,sigma_m\n0,1,0,0,-5\n")
    loaded = _all_modules_after(
        "import flankwatch.io.plot_files as files\n"
        f"try:\n    files.track_file({str(bad)!r}, {str(tmp_path / 'tracks.csv')!r})\n"
        "except files.PlotFileError as error:\n    assert 'must be positive' in str(error)\n"
        "else:\n    raise AssertionError('the bad file was tracked')"
    )
    assert "flankwatch.io.plot_reader" in loaded  # the check sees what the import brought in
    assert {"numba", "flankwatch.track.tracker"}.isdisjoint(loaded)
    assert not (tmp_path / "tracks.csv").exists()


@pytest.mark.parametrize("name", sorted(LAZY_COMMANDS))
def test_a_lazy_command_shows_its_own_docstring_and_options(name: str) -> None:
    lazy = LAZY_COMMANDS[name]
    function = getattr(importlib.import_module(lazy.module), lazy.function)
    docstring = inspect.getdoc(function) or ""
    assert lazy.help == " ".join(docstring.split("\n\n")[0].split())
    result = CliRunner().invoke(app, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert f" {name} [OPTIONS]" in result.output
    options = [p.name for p in inspect.signature(function).parameters.values()]
    assert any(f"--{option.replace('_', '-')}" in result.output for option in options)


def test_an_unknown_command_is_refused() -> None:
    result = CliRunner().invoke(app, ["no-such-command"])
    assert result.exit_code == 2


def test_the_command_line_gives_blas_one_thread_unless_the_user_set_it() -> None:
    script = "import os\nimport flankwatch.cli\nprint(os.environ['OPENBLAS_NUM_THREADS'])"
    env = {key: value for key, value in os.environ.items() if key != "OPENBLAS_NUM_THREADS"}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, env=env
    )
    assert done.stdout.strip() == "1"
    env["OPENBLAS_NUM_THREADS"] = "2"
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, env=env
    )
    assert done.stdout.strip() == "2"


def test_version_prints_the_installed_version_and_loads_nothing_heavy() -> None:
    from importlib.metadata import version

    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output == f"flankwatch {version('flankwatch')}\n"
    assert not _modules_after(_help_script("--version")) & set(HEAVY)


@pytest.mark.parametrize(
    ("command", "metavar"),
    [("track", "--set NAME=VALUE"), ("live", "--input FORMAT@URL"), ("compare", "--policy POLICY")],
)
def test_repeatable_options_show_what_to_give_not_a_python_type(command: str, metavar: str) -> None:
    result = CliRunner().invoke(app, [command, "--help"])
    assert result.exit_code == 0
    assert metavar in result.output and "list[str]" not in result.output
