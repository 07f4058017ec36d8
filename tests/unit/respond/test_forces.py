"""Own forces: scramble, take-off, flight, weapons spent, fuel, idle return, landing, re-loads."""

from __future__ import annotations

import numpy as np
from respond_units import FIGHTER, MISSILE

from flankwatch.events import EventKind
from flankwatch.respond.catalogue import EffectorType
from flankwatch.respond.forces import Forces
from flankwatch.respond.targets import ground_height_m, z_at_height_m
from flankwatch.respond.units import OWN_OBJECT_ID_BASE, IdCounter, Phase, UnitSpec

LAUNCHER = EffectorType(
    label="test launcher",
    kind="ground",
    readiness_s=60.0,
    loadout={"m": 1},
    reload_s=300.0,
)


def forces(*units: UnitSpec) -> Forces:
    return Forces(units, IdCounter())


def fighters(count: int = 2, **times: float) -> Forces:
    spec = UnitSpec("Base", "fighter", FIGHTER, {"m": MISSILE}, (0.0, 0.0, 0.0), count, **times)
    return forces(spec)


def test_one_row_per_aircraft_with_its_callsign_and_loadout() -> None:
    f = fighters(3)
    assert list(f.callsign) == ["Base 1", "Base 2", "Base 3"]
    assert f.weapon_keys == ("m",)
    assert (f.ammo == 2).all()
    f.update(0.0)
    assert (f.phase == Phase.STANDBY).all() and not f.busy


def test_scramble_takes_off_after_readiness_and_flies_to_its_goal() -> None:
    f = fighters()
    f.update(0.0)
    events = f.order(0, 7, "decoy", 0.0)
    assert [e.kind for e in events] == [EventKind.SCRAMBLED]
    assert events[0].track_id == 7 and f.busy
    f.goal_m[0] = (100_000.0, 0.0, 1_000.0)
    f.update(595.0)
    assert f.phase[0] == Phase.PREPARING and f.object_id[0] == -1
    f.update(605.0)
    assert f.phase[0] == Phase.ENGAGING
    assert f.object_id[0] == OWN_OBJECT_ID_BASE
    # Airborne at 600 s: 5 s of flight at 250 m/s, climbing at 50 m/s.
    assert np.isclose(f.position_m[0, 0], 1_250.0) and np.isclose(f.position_m[0, 2], 250.0)
    assert f.phase[1] == Phase.STANDBY


def test_weapons_spent_sends_it_home_to_land_and_re_arm() -> None:
    f = fighters(1)
    f.update(0.0)
    f.order(0, 7, "decoy", 0.0)
    f.goal_m[0] = (20_000.0, 0.0, 0.0)
    for t in np.arange(600.0, 660.0, 5.0):
        f.update(float(t))
    assert f.fire(0, 0, 660.0) == []
    assert f.next_fire_s[0] == 662.0
    events = f.fire(0, 0, 662.0)
    assert [e.kind for e in events] == [EventKind.MAGAZINE_EMPTY]
    assert f.phase[0] == Phase.RETURNING
    landed = []
    t = 662.0
    while f.phase[0] == Phase.RETURNING and t < 2_000.0:
        t += 5.0
        landed += f.update(t)
    assert [e.kind for e in landed] == [EventKind.RETURNED_TO_BASE]
    assert "weapons spent" in landed[0].message
    assert f.phase[0] == Phase.REARMING and f.object_id[0] == -1
    f.update(t + 1_800.0)
    assert f.phase[0] == Phase.STANDBY and f.ammo[0, 0] == 2


def test_fuel_and_idleness_bring_it_home() -> None:
    f = fighters(2)
    f.update(0.0)
    f.order(0, 7, "decoy", 0.0)
    f.order(1, 8, "decoy", 0.0)
    f.goal_m[:] = (1e6, 0.0, 0.0)
    f.update(600.0)
    f.release(1, 600.0)
    t = 600.0
    while t < 600.0 + 1_000.0:
        t += 5.0
        f.update(t)
    # Waiting on its racetrack near the base, it is home soon after it turns back.
    assert f.phase[1] in (Phase.RETURNING, Phase.REARMING) and "no target" in f.return_reason[1]
    assert f.phase[0] == Phase.ENGAGING
    while f.phase[0] == Phase.ENGAGING and t < 5_000.0:
        t += 5.0
        f.update(t)
    # It turns home once the time left just brings it back: about half its endurance out.
    assert f.return_reason[0] == "fuel for the way home only"
    assert 600.0 + 1_700.0 < t < 600.0 + 1_900.0


def test_ground_unit_reacts_fires_reloads_and_stays_on_alert() -> None:
    spec = UnitSpec("Battery", "launcher", LAUNCHER, {"m": MISSILE}, (5.0, 5.0, 0.0), 1)
    f = forces(spec)
    f.update(0.0)
    assert f.order(0, 3, "decoy", 0.0) == []
    assert np.isclose(f.delay_s(0.0)[0], 60.0)
    f.update(60.0)
    assert f.phase[0] == Phase.ENGAGING and f.object_id[0] == -1
    events = f.fire(0, 0, 60.0)
    assert "re-loads" in events[0].message and f.phase[0] == Phase.REARMING
    assert not f.available(100.0)[0]
    f.update(360.0)
    assert f.phase[0] == Phase.ENGAGING and f.ammo[0, 0] == 1 and f.available(360.0)[0]


def test_a_shot_counts_from_when_it_came_due_inside_the_window() -> None:
    quick = LAUNCHER.model_copy(update={"loadout": {"m": 10}, "fire_interval_s": 3.0})
    f = forces(UnitSpec("Battery", "launcher", quick, {"m": MISSILE}, (0.0, 0.0, 0.0), 1))
    f.fire(0, 0, 100.0, since_s=95.0)  # idle until now: counted now
    assert f.next_fire_s[0] == 103.0
    f.fire(0, 0, 105.0, since_s=100.0)  # came due at 103, inside the window
    assert f.next_fire_s[0] == 106.0  # not yet due again by 105: one shot this window
    f.fire(0, 0, 110.0, since_s=105.0)
    assert f.next_fire_s[0] == 109.0  # due again by 110: a second shot this window
    f.fire(0, 0, 110.0, since_s=105.0)
    assert f.next_fire_s[0] == 112.0
    f.fire(0, 0, 200.0)  # no window given: counted at the shot
    assert f.next_fire_s[0] == 203.0 and f.ammo[0, 0] == 5


def test_units_act_only_in_their_active_time() -> None:
    f = fighters(1, active_from_s=100.0, active_until_s=200.0)
    f.update(0.0)
    assert f.phase[0] == Phase.INACTIVE and not f.available(0.0)[0]
    f.update(100.0)
    assert f.available(100.0)[0]
    f.update(200.0)
    assert f.phase[0] == Phase.INACTIVE


def test_enablers_get_no_row_and_ids_are_unique() -> None:
    tanker = EffectorType(
        label="tanker", kind="enabler", readiness_s=0.0, speed_mps=200.0, endurance_s=36_000.0
    )
    ids = IdCounter()
    f = Forces(
        [
            UnitSpec("Tanker", "tanker", tanker, {}, (0.0, 0.0, 0.0)),
            UnitSpec("Base", "fighter", FIGHTER, {"m": MISSILE}, (0.0, 0.0, 0.0), 2),
        ],
        ids,
    )
    assert len(f) == 2
    f.update(0.0)
    f.order(0, 1, "decoy", 0.0)
    f.order(1, 1, "decoy", 0.0)
    f.update(600.0)
    assert sorted(f.object_id) == [OWN_OBJECT_ID_BASE, OWN_OBJECT_ID_BASE + 1]
    assert ids.take() == OWN_OBJECT_ID_BASE + 2


def test_with_no_target_it_flies_a_racetrack_not_a_tight_circle() -> None:
    f = fighters(1)
    f.update(0.0)
    f.order(0, 7, "decoy", 0.0)
    f.goal_m[0] = (100_000.0, 0.0, 1_000.0)
    f.update(600.0)
    f.update(700.0)
    f.release(0, 700.0)
    start = f.position_m[0].copy()
    headings, farthest, t = [], 0.0, 700.0
    while t < 1_300.0:
        t += 5.0
        f.update(t)
        headings.append(np.arctan2(f.velocity_mps[0, 0], f.velocity_mps[0, 1]))
        farthest = max(farthest, float(np.hypot(*(f.position_m[0] - start)[:2])))
    turned = np.abs((np.diff(headings) + np.pi) % (2.0 * np.pi) - np.pi).sum()
    # 10 min at 250 m/s on 40 km legs: about three half-turns (3 pi), where circling
    # at the chase's turn rate would have turned through 90 rad.
    assert 2.0 * np.pi < turned < 5.0 * np.pi
    assert 30_000.0 < farthest <= f.settings.cap_leg_m + 2.0 * 250.0 / f.settings.cap_turn_rad_s


RADIUS_M = 6_371_000.0


def sent_to(
    x_m: float, height_m: float, base_m: tuple[float, float, float] = (0.0, 0.0, 0.0)
) -> Forces:
    """One fighter of a base at ``base_m`` on a curved earth, ordered up at 0 s (airborne
    at 600 s) toward a goal on the frame's x axis ``height_m`` above the earth."""
    spec = UnitSpec("Base", "fighter", FIGHTER, {"m": MISSILE}, base_m, 1)
    f = Forces([spec], IdCounter(), radius_m=RADIUS_M)
    f.update(0.0)
    f.order(0, 7, "decoy", 0.0)
    goal = np.array([[x_m, 0.0, 0.0]])
    goal[0, 2] = z_at_height_m(goal, np.array([height_m]), RADIUS_M, 0.0)[0]
    f.goal_m[0] = goal[0]
    return f


def height(f: Forces) -> float:
    return float(ground_height_m(f.position_m[:1], RADIUS_M, 0.0)[0])


def test_on_a_curved_earth_it_flies_level_not_along_the_frames_plane() -> None:
    f = sent_to(300_000.0, 1_000.0)
    heights = []
    for t in np.arange(600.0, 1_700.0, 5.0):
        f.update(float(t))
        heights.append(height(f))
    # Climbed to the goal's height at 50 m/s and held it over 250 km, where the frame's
    # plane lies about 5 km above the earth's surface.
    assert np.allclose(heights[5:], 1_000.0, atol=1e-3)
    assert f.position_m[0, 0] > 250_000.0 and f.position_m[0, 2] < -4_000.0


def test_going_home_it_holds_its_height_until_the_glide_path() -> None:
    f = sent_to(200_000.0, 3_000.0)
    t = 600.0
    while f.position_m[0, 0] < 100_000.0:
        t += 5.0
        f.update(t)
    f.ammo[0, 0] = 1
    assert [e.kind for e in f.fire(0, 0, t)] == [EventKind.MAGAZINE_EMPTY]
    glide = np.tan(f.settings.glide_slope_rad)
    landed = []
    while f.phase[0] == Phase.RETURNING and t < 3_000.0:
        t += 5.0
        landed += f.update(t)
        if f.phase[0] == Phase.RETURNING:
            distance = float(np.hypot(*f.position_m[0, :2]))
            # level at 3 km until the 3-degree path (57 km out), then on it (a window,
            # 1.25 km, behind: 66 m higher)
            assert -1e-3 < height(f) - min(3_000.0, distance * glide) < 70.0
    assert [e.kind for e in landed] == [EventKind.RETURNED_TO_BASE]


def test_its_racetrack_is_level_on_a_curved_earth() -> None:
    f = sent_to(0.0, 2_000.0, base_m=(-200_000.0, 0.0, -3_139.0))
    for t in np.arange(600.0, 700.0, 5.0):
        f.update(float(t))
    f.release(0, 700.0)
    ends = ground_height_m(f.cap_m[0], RADIUS_M, 0.0)
    assert np.allclose(ends, height(f), atol=1e-3)
    heights = []
    for t in np.arange(705.0, 1_300.0, 5.0):
        f.update(float(t))
        heights.append(height(f))
    assert np.allclose(heights, heights[0], atol=1e-3)
