"""The effector catalogue: built-in figures, derived costs, and refusals naming the field."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from flankwatch.assess.assessment import CATEGORIES
from flankwatch.respond.catalogue import (
    TARGET_CATEGORIES,
    USD_TO_EUR,
    CatalogueError,
    EffectorCatalogue,
    EffectorType,
    WeaponType,
    builtin_catalogue,
    effector_catalogue,
)

MISSILE: dict[str, Any] = {
    "label": "test missile",
    "kind": "missile",
    "cost_eur": 1000.0,
    "max_range_m": 10_000.0,
    "max_alt_m": 5_000.0,
    "speed_mps": 500.0,
    "kill_prob": {"decoy": 0.5},
}


def _fault(model: type, data: dict[str, Any]) -> str:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data)
    return str(caught.value)


def test_target_classes_are_the_assessments() -> None:
    assert TARGET_CATEGORIES == CATEGORIES


def test_the_builtin_catalogue_holds_the_required_types() -> None:
    catalogue = builtin_catalogue()
    for key in (
        "f16-qra",
        "f35a-qra",
        "aew",
        "tanker",
        "patriot-pac3",
        "nasams",
        "camm-launcher",
        "gepard-35mm",
        "skynex",
        "interceptor-drone-team",
        "jammer",
    ):
        assert key in catalogue.effectors
    assert set(catalogue.weapons_of("f16-qra")) == {"aim-120c7", "aim-9x", "m61-20mm"}
    assert catalogue.effectors["aew"].loadout == {}
    assert catalogue.faults() == []


def test_builtin_figures_follow_the_public_record() -> None:
    weapons = builtin_catalogue().weapons
    assert weapons["aim-9x"].cost_eur == 400_000
    assert weapons["aim-120c7"].cost_eur == pytest.approx(2_000_000 * USD_TO_EUR)
    assert weapons["pac-3-mse"].cost_eur == pytest.approx(4_000_000 * USD_TO_EUR)
    gun = weapons["ahead-35mm"]
    assert gun.cost_per_round_eur == 560
    assert gun.cost_eur == pytest.approx(560 * gun.rounds_per_shot)
    assert weapons["interceptor-drone"].pk("one-way-attack-drone") == 0.68
    assert weapons["jammer-burst"].soft_kill


def test_every_entry_says_what_is_assumed_or_sourced() -> None:
    catalogue = builtin_catalogue()
    entries = [*catalogue.weapons.values(), *catalogue.effectors.values()]
    for entry in entries:
        assert entry.sources or entry.assumed, entry.label
    for weapon in catalogue.weapons.values():
        if weapon.kind != "drone":  # the interceptor drone's 68 % is the one sourced figure
            assert "kill_prob" in weapon.assumed, weapon.label


def test_a_class_not_listed_cannot_be_engaged() -> None:
    weapon = WeaponType.model_validate(MISSILE)
    assert weapon.pk("decoy") == 0.5
    assert weapon.pk("ballistic-missile") == 0.0


def test_cost_is_derived_from_usd_or_rounds() -> None:
    base = {k: v for k, v in MISSILE.items() if k != "cost_eur"}
    assert WeaponType.model_validate({**base, "cost_usd": 100.0}).cost_eur == pytest.approx(
        100.0 * USD_TO_EUR
    )
    gun = WeaponType.model_validate(
        {**base, "kind": "gun", "rounds_per_shot": 7, "cost_per_round_eur": 3.0}
    )
    assert gun.cost_eur == 21.0
    assert "cost_eur" in _fault(WeaponType, base)
    assert "disagrees" in _fault(WeaponType, {**MISSILE, "cost_usd": 5_000.0})


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"kill_prob": {"decoy": 1.5}}, "kill_prob.decoy"),
        ({"kill_prob": {"balloon": 0.5}}, "kill_prob.balloon"),
        ({"min_range_m": 20_000.0}, "must be less than max_range_m"),
        ({"min_alt_m": 6_000.0}, "must be less than max_alt_m"),
        ({"speed_mps": 100_000.0}, "at most"),
        ({"soft_kill": True}, "soft_kill"),
        ({"max_range_m": float("nan")}, "max_range_m"),
        ({"assumed": ["colour"]}, "colour"),
        ({"range": 3}, "range"),
        ({"seeker_range_m": {"decoy": 0.0}}, "seeker_range_m.decoy"),
        ({"seeker_range_m": {"kite": 1000.0}}, "seeker_range_m.kite"),
    ],
)
def test_bad_weapons_are_refused_naming_the_fault(change: dict[str, Any], words: str) -> None:
    assert words in _fault(WeaponType, {**MISSILE, **change})


FIGHTER: dict[str, Any] = {
    "label": "test fighter",
    "kind": "fighter",
    "readiness_s": 600.0,
    "speed_mps": 250.0,
    "endurance_s": 3600.0,
    "loadout": {"aim-9x": 2},
}


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"speed_mps": 0.0}, "speed_mps must be positive"),
        ({"endurance_s": 0.0}, "endurance_s must be positive"),
        ({"loadout": {}}, "needs a loadout"),
        ({"loadout": {"aim-9x": 0}}, "loadout['aim-9x']"),
        ({"kind": "ground"}, "speed_mps must be 0"),
        ({"kind": "enabler"}, "loadout must be empty"),
        ({"readiness_s": -1.0}, "readiness_s"),
        ({"acquisition_range_m": {"decoy": -5.0}}, "acquisition_range_m.decoy"),
        ({"max_shots_per_target": 0}, "max_shots_per_target"),
    ],
)
def test_bad_effectors_are_refused_naming_the_fault(change: dict[str, Any], words: str) -> None:
    assert words in _fault(EffectorType, {**FIGHTER, **change})


def test_a_shot_reaches_no_farther_than_its_seeker_or_the_aircraft_holds() -> None:
    missile = WeaponType.model_validate({**MISSILE, "seeker_range_m": {"decoy": 3_000.0}})
    assert missile.reach_m("decoy") == 3_000.0
    assert missile.reach_m("fixed-wing") == missile.max_range_m
    fighter = EffectorType.model_validate({**FIGHTER, "acquisition_range_m": {"decoy": 8_000.0}})
    assert fighter.acquisition_m("decoy") == 8_000.0
    assert fighter.acquisition_m("cruise-missile") == float("inf")


def test_small_slow_targets_are_held_at_shorter_range_and_killed_less_often() -> None:
    catalogue = builtin_catalogue()
    f16, aim9x = catalogue.effectors["f16-qra"], catalogue.weapons["aim-9x"]
    assert f16.acquisition_m("decoy") < f16.acquisition_m("cruise-missile")
    assert aim9x.reach_m("decoy") < aim9x.reach_m("cruise-missile") <= aim9x.max_range_m
    for key in ("aim-9x", "aim-120c7"):
        weapon = catalogue.weapons[key]
        assert weapon.pk("decoy") < weapon.pk("cruise-missile")
    assert catalogue.weapons["m61-20mm"].daylight_only


def test_additions_extend_and_replace_the_builtin_catalogue() -> None:
    extra = EffectorCatalogue.model_validate(
        {
            "weapons": {"dart": MISSILE},
            "effectors": {"f16-qra": {**FIGHTER, "loadout": {"dart": 4}}},
        }
    )
    merged = effector_catalogue(extra)
    assert merged.effectors["f16-qra"].loadout == {"dart": 4}
    assert "dart" in merged.weapons and "aim-9x" in merged.weapons
    assert effector_catalogue().effectors["f16-qra"].loadout["aim-120c7"] == 2


def test_a_loadout_of_an_unknown_weapon_is_refused() -> None:
    extra = EffectorCatalogue.model_validate(
        {"effectors": {"odd": {**FIGHTER, "loadout": {"phaser": 1}}}}
    )
    with pytest.raises(CatalogueError, match="effectors.odd.loadout.phaser: unknown weapon"):
        effector_catalogue(extra)
