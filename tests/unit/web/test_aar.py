"""The after-action view and ``flankwatch report``, on a small recording written here.

The night: two threats and one airliner, tracked under other numbers than their
object ids. ``alpha`` is identified suspect, crosses the border, is warned of and
comes down; ``bravo`` is identified hostile, closes EPWA and is shot down. A
fourth track, 5 km from ``alpha``, is declared hostile early: it is nobody's
track and must not count for ``alpha``.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from typer.testing import CliRunner

from flankwatch.cli import app
from flankwatch.events import Event, EventKind, events_to_arrow
from flankwatch.store.recording import RecordingError, RecordingWriter
from flankwatch.web.aar import render_report
from flankwatch.web.aar_data import read_after_action

START = "2025-09-09T21:30:00+00:00"
TIMES = np.arange(10.0, 310.0, 10.0)
SOURCE = "airports closed that night: Warsaw Chopin; reopened about 07:30 local"
SCENARIO = f"""name: test-night
sources:
  - "a first source about drones"
  - "{SOURCE}"
"""
ALPHA = "alpha <b>&"
"""A name with markup in it: the page must show it as text."""


def _objects() -> pa.Table:
    return pa.table(
        {
            "object_id": pa.array([0, 1, 2], pa.int32()),
            "name": [ALPHA, "bravo", "airliner"],
            "category": ["decoy", "one-way-attack-drone", "airliner"],
            "origin": ["Belarus", "Ukraine", ""],
            "cooperative": [False, False, True],
        }
    )


def _path(object_id: int, t_s: np.ndarray) -> np.ndarray:
    """Each object's straight path: x, y, z in m at ``t_s``."""
    return np.column_stack(
        (50.0 * t_s - 10_000.0 * object_id, np.full(len(t_s), 20_000.0 * object_id), 500.0 + t_s)
    )


def _truth() -> pa.Table:
    rows: dict[str, list] = {k: [] for k in ("t_s", "object_id", "ended", "destroyed")}
    xyz = []
    ends = {0: (280.0, False), 1: (155.0, True), 2: (None, False)}
    for obj, (end_s, destroyed) in ends.items():
        times = TIMES[TIMES < end_s] if end_s is not None else TIMES
        if end_s is not None:
            times = np.r_[times, end_s]
        xyz.append(_path(obj, times))
        rows["t_s"] += times.tolist()
        rows["object_id"] += [obj] * len(times)
        last = [False] * (len(times) - 1) + [end_s is not None]
        rows["ended"] += last
        rows["destroyed"] += [flag and destroyed for flag in last]
    x, y, z = np.vstack(xyz).T
    return pa.table(
        {
            "t_s": rows["t_s"],
            "object_id": pa.array(rows["object_id"], pa.int32()),
            "x_m": x,
            "y_m": y,
            "z_m": z,
            "ended": rows["ended"],
            "destroyed": rows["destroyed"],
        }
    )


def _tracks(status: int = 1) -> pa.Table:
    """Tracks 10, 20, 30 on objects 0, 1, 2 (100 m off); track 40 5 km from object 0; all of
    ``status``."""
    parts = []
    for track, obj, offset_m, until_s in (
        (10, 0, 100.0, 280),
        (20, 1, 100.0, 150),
        (30, 2, 100.0, 300),
        (40, 0, 5000.0, 100),
    ):
        times = TIMES[TIMES <= until_s]
        xyz = _path(obj, times) + [offset_m, 0.0, 0.0]
        parts.append(
            pa.table(
                {
                    "time_s": times,
                    "track_id": np.full(len(times), track, np.int64),
                    "status": pa.array(np.full(len(times), status, np.int8)),
                    "x_m": xyz[:, 0],
                    "y_m": xyz[:, 1],
                    "z_m": xyz[:, 2],
                }
            )
        )
    return pa.concat_tables(parts)


def _events() -> list[Event]:
    changed = EventKind.IDENTITY_CHANGED
    return [
        Event(20.0, changed, "track 40 hostile", 40, "rule", {"to": "hostile"}),
        Event(40.0, EventKind.CROSSING_PREDICTED, "track 10 to cross", 10, "BLR", {}),
        Event(50.0, changed, "track 10 suspect", 10, "rule", {"to": "suspect"}),
        Event(60.0, changed, "track 20 hostile", 20, "rule", {"to": "hostile"}),
        Event(60.0, changed, "track 30 neutral", 30, "rule", {"to": "neutral"}),
        Event(100.0, EventKind.BORDER_CROSSED, "track 10 entered", 10, "BLR", {}),
        Event(120.0, EventKind.ALERT_ISSUED, "warning", 10, "PA-1", {"alert": "public"}),
        Event(
            130.0,
            EventKind.ALERT_ISSUED,
            "EPWA closed",
            20,
            "AD-1",
            {"alert": "airport", "icao": "EPWA"},
        ),
        Event(150.0, EventKind.SHOT_FIRED, "fired", 20, "f16", {}),
        Event(155.0, EventKind.TARGET_DESTROYED, "destroyed", 20, "f16", {}),
        Event(
            250.0,
            EventKind.ALERT_CANCELLED,
            "EPWA open",
            20,
            "AD-1",
            {"alert": "airport", "icao": "EPWA"},
        ),
    ]


def _cap(lang_headlines: list[tuple[str, str]]) -> str:
    infos = "".join(
        f"<info><language>{lang}</language><headline>{text}</headline></info>"
        for lang, text in lang_headlines
    )
    return f"<alert>{infos}</alert>"


def _alerts() -> pa.Table:
    rows = [
        (
            120.0,
            "cap",
            "Alert",
            "PA-1",
            _cap([("pl-PL", "Zagrożenie"), ("en-GB", "Air &amp; drones")]),
        ),
        (200.0, "cap", "Update", "PA-1", _cap([("en-GB", "later")])),
        (130.0, "notam", "Alert", "AD-1", "A0001/25 NOTAMN"),
        (250.0, "notam", "Cancel", "AD-1", "A0002/25 NOTAMC"),
    ]
    names = ("t_s", "format", "msg_type", "alert_id", "body")
    return pa.table({name: [row[i] for row in rows] for i, name in enumerate(names)})


def _summary() -> dict:
    return {
        "simulated_s": 300.0,
        "batches": 30,
        "closures": [{"icao": "EPWA", "closed_s": 130.0, "reopened_s": 250.0}],
        "threats": [
            {
                "object_id": 0,
                "name": ALPHA,
                "detected_s": 12.5,
                "crossed_s": 101.0,
                "warned_s": 40.0,
                "longest_gap_s": None,
                "unwarned_places": [],
            },
            {
                "object_id": 1,
                "name": "bravo",
                "detected_s": 14.0,
                "crossed_s": None,
                "warned_s": 60.0,
                "longest_gap_s": 600.0,
                "longest_gap_from_s": 30.0,
                "unwarned_places": [{"name": "Wyryki"}],
            },
        ],
        "tracking": {"gospa_mean_m": 123.4, "false_tracks": 1},
        "response": {"shots": 1, "kills": 1, "shots_by_weapon": {"aim-9x": 1}},
    }


def _write(
    folder: Path, *, truth: bool = True, complete: bool = True, track_status: int = 1
) -> Path:
    metadata = {
        "scenario": "test-night",
        "seed": 7,
        "start": START,
        "duration_s": 300.0,
        "exercise": True,
    }
    writer = RecordingWriter(folder, metadata, SCENARIO)
    writer.write_file("deployment.yaml", "airports: [EPLB, EPWA]\n")
    if truth:
        writer.write_table("objects", _objects())
        writer.append("truth", _truth(), 300.0)
    writer.append("tracks", _tracks(track_status), 300.0)
    writer.append("events", events_to_arrow(_events()), 300.0)
    shots = {
        "t_s": [150.0],
        "shot_id": [0],
        "unit": ["f16"],
        "weapon": ["aim-9x"],
        "track_id": [20],
    }
    writer.append("shots", pa.table(shots), 300.0)
    writer.append(
        "shot_outcomes", pa.table({"t_s": [155.0], "shot_id": [0], "kill": [True]}), 300.0
    )
    writer.append("alerts", _alerts(), 300.0)
    if complete:
        writer.close(_summary())
    else:
        writer.flush()
    return folder


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _write(tmp_path_factory.mktemp("aar") / "night")


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_each_threat_gets_its_own_tracks_moments(recording: Path) -> None:
    view = read_after_action(recording)
    assert view.from_truth and view.status == "complete"
    alpha, bravo = view.threats
    assert (alpha.label, bravo.label) == (ALPHA, "bravo")  # the airliner is no threat
    # the ledger's figures are taken as recorded
    assert (alpha.detected_s, alpha.crossed_s, alpha.warned_s) == (12.5, 101.0, 40.0)
    # the events of its own track, not those of the track 5 km away (hostile at 20 s)
    assert (alpha.identified_s, alpha.identity) == (50.0, "suspect")
    assert alpha.warnings_s == (120.0,) and alpha.shots == ()
    assert (alpha.end, alpha.last_s) == ("came down", 280.0)
    assert (bravo.identified_s, bravo.identity) == (60.0, "hostile")
    assert [(s.t_s, s.weapon, s.outcome) for s in bravo.shots] == [(150.0, "aim-9x", "kill")]
    assert (bravo.end, bravo.last_s) == ("destroyed", 155.0)
    assert [(c.icao, c.closed_s, c.reopened_s) for c in view.closures] == [("EPWA", 130.0, 250.0)]
    assert view.public_record == (SOURCE,)
    public, airport = view.alerts
    assert (public.kind, public.track_id, public.issued_s, public.updates, public.ended_s) == (
        "public",
        10,
        120.0,
        1,
        None,
    )
    assert public.headline == "Air & drones"  # the English part, as text
    assert (airport.kind, airport.track_id, airport.ended_s) == ("airport", 20, 250.0)
    assert airport.headline == "EPWA closed" and airport.formats == ("notam",)
    # the deployment's airports, the one the record names marked
    assert [(a.icao, a.in_public_record) for a in view.airports] == [
        ("EPLB", False),
        ("EPWA", True),
    ]


def test_the_page_is_self_contained_escaped_and_complete(recording: Path) -> None:
    html = render_report(recording)
    assert html.count("<svg") == 2  # the timeline and the closures
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    for reference in ("<script", "<link", "<img", "src="):
        assert reference not in html
    # references only within the page, to ids defined once
    assert re.findall(r"url\((?!#)|href=\"(?!#)", html) == []
    ids = re.findall(r' id="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    assert set(re.findall(r"url\(#([^)]+)\)", html)) <= set(ids)
    assert "alpha &lt;b&gt;&amp;" in html and ALPHA not in html
    assert "EPWA" in html and "Warsaw Chopin" in html and SOURCE in html
    assert "EPLB Lublin Airport" in html  # a defended airport that never closed
    assert "Air &amp; drones" in html and "in force at the end" in html
    # times as UTC clock: the kill at 21:32:35, EPWA closed 21:32:10 to 21:34:10
    assert "21:32:30 aim-9x (f16): kill" in html
    assert "21:32:10" in html and "21:34:10" in html
    assert "Threat ledger" in html and "Wyryki" in html and "123" in html
    assert html == render_report(recording)  # the same recording, the same page


def test_reading_writes_nothing_into_the_recording(recording: Path) -> None:
    before = _digest(recording)
    render_report(recording)
    assert _digest(recording) == before


def test_a_recording_without_truth_lists_its_tracks_of_interest(tmp_path: Path) -> None:
    view = read_after_action(_write(tmp_path / "live", truth=False))
    assert not view.from_truth
    lines = {line.label: line for line in view.threats}
    assert set(lines) == {"track 10", "track 20", "track 40"}  # not the neutral one
    assert lines["track 20"].end == "destroyed"
    assert lines["track 10"].crossed_s == 100.0 and lines["track 10"].warned_s == 40.0
    assert "No ground truth" in render_report(tmp_path / "live")


def test_a_run_still_going_shows_what_it_holds(tmp_path: Path) -> None:
    folder = _write(tmp_path / "running", complete=False)
    view = read_after_action(folder)
    assert view.status == "running" and view.summary == {}
    # closures come from the alert events while there is no summary
    assert [(c.icao, c.closed_s, c.reopened_s) for c in view.closures] == [("EPWA", 130.0, 250.0)]
    assert "has not completed" in render_report(folder)


def test_a_night_ended_before_any_track_was_confirmed_is_viewed(
    tmp_path: Path, recording: Path
) -> None:
    folder = _write(tmp_path / "early", track_status=0)  # every track still tentative
    view = read_after_action(folder)
    labels = [line.label for line in view.threats]
    assert labels == [line.label for line in read_after_action(recording).threats]
    assert all(line.identified_s is None and not line.shots for line in view.threats)
    assert "<html" in render_report(folder)


def test_a_folder_that_is_no_recording_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RecordingError, match="not a recording"):
        render_report(tmp_path)


def test_the_command_writes_the_view_and_replaces_only_a_view(
    recording: Path, tmp_path: Path
) -> None:
    runner = CliRunner()
    out = tmp_path / "night.html"
    result = runner.invoke(app, ["report", str(recording), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8") == render_report(recording)
    assert [p.name for p in tmp_path.iterdir()] == ["night.html"]  # no temporary left
    again = runner.invoke(app, ["report", str(recording), "--out", str(out)])
    assert again.exit_code == 2 and "exists" in again.output
    forced = runner.invoke(app, ["report", str(recording), "--out", str(out), "--force"])
    assert forced.exit_code == 0, forced.output
    other = tmp_path / "notes.html"
    other.write_text("mine", encoding="utf-8")
    refused = runner.invoke(app, ["report", str(recording), "--out", str(other), "--force"])
    assert refused.exit_code == 2 and "not an after-action view" in refused.output
    assert other.read_text(encoding="utf-8") == "mine"


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("inside", "inside the recording"),
        ("no-recording", "not a recording"),
        ("no-folder", "does not exist"),
    ],
)
def test_the_command_refuses_bad_input_with_exit_2(
    recording: Path, tmp_path: Path, where: str, message: str
) -> None:
    source, out = recording, tmp_path / "view.html"
    if where == "inside":
        out = recording / "view.html"
    elif where == "no-recording":
        source = tmp_path
    else:
        out = tmp_path / "missing" / "view.html"
    before = _digest(recording)
    result = CliRunner().invoke(app, ["report", str(source), "--out", str(out)])
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())
    assert not out.exists() and _digest(recording) == before


def test_a_recording_missing_a_table_it_lists_is_refused(tmp_path: Path) -> None:
    folder = _write(tmp_path / "night")
    shutil.rmtree(folder / "events")
    out = tmp_path / "view.html"
    result = CliRunner().invoke(app, ["report", str(folder), "--out", str(out)])
    # before, the view showed a night without a single event
    assert result.exit_code == 2
    assert "damaged: metadata.json lists table(s) events, whose files are missing" in " ".join(
        result.output.split()
    )
    assert not out.exists()
