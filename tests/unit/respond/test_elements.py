"""Fighters as flown on quick-reaction alert: a pair takes one target at a time and flies
home together; an F-35 pair fires its AIM-9Xs at drones before its AIM-120s; a pilot
fires only at what he has identified by sight; a pair fires at most its doctrine's shots
at one target in a sortie."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from pydantic import ValidationError
from respond_units import FIGHTER, MISSILE
from test_planner import RADIUS_M, ROE, spec, targets_at

from flankwatch.events import EventKind
from flankwatch.respond.catalogue import (
    TARGET_CATEGORIES,
    EffectorType,
    builtin_catalogue,
)
from flankwatch.respond.forces import Forces
from flankwatch.respond.planner import Planner, PlannerSettings
from flankwatch.respond.policy import load_policy
from flankwatch.respond.units import IdCounter, Phase, UnitSpec

PAIR = FIGHTER.model_copy(update={"label": "test pair", "loadout": {"m": 1}, "element_size": 2})


def pair(count: int = 2) -> Forces:
    unit = UnitSpec("Base", "pair", PAIR, {"m": MISSILE}, (0.0, 0.0, 0.0), count)
    f = Forces([unit], IdCounter())
    f.update(0.0)
    return f


def airborne(f: Forces, target: int = 7) -> None:
    for p in range(len(f)):
        f.order(p, target, "decoy", 0.0)
    f.update(PAIR.readiness_s)
    assert (f.phase == Phase.ENGAGING).all()


def planner(*units: UnitSpec) -> Planner:
    forces = Forces(units, IdCounter())
    forces.update(0.0)
    return Planner(load_policy("fighters-only"), forces, ROE, RADIUS_M, 0.0, PlannerSettings())


def as_single(key: str) -> UnitSpec:
    """Two aircraft of ``key`` that each act alone (element size 1)."""
    catalogue = builtin_catalogue()
    effector = catalogue.effectors[key].model_copy(update={"element_size": 1})
    return UnitSpec("Solo", key, effector, catalogue.weapons_of(key), (0.0, 0.0, 0.0), 2)


def test_aircraft_of_a_unit_form_elements_of_the_types_size() -> None:
    f = Forces(
        [
            UnitSpec("A", "pair", PAIR, {"m": MISSILE}, (0.0, 0.0, 0.0), 3),
            UnitSpec("B", "pair", PAIR, {"m": MISSILE}, (0.0, 0.0, 0.0), 2),
        ],
        IdCounter(),
    )
    assert list(f.element) == [0, 0, 2, 3, 3]
    assert list(f.mates(0)) == [1] and list(f.mates(2)) == [] and list(f.mates(4)) == [3]


def test_a_pair_takes_one_target_and_both_aircraft_the_same() -> None:
    two = targets_at((100_000.0, 0.0, 500.0), (100_000.0, 40_000.0, 500.0))
    plan = planner(spec("QRA", "f16-qra", count=2)).plan(two, 0.0)
    targeted = np.flatnonzero(plan.counts.sum(axis=0) > 0)
    assert len(targeted) == 1
    first = plan.first_targets(2)
    assert first[0] == first[1] == targeted[0]
    # The same two aircraft acting alone go after both.
    alone = planner(as_single("f16-qra")).plan(two, 0.0)
    assert (alone.counts.sum(axis=0) > 0).all()


def test_two_pairs_take_two_targets() -> None:
    two = targets_at((100_000.0, 0.0, 500.0), (100_000.0, 40_000.0, 500.0))
    p = planner(spec("North", "f16-qra", count=2), spec("South", "f16-qra", count=2))
    plan = p.plan(two, 0.0)
    first = plan.first_targets(4)
    assert first[0] == first[1] and first[2] == first[3]
    assert {int(first[0]), int(first[2])} == {0, 1}


def test_a_member_with_weapons_spent_supports_its_armed_mate() -> None:
    f = pair()
    airborne(f)
    f.target[1] = 9
    f.goal_m[1] = (5_000.0, 6_000.0, 500.0)
    events = f.fire(0, 0, 700.0)
    assert "support" in events[0].message
    assert f.phase[0] == Phase.ENGAGING and not f.available(700.0)[0]
    f.update(705.0)
    assert f.target[0] == 9
    assert np.allclose(f.goal_m[0], f.goal_m[1])
    # The mate's last shot sends the element home together.
    f.fire(1, 0, 710.0)
    assert (f.phase == Phase.RETURNING).all()


def test_an_aircraft_sent_home_takes_its_element_along() -> None:
    f = pair(3)
    airborne(f)
    f.update(PAIR.endurance_s)  # fuel for the way home only
    assert (f.phase == Phase.RETURNING).all()
    g = pair(3)
    airborne(g)
    g._send_home(1, "test")
    assert list(g.phase) == [Phase.RETURNING, Phase.RETURNING, Phase.ENGAGING]


def f35_plan(category: str, aim9x_left: int) -> tuple[Planner, np.ndarray, np.ndarray]:
    p = planner(spec("NL", "f35a-qra", count=2))
    keys = p.forces.weapon_keys
    p.forces.ammo[:, keys.index("aim-9x")] = aim9x_left
    target = targets_at((60_000.0, 0.0, 500.0))
    target = replace(target, category=np.full(1, category, object))
    plan = p.plan(target, 0.0)
    used = {keys[int(k)] for k in plan.weapon[plan.counts[:, 0] > 0]}
    return p, plan.counts, np.array(sorted(used))


@pytest.mark.parametrize("category", ["decoy", "one-way-attack-drone"])
def test_an_f35_pair_fires_aim9x_at_drones_while_it_holds_one(category: str) -> None:
    _, _, used = f35_plan(category, aim9x_left=1)
    assert list(used) == ["aim-9x"]
    _, _, used = f35_plan(category, aim9x_left=0)
    assert list(used) == ["aim-120c7"]


def test_an_f35_pair_has_no_preference_against_a_cruise_missile() -> None:
    _, _, used = f35_plan("cruise-missile", aim9x_left=2)
    assert "aim-120c7" in used


def test_the_f16_pair_keeps_both_missiles_against_drones() -> None:
    p = planner(spec("QRA", "f16-qra", count=2))
    plan = p.plan(targets_at((60_000.0, 0.0, 500.0)), 0.0)
    keys = p.forces.weapon_keys
    used = {keys[int(k)] for k in plan.weapon[plan.counts[:, 0] > 0]}
    assert {"aim-120c7", "aim-9x"} <= used


def test_the_catalogue_refuses_bad_elements_and_preferences() -> None:
    base = PAIR.model_dump()
    with pytest.raises(ValidationError, match="preferred_weapons"):
        EffectorType(**{**base, "preferred_weapons": {"decoy": ["nothing"]}})
    with pytest.raises(ValidationError, match="element"):
        EffectorType(**{**base, "kind": "ground", "speed_mps": 0.0, "element_size": 2})
    assert EffectorType(**{**base, "preferred_weapons": {"decoy": ["m"]}}).preferred("decoy") == [
        "m"
    ]


def test_a_pilot_fires_only_within_his_identification_range() -> None:
    # The same decoy, the same F-16: with the rule, every weapon waits until the pilot
    # has identified it (3 km), even the AIM-120 its radar could fire from 10 km.
    catalogue = builtin_catalogue()
    f16 = catalogue.effectors["f16-qra"]
    weapons = catalogue.weapons_of("f16-qra")
    keys = sorted(weapons)
    ruled = Forces([UnitSpec("QRA", "f16-qra", f16, weapons, (0.0, 0.0, 0.0))], IdCounter())
    free = f16.model_copy(update={"identification_range_m": {}})
    unruled = Forces([UnitSpec("QRA", "f16-qra", free, weapons, (0.0, 0.0, 0.0))], IdCounter())
    decoy = TARGET_CATEGORIES.index("decoy")
    aim120 = keys.index("aim-120c7")
    assert f16.identification_m("decoy") < f16.acquisition_m("decoy")
    assert ruled.reach_m[0, aim120, decoy] == f16.identification_m("decoy")
    assert unruled.reach_m[0, aim120, decoy] == f16.acquisition_m("decoy")
    assert (ruled.reach_m <= unruled.reach_m).all()


DOCTRINE = PAIR.model_copy(update={"loadout": {"m": 4}, "max_shots_per_target": 2})


def doctrine_pairs(effector: EffectorType = DOCTRINE) -> Forces:
    """Two airborne pairs of ``effector`` (rows 0-1 and 2-3), all after track 7."""
    f = Forces(
        [UnitSpec("Base", "pair", effector, {"m": MISSILE}, (0.0, 0.0, 0.0), 4)], IdCounter()
    )
    f.update(0.0)
    airborne(f)
    return f


def test_a_pair_counts_its_shots_at_a_target_and_leaves_it_at_its_doctrines_most() -> None:
    f = doctrine_pairs()
    assert f.count_shot(0, 7, 700.0) == []
    assert not f.spent_on(np.arange(4), np.array([7])).any()
    left = f.count_shot(1, 7, 705.0)  # the mate's shot counts for the element
    assert [e.kind for e in left] == [EventKind.TARGET_LEFT]
    assert left[0].track_id == 7 and left[0].data == {"callsign": "Base 2", "shots": 2}
    f.count_shot(2, 9, 705.0)
    spent = f.spent_on(np.arange(4), np.array([9, 7, 8]))
    assert spent.tolist() == [[False, True, False]] * 2 + [[False, False, False]] * 2


def test_a_pairs_count_starts_again_after_landing() -> None:
    f = doctrine_pairs()
    f.count_shot(0, 7, 700.0)
    f.count_shot(1, 7, 705.0)
    f._send_home(0, "test")
    f.update(PAIR.readiness_s + 5.0)  # still over its base: it lands at once
    assert list(f.phase[:2]) == [Phase.REARMING] * 2
    assert not f.spent_on(np.arange(4), np.array([7])).any()


def test_without_a_doctrine_only_the_magazine_limits_the_shots_at_one_target() -> None:
    f = doctrine_pairs(PAIR.model_copy(update={"loadout": {"m": 4}}))
    assert all(f.count_shot(p % 2, 7, 700.0) == [] for p in range(8))
    assert not f.spent_on(np.arange(4), np.array([7])).any()


def test_the_planner_leaves_a_target_to_the_pair_that_has_shots_left_for_it() -> None:
    one = targets_at((100_000.0, 0.0, 500.0))
    p = planner(spec("QRA", "f16-qra", count=4))
    assert list(p.forces.max_shots) == [2] * 4
    before = p.plan(one, 0.0).first_targets(4)
    assert (before == 0).all()  # with no cost weighed, both pairs go after it
    p.forces.count_shot(0, 1, 0.0)
    p.forces.count_shot(1, 1, 0.0)
    after = p.plan(one, 0.0).first_targets(4)
    assert list(after) == [-1, -1, 0, 0]
