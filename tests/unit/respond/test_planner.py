"""The planner: which tracks are targets and what they are worth, and who is assigned to them."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pyarrow as pa
from respond_tracks import track_batch

from flankwatch.assess.assessment import THREAT_SCHEMA, Assessment
from flankwatch.geo.frames import LocalFrame
from flankwatch.respond.catalogue import builtin_catalogue
from flankwatch.respond.forces import Forces
from flankwatch.respond.planner import Planner, PlannerSettings
from flankwatch.respond.policy import load_policy
from flankwatch.respond.roe import RulesOfEngagement
from flankwatch.respond.shots import Flight, ShotsInFlight
from flankwatch.respond.step import Shot
from flankwatch.respond.targets import Targets
from flankwatch.respond.units import IdCounter, UnitSpec
from flankwatch.scenario.defence import Defence

RADIUS_M = 6_371_000.0
ROE = RulesOfEngagement.from_defence(Defence(), LocalFrame(52.0, 21.0, 0.0), "POL")


def spec(
    name: str, key: str, position: tuple[float, float, float] = (0.0, 0.0, 0.0), count: int = 1
) -> UnitSpec:
    catalogue = builtin_catalogue()
    return UnitSpec(name, key, catalogue.effectors[key], catalogue.weapons_of(key), position, count)


def planner(*units: UnitSpec, policy: str = "fighters-only", **settings: float) -> Planner:
    forces = Forces(units, IdCounter())
    forces.update(0.0)
    return Planner(load_policy(policy), forces, ROE, RADIUS_M, 0.0, PlannerSettings(**settings))


def assessment(
    track_id: list[int],
    identity: list[str],
    inside: list[bool],
    crossing_t_s: list[float] | None = None,
    threats: list[tuple[int, float]] = (),
    category: str = "decoy",
    tcpa_s: list[float] | None = None,
) -> Assessment:
    n = len(track_id)
    table = pa.table(
        {
            "rank": np.arange(len(threats), dtype=np.int32),
            "track_id": [t for t, _ in threats],
            "asset": ["A"] * len(threats),
            "asset_kind": ["city"] * len(threats),
            "cpa_m": [0.0] * len(threats),
            "tcpa_s": tcpa_s if tcpa_s is not None else [0.0] * len(threats),
            "score": [s for _, s in threats],
        },
        schema=THREAT_SCHEMA,
    )
    return Assessment(
        t_s=0.0,
        track_id=np.array(track_id, np.int64),
        category=np.full(n, category, object),
        category_prob=np.ones(n),
        identity=np.array(identity, object),
        inside=np.array(inside, bool),
        crossing_t_s=np.array(crossing_t_s or [np.nan] * n, float),
        crossing_sigma_s=np.full(n, np.nan),
        threats=table,
    )


def in_flight(track_id: int, pk: float) -> ShotsInFlight:
    shots = ShotsInFlight(lambda p, v: p[:, :2], lambda q: np.full(len(q), "", object))
    shot = Shot(0.0, 0, "U", "e", "w", track_id, "decoy", 1.0, (0, 0, 0), (1, 0, 0), 100.0, (0, 0))
    shots.add(Flight(shot, pk, "missile", False, (0.0, 0.0, 0.0), (0.0, 0.0), 1, "x"))
    return shots


def no_shots() -> ShotsInFlight:
    return ShotsInFlight(lambda p, v: p[:, :2], lambda q: np.full(len(q), "", object))


def test_targets_are_hostile_tracks_inside_or_entering_not_yet_destroyed() -> None:
    rows = [(i, (10_000.0 * i, 0.0, 500.0), (-50.0, 0.0, 0.0)) for i in range(1, 6)]
    tracks = track_batch(0.0, rows)
    a = assessment(
        [1, 2, 3, 4, 5],
        ["hostile", "suspect", "hostile", "hostile", "hostile"],
        [True, True, False, False, True],
        [np.nan, np.nan, 600.0, np.nan, np.nan],
        threats=[(1, 2.5), (1, 1.5), (3, 0.2)],
    )
    targets = planner(spec("QRA", "f16-qra")).targets(tracks, a, {5}, no_shots())
    assert list(targets.track_id) == [1, 3]
    # Summed threat scores, at least the floor.
    assert np.allclose(targets.value, [4.0, 1.0])
    assert np.allclose(targets.position_m[0], (10_000.0, 0.0, 500.0))


def test_a_shot_in_flight_lowers_the_value_by_its_kill_probability() -> None:
    tracks = track_batch(0.0, [(1, (10_000.0, 0.0, 500.0), (0.0, 0.0, 0.0))])
    a = assessment([1], ["hostile"], [True], threats=[(1, 3.0)])
    targets = planner(spec("QRA", "f16-qra")).targets(tracks, a, set(), in_flight(1, 0.6))
    assert np.isclose(targets.value[0], 3.0 * 0.4)


def targets_at(
    *positions: tuple[float, float, float],
    vx_mps: float = -50.0,
    category: str = "decoy",
    deadline_s: float = np.inf,
    value: float = 1.0,
    fresh: bool = True,
) -> Targets:
    n = len(positions)
    return Targets(
        np.arange(n),
        np.arange(1, n + 1, dtype=np.int64),
        np.full(n, category, object),
        np.full(n, value),
        np.array(positions, float),
        np.tile([vx_mps, 0.0, 0.0], (n, 1)),
        np.full(n, deadline_s),
        np.full(n, fresh),
    )


def test_a_targets_deadline_is_its_latest_closest_approach_to_what_it_threatens() -> None:
    tracks = track_batch(0.0, [(t, (10_000.0 * t, 0.0, 500.0), (-50.0, 0.0, 0.0)) for t in (1, 2)])
    a = assessment(
        [1, 2], ["hostile"] * 2, [True] * 2, threats=[(1, 2.0), (1, 1.0)], tcpa_s=[240.0, 600.0]
    )
    targets = planner(spec("QRA", "f16-qra")).targets(tracks, a, set(), no_shots())
    assert list(targets.track_id) == [1, 2]
    assert targets.deadline_s[0] == 600.0  # past the first asset it still threatens the second
    assert np.isinf(targets.deadline_s[1])  # threatens nothing listed: no deadline


def test_an_earlier_tier_too_late_to_matter_does_not_hold_back_a_later_one() -> None:
    # A cruise missile 300 km out at 250 m/s, its asset beside the NASAMS 175 km on (700 s);
    # missiles-for-missiles puts fighters first, but these are 15 min from airborne.
    units = (spec("QRA", "f16-qra"), spec("Battery", "nasams", (125_000.0, 0.0, 0.0)))
    missile = {"vx_mps": -250.0, "category": "cruise-missile", "value": 50.0}
    in_time = planner(*units, policy="missiles-for-missiles").plan(
        targets_at((300_000.0, 0.0, 100.0), deadline_s=700.0, **missile), 0.0
    )
    battery = in_time.platform == 1
    assert in_time.counts[battery].sum() > 0 and in_time.counts[~battery].sum() == 0
    assert np.min(in_time.reach_s[~battery]) > 700.0 >= np.min(in_time.reach_s[battery])
    # Without a deadline the fighters can engage within the horizon and hold the NASAMS
    # back: tiers stay strict where the earlier one is in time.
    no_deadline = planner(*units, policy="missiles-for-missiles").plan(
        targets_at((300_000.0, 0.0, 100.0), **missile), 0.0
    )
    battery = no_deadline.platform == 1
    assert no_deadline.counts[battery].sum() == 0 and no_deadline.counts[~battery].sum() > 0


def test_fighters_are_assigned_a_reachable_target_nearest_first() -> None:
    p = planner(spec("QRA", "f16-qra", count=2))
    plan = p.plan(targets_at((100_000.0, 0.0, 500.0), (150_000.0, 0.0, 500.0)), 0.0)
    assert plan.counts.sum() > 0
    for aircraft in (0, 1):
        assigned = plan.assigned(aircraft)
        assert assigned
        rows = plan.platform == aircraft
        soonest = np.where(plan.counts[rows] > 0, plan.reach_s[rows], np.inf).min(axis=0)
        assert list(soonest[assigned]) == sorted(soonest[assigned])
        assert np.isfinite(soonest[assigned]).all()
    # Readiness first: nothing is reachable before 15 min.
    assert np.nanmin(plan.reach_s) >= 900.0


def test_out_of_reach_in_time_or_height_is_not_assigned() -> None:
    # A drone flying away from the base faster than anyone could reach in the horizon.
    p = planner(spec("QRA", "f16-qra"), horizon_s=1_000.0)
    far = p.plan(targets_at((600_000.0, 0.0, 500.0), vx_mps=50.0), 0.0)
    assert far.counts.sum() == 0 and np.isinf(far.reach_s).all()
    # A ground gun cannot reach a target far above its ceiling.
    gun = planner(spec("Gun", "gepard-35mm"), policy="layered")
    high = gun.plan(targets_at((2_000.0, 0.0, 15_000.0), vx_mps=0.0), 0.0)
    assert high.counts.sum() == 0


def test_a_stale_track_is_a_target_of_fighters_only() -> None:
    # The rules' track-age limit marks the targets a plot has not updated lately.
    strict = Defence(max_track_age_s=20.0)
    roe = RulesOfEngagement.from_defence(strict, LocalFrame(52.0, 21.0, 0.0), "POL")
    forces = Forces([spec("Gun", "gepard-35mm")], IdCounter())
    forces.update(0.0)
    p = Planner(load_policy("layered"), forces, roe, RADIUS_M)
    tracks = track_batch(100.0, [(i, (2_000.0 * i, 0.0, 500.0), (-50.0, 0.0, 0.0)) for i in (1, 2)])
    tracks = replace(tracks, last_update_s=np.array([85.0, 70.0]))
    a = assessment([1, 2], ["hostile", "hostile"], [True, True])
    assert list(p.targets(tracks, a, set(), no_shots()).fresh) == [True, False]
    # A gun, which can only wait for the sensors to find a stale track again, spends its
    # uses on the fresh one; fighters fly on to the stale one and search there.
    near = ((2_000.0, 0.0, 500.0), (1_000.0, 0.0, 500.0))
    both = replace(targets_at(*near, vx_mps=0.0), fresh=np.array([True, False]))
    gun = planner(spec("Gun", "gepard-35mm"), policy="layered").plan(both, 0.0)
    assert gun.counts[:, 0].sum() > 0 and gun.counts[:, 1].sum() == 0
    stale = replace(targets_at((20_000.0, 0.0, 500.0)), fresh=np.array([False]))
    assert planner(spec("QRA", "f16-qra")).plan(stale, 0.0).counts.sum() > 0
    # Layered: a stale track the gun's tier covers is left to it (the fighters, a later
    # tier, are not sent instead); one far from the gun is the fighters' (platform 0).
    units = (spec("QRA", "f16-qra"), spec("Gun", "gepard-35mm"))
    two = targets_at((20_000.0, 0.0, 500.0), (200_000.0, 80_000.0, 500.0))
    plan = planner(*units, policy="layered").plan(replace(two, fresh=np.array([False] * 2)), 0.0)
    assert plan.counts[:, 0].sum() == 0
    assert plan.counts[plan.platform == 0, 1].sum() > 0


def test_policy_tiers_and_classes_decide_who_engages() -> None:
    units = (spec("QRA", "f16-qra"), spec("Gun", "gepard-35mm", (0.0, 0.0, 0.0)))
    # Fighters only: the gun is never assigned.
    only = planner(*units).plan(targets_at((20_000.0, 0.0, 500.0)), 0.0)
    gun_rows = only.platform == 1
    assert only.counts[gun_rows].sum() == 0 and only.counts[~gun_rows].sum() > 0
    # Layered: the gun, an earlier tier, takes a drone flying over it; the fighter
    # takes one that passes far from the gun.
    layered = planner(*units, policy="layered").plan(
        targets_at((20_000.0, 0.0, 500.0), (200_000.0, 80_000.0, 500.0)), 0.0
    )
    gun_rows = layered.platform == 1
    assert layered.counts[gun_rows, 0].sum() > 0 and layered.counts[~gun_rows, 0].sum() == 0
    assert layered.counts[gun_rows, 1].sum() == 0 and layered.counts[~gun_rows, 1].sum() > 0


def test_cost_weighs_against_dear_shots() -> None:
    units = (spec("Battery", "nasams"),)
    target = targets_at((20_000.0, 0.0, 500.0))
    cheap_value = replace(target, value=np.array([0.5]))
    # Layered weighs 1 unit per million EUR: a 1.8M EUR shot is not worth 0.5 units.
    assert planner(*units, policy="layered").plan(cheap_value, 0.0).counts.sum() == 0
    rich = replace(target, value=np.array([50.0]))
    assert planner(*units, policy="layered").plan(rich, 0.0).counts.sum() > 0


def test_with_threats_only_a_hostile_threatening_no_asset_is_not_a_target() -> None:
    rows = [(i, (10_000.0 * i, 0.0, 500.0), (-50.0, 0.0, 0.0)) for i in (1, 2)]
    tracks = track_batch(0.0, rows)
    a = assessment([1, 2], ["hostile", "hostile"], [True, True], threats=[(2, 0.5)])
    p = planner(spec("QRA", "f16-qra"))
    assert list(p.targets(tracks, a, set(), no_shots()).track_id) == [1, 2]
    p.threats_only = True
    targets = p.targets(tracks, a, set(), no_shots())
    assert list(targets.track_id) == [2] and np.allclose(targets.value, [1.0])


def test_reach_counts_from_what_the_aircraft_and_the_seeker_hold() -> None:
    # A decoy flying straight at an F-16 already airborne: in reach of its AIM-120 when
    # its radar holds it (10 km), of its AIM-9X when the seeker locks (4 km); here with
    # no rule that its pilot identify the decoy by sight first.
    catalogue = builtin_catalogue()
    effector = catalogue.effectors["f16-qra"].model_copy(update={"identification_range_m": {}})
    p = planner(UnitSpec("QRA", "f16-qra", effector, catalogue.weapons_of("f16-qra"), (0, 0, 0)))
    p.forces.order(0, 1, "decoy", 0.0)
    p.forces.update(900.0)
    p.forces.position_m[0] = (0.0, 0.0, 500.0)
    plan = p.plan(targets_at((40_000.0, 0.0, 500.0)), 900.0)
    keys = p.forces.weapon_keys
    closing_mps = 250.0 + 50.0
    for key, held_m in (("aim-120c7", 10_000.0), ("aim-9x", 4_000.0)):
        row = int(np.flatnonzero(plan.weapon == keys.index(key))[0])
        assert np.isclose(plan.reach_s[row, 0], (40_000.0 - held_m) / closing_mps, rtol=1e-6)


def test_one_target_without_cost_gets_every_use_in_reach() -> None:
    # The pair is one element: each weapon's uses are the two aircraft's together.
    p = planner(spec("QRA", "f16-qra", count=2))
    plan = p.plan(targets_at((100_000.0, 0.0, 500.0)), 0.0)
    reachable = np.isfinite(plan.reach_s[:, 0])
    pooled = p.forces.ammo[:, plan.weapon].sum(axis=0)
    uses = np.minimum(pooled, p.settings.max_uses)
    assert reachable.any()
    assert (plan.counts[:, 0] == np.where(reachable, uses, 0)).all()


def test_weapons_not_usable_now_are_left_out() -> None:
    p = planner(spec("QRA", "f16-qra"))
    usable = np.array([k != "m61-20mm" for k in p.forces.weapon_keys])
    plan = p.plan(targets_at((20_000.0, 0.0, 500.0)), 0.0, usable)
    assert len(plan.weapon) and usable[plan.weapon].all()


def test_each_platforms_first_target_is_the_first_it_is_assigned() -> None:
    p = planner(spec("QRA", "f16-qra", count=3))
    plan = p.plan(targets_at((100_000.0, 0.0, 500.0), (60_000.0, 30_000.0, 500.0)), 0.0)
    plan.counts[plan.platform == 2] = 0
    first = plan.first_targets(4)
    for platform in range(4):
        assigned = plan.assigned(platform)
        assert first[platform] == (assigned[0] if assigned else -1)
    assert first[2] == first[3] == -1 and (first[:2] >= 0).all()
