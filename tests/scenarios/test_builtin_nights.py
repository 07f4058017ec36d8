"""Whole built-in nights through the whole chain, checked against the public record.

`poland-2025-09-10` (8 simulated hours) and `tu95-strike-2024-03-24` (3 hours) run
through simulation, tracking, assessment and alerts with the default rules.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from flankwatch.pipeline import RunSummary, run_scenario
from flankwatch.scenario.loader import load_scenario
from flankwatch.store.query import query

pytestmark = pytest.mark.slow


def _run(name: str, folder: Path) -> RunSummary:
    scenario, text = load_scenario(name)
    return run_scenario(scenario, text, folder / name)


@pytest.fixture(scope="module")
def poland(tmp_path_factory: pytest.TempPathFactory) -> tuple[RunSummary, Path]:
    folder = tmp_path_factory.mktemp("nights")
    return _run("poland-2025-09-10", folder), folder / "poland-2025-09-10"


@pytest.fixture(scope="module")
def tu95(tmp_path_factory: pytest.TempPathFactory) -> tuple[RunSummary, Path]:
    folder = tmp_path_factory.mktemp("nights")
    return _run("tu95-strike-2024-03-24", folder), folder / "tu95-strike-2024-03-24"


def test_poland_civil_traffic_is_never_suspect_or_hostile(poland: tuple) -> None:
    summary, out = poland
    assert summary.civil_misidentified == 0
    _, rows = query(
        out,
        "select count(*) from events e join tracks t using (track_id) "
        "where e.kind = 'identity-changed' and t.icao24 <> 0 "
        "and json_extract_string(e.data, '$.to') in ('suspect', 'hostile')",
    )
    assert rows[0][0] == 0


def test_poland_every_drone_that_crossed_was_warned_before(poland: tuple) -> None:
    summary, _ = poland
    crossed = [t for t in summary.threats if t.crossed_s is not None]
    assert len(crossed) >= 19
    assert {t.origin for t in crossed} == {"Belarus", "Ukraine"}
    assert all(t.lead_time_s is not None and t.lead_time_s > 0 for t in crossed)


def test_poland_closes_the_airports_of_the_public_record(poland: tuple) -> None:
    summary, _ = poland
    closed = {closure.icao for closure in summary.closures}
    assert {"EPWA", "EPLB"} <= closed
    assert len(closed & {"EPWA", "EPMO", "EPRZ", "EPLB"}) >= 3
    for closure in summary.closures:
        assert closure.reopened_s is None or closure.reopened_s > closure.closed_s


def test_poland_public_alerts_are_recorded_as_valid_cap(poland: tuple) -> None:
    from flankwatch.alert import validate_cap

    summary, out = poland
    files = sorted((out / "cap").glob("*.xml"))
    assert summary.cap_messages == len(files) > 0
    assert all(validate_cap(path.read_text()) == [] for path in files[:: max(1, len(files) // 25)])


def test_tu95_the_missile_over_oserdow_is_seen_and_warned(tu95: tuple) -> None:
    summary, _ = tu95
    (missile,) = [t for t in summary.threats if t.name.startswith("oserdow")]
    assert missile.crossed_s is not None
    assert missile.detected_s is not None and missile.detected_s < missile.crossed_s
    assert summary.civil_misidentified == 0
