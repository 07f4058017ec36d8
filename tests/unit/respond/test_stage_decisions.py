"""The response stage and operator decisions: vetoed tracks are not engaged; with
``operator_approval``, shots wait for an approval."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import numpy as np
from test_stage import QRA, World, deployment, drone

from flankwatch.deployment import Deployment
from flankwatch.events import EventKind
from flankwatch.loop import Picture
from flankwatch.respond.policy import load_policy
from flankwatch.respond.stage import AWAITING_APPROVAL, ResponseStage
from flankwatch.scenario.defence import DefenceUnit

GUN = DefenceUnit(name="gun", type="skynex", at=[52.0, 21.0], count=1)
"""A 35 mm gun at the origin: on alert at once, reach about 4 km (fired by day only)."""


@dataclass
class DecidedWorld(World):
    """The world of the response tests, with operators' vetoes and approvals on every
    picture (``approved_from_s``: track -> time of its approval, s)."""

    vetoed: frozenset[int] = frozenset()
    approved_from_s: dict[int, float] = field(default_factory=dict)

    def picture(self, index: int) -> Picture:
        picture = super().picture(index)
        approved = frozenset(t for t, at in self.approved_from_s.items() if picture.now_s >= at)
        return picture.but(vetoed=self.vetoed, approved=approved)


def needing_approval(units: list[DefenceUnit]) -> Deployment:
    plain = deployment(units)
    assert plain.defence is not None
    defence = plain.defence.model_copy(update={"operator_approval": True})
    return plain.model_copy(update={"defence": defence})


def by_day(plain: Deployment) -> Deployment:
    """``plain`` starting at noon (UTC), when guns fire."""
    return plain.model_copy(update={"start": plain.start + timedelta(hours=12)})


def fired_at(world: World) -> set[int]:
    return {shot.track_id for shot in world.shots}


def test_a_vetoed_track_gets_no_fighter_and_no_shot_the_other_is_shot_down() -> None:
    stage = ResponseStage(deployment([QRA]), load_policy("fighters-only"))
    world = DecidedWorld(
        {1: drone(30_000.0, 0.0), 2: drone(30_000.0, 5_000.0)}, vetoed=frozenset({1})
    )
    world.run(stage, 1_800.0, seed=3)  # with this seed one of the two shots kills
    scrambled = [e for e in world.events if e.kind == EventKind.SCRAMBLED]
    assert scrambled and {e.track_id for e in scrambled} == {2}
    assert fired_at(world) == {2} and world.killed == {2}


def test_without_approval_the_fighters_go_up_but_hold_fire() -> None:
    stage = ResponseStage(needing_approval([QRA]), load_policy("fighters-only"))
    world = DecidedWorld({1: drone(30_000.0, 0.0)})
    world.run(stage, 1_200.0)
    assert EventKind.SCRAMBLED in world.kinds()
    assert world.shots == [] and world.killed == set()
    held = [e for e in world.events if e.kind == EventKind.SHOT_WITHHELD]
    assert held and all(e.data["reason"] == AWAITING_APPROVAL for e in held)
    assert all(e.data["rule"] == "approval" for e in held)
    # One event per platform and reason, not one per window.
    assert len(held) == len({e.data["callsign"] for e in held})


def test_an_approval_releases_the_shots_at_that_track_only() -> None:
    stage = ResponseStage(by_day(needing_approval([GUN])), load_policy("layered"))
    approved_s = 120.0
    world = DecidedWorld(
        {1: drone(8_000.0, 500.0), 2: drone(8_500.0, -500.0)}, approved_from_s={1: approved_s}
    )
    world.run(stage, 600.0, seed=5)
    assert fired_at(world) == {1} and 1 in world.killed
    assert min(shot.t_s for shot in world.shots) >= approved_s
    held = [e for e in world.events if e.kind == EventKind.SHOT_WITHHELD]
    assert {e.track_id for e in held} == {1, 2}
    assert all(e.data["reason"] == AWAITING_APPROVAL for e in held)
    assert all(e.t_s < approved_s for e in held if e.track_id == 1)


def test_approval_is_only_recorded_when_the_defence_does_not_ask_for_it() -> None:
    gun = by_day(deployment([GUN]))
    shots = []
    for approved in ({}, {1: 0.0}):
        world = DecidedWorld({1: drone(8_000.0, 500.0)}, approved_from_s=approved)
        world.run(ResponseStage(gun, load_policy("layered")), 600.0, seed=5)
        shots.append([(s.t_s, s.track_id) for s in world.shots])
    assert shots[0] and shots[0] == shots[1]


def test_a_vetoed_track_is_never_fired_at_by_a_ground_gun() -> None:
    vetoed = DecidedWorld({1: drone(8_000.0, 500.0)}, vetoed=frozenset({1}))
    free = DecidedWorld({1: drone(8_000.0, 500.0)})
    for world in (vetoed, free):
        world.run(ResponseStage(by_day(deployment([GUN])), load_policy("layered")), 600.0, seed=5)
    assert fired_at(free) == {1} and fired_at(vetoed) == set()
    assert np.all([e.kind != EventKind.SHOT_WITHHELD for e in vetoed.events])
