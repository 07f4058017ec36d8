"""Replacing a recording: only with force, only a recording, only its own files."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from flankwatch.store.recording import (
    FORMAT,
    RecordingError,
    RecordingWriter,
    read_metadata,
)

SCHEMA = pa.schema([("t_s", pa.float64()), ("value", pa.int64())])


def _rows(t_s: float, n: int) -> pa.Table:
    return pa.table({"t_s": np.full(n, t_s), "value": np.arange(n, dtype=np.int64)}, schema=SCHEMA)


def _record(folder: Path, seed: int = 1, *, force: bool = False) -> None:
    """A small complete recording: a static table, a growing one in two parts, files."""
    writer = RecordingWriter(folder, {"seed": seed}, "name: x\n", part_period_s=1.0, force=force)
    writer.write_table("sensors", pa.table({"sensor_id": [0, 1]}))
    writer.write_file("deployment.yaml", "sensors: []\n")
    writer.append("plots", _rows(1.0, 3), 1.0)
    writer.append("plots", _rows(2.0, 4), 2.0)
    writer.write_file("cap/a-1.xml", "<alert/>")
    writer.close({"seed": seed})


def _tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (relative path to bytes); links as their target."""
    found = {}
    for root, dirs, files in os.walk(folder):
        for name in files + [d for d in dirs if os.path.islink(os.path.join(root, d))]:
            path = Path(root) / name
            key = str(path.relative_to(folder))
            found[key] = (
                b"-> " + os.readlink(path).encode() if path.is_symlink() else path.read_bytes()
            )
    return found


def test_a_folder_with_a_stray_metadata_file_is_never_emptied(tmp_path: Path) -> None:
    # a file called metadata.json does not make a folder a recording
    folder = tmp_path / "work"
    folder.mkdir()
    (folder / "metadata.json").write_text('{"project": "thesis"}', encoding="utf-8")
    (folder / "thesis.tex").write_text("years of work", encoding="utf-8")
    before = _tree(folder)
    for force in (False, True):
        with pytest.raises(RecordingError, match="not a recording"):
            RecordingWriter(folder, {}, "", force=force)
        assert _tree(folder) == before


@pytest.mark.parametrize(
    "text",
    ["not json at all", "[1, 2]", json.dumps({"format": "other/1"}), "\xff\xfe"],
)
def test_a_metadata_file_that_is_not_ours_is_refused_even_with_force(
    tmp_path: Path, text: str
) -> None:
    folder = tmp_path / "work"
    folder.mkdir()
    (folder / "metadata.json").write_text(text, encoding="latin-1")
    (folder / "notes.txt").write_text("mine", encoding="utf-8")
    before = _tree(folder)
    with pytest.raises(RecordingError, match="not a recording"):
        RecordingWriter(folder, {}, "", force=True)
    assert _tree(folder) == before


def test_out_dot_with_force_removes_only_the_recording(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the working folder holds a recording and the user's own files, some inside its folders
    monkeypatch.chdir(tmp_path)
    _record(Path("."))
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    (tmp_path / "mine.parquet").write_bytes(b"my own parquet")
    (tmp_path / "plots" / "readme.txt").write_text("about the plots", encoding="utf-8")
    (tmp_path / "plots" / "part-9.parquet").write_bytes(b"not a part name")
    (tmp_path / "cap" / "draft.xml").write_text("<mine/>", encoding="utf-8")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "main.py").write_text("print()", encoding="utf-8")
    own = {
        name: data
        for name, data in _tree(tmp_path).items()
        if name
        in {
            "notes.txt",
            "mine.parquet",
            "plots/readme.txt",
            "plots/part-9.parquet",
            "cap/draft.xml",
            "src/main.py",
        }
    }
    assert len(own) == 6
    with pytest.raises(RecordingError, match="refusing to replace"):
        RecordingWriter(Path("."), {}, "")
    _record(Path("."), seed=2, force=True)
    after = _tree(tmp_path)
    for name, data in own.items():
        assert after[name] == data, name
    assert read_metadata(tmp_path)["seed"] == 2
    assert not (tmp_path / "cap" / "a-2.xml").exists()


def test_a_folder_holding_only_a_recording_is_emptied_then_rewritten(tmp_path: Path) -> None:
    folder = tmp_path / "rec"
    _record(folder)
    (folder / "plots" / "part-000005.parquet.tmp").write_bytes(b"PAR1")  # a killed write
    (folder / "cap" / "a-1.xml.tmp").write_bytes(b"<al")
    writer = RecordingWriter(folder, {"seed": 3}, "", force=True)
    assert sorted(p.name for p in folder.iterdir()) == ["metadata.json", "scenario.yaml"]
    writer.close({})


def test_a_recording_with_a_failed_status_can_be_replaced(tmp_path: Path) -> None:
    folder = tmp_path / "rec"
    with pytest.raises(RuntimeError):
        with RecordingWriter(folder, {}, "", part_period_s=1e9) as writer:
            writer.append("plots", _rows(1.0, 3), 1.0)
            raise RuntimeError("stop")
    assert read_metadata(folder)["status"] == "failed"
    RecordingWriter(folder, {}, "", force=True).close({})
    assert not (folder / "plots").exists()


def test_an_older_recording_without_contents_is_replaced_by_its_layout(tmp_path: Path) -> None:
    folder = tmp_path / "old"
    (folder / "plots").mkdir(parents=True)
    (folder / "cap").mkdir()
    metadata = {"format": FORMAT, "status": "complete"}
    (folder / "metadata.json").write_text(json.dumps(metadata), encoding="utf-8")
    (folder / "scenario.yaml").write_text("name: old\n", encoding="utf-8")
    pq.write_table(pa.table({"a": [1]}), folder / "sensors.parquet")
    pq.write_table(_rows(1.0, 2), folder / "plots" / "part-000000.parquet")
    (folder / "cap" / "m.xml").write_text("<alert/>", encoding="utf-8")
    (folder / "notes.txt").write_text("mine", encoding="utf-8")
    RecordingWriter(folder, {}, "", force=True).close({})
    assert sorted(p.name for p in folder.iterdir()) == [
        "metadata.json",
        "notes.txt",
        "scenario.yaml",
    ]


def test_links_inside_a_recording_are_not_followed(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    pq.write_table(_rows(0.0, 1), elsewhere / "part-000000.parquet")
    (elsewhere / "m.xml").write_text("<x/>", encoding="utf-8")
    before = _tree(elsewhere)
    folder = tmp_path / "rec"
    _record(folder)
    # a recording whose table and file folders were swapped for links by someone
    for name in ("plots", "cap"):
        for path in (folder / name).iterdir():
            path.unlink()
        (folder / name).rmdir()
        (folder / name).symlink_to(elsewhere, target_is_directory=True)
    RecordingWriter(folder, {}, "", force=True).close({})
    assert _tree(elsewhere) == before


def test_a_tampered_contents_list_cannot_reach_outside(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.mkdir()
    pq.write_table(_rows(0.0, 1), victim / "part-000000.parquet")
    (tmp_path / "top.parquet").write_bytes(b"x")
    before = _tree(victim)
    folder = tmp_path / "rec"
    _record(folder)
    metadata = json.loads((folder / "metadata.json").read_text(encoding="utf-8"))
    metadata["contents"]["tables"]["../victim"] = "growing"
    metadata["contents"]["tables"]["../top"] = "static"
    metadata["contents"]["files"] += ["../victim/part-000000.parquet", "/etc/hostname"]
    (folder / "metadata.json").write_text(json.dumps(metadata), encoding="utf-8")
    RecordingWriter(folder, {}, "", force=True).close({})
    assert _tree(victim) == before
    assert (tmp_path / "top.parquet").read_bytes() == b"x"


@pytest.mark.parametrize(
    "relative",
    [
        "../outside.txt",
        "/tmp/abs.txt",
        "a/../../b.txt",
        "",
        ".hidden",
        "metadata.json",
        "x.parquet",
    ],
)
def test_a_file_is_written_inside_the_recording_only(tmp_path: Path, relative: str) -> None:
    folder = tmp_path / "rec"
    writer = RecordingWriter(folder, {}, "")
    with pytest.raises(RecordingError):
        writer.write_file(relative, "text")
    assert not (tmp_path / "outside.txt").exists()
    assert not (tmp_path / "b.txt").exists()


def test_a_table_name_is_one_plain_name(tmp_path: Path) -> None:
    writer = RecordingWriter(tmp_path / "rec", {}, "")
    for name in ("../up", "a/b", "", ".hidden"):
        with pytest.raises(RecordingError, match="not a table name"):
            writer.declare(name, SCHEMA)
        with pytest.raises(RecordingError, match="not a table name"):
            writer.write_table(name, _rows(0.0, 1))
    assert not (tmp_path / "up").exists()
