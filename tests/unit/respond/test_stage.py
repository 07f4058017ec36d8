"""The response stage over a small made-up world: drones flown as tracks, killed by Kill effects."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

import numpy as np
import pyarrow as pa
import pytest
from respond_tracks import track_batch

from flankwatch.assess.assessment import THREAT_SCHEMA, Assessment
from flankwatch.deployment import Deployment, Origin
from flankwatch.events import Event, EventKind
from flankwatch.loop import Kill, Picture, Window
from flankwatch.respond.catalogue import TARGET_CATEGORIES
from flankwatch.respond.debris import miss_debris_point
from flankwatch.respond.policy import load_policy
from flankwatch.respond.stage import ResponseStage, impact_sigma_m
from flankwatch.respond.step import NO_RESPONSE, OwnForces, Shot
from flankwatch.respond.targets import ground_height_m
from flankwatch.respond.units import OWN_OBJECT_ID_BASE
from flankwatch.scenario.defence import Defence, DefenceUnit, NoEngagement, NoEngagementArea
from flankwatch.stream import PlotBatch

START = datetime(2025, 9, 10, tzinfo=UTC)
BATCH_S = 5.0


def deployment(units: list[DefenceUnit], areas: list[NoEngagementArea] | None = None) -> Deployment:
    return Deployment(
        name="test",
        start=START,
        origin=Origin(lat=52.0, lon=21.0),
        defence=Defence(units=units, no_engagement=NoEngagement(areas=areas or [])),
    )


QRA = DefenceUnit(name="QRA", type="f16-qra", at=[52.0, 21.0], count=2)


@dataclass
class World:
    """Drones flying straight and level, seen perfectly as tracks; Kill effects end them."""

    drones: dict[int, tuple[np.ndarray, np.ndarray]]
    identity: str = "hostile"
    category: str = "decoy"
    threat_score: float = 0.0
    """Each drone's score in the threat table against one city (0: the table is empty)."""
    killed: set[int] = field(default_factory=set)
    missed_by_kills: set[int] = field(default_factory=set)
    """Drones a Kill effect does not end (as when a kill is placed where the drone is not)."""
    silent_from_s: float = np.inf
    """No plot updates the tracks after this time (s): they coast on, predicted."""
    vz_error_mps: float = 0.0
    """Error of the tracks' vertical speeds, m/s (the tracker's, not the drones' motion)."""
    events: list[Event] = field(default_factory=list)
    own: list[OwnForces] = field(default_factory=list)
    shots: list[Shot] = field(default_factory=list)

    def picture(self, index: int) -> Picture:
        t1 = (index + 1) * BATCH_S
        alive = [(i, p + v * t1, v) for i, (p, v) in self.drones.items() if i not in self.killed]
        tracks = track_batch(t1, [(i, tuple(p), tuple(v)) for i, p, v in alive])
        if t1 > self.silent_from_s:
            tracks = replace(tracks, last_update_s=np.full(len(tracks), self.silent_from_s))
        if self.vz_error_mps:
            tracks = replace(tracks, vz_mps=tracks.vz_mps + self.vz_error_mps)
        n = len(tracks)
        assessment = Assessment(
            t_s=t1,
            track_id=tracks.track_id,
            category=np.full(n, self.category, object),
            category_prob=np.ones(n),
            identity=np.full(n, self.identity, object),
            inside=np.ones(n, bool),
            crossing_t_s=np.full(n, np.nan),
            crossing_sigma_s=np.full(n, np.nan),
            threats=self.threats(tracks.track_id, t1),
        )
        window = Window(index, t1 - BATCH_S, t1, PlotBatch.empty())
        return Picture(window, tracks=tracks, assessment=assessment)

    def threats(self, track_id: np.ndarray, t_s: float) -> pa.Table:
        listed = track_id if self.threat_score > 0.0 else track_id[:0]
        n = len(listed)
        columns = {
            "rank": np.arange(1, n + 1, dtype=np.int32),
            "track_id": listed,
            "asset": ["City"] * n,
            "asset_kind": ["city"] * n,
            "cpa_m": np.zeros(n),
            "tcpa_s": np.full(n, t_s + 600.0),
            "score": np.full(n, self.threat_score),
        }
        return pa.table(columns, schema=THREAT_SCHEMA)

    def run(self, stage: ResponseStage, seconds: float, seed: int = 1) -> None:
        rng = np.random.default_rng(seed)
        for index in range(int(seconds / BATCH_S)):
            picture = self.picture(index)
            out = stage.step(picture, picture.now_s, rng)
            self.events += out.response.events
            self.shots += out.response.shots
            for effect in out.effects:
                if isinstance(effect, Kill) and effect.track_id not in self.missed_by_kills:
                    self.killed.add(effect.track_id)
                elif isinstance(effect, OwnForces):
                    self.own.append(effect)

    def kinds(self) -> list[EventKind]:
        return [e.kind for e in self.events]


def drone(x_m: float, y_m: float, vx_mps: float = -50.0) -> tuple[np.ndarray, np.ndarray]:
    return np.array([x_m, y_m, 500.0]), np.array([vx_mps, 0.0, 0.0])


def test_the_stage_needs_the_assessment() -> None:
    stage = ResponseStage(deployment([QRA]), load_policy("fighters-only"))
    picture = World({}).picture(0)
    with pytest.raises(ValueError, match="assessment"):
        stage.step(picture.but(assessment=None), 5.0, np.random.default_rng(0))


def test_nothing_hostile_leaves_the_picture_as_it_is() -> None:
    stage = ResponseStage(deployment([QRA]), load_policy("fighters-only"))
    world = World({1: drone(60_000.0, 0.0)}, identity="suspect")
    picture = world.picture(0)
    assert stage.step(picture, picture.now_s, np.random.default_rng(0)) is picture
    world.run(stage, 1_200.0)
    assert world.events == [] and world.own == [] and picture.response is NO_RESPONSE


def test_fighters_scramble_shoot_down_the_drone_and_come_home() -> None:
    stage = ResponseStage(deployment([QRA]), load_policy("fighters-only"))
    world = World({1: drone(60_000.0, 0.0)})
    world.run(stage, 4 * 3_600.0, seed=3)  # with this seed its first missile kills
    kinds = world.kinds()
    assert kinds.count(EventKind.SCRAMBLED) == 2
    scrambled = next(e for e in world.events if e.kind == EventKind.SCRAMBLED)
    fired = [e for e in world.events if e.kind == EventKind.SHOT_FIRED]
    # Airborne after the 15 min readiness; the first shot as soon as its pilot has
    # identified the decoy by sight (3 km), about 40 s later, closing at 300 m/s from 15 km.
    airborne_s = BATCH_S + 900.0
    assert scrambled.t_s == BATCH_S and airborne_s + 30.0 < fired[0].t_s <= airborne_s + 50.0
    assert world.killed == {1} and kinds.count(EventKind.TARGET_DESTROYED) == 1
    assert len(world.shots) == len(fired) == kinds.count(EventKind.SHOT_MISSED) + 1
    assert all(e.data["cost_eur"] > 0 for e in fired)
    # Both aircraft land after idling (no target left); then an empty own-forces set.
    assert kinds.count(EventKind.RETURNED_TO_BASE) == 2
    assert len(world.own[-1]) == 0 and all(len(o) for o in world.own[:-1])
    ids = {int(i) for o in world.own for i in o.object_id}
    assert min(ids) >= OWN_OBJECT_ID_BASE
    kinds_seen = {str(k) for o in world.own for k in o.kind}
    assert "fighter" in kinds_seen and "missile" in kinds_seen


def test_a_pair_fires_two_shots_at_one_target_then_leaves_it() -> None:
    stage = ResponseStage(deployment([QRA]), load_policy("fighters-only"))
    world = World({1: drone(60_000.0, 0.0)})
    world.run(stage, 4 * 3_600.0, seed=0)  # with this seed both missiles miss
    fired = [e for e in world.events if e.kind == EventKind.SHOT_FIRED]
    left = [e for e in world.events if e.kind == EventKind.TARGET_LEFT]
    assert not world.killed and len(fired) == 2
    # The element's second shot, from either aircraft, is its last at the drone.
    assert {e.data["callsign"] for e in fired} == {"QRA 1", "QRA 2"}
    assert len(left) == 1 and left[0].t_s == fired[1].t_s and left[0].track_id == 1
    assert left[0].subject == "QRA" and left[0].data["shots"] == 2
    # Both aircraft still hold missiles, yet go home: the drone is nobody's target.
    assert world.kinds().count(EventKind.RETURNED_TO_BASE) == 2
    assert EventKind.MAGAZINE_EMPTY not in world.kinds()


def test_the_pair_that_left_a_target_hands_it_to_the_other_pair() -> None:
    four = QRA.model_copy(update={"count": 4})
    stage = ResponseStage(deployment([four]), load_policy("fighters-only"))
    world = World({1: drone(60_000.0, 0.0)})
    world.run(stage, 4 * 3_600.0, seed=0)
    fired = [e for e in world.events if e.kind == EventKind.SHOT_FIRED]
    left = [e for e in world.events if e.kind == EventKind.TARGET_LEFT]
    first = [e for e in fired if e.data["callsign"] in ("QRA 1", "QRA 2")]
    second = [e for e in fired if e.data["callsign"] in ("QRA 3", "QRA 4")]
    assert len(first) == 2 and 1 <= len(second) <= 2
    assert left[0].data["callsign"] in ("QRA 1", "QRA 2")
    assert all(e.t_s >= left[0].t_s for e in second)
    assert world.killed == {1}


def test_each_shot_waits_for_the_last_to_end_and_the_kill_ends_the_target() -> None:
    stage = ResponseStage(deployment([QRA]), load_policy("fighters-only"))
    world = World({1: drone(60_000.0, 0.0), 2: drone(80_000.0, 20_000.0)})
    world.run(stage, 2 * 3_600.0, seed=3)
    fired = [e for e in world.events if e.kind == EventKind.SHOT_FIRED]
    ends = [
        e for e in world.events if e.kind in (EventKind.TARGET_DESTROYED, EventKind.SHOT_MISSED)
    ]
    for track in (1, 2):
        shots = [e for e in fired if e.track_id == track]
        outcomes = [e for e in ends if e.track_id == track]
        # Shoot-look-shoot: the next shot at a track only after the previous one ended.
        for shot, previous in zip(shots[1:], outcomes, strict=False):
            assert shot.t_s >= previous.t_s
    destroyed = [e.track_id for e in ends if e.kind == EventKind.TARGET_DESTROYED]
    assert sorted(destroyed) == sorted(set(destroyed))
    assert not any(
        e.t_s
        > max(
            x.t_s for x in ends if x.kind == EventKind.TARGET_DESTROYED and x.track_id == e.track_id
        )
        for e in fired
        if e.track_id in destroyed
    )


def test_debris_over_a_no_engagement_area_holds_fire() -> None:
    # The whole region is a town: every shot would drop debris on it.
    town = NoEngagementArea(name="Town", at=[52.0, 21.0], radius_m=150_000.0)
    stage = ResponseStage(deployment([QRA], [town]), load_policy("fighters-only"))
    world = World({1: drone(60_000.0, 0.0)})
    world.run(stage, 1_500.0)
    withheld = [e for e in world.events if e.kind == EventKind.SHOT_WITHHELD]
    assert not world.shots and withheld
    assert all("Town" in e.message for e in withheld)
    # One event per aircraft and reason, not one every window.
    assert len(withheld) <= 2 * 2


def test_the_same_seed_gives_the_same_response() -> None:
    def events(seed: int) -> list[tuple[float, str, str]]:
        stage = ResponseStage(deployment([QRA]), load_policy("fighters-only"))
        world = World({1: drone(60_000.0, 0.0), 2: drone(70_000.0, -10_000.0)})
        world.run(stage, 3_000.0, seed=seed)
        return [(e.t_s, e.kind.value, e.message) for e in world.events]

    assert events(5) == events(5)


def test_a_ground_gun_engages_when_the_track_enters_its_envelope() -> None:
    gun = DefenceUnit(name="Gun", type="gepard-35mm", at=[52.0, 21.0])
    stage = ResponseStage(deployment([gun, QRA]), load_policy("layered"))
    world = World({1: drone(20_000.0, 500.0)})
    world.run(stage, 600.0)
    fired = [e for e in world.events if e.kind == EventKind.SHOT_FIRED]
    # Layered: the gun first, so no fighter scrambles for a drone flying over it.
    assert EventKind.SCRAMBLED not in world.kinds()
    assert fired and {e.subject for e in fired} == {"Gun"}
    gepard_range_m = stage.forces.weapons[0].max_range_m
    first_x = 20_000.0 - 50.0 * fired[0].t_s
    assert np.hypot(first_x, 500.0) <= gepard_range_m + 50.0 * BATCH_S


def test_a_shot_whose_miss_would_fall_on_a_village_is_held_by_that_rule() -> None:
    gun = DefenceUnit(name="Gun", type="gepard-35mm", at=[52.0, 21.0])

    def run(areas: list[NoEngagementArea]) -> tuple[ResponseStage, World]:
        stage = ResponseStage(deployment([gun], areas), load_policy("layered"))
        world = World({1: drone(20_000.0, 500.0)})
        world.run(stage, 600.0)
        return stage, world

    stage, world = run([])
    first = world.shots[0]
    # Where that burst would have come down had it missed, and a village there.
    miss = miss_debris_point(
        first.shooter_m, first.aim_m, stage.forces.weapons[0], stage.radius_m, stage.origin_alt_m
    )[0]
    assert np.hypot(*(miss - np.array(first.debris_m))) > 600.0  # the target's falls elsewhere
    lat, lon, _ = deployment([gun]).frame.enu_to_geodetic(np.array([*miss, 0.0]))
    village = NoEngagementArea(name="Village", at=[float(lat), float(lon)], radius_m=300.0)
    _, held = run([village])
    withheld = [e for e in held.events if e.kind == EventKind.SHOT_WITHHELD]
    assert withheld and withheld[0].data["rule"] == "miss-debris"
    assert withheld[0].data["reason"] == "debris would fall on Village if the shot missed"


def test_only_a_fighter_goes_after_a_track_coasting_longer_than_the_rules_allow() -> None:
    gun = DefenceUnit(name="Gun", type="gepard-35mm", at=[52.0, 21.0])

    def events(unit: DefenceUnit, policy: str, max_track_age_s: float | None) -> list[Event]:
        defence = Defence(units=[unit], max_track_age_s=max_track_age_s)
        origin = Origin(lat=52.0, lon=21.0)
        where = Deployment(name="t", start=START, origin=origin, defence=defence)
        stage = ResponseStage(where, load_policy(policy))
        # The track's last plot comes 100 s before the drone reaches the gun's 4 km reach;
        # the fighters are airborne 15 min after the scramble.
        world = World({1: drone(20_000.0, 500.0)}, silent_from_s=220.0)
        world.run(stage, 1_200.0)
        return world.events

    def of_kind(events: list[Event], kind: EventKind) -> list[Event]:
        return [e for e in events if e.kind == kind]

    # the gun, which can only wait for the sensors, is planned on nothing: no shot, no hold
    by_gun = events(gun, "layered", 20.0)
    assert not of_kind(by_gun, EventKind.SHOT_FIRED)
    assert not of_kind(by_gun, EventKind.SHOT_WITHHELD)
    assert of_kind(events(gun, "layered", None), EventKind.SHOT_FIRED)
    # fighters fly on to the track; there the rules hold their fire
    by_fighters = events(QRA, "fighters-only", 20.0)
    assert of_kind(by_fighters, EventKind.SCRAMBLED)
    assert not of_kind(by_fighters, EventKind.SHOT_FIRED)
    withheld = of_kind(by_fighters, EventKind.SHOT_WITHHELD)
    assert withheld and {e.data["rule"] for e in withheld} == {"stale-track"}
    assert withheld[0].data["reason"] == "track not updated within 20 s"
    assert of_kind(events(QRA, "fighters-only", None), EventKind.SHOT_FIRED)


def test_a_gun_is_not_fired_at_night() -> None:
    gun_only = {
        "label": "a fighter with its gun alone",
        "kind": "fighter",
        "readiness_s": 60.0,
        "speed_mps": 250.0,
        "climb_mps": 150.0,
        "endurance_s": 7_200.0,
        "loadout": {"m61-20mm": 5},
    }
    unit = DefenceUnit(name="Gunner", type="gun-only", at=[52.0, 21.0])

    def shots(start: datetime) -> list[Shot]:
        defence = Defence(units=[unit], catalogue={"effectors": {"gun-only": gun_only}})
        stage = ResponseStage(
            Deployment(name="t", start=start, origin=Origin(lat=52.0, lon=21.0), defence=defence),
            load_policy("fighters-only"),
        )
        world = World({1: drone(20_000.0, 0.0)})
        world.run(stage, 900.0)
        return world.shots

    assert not shots(START)  # midnight UTC
    fired = shots(START.replace(hour=10))
    assert fired and {s.weapon for s in fired} == {"m61-20mm"}


def test_no_shot_from_farther_than_the_aircraft_holds_the_target() -> None:
    stage = ResponseStage(deployment([QRA]), load_policy("fighters-only"))
    world = World({1: drone(60_000.0, 0.0), 2: drone(90_000.0, 30_000.0)})
    world.run(stage, 2 * 3_600.0, seed=4)
    assert world.shots
    forces = stage.forces
    for shot in world.shots:
        p, v = world.drones[shot.track_id]
        at_m = p + v * shot.t_s
        k = forces.weapon_keys.index(shot.weapon)
        held_m = forces.reach_m[0, k, TARGET_CATEGORIES.index("decoy")]
        # The track is as of the window's end, where the shot is fired.
        assert np.linalg.norm(at_m - np.array(shot.shooter_m)) <= held_m + 1.0


def test_a_launcher_firing_faster_than_the_windows_keeps_its_own_rate() -> None:
    # A NASAMS launcher (a shot every 3 s, six missiles) against six cruise missiles
    # already inside its envelope: windows of 5 s must not slow it to one shot a window.
    nasams = DefenceUnit(name="Launcher", type="nasams", at=[52.0, 21.0])
    stage = ResponseStage(deployment([nasams]), load_policy("missiles-for-missiles"))
    missiles = {i: drone(18_000.0, 2_000.0 * (i - 3), vx_mps=-20.0) for i in range(6)}
    world = World(missiles, category="cruise-missile", threat_score=10.0)
    world.run(stage, 60.0)
    times = np.array([s.t_s for s in world.shots])
    interval_s = stage.forces.interval_s[0]
    assert len(times) == 6 and len({s.track_id for s in world.shots}) == 6
    _, per_window = np.unique(times, return_counts=True)
    assert per_window.max() == 2  # two shots in some windows, never more than 5 s allow
    # Each shot is counted from when it came due, 3 s after the last one counted, and
    # leaves at the end of that window: n shots take 3 n s, give or take a window.
    for i in range(len(times)):
        for j in range(i + 1, len(times)):
            assert (j - i) * interval_s < times[j] - times[i] + BATCH_S
    assert times[-1] - times[0] <= 5 * interval_s + BATCH_S


def test_a_target_still_flying_after_its_kill_is_engaged_again() -> None:
    gun = DefenceUnit(name="Gun", type="gepard-35mm", at=[52.0, 21.0])
    world = World({1: drone(4_000.0, 500.0, vx_mps=-10.0)}, missed_by_kills={1})
    stage = ResponseStage(deployment([gun]), load_policy("layered"))
    world.run(stage, 300.0, seed=2)
    destroyed = [e for e in world.events if e.kind == EventKind.TARGET_DESTROYED]
    survived = [e for e in world.events if e.kind == EventKind.TARGET_SURVIVED]
    assert destroyed and survived and all(e.track_id == 1 for e in survived)
    # Plots go on updating the track: two windows after the kill's it is flying again,
    # and the gun fires at it again.
    first_kill_window = np.ceil(destroyed[0].t_s / BATCH_S) * BATCH_S
    assert survived[0].t_s == first_kill_window + 2 * BATCH_S
    assert any(shot.t_s >= survived[0].t_s for shot in world.shots)
    assert "still flying" in survived[0].message


def test_a_destroyed_target_is_not_engaged_again() -> None:
    gun = DefenceUnit(name="Gun", type="gepard-35mm", at=[52.0, 21.0])
    world = World({1: drone(4_000.0, 500.0, vx_mps=-10.0)})
    stage = ResponseStage(deployment([gun]), load_policy("layered"))
    world.run(stage, 300.0, seed=2)
    (destroyed,) = [e for e in world.events if e.kind == EventKind.TARGET_DESTROYED]
    assert EventKind.TARGET_SURVIVED not in world.kinds()
    assert all(shot.t_s <= destroyed.t_s for shot in world.shots)


def test_the_targets_uncertainty_at_impact_grows_with_the_flight_time() -> None:
    tracks = track_batch(5.0, [(1, (0.0, 0.0, 500.0), (50.0, 0.0, 0.0))], sigma_m=10.0)
    # Position 10 m and velocity 10 m/s on each axis: 200 m^2 + t^2 200 (m/s)^2.
    assert np.isclose(impact_sigma_m(tracks, 0, 0.0)[0], np.sqrt(200.0))
    assert np.isclose(impact_sigma_m(tracks, 0, 20.0)[0], np.sqrt(200.0 * (1 + 400.0)))


def test_a_shot_keeps_how_uncertain_its_targets_position_at_impact_was() -> None:
    gun = DefenceUnit(name="Gun", type="gepard-35mm", at=[52.0, 21.0])
    stage = ResponseStage(deployment([gun]), load_policy("layered"))
    world = World({1: drone(4_000.0, 500.0, vx_mps=-10.0)})
    rng = np.random.default_rng(2)
    for index in range(20):
        picture = world.picture(index)
        shots = stage.step(picture, picture.now_s, rng).response.shots
        if shots:
            break
    (shot,) = shots
    (flight,) = stage.shots.flights
    flight_s = shot.impact_t_s - shot.t_s
    # What a kill's radius reaches if the track is gone when the shot resolves.
    assert flight.aim_sigma_m == impact_sigma_m(picture.tracks, 0, flight_s)[0]


def test_debris_sigmas_hold_fire_near_a_village_the_debris_may_reach() -> None:
    gun = DefenceUnit(name="Gun", type="gepard-35mm", at=[52.0, 21.0])
    lat, lon, _ = deployment([gun]).frame.enu_to_geodetic(np.array([3_000.0, 1_700.0, 0.0]))
    village = NoEngagementArea(name="Village", at=[float(lat), float(lon)], radius_m=500.0)

    def shots(sigmas: float) -> list[Shot]:
        defence = Defence(
            units=[gun], no_engagement=NoEngagement(areas=[village], debris_sigmas=sigmas)
        )
        unit = Deployment(name="t", start=START, origin=Origin(lat=52.0, lon=21.0), defence=defence)
        stage = ResponseStage(unit, load_policy("layered"))
        world = World({1: drone(4_000.0, 500.0, vx_mps=-10.0)})
        world.run(stage, 120.0, seed=2)
        return world.shots

    # The first shot's debris falls 1.4 km from the village's centre, 0.9 km from its edge:
    # clear of it, but not by 3 sigma (1.7 km) of a track known to 100 m and 100 m/s on
    # each axis, 4 s of flight away.
    assert shots(0.0)
    assert not shots(3.0)


def fighter_heights_m(world: World, stage: ResponseStage) -> np.ndarray:
    """Heights above the earth (m) of every fighter shown, window by window."""
    rows = [
        (o.x_m[k], o.y_m[k], o.z_m[k])
        for o in world.own
        for k in range(len(o))
        if o.kind[k] == "fighter"
    ]
    points = np.array(rows, float).reshape(-1, 3)
    return ground_height_m(points, stage.radius_m, stage.origin_alt_m)


@pytest.mark.parametrize("z_m", [500.0, -200.0])
def test_fighters_fly_at_their_tracks_height_and_never_below_the_floor(z_m: float) -> None:
    stage = ResponseStage(deployment([QRA]), load_policy("fighters-only"))
    position, velocity = drone(60_000.0, 0.0)
    position[2] = z_m
    # The track's vertical speed is 10 m/s off: over the 900 s to the intercept, 9 km.
    world = World({1: (position, velocity)}, vz_error_mps=10.0)
    seconds = BATCH_S + 900.0 + 30.0
    world.run(stage, seconds)
    heights = fighter_heights_m(world, stage)
    assert len(heights) == 14  # two aircraft, 7 windows from take-off
    last = world.picture(int(seconds / BATCH_S) - 1).tracks
    at = np.column_stack((last.x_m, last.y_m, last.z_m))
    track_height = ground_height_m(at, stage.radius_m, stage.origin_alt_m)[0]
    floor = stage.forces.settings.min_height_m
    goal = max(track_height, floor)
    # climbing at 150 m/s, they reach the track's height (or the floor) in seconds and
    # hold it, rather than climbing toward where its vertical speed would take it
    assert heights.max() <= goal + 10.0
    assert np.allclose(heights[-2:], goal, atol=3.0)
