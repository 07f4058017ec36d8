"""Own forces in the simulation: seen by the sensors, in the truth, gone when they land."""

from __future__ import annotations

import numpy as np
import pytest

from flankwatch import loop
from flankwatch.geo.frames import LocalFrame
from flankwatch.loop import Kill, Picture, SinkBase
from flankwatch.respond.step import OwnForces
from flankwatch.scoring import RunScorer
from flankwatch.sim.own_forces import (
    OwnForceFlights,
    OwnForceTracks,
    following_own_forces,
    is_own_force,
    without_own_forces,
)
from flankwatch.sim.source import SimulationSource
from flankwatch.sim.truth import TruthBatch
from flankwatch.stream import PlotBatch
from flankwatch.track.output import TrackBatch, TrackStatus

SITE = (52.02, 22.02)
START = np.array([-20_000.0, 15_000.0, 3000.0])
"""Where the test fighter is at t = 0 (ENU, m); it flies east at VELOCITY."""
VELOCITY = np.array([200.0, 0.0, 5.0])


def forces(t_s: float, ids: list[int], at: np.ndarray | None = None) -> OwnForces:
    """Own forces ``ids`` at ``t_s``, all on the test fighter's path (or at ``at``)."""
    n = len(ids)
    position = START + VELOCITY * t_s if at is None else at
    return OwnForces(
        t_s,
        np.array(ids, np.int64),
        np.array(["fighter"] * n, object),
        np.array([f"EAGLE {i}" for i in ids], object),
        *(np.full(n, position[k]) for k in range(3)),
        *(np.full(n, VELOCITY[k]) for k in range(3)),
    )


def _scenario(make_scenario, base_scenario, probe_threat, duration_s: float = 120.0):
    data = {
        **base_scenario,
        "duration_s": duration_s,
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


class Fly:
    """Shows a fighter (response id 7) in flight at the end of windows ``from_s`` to
    ``until_s``, then an empty OwnForces once (it has landed)."""

    def __init__(self, from_s: float, until_s: float) -> None:
        self.from_s, self.until_s = from_s, until_s

    def step(self, picture: Picture, now_s: float, rng: np.random.Generator) -> Picture:
        if self.from_s <= now_s <= self.until_s:
            return picture.but(effects=(*picture.effects, forces(now_s, [7])))
        if now_s == self.until_s + 5.0:
            return picture.but(effects=(*picture.effects, forces(now_s, [])))
        return picture


class Collect(SinkBase):
    def __init__(self) -> None:
        self.plots: list[PlotBatch] = []
        self.truth: list[TruthBatch] = []

    def consume(self, picture: Picture, truth: TruthBatch | None) -> None:
        assert truth is not None
        self.plots.append(picture.window.plots)
        self.truth.append(truth)


def _run(scenario, stages) -> tuple[SimulationSource, Collect]:
    source, sink = SimulationSource(scenario), Collect()
    loop.run(source, stages, [sink])
    return source, sink


def test_own_forces_are_seen_from_the_next_window_until_they_land(
    make_scenario, base_scenario, probe_threat
) -> None:
    scenario = _scenario(make_scenario, base_scenario, probe_threat)
    _, sink = _run(scenario, [Fly(20.0, 60.0)])
    own_id = 1 + 7  # one planned object, then the response's id 7
    plots = PlotBatch.concat(sink.plots)
    mine = plots.take(plots.truth_id == own_id)
    assert len(mine) >= 5
    assert mine.t_s.min() >= 20.0 and mine.t_s.max() <= 65.0
    assert mine.mode5.all() and not mine.icao24.any()
    truth = TruthBatch.concat(sink.truth)
    rows = truth.take(truth.object_id == own_id)
    assert rows.t_s.tolist() == [25.0, 30.0, 35.0, 40.0, 45.0, 50.0, 55.0, 60.0, 65.0, 65.0]
    expected = START + VELOCITY * rows.t_s[:, None]
    np.testing.assert_allclose(np.column_stack((rows.x_m, rows.y_m, rows.z_m)), expected)
    assert rows.ended.tolist() == [False] * 9 + [True]
    assert not rows.destroyed.any()
    assert 0 in plots.truth_id  # the planned probe is seen as before


def test_a_kill_marks_the_objects_last_row_destroyed(
    make_scenario, base_scenario, probe_threat
) -> None:
    scenario = _scenario(make_scenario, base_scenario, probe_threat)
    site = SimulationSource(scenario).simulation.frame.geodetic_to_enu(*SITE, 100.0)

    class KillAt:
        def step(self, picture: Picture, now_s: float, rng: np.random.Generator) -> Picture:
            if now_s != 50.0:
                return picture
            return picture.but(effects=(Kill(now_s, 1, *site, radius_m=300.0),))

    _, sink = _run(scenario, [KillAt(), Fly(20.0, 60.0)])
    truth = TruthBatch.concat(sink.truth)
    destroyed = truth.take(truth.destroyed)
    assert destroyed.object_id.tolist() == [0] and destroyed.t_s.tolist() == [50.0]
    assert destroyed.ended.all()
    last_own = truth.take(truth.ended & (truth.object_id == 8))
    assert len(last_own) == 1 and not last_own.destroyed.any()  # landed, not shot down


def test_an_empty_own_forces_effect_changes_nothing(
    make_scenario, base_scenario, probe_threat
) -> None:
    scenario = _scenario(make_scenario, base_scenario, probe_threat, duration_s=60.0)

    class Nothing:
        def step(self, picture: Picture, now_s: float, rng: np.random.Generator) -> Picture:
            return picture.but(effects=(forces(now_s, []),))

    _, plain = _run(scenario, [])
    _, empty = _run(scenario, [Nothing()])
    for a, b in zip(plain.plots + plain.truth, empty.plots + empty.truth, strict=True):
        assert a.to_arrow().equals(b.to_arrow())


def test_own_forces_change_the_run_the_same_way_every_time(
    make_scenario, base_scenario, probe_threat
) -> None:
    scenario = _scenario(make_scenario, base_scenario, probe_threat, duration_s=60.0)
    runs = [_run(scenario, stages)[1] for stages in ([Fly(10.0, 40.0)], [Fly(10.0, 40.0)], [])]
    first, second, plain = (PlotBatch.concat(run.plots).to_arrow() for run in runs)
    assert first.equals(second)
    assert not first.equals(plain)


FRAME = LocalFrame(52.0, 22.0)


@pytest.mark.parametrize(
    ("change", "fault"),
    [
        ({"object_id": np.array([3, 3])}, "the same id twice"),
        ({"object_id": np.array([-1, 3])}, "whole numbers >= 0"),
        ({"object_id": np.array([1.5, 3.0])}, "whole numbers >= 0"),
        ({"x_m": np.array([0.0])}, "x_m has shape (1,)"),
        ({"vz_mps": np.array([0.0, np.nan])}, "vz_mps must be finite"),
    ],
)
def test_bad_own_forces_are_refused_naming_the_fault(change: dict, fault: str) -> None:
    good = forces(5.0, [1, 2])
    bad = OwnForces(**{**good.__dict__, **change})
    with pytest.raises(ValueError, match=fault.replace("(", r"\(").replace(")", r"\)")):
        OwnForceFlights(FRAME, 10, 5.0).update(bad)


def test_own_forces_cannot_go_back_in_time() -> None:
    flights = OwnForceFlights(FRAME, 10, 5.0)
    flights.update(forces(10.0, [1]))
    with pytest.raises(ValueError, match="come after a state at t_s=10.0"):
        flights.update(forces(5.0, [1]))


def test_scene_rows_follow_the_ids_and_answer_mode5_only() -> None:
    flights = OwnForceFlights(FRAME, 10, 5.0)
    flights.update(forces(0.0, [4, 2]))
    part = flights.scene(np.array([0.0, 1.0, 2.0]))
    assert part.object_id.tolist() == [12, 14]
    assert part.callsign.tolist() == ["EAGLE 2", "EAGLE 4"]
    assert part.mode5.all() and not part.cooperative.any() and not part.squawk.any()
    enu = FRAME.ecef_to_enu(part.ecef_m[0])
    np.testing.assert_allclose(enu, START + VELOCITY * np.arange(3.0)[:, None], atol=1e-6)
    assert np.all(np.diff(part.alt_m[0]) > 0)  # climbing


def test_an_aircraft_that_turned_joins_its_reported_path_without_a_jump() -> None:
    flights = OwnForceFlights(FRAME, 10, 5.0)
    east, north = np.array([200.0, 0.0, 0.0]), np.array([0.0, 200.0, 0.0])
    report = forces(0.0, [1], at=np.zeros(3))
    level = {"vz_mps": np.zeros(1)}
    flights.update(OwnForces(**{**report.__dict__, "vx_mps": np.array([200.0]), **level}))
    before = FRAME.ecef_to_enu(flights.scene(np.arange(6.0)).ecef_m[0])
    np.testing.assert_allclose(before, east * np.arange(6.0)[:, None], atol=1e-6)
    turned = forces(5.0, [1], at=np.array([1000.0, 300.0, 0.0]))  # it turned north
    flights.update(
        OwnForces(**{**turned.__dict__, "vx_mps": np.zeros(1), "vy_mps": [200.0], **level})
    )
    after = FRAME.ecef_to_enu(flights.scene(5.0 + np.arange(6.0)).ecef_m[0])
    np.testing.assert_allclose(after[0], before[-1], atol=1e-6)  # from where it was shown
    np.testing.assert_allclose(after[-1], [1000.0, 300.0, 0.0] + north * 5.0, atol=1e-6)
    truth = flights.truth([10.0])
    np.testing.assert_allclose(truth.x_m, after[-1][0], atol=1e-6)
    # its mean velocity over the window: from where it was shown to its reported path
    np.testing.assert_allclose([truth.vx_mps[0], truth.vy_mps[0]], [0.0, 260.0])


# Evaluation: own forces are neither targets nor false tracks


def _tracks(positions: np.ndarray, t_s: float) -> TrackBatch:
    n = len(positions)
    state = np.zeros((n, 6))
    state[:, :3] = positions
    cov = np.tile(np.eye(6) * 100.0, (n, 1, 1))
    return TrackBatch.from_states(
        time_s=np.full(n, t_s),
        track_id=np.arange(1, n + 1),
        status=np.full(n, int(TrackStatus.CONFIRMED)),
        state=state,
        cov=cov,
        manoeuvre_prob=np.zeros(n),
        last_update_s=np.full(n, t_s),
        icao24=np.zeros(n, np.uint32),
        callsign=[""] * n,
    )


def _truth(ids: list[int], positions: np.ndarray, t_s: float) -> TruthBatch:
    n = len(ids)
    lat, lon, alt = FRAME.enu_to_geodetic(positions)
    zeros = np.zeros(n)
    return TruthBatch(
        t_s=np.full(n, t_s),
        object_id=np.array(ids, np.int32),
        lat_deg=lat,
        lon_deg=lon,
        alt_m=alt,
        x_m=positions[:, 0],
        y_m=positions[:, 1],
        z_m=positions[:, 2],
        vx_mps=zeros,
        vy_mps=zeros,
        vz_mps=zeros,
        ended=np.zeros(n, bool),
    )


def test_evaluation_leaves_own_forces_out() -> None:
    # one planned threat (object 0) and one own fighter (object 1 = 1 planned + id 0)
    positions = np.array([[0.0, 0.0, 100.0], [10_000.0, 0.0, 3000.0]])
    truth = _truth([0, 1], positions, 10.0)
    tracks = _tracks(positions + 50.0, 10.0)
    plots = PlotBatch.from_parts(
        [{"t_s": np.array([9.0, 9.0, 9.0]), "truth_id": np.array([0, 1, -1], np.int32)}]
    )
    assert is_own_force(truth.object_id, 1).tolist() == [False, True]
    following = following_own_forces(tracks, truth, 1, 10.0)
    assert following.tolist() == [False, True]
    kept_plots, kept_truth = without_own_forces(plots, truth, 1)
    assert kept_plots.truth_id.tolist() == [0, -1]
    assert kept_truth.object_id.tolist() == [0]

    scorer = RunScorer(1, threats=np.array([True]))
    scorer.add(kept_plots, kept_truth, tracks.take(~following), 10.0)
    score = scorer.score()
    assert score.targets == 1 and score.tracks == 1 and score.false_tracks == 0
    unfiltered = RunScorer(1, threats=np.array([True]))
    unfiltered.add(kept_plots, kept_truth, tracks, 10.0)
    assert unfiltered.score().false_tracks == 1  # the fighter's track, were it kept


def test_a_track_far_from_any_own_force_is_not_following_one() -> None:
    positions = np.array([[0.0, 0.0, 100.0], [10_000.0, 0.0, 3000.0]])
    truth = _truth([0, 1], positions, 10.0)
    tracks = _tracks(np.array([[5000.0, 0.0, 1000.0]]), 10.0)
    assert following_own_forces(tracks, truth, 1, 10.0).tolist() == [False]


def test_a_track_that_followed_an_own_force_stays_one_after_it_landed() -> None:
    positions = np.array([[0.0, 0.0, 100.0], [10_000.0, 0.0, 3000.0]])
    remembered = OwnForceTracks(1)
    tracks = _tracks(positions + 50.0, 10.0)
    assert remembered.update(tracks, _truth([0, 1], positions, 10.0), 10.0).tolist() == [
        False,
        True,
    ]
    landed = _truth([0], positions[:1], 15.0)  # the fighter's track coasts on
    assert remembered.update(tracks, landed, 15.0).tolist() == [False, True]
    assert OwnForceTracks(1).update(tracks, landed, 15.0).tolist() == [False, False]
