"""The response in a recording: shots, outcomes, own forces and events; replayed as recorded."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from flankwatch import loop
from flankwatch.events import Event, EventKind
from flankwatch.loop import Kill, Picture
from flankwatch.respond.step import OwnForces, ResponseStep, Shot, ShotOutcome
from flankwatch.sim.source import SimulationSource
from flankwatch.sim.truth import TruthBatch
from flankwatch.store.query import query
from flankwatch.store.replay import ReplaySource
from flankwatch.store.sink import RecordingSink

SITE = (52.02, 22.02)
FIGHTER_AT = np.array([-20_000.0, 15_000.0, 3000.0])
"""Where the stand-in fighter is at t = 0 (ENU, m); it flies east at 200 m/s."""


@pytest.fixture
def scenario(make_scenario, base_scenario, probe_threat):
    data = {
        **base_scenario,
        "duration_s": 60.0,
        "catalogue": {"threats": {"probe": probe_threat}},
        "raids": [
            {
                "name": "p",
                "threat": "probe",
                "count": 1,
                "launch": list(SITE),
                "route": [
                    {"at": [52.02, 22.03], "alt_m": 100.0},
                    {"at": [52.02, 22.2], "alt_m": 100.0},
                ],
            }
        ],
    }
    return make_scenario(data)


class ScriptedResponse:
    """A stand-in response: a fighter (id 3) in flight from 10 s to 40 s that fires one
    missile at 30 s, which kills the probe at 40 s."""

    def __init__(self, target_m: np.ndarray) -> None:
        self.target_m = target_m

    def step(self, picture: Picture, now_s: float, rng: np.random.Generator) -> Picture:
        if not 10.0 <= now_s <= 45.0:
            return picture
        ids = [3] if now_s <= 40.0 else []
        n = len(ids)
        position = FIGHTER_AT + np.array([200.0, 0.0, 0.0]) * now_s
        own = OwnForces(
            now_s,
            np.array(ids, np.int64),
            np.array(["fighter"] * n, object),
            np.array(["LASK 1"] * n, object),
            *(np.full(n, position[k]) for k in range(3)),
            np.full(n, 200.0),
            np.zeros(n),
            np.zeros(n),
        )
        shots: tuple[Shot, ...] = ()
        outcomes: tuple[ShotOutcome, ...] = ()
        events: tuple[Event, ...] = ()
        effects: tuple[Kill | OwnForces, ...] = (own,)
        if now_s == 30.0:
            shots = (
                Shot(
                    30.0, 0, "lask", "f16-qra", "aim-9x", 1, "one-way-attack-drone", 400_000.0,
                    tuple(position), tuple(self.target_m), 40.0, (1000.0, -2000.0),
                ),
            )  # fmt: skip
            events = (Event(30.0, EventKind.SHOT_FIRED, "LASK 1 fired an AIM-9X", 1),)
        if now_s == 40.0:
            outcomes = (ShotOutcome(40.0, 0, 1, True, (self.target_m[0], self.target_m[1])),)
            events = (Event(40.0, EventKind.TARGET_DESTROYED, "track 1 destroyed", 1),)
            effects += (Kill(40.0, 1, *self.target_m, radius_m=300.0),)
        response = ResponseStep(shots, outcomes, own, events)
        return picture.but(response=response, effects=picture.effects + effects)


def _record(scenario, folder: Path) -> SimulationSource:
    source = SimulationSource(scenario)
    target = source.simulation.frame.geodetic_to_enu(*SITE, 100.0)
    sink = RecordingSink(folder, source.info, lambda: {})
    loop.run(source, [ScriptedResponse(np.asarray(target))], [sink])
    return source


def test_the_response_tables_hold_what_the_response_did(scenario, tmp_path: Path) -> None:
    folder = tmp_path / "rec"
    source = _record(scenario, folder)
    frame = source.simulation.frame

    columns, rows = query(folder, "SELECT * FROM own_forces ORDER BY t_s")
    own = [dict(zip(columns, row, strict=True)) for row in rows]
    assert [row["t_s"] for row in own] == [10.0, 15.0, 20.0, 25.0, 30.0, 35.0, 40.0]
    assert {(row["object_id"], row["truth_id"], row["kind"], row["callsign"]) for row in own} == {
        (3, 4, "fighter", "LASK 1")
    }
    lat, lon, alt = frame.enu_to_geodetic(np.array([own[0]["x_m"], own[0]["y_m"], own[0]["z_m"]]))
    assert (own[0]["lat_deg"], own[0]["lon_deg"], own[0]["alt_m"]) == pytest.approx((lat, lon, alt))

    _, shots = query(
        folder, "SELECT shot_id, weapon, cost_eur, debris_x_m, debris_lat_deg FROM shots"
    )
    assert len(shots) == 1 and shots[0][:4] == (0, "aim-9x", 400_000.0, 1000.0)
    expected_lat = frame.enu_to_geodetic(np.array([1000.0, -2000.0, 0.0]))[0]
    assert shots[0][4] == pytest.approx(float(expected_lat))
    _, outcomes = query(folder, "SELECT t_s, shot_id, kill FROM shot_outcomes")
    assert outcomes == [(40.0, 0, True)]
    _, events = query(
        folder, "SELECT kind FROM events WHERE kind LIKE '%shot%' OR kind LIKE '%dest%'"
    )
    assert [e[0] for e in events] == ["shot-fired", "target-destroyed"]

    # the same object in the truth and the plots, under its truth id
    _, truth = query(folder, "SELECT max(t_s), bool_or(ended) FROM truth WHERE object_id = 4")
    assert truth == [(45.0, True)]
    _, seen = query(folder, "SELECT count(*) FROM plots WHERE truth_id = 4 AND mode5")
    assert seen[0][0] > 0
    _, destroyed = query(folder, "SELECT object_id, t_s FROM truth WHERE destroyed")
    assert destroyed == [(0, 40.0)]


def test_a_recording_with_a_response_is_the_same_byte_for_byte(scenario, tmp_path: Path) -> None:
    _record(scenario, tmp_path / "a")
    _record(scenario, tmp_path / "b")
    files = {
        str(path.relative_to(tmp_path / "a")): path.read_bytes()
        for path in sorted((tmp_path / "a").rglob("*"))
        if path.is_file()
    }
    assert any(name.startswith("own_forces/") for name in files)
    for name, data in files.items():
        assert (tmp_path / "b" / name).read_bytes() == data, name


def test_a_replay_changes_nothing_and_reads_the_recorded_own_forces(
    scenario, tmp_path: Path
) -> None:
    folder = tmp_path / "rec"
    _record(scenario, folder)
    replay = ReplaySource(folder)
    truth = TruthBatch.concat(truth for _, truth in replay.windows() if truth is not None)
    assert truth.take(truth.destroyed).object_id.tolist() == [0]
    assert 4 in truth.object_id
    replay.apply([Kill(50.0, 1, 0.0, 0.0, 0.0)])
    assert replay.ignored_effects == 1
    replayed = TruthBatch.concat(truth for _, truth in replay.windows() if truth is not None)
    assert replayed.to_arrow().equals(truth.to_arrow())


def test_truth_recorded_without_the_destroyed_column_replays_as_nothing_destroyed(
    scenario, tmp_path: Path
) -> None:
    folder = tmp_path / "rec"
    _record(scenario, folder)
    for part in (folder / "truth").glob("*.parquet"):
        table = pq.read_table(part)
        pq.write_table(table.drop_columns(["destroyed"]), part)
    truth = TruthBatch.concat(t for _, t in ReplaySource(folder).windows() if t is not None)
    assert len(truth) and not truth.destroyed.any()
