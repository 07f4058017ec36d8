"""Threat ranking against defended assets."""

import numpy as np
import pytest

from flankwatch.assess.assessment import IDENTITIES, THREAT_SCHEMA
from flankwatch.assess.threat import ThreatRanker, defended_assets
from flankwatch.deployment import Deployment

WARSAW = (52.23, 21.01)
HOSTILE = IDENTITIES.index("hostile")
SUSPECT = IDENTITIES.index("suspect")
NEUTRAL = IDENTITIES.index("neutral")


@pytest.fixture(scope="module")
def scenario(make_scenario, new_scenario_data):
    data = new_scenario_data()
    data["origin"] = {"lat": 52.0, "lon": 21.5}
    data["assets"] = [
        {"name": "Warsaw", "kind": "city", "at": list(WARSAW), "radius_m": 15000, "value": 10},
        {"name": "EPLB", "kind": "airport", "at": [51.24, 22.71], "radius_m": 5000, "value": 3},
    ]
    data["airports"] = ["EPWA", "EPLB"]
    return make_scenario(data)


@pytest.fixture
def ranker(scenario, frame):
    return ThreatRanker(defended_assets(Deployment.from_scenario(scenario)))


def test_assets_include_airports_once(scenario, frame):
    assets = defended_assets(Deployment.from_scenario(scenario))
    assert assets.name.tolist() == ["Warsaw", "EPLB", "EPWA"]
    assert assets.kind.tolist() == ["city", "airport", "airport"]


def _table(ranker, make_tracks, kinematics, points, vel, identity, now_s=0.0):
    tracks = make_tracks(points, vel)
    table = ranker.rank(tracks, kinematics(tracks), np.asarray(identity), now_s)
    assert table.schema == THREAT_SCHEMA
    return table.to_pylist()


def test_heading_at_warsaw_ranks_above_flying_away(ranker, make_tracks, kinematics, at):
    warsaw = at(*WARSAW, 500.0)
    east = warsaw + [60_000.0, 0.0, 0.0]
    west = warsaw - [60_000.0, 0.0, 0.0]
    rows = _table(
        ranker,
        make_tracks,
        kinematics,
        [west, east],
        [[-50.0, 0, 0], [-50.0, 0, 0]],
        [HOSTILE, HOSTILE],
    )
    assert rows[0]["track_id"] == 2
    assert rows[0]["asset"] == "Warsaw"
    assert rows[0]["rank"] == 1
    assert rows[0]["cpa_m"] == pytest.approx(0.0, abs=50.0)
    assert rows[0]["tcpa_s"] == pytest.approx(1200.0, rel=0.01)
    away = [r for r in rows if r["track_id"] == 1 and r["asset"] == "Warsaw"]
    assert not away or away[0]["score"] < rows[0]["score"]
    assert [r["rank"] for r in rows] == list(range(1, len(rows) + 1))
    assert all(a["score"] >= b["score"] for a, b in zip(rows, rows[1:], strict=False))


def test_only_suspect_and_hostile_and_hostile_first(ranker, make_tracks, kinematics, at):
    start = at(*WARSAW, 500.0) + [30_000.0, 0.0, 0.0]
    rows = _table(
        ranker,
        make_tracks,
        kinematics,
        [start, start, start],
        [-50.0, 0.0, 0.0],
        [NEUTRAL, SUSPECT, HOSTILE],
    )
    warsaw = [r["track_id"] for r in rows if r["asset"] == "Warsaw"]
    assert warsaw == [3, 2]


def test_near_miss_cpa(ranker, make_tracks, kinematics, at):
    """A course passing 20 km north of Warsaw's centre, 40 km out."""
    start = at(*WARSAW, 500.0) + [40_000.0, 20_000.0, 0.0]
    rows = _table(ranker, make_tracks, kinematics, [start], [-100.0, 0.0, 0.0], [HOSTILE])
    row = next(r for r in rows if r["asset"] == "Warsaw")
    assert row["cpa_m"] == pytest.approx(20_000.0, rel=0.01)
    assert row["tcpa_s"] == pytest.approx(400.0, rel=0.01)


def test_no_threats_gives_an_empty_table(ranker, make_tracks, kinematics, at):
    assert _table(ranker, make_tracks, kinematics, [at(*WARSAW)], [0, 0, 0], [NEUTRAL]) == []
