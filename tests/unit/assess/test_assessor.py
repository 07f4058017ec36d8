"""The assessor end to end: a drone from Belarus, deleted tracks, a thousand tracks."""

import time

import numpy as np
import pytest

from flankwatch.assess.assessment import CATEGORIES, IDENTITIES, THREAT_SCHEMA
from flankwatch.assess.assessor import build_assessor
from flankwatch.deployment import Deployment
from flankwatch.events import EventKind
from flankwatch.track.output import TrackBatch, TrackStatus

WARSAW = (52.23, 21.01)


@pytest.fixture(scope="module")
def scenario(make_scenario, new_scenario_data):
    data = new_scenario_data()
    data["origin"] = {"lat": 52.0, "lon": 21.5}
    data["assets"] = [
        {"name": "Warsaw", "kind": "city", "at": list(WARSAW), "radius_m": 15000, "value": 10}
    ]
    data["airports"] = ["EPWA"]
    return make_scenario(data)


@pytest.fixture
def assessor(scenario, frame):
    return build_assessor(Deployment.from_scenario(scenario))


def test_drone_from_belarus_toward_warsaw(assessor, make_tracks, at, heading_to):
    start = at(52.15, 23.95, 600.0)
    vel = heading_to(start, at(*WARSAW, 600.0), 45.0)
    kinds, identities = [], []
    for k in range(200):
        t = 5.0 * k
        status = TrackStatus.TENTATIVE if k < 2 else TrackStatus.CONFIRMED
        result = assessor.step(make_tracks(start + t * vel, vel, t_s=t, status=status), t)
        kinds += [e.kind for e in result.events]
        identities.append(result.identity[0])
    assert identities[0] == "pending"
    assert identities[-1] == "hostile"
    assert result.category[0] in ("one-way-attack-drone", "decoy")
    assert result.inside[0]
    assert kinds.index(EventKind.CROSSING_PREDICTED) < kinds.index(EventKind.BORDER_CROSSED)
    changes = [k for k in kinds if k == EventKind.IDENTITY_CHANGED]
    assert len(changes) == 3  # unknown, then suspect and hostile once their rules held
    assert result.threats.schema == THREAT_SCHEMA
    assert result.threats.column("asset").to_pylist()[0] == "Warsaw"


def test_rows_follow_the_batch_and_deleted_tracks_are_forgotten(assessor, make_tracks, at):
    points = np.array([at(52.0, 21.0, 500.0), at(52.1, 21.0, 500.0), at(52.2, 21.0, 500.0)])
    tracks = make_tracks(points, [40.0, 0.0, 0.0], track_id=[30, 10, 20])
    result = assessor.step(tracks, 0.0)
    assert result.track_id.tolist() == [30, 10, 20]
    assert len(result) == 3
    status = np.array([TrackStatus.CONFIRMED, TrackStatus.DELETED, TrackStatus.COASTING])
    result = assessor.step(
        make_tracks(points, [40.0, 0.0, 0.0], track_id=[30, 10, 20], status=status, t_s=5.0), 5.0
    )
    assert len(result) == 3
    for part in (assessor.classifier, assessor.airspace, assessor.identifier):
        assert part.memory.track_id.tolist() == [20, 30]


def test_empty_batch(assessor):
    result = assessor.step(TrackBatch.empty(), 0.0)
    assert len(result) == 0
    assert result.threats.num_rows == 0


def test_a_thousand_tracks(assessor, make_tracks, frame):
    """Behaviour on a thousand tracks over the region at once (timing is printed, not asserted)."""
    rng = np.random.default_rng(3)
    n = 1000
    xyz = np.column_stack(
        (rng.uniform(-300e3, 300e3, n), rng.uniform(-300e3, 300e3, n), rng.uniform(50, 11e3, n))
    )
    vel = np.column_stack((rng.normal(0, 80, n), rng.normal(0, 80, n), rng.normal(0, 2, n)))
    icao = np.where(rng.random(n) < 0.3, rng.integers(1, 2**24, n), 0)
    elapsed = []
    for k in range(6):
        t = 5.0 * k
        tracks = make_tracks(xyz + t * vel, vel, t_s=t, icao24=icao)
        start = time.perf_counter()
        result = assessor.step(tracks, t)
        elapsed.append(time.perf_counter() - start)
    print(f"assessment of {n} tracks: median {1e3 * np.median(elapsed[1:]):.1f} ms a step")
    assert len(result) == n
    assert set(result.category) <= set(CATEGORIES)
    assert set(result.identity) <= set(IDENTITIES)
    assert ((result.category_prob > 0) & (result.category_prob <= 1)).all()
    # transponder tracks with no filed flight plan: unknown, never suspect within 30 s
    assert (result.identity[icao != 0] == "unknown").all()
    outside = ~result.inside
    assert np.isnan(result.crossing_t_s[result.inside]).all()
    assert (
        np.isfinite(result.crossing_t_s[outside]) == np.isfinite(result.crossing_sigma_s[outside])
    ).all()
    ranked = result.threats.column("track_id").to_numpy()
    hostile_or_suspect = set(result.track_id[np.isin(result.identity, ["suspect", "hostile"])])
    assert set(ranked) <= hostile_or_suspect
