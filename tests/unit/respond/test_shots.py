"""Shots in flight: position, resolution by kill probability, kills, misses and debris."""

from __future__ import annotations

import numpy as np
from respond_tracks import track_batch

from flankwatch.events import EventKind
from flankwatch.respond.shots import Flight, ShotsInFlight, own_force_rows
from flankwatch.respond.step import Shot


def ground_below(position_m: np.ndarray, velocity_mps: np.ndarray) -> np.ndarray:
    """Debris falls 1 km ahead of where the target was killed (a test model)."""
    return position_m[:, :2] + 1_000.0 * np.sign(velocity_mps[:, :2])


def west_is_town(points_m: np.ndarray) -> np.ndarray:
    return np.where(points_m[:, 0] < 0.0, "Town", "").astype(object)


def flight(
    shot_id: int,
    track_id: int = 1,
    pk: float = 0.5,
    t_s: float = 0.0,
    impact_t_s: float = 10.0,
    kind: str = "missile",
    object_id: int = 1_000_000,
    aim_sigma_m: float = 0.0,
) -> Flight:
    shot = Shot(
        t_s=t_s,
        shot_id=shot_id,
        unit="Base",
        effector="fighter",
        weapon="m",
        track_id=track_id,
        category="decoy",
        cost_eur=1000.0,
        shooter_m=(0.0, 0.0, 1_000.0),
        aim_m=(8_000.0, 0.0, 1_000.0),
        impact_t_s=impact_t_s,
        debris_m=(9_000.0, 0.0),
    )
    return Flight(
        shot,
        pk,
        kind,
        False,
        (50.0, 0.0, 0.0),
        (-2_000.0, 0.0),
        object_id,
        f"Base/{shot_id}",
        aim_sigma_m,
    )


def book() -> ShotsInFlight:
    return ShotsInFlight(ground_below, west_is_town, min_kill_radius_m=300.0)


def test_a_shot_resolves_at_impact_and_a_kill_ends_the_track_where_it_will_be() -> None:
    shots = book()
    shots.add(flight(0, pk=1.0, impact_t_s=12.0))
    tracks = track_batch(15.0, [(1, (8_150.0, 0.0, 1_000.0), (50.0, 0.0, 0.0))], sigma_m=200.0)
    early = shots.resolve(10.0, np.random.default_rng(0), tracks, set())
    assert early.outcomes == () and len(shots) == 1
    done = shots.resolve(15.0, np.random.default_rng(0), tracks, set())
    assert len(shots) == 0
    (outcome,) = done.outcomes
    assert outcome.kill and outcome.t_s == 12.0 and outcome.no_engagement_area == ""
    (kill,) = done.kills
    # The track predicted back to the impact time: 3 s earlier at 50 m/s.
    assert (kill.t_s, kill.track_id, kill.x_m, kill.z_m) == (12.0, 1, 8_000.0, 1_000.0)
    assert np.isclose(kill.radius_m, 3.0 * np.sqrt(3.0) * 200.0)
    assert outcome.debris_m == (9_000.0, 0.0)
    assert [e.kind for e in done.events] == [EventKind.TARGET_DESTROYED]
    assert done.events[0].data["weapon"] == "m"


def test_a_miss_leaves_the_weapons_debris_and_names_its_area() -> None:
    shots = book()
    shots.add(flight(0, pk=0.0))
    done = shots.resolve(10.0, np.random.default_rng(0), track_batch(10.0, []), set())
    (outcome,) = done.outcomes
    assert not outcome.kill and done.kills == ()
    assert outcome.debris_m == (-2_000.0, 0.0) and outcome.no_engagement_area == "Town"
    assert [e.kind for e in done.events] == [EventKind.SHOT_MISSED]
    assert "Town" in done.events[0].message


def test_a_kill_of_a_vanished_track_uses_the_aim_point_and_the_least_radius() -> None:
    shots = book()
    shots.add(flight(0, pk=1.0))
    done = shots.resolve(10.0, np.random.default_rng(0), track_batch(10.0, []), set())
    (kill,) = done.kills
    assert (kill.x_m, kill.y_m, kill.radius_m) == (8_000.0, 0.0, 300.0)


def test_a_kill_of_a_vanished_track_reaches_as_far_as_the_target_was_uncertain() -> None:
    # A long flight at a target whose velocity was known to some m/s: the weapon met it
    # wherever it was, within three standard deviations of the aim point.
    shots = book()
    shots.add(flight(0, pk=1.0, aim_sigma_m=800.0))
    done = shots.resolve(10.0, np.random.default_rng(0), track_batch(10.0, []), set())
    (kill,) = done.kills
    assert (kill.x_m, kill.y_m, kill.radius_m) == (8_000.0, 0.0, 2_400.0)


def test_a_second_shot_at_a_destroyed_target_misses() -> None:
    shots = book()
    shots.add(flight(0, pk=1.0, impact_t_s=9.0))
    shots.add(flight(1, pk=1.0, impact_t_s=10.0))
    done = shots.resolve(10.0, np.random.default_rng(0), track_batch(10.0, []), set())
    assert [o.kill for o in done.outcomes] == [True, False]
    assert "already destroyed" in done.events[1].message


def test_a_shot_at_a_track_killed_before_misses() -> None:
    shots = book()
    shots.add(flight(0, pk=1.0))
    done = shots.resolve(10.0, np.random.default_rng(0), track_batch(10.0, []), {1})
    assert [o.kill for o in done.outcomes] == [False] and done.kills == ()
    assert "already destroyed" in done.events[0].message


def test_kills_follow_the_kill_probability_and_the_seed() -> None:
    def kills(seed: int) -> list[bool]:
        shots = book()
        for k in range(2_000):
            shots.add(flight(k, track_id=k, pk=0.3))
        done = shots.resolve(10.0, np.random.default_rng(seed), track_batch(10.0, []), set())
        return [o.kill for o in done.outcomes]

    first = kills(1)
    assert 0.26 < np.mean(first) < 0.34
    assert kills(1) == first and kills(2) != first


def test_missiles_and_drones_in_flight_are_own_forces_gun_bursts_are_not() -> None:
    shots = book()
    shots.add(flight(0, kind="missile", object_id=1_000_000))
    shots.add(flight(1, kind="drone", object_id=1_000_001))
    shots.add(flight(2, kind="gun", object_id=-1))
    flying = shots.in_flight(5.0)
    rows = own_force_rows(flying, 5.0)
    assert [(r[0], r[1]) for r in rows] == [
        (1_000_000, "missile"),
        (1_000_001, "interceptor-drone"),
    ]
    assert np.allclose(rows[0][3], (4_000.0, 0.0, 1_000.0))
    assert np.allclose(rows[0][4], (800.0, 0.0, 0.0))
    assert shots.in_flight(10.0) == []
