"""The response's figures: shots, money, kills, leakers, reached value, cost exchange."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from flankwatch import loop
from flankwatch.deployment import Deployment, Origin
from flankwatch.events import Event, EventKind
from flankwatch.loop import Kill, Picture, SourceInfo, Window
from flankwatch.respond.catalogue import USD_TO_EUR
from flankwatch.respond.evaluation import (
    ResponseSink,
    source_threat_costs_eur,
    threat_costs_eur,
)
from flankwatch.respond.step import ResponseStep, Shot, ShotOutcome
from flankwatch.scenario.catalogue import threat_types
from flankwatch.scenario.schema import Asset, Scenario
from flankwatch.sim.source import SimulationSource
from flankwatch.sim.truth import TruthBatch
from flankwatch.stages import TrackingStage
from flankwatch.stream import PlotBatch
from flankwatch.track.output import TrackStatus
from flankwatch.track.tracker import build_tracker

START = datetime(2025, 9, 10, tzinfo=UTC)
AIRSPACE = [(21.0, 51.0), (23.0, 51.0), (23.0, 53.0), (21.0, 53.0)]
"""A square airspace, [lon, lat] degrees."""
INSIDE, OUTSIDE = (52.0, 22.0), (52.0, 24.0)
"""(lat, lon) points inside and outside it."""
ASSET = (52.5, 22.5)
COSTS = {"geran-2": 35_000.0, "gerbera": 6_000.0}


def _deployment() -> Deployment:
    return Deployment(
        name="test",
        start=START,
        origin=Origin(lat=52.0, lon=22.0),
        airspace=AIRSPACE,
        assets=[Asset(name="depot", kind="military", at=ASSET, radius_m=5_000.0, value=4.0)],
    )


def _objects(categories: list[str], threats: list[str]) -> pa.Table:
    return pa.table({"category": categories, "threat": threats})


def _truth(
    deployment: Deployment,
    t_s: float,
    ids: list[int],
    points: list[tuple[float, float]],
    destroyed: list[bool] | None = None,
) -> TruthBatch:
    n = len(ids)
    lat = np.array([p[0] for p in points])
    lon = np.array([p[1] for p in points])
    enu = deployment.frame.geodetic_to_enu(lat, lon, np.full(n, 300.0))
    zeros = np.zeros(n)
    gone = np.array(destroyed if destroyed is not None else [False] * n)
    return TruthBatch(
        t_s=np.full(n, t_s),
        object_id=np.array(ids, np.int32),
        lat_deg=lat,
        lon_deg=lon,
        alt_m=np.full(n, 300.0),
        x_m=enu[:, 0],
        y_m=enu[:, 1],
        z_m=enu[:, 2],
        vx_mps=zeros,
        vy_mps=zeros,
        vz_mps=zeros,
        ended=gone,
        destroyed=gone,
    )


def _picture(t_s: float, response: ResponseStep) -> Picture:
    return Picture(Window(int(t_s // 5), t_s - 5.0, t_s, PlotBatch.empty()), response=response)


def _shot(shot_id: int, weapon: str, cost_eur: float) -> Shot:
    return Shot(
        t_s=10.0,
        shot_id=shot_id,
        unit="qra",
        effector="f16-qra",
        weapon=weapon,
        track_id=1,
        category="decoy",
        cost_eur=cost_eur,
        shooter_m=(0.0, 0.0, 5000.0),
        aim_m=(1000.0, 0.0, 300.0),
        impact_t_s=15.0,
        debris_m=(1000.0, 0.0),
    )


def _outcome(shot_id: int, kill: bool, area: str = "") -> ShotOutcome:
    return ShotOutcome(15.0, shot_id, 1, kill, (1000.0, 0.0), area)


def test_shots_money_outcomes_and_events_are_counted_without_truth() -> None:
    sink = ResponseSink(_deployment(), None, COSTS)
    sink.consume(
        _picture(
            10.0,
            ResponseStep(
                shots=(_shot(0, "aim-120c", 1.84e6), _shot(1, "aim-9x", 4e5)),
                events=(
                    Event(8.0, EventKind.SCRAMBLED, "up"),
                    Event(9.0, EventKind.SHOT_WITHHELD, "debris", data={"rule": "debris"}),
                    Event(9.5, EventKind.SHOT_WITHHELD, "debris", data={"rule": "debris"}),
                    Event(9.7, EventKind.SHOT_WITHHELD, "old", data={"rule": "stale-track"}),
                ),
            ),
        ),
        None,
    )
    sink.consume(
        _picture(
            15.0,
            ResponseStep(
                shots=(_shot(2, "aim-120c", 1.84e6),),
                outcomes=(_outcome(0, True), _outcome(1, False, "Wyryki-Wola")),
            ),
        ),
        None,
    )
    summary = sink.summary()
    assert summary.shots == 3
    assert summary.shots_by_weapon == {"aim-120c": 2, "aim-9x": 1}
    assert summary.spent_eur == pytest.approx(2 * 1.84e6 + 4e5)
    assert (summary.kills, summary.misses, summary.withheld, summary.scrambles) == (1, 1, 3, 1)
    assert summary.withheld_by_rule == {"debris": 2, "stale-track": 1}
    assert summary.debris_in_no_engagement == 1
    assert summary.debris_areas == {"Wyryki-Wola": 1}
    assert summary.destroyed is None and summary.leakers is None
    assert summary.cost_exchange_ratio is None


def test_threats_inside_destroyed_leakers_and_the_value_they_reached() -> None:
    deployment = _deployment()
    objects = _objects(
        ["one-way-attack-drone", "decoy", "airliner", "cruise-missile", "decoy", "decoy"],
        ["geran-2", "gerbera", "a320", "kh-101", "gerbera", "gerbera"],
    )
    sink = ResponseSink(deployment, objects, COSTS)
    own_force = 6  # past the object table: an own aircraft, never a threat
    # 0: a drone over the asset, never destroyed (a leaker that reached it)
    # 1: a decoy inside, destroyed; 2: an airliner inside (not a threat)
    # 3: a cruise missile destroyed outside (no catalogue cost); 4: a decoy never inside
    # 5: a decoy inside, destroyed after it passed the asset (not a leaker)
    sink.consume(
        _picture(5.0, ResponseStep()),
        _truth(
            deployment,
            5.0,
            [0, 1, 2, 3, 4, 5, own_force],
            [INSIDE, INSIDE, INSIDE, OUTSIDE, OUTSIDE, ASSET, ASSET],
        ),
    )
    sink.consume(
        _picture(10.0, ResponseStep(shots=(_shot(0, "aim-9x", 4e5), _shot(1, "aim-9x", 4e5)))),
        _truth(
            deployment,
            10.0,
            [0, 1, 3, 5],
            [ASSET, INSIDE, OUTSIDE, INSIDE],
            destroyed=[False, True, True, True],
        ),
    )
    summary = sink.summary()
    assert summary.threats_inside == 3  # 0, 1, 5
    assert summary.destroyed == 3  # 1, 3, 5
    assert summary.leakers == 1  # 0
    assert summary.leaker_value == 4.0
    assert summary.destroyed_cost_eur == pytest.approx(2 * 6_000.0)
    assert summary.destroyed_without_cost == 1
    assert summary.cost_exchange_ratio == pytest.approx(8e5 / 12_000.0)


def test_each_leaker_counts_the_value_of_every_asset_it_reached() -> None:
    deployment = _deployment()
    sink = ResponseSink(deployment, _objects(["decoy"] * 3, ["gerbera"] * 3), COSTS)
    sink.consume(
        _picture(5.0, ResponseStep()),
        _truth(deployment, 5.0, [0, 1, 2], [ASSET, ASSET, INSIDE]),
    )
    summary = sink.summary()
    assert (summary.leakers, summary.leaker_value) == (3, 8.0)
    assert summary.destroyed == 0 and summary.cost_exchange_ratio is None


def test_threat_costs_are_the_middle_of_the_band_in_eur() -> None:
    costs = threat_costs_eur(threat_types())
    assert costs["geran-2"] == pytest.approx(USD_TO_EUR * 35_000.0)
    assert costs["kh-101"] == pytest.approx(USD_TO_EUR * 13e6)
    assert "airliner" not in costs  # the catalogue gives it no cost


def test_a_scenario_s_own_threat_types_are_priced() -> None:
    text = (
        "name: priced\nstart: 2025-09-10T00:00:00+00:00\nduration_s: 60\nseed: 1\n"
        "origin: {lat: 52.0, lon: 22.0}\n"
        "sensors: [{name: r, type: gap-filler, at: [52.0, 22.0]}]\n"
        "catalogue:\n  threats:\n    cheap:\n"
        "      label: a cheap drone\n      category: decoy\n      speed_mps: [40, 40]\n"
        "      altitude_m: [100, 100]\n      climb_rate_mps: 3\n      turn_rate_deg_s: 3\n"
        "      rcs_m2: [0.1, 0.1]\n      swerling: 1\n      sound_db: 100\n"
        "      range_m: 100000\n      unit_cost_usd: [1000, 3000]\n"
    )
    info = SourceInfo(
        name="priced",
        seed=1,
        deployment=_deployment(),
        sensors=pa.table({}),
        duration_s=60.0,
        batch_s=5.0,
        exercise=True,
        scenario_text=text,
    )
    costs = source_threat_costs_eur(info)
    assert costs["cheap"] == pytest.approx(USD_TO_EUR * 2_000.0)
    assert costs["geran-2"] == pytest.approx(USD_TO_EUR * 35_000.0)


class _ScriptedResponse:
    """A stand-in response: from ``at_s`` on, one shot that kills the first confirmed track."""

    def __init__(self, at_s: float) -> None:
        self.at_s = at_s
        self.fired = False

    def step(self, picture: Picture, now_s: float, rng: np.random.Generator) -> Picture:
        confirmed = np.flatnonzero(picture.tracks.status == TrackStatus.CONFIRMED)
        if self.fired or now_s < self.at_s or not len(confirmed):
            return picture
        self.fired = True
        k = confirmed[0]
        tracks = picture.tracks
        x, y, z = float(tracks.x_m[k]), float(tracks.y_m[k]), float(tracks.z_m[k])
        track_id = int(picture.tracks.track_id[k])
        shot = dataclasses.replace(_shot(0, "aim-9x", 4e5), t_s=now_s, track_id=track_id)
        outcome = ShotOutcome(now_s, 0, track_id, True, (x, y))
        return picture.but(
            response=ResponseStep(shots=(shot,), outcomes=(outcome,)),
            effects=(Kill(now_s, track_id, x, y, z, radius_m=2_000.0),),
        )


def test_a_kill_in_the_simulation_counts_destroyed_and_the_other_threat_leaks(
    base_scenario: dict[str, Any], make_scenario: Callable[[dict[str, Any]], Scenario]
) -> None:
    base_scenario.update(
        duration_s=240.0,
        origin={"lat": 52.05, "lon": 23.3},
        sensors=[{"name": "gf", "type": "gap-filler", "at": [52.05, 23.3]}],
        raids=[
            {
                "name": "decoys",
                "threat": "gerbera",
                "count": 2,
                "launch": [52.05, 23.45],
                "interval_s": 30,
                "target": [52.03, 23.10],
                "cruise_alt_m": 500,
            }
        ],
    )
    scenario = make_scenario(base_scenario)
    source = SimulationSource(scenario, "")
    info = source.info
    assert info.objects is not None
    sink = ResponseSink(info.deployment, info.objects, COSTS)
    stages = [TrackingStage(build_tracker(None), info.sensors), _ScriptedResponse(at_s=90.0)]
    loop.run(source, stages, [sink])
    summary = sink.summary()
    assert summary.shots == 1 and summary.kills == 1
    assert summary.threats_inside == 2
    assert summary.destroyed == 1
    assert summary.leakers == 1
    assert summary.destroyed_cost_eur == pytest.approx(6_000.0)
    assert summary.cost_exchange_ratio == pytest.approx(4e5 / 6_000.0)
