"""The live command's --out: a folder that cannot be made is refused before any input is
opened, exit 2, naming --out and the folder."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).parents[2] / "unit" / "live"))

from live_feeds import sbs_lines  # noqa: E402

import flankwatch.live.source  # noqa: E402
from flankwatch.live.command import live  # noqa: E402


def _app() -> typer.Typer:
    app = typer.Typer()
    app.command()(live)
    app.command("other")(lambda: None)  # more than one command: "live" is a subcommand
    return app


@pytest.mark.parametrize("where", ["under_a_file", "under_proc"])
def test_an_out_folder_that_cannot_be_made_is_refused_before_the_inputs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    feed = tmp_path / "feed.sbs"
    feed.write_text("\n".join(line for _, line in sbs_lines(2.0)) + "\n")
    (tmp_path / "a_file").write_text("")
    out = tmp_path / "a_file" / "sub" if where == "under_a_file" else Path("/proc/nope/x")
    if where == "under_proc" and not Path("/proc").is_dir():
        pytest.skip("no /proc")

    def opened(*args: object, **kwargs: object) -> None:
        raise AssertionError("the inputs were opened before --out was checked")

    monkeypatch.setattr(flankwatch.live.source, "LiveSource", opened)
    result = CliRunner().invoke(
        _app(), ["live", "--input", f"sbs@file://{feed}", "--out", str(out), "--quiet"]
    )
    assert result.exit_code == 2, result.output
    assert "error: --out:" in result.output and str(out) in result.output.replace("\n", "")
    assert not (tmp_path / "a_file" / "sub").exists() and not Path("/proc/nope").exists()


def test_a_new_out_folder_is_not_left_behind_by_the_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    feed = tmp_path / "feed.sbs"
    feed.write_text("\n".join(line for _, line in sbs_lines(2.0)) + "\n")

    def opened(*args: object, **kwargs: object) -> None:
        raise ValueError("stop here")

    monkeypatch.setattr(flankwatch.live.source, "LiveSource", opened)
    out = tmp_path / "new" / "run"
    result = CliRunner().invoke(
        _app(), ["live", "--input", f"sbs@file://{feed}", "--out", str(out)]
    )
    assert result.exit_code == 2 and "stop here" in result.output
    assert not (tmp_path / "new").exists()
