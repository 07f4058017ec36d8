"""Engagement policies: the built-ins, tiers, and files refused with the field named."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from flankwatch.respond.catalogue import TARGET_CATEGORIES, EffectorCatalogue, builtin_catalogue
from flankwatch.respond.policy import (
    NOT_ALLOWED,
    PolicyError,
    builtin_policy_names,
    load_policy,
)


def test_the_builtin_policies() -> None:
    assert builtin_policy_names() == ["fighters-only", "layered", "missiles-for-missiles"]
    for name in builtin_policy_names():
        assert load_policy(name).name == name


def test_fighters_only_lets_only_fighters_engage_every_class() -> None:
    policy = load_policy("fighters-only")
    catalogue = builtin_catalogue()
    for key, effector in catalogue.effectors.items():
        for category in TARGET_CATEGORIES:
            tier = policy.tier(category, key, effector.kind)
            assert (tier == 0) == (effector.kind == "fighter"), (key, category)


def test_layered_puts_cheap_effectors_first_against_drones() -> None:
    policy = load_policy("layered")
    assert policy.tier("decoy", "jammer", "jammer") == 0
    assert policy.tier("decoy", "interceptor-drone-team", "interceptor-drone") == 1
    assert policy.tier("decoy", "f16-qra", "fighter") < policy.tier("decoy", "nasams", "ground")
    assert policy.tier("decoy", "patriot-pac3", "ground") == NOT_ALLOWED
    assert policy.tier("ballistic-missile", "patriot-pac3", "ground") == 0


def test_missiles_for_missiles_holds_surface_to_air_missiles() -> None:
    policy = load_policy("missiles-for-missiles")
    for key in ("patriot-pac3", "nasams", "camm-launcher"):
        assert policy.tier("one-way-attack-drone", key, "ground") == NOT_ALLOWED
        assert policy.tier("cruise-missile", key, "ground") != NOT_ALLOWED
    assert policy.tier("one-way-attack-drone", "gepard-35mm", "ground") != NOT_ALLOWED


def test_tier_matrix_matches_tier() -> None:
    policy = load_policy("layered")
    keys = ["jammer", "f16-qra", "patriot-pac3"]
    kinds = ["jammer", "fighter", "ground"]
    classes = ["decoy", "ballistic-missile", "decoy", "unknown"]
    matrix = policy.tier_matrix(keys, kinds, classes)
    expected = np.array(
        [[policy.tier(c, k, d) for c in classes] for k, d in zip(keys, kinds, strict=True)]
    )
    assert matrix.shape == (3, 4)
    assert (matrix == expected).all()
    assert matrix[2, 1] == 0 and matrix[0, 1] == NOT_ALLOWED


def test_a_type_key_takes_precedence_over_its_kind(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text("name: mine\nrules:\n  - {classes: [decoy], effectors: [ground, skynex]}\n")
    policy = load_policy(path)
    assert policy.tier("decoy", "skynex", "ground") == 1
    assert policy.tier("decoy", "gepard-35mm", "ground") == 0
    assert policy.tier("helicopter", "skynex", "ground") == NOT_ALLOWED


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("name: p\ncost_weight: -1\n", "cost_weight"),
        (
            "name: p\nrules:\n  - {classes: [balloon], effectors: [fighter]}\n",
            "rules[0].classes[0]",
        ),
        ("name: p\nrules:\n  - {classes: [decoy], effectors: []}\n", "rules[0].effectors"),
        ("name: p\nrules:\n  - {classes: [decoy], effectors: [tank]}\n", "rules[0].effectors[0]"),
        ("name: p\nrules:\n  - {classes: [decoy], effectors: [enabler]}\n", "enablers"),
        (
            "name: p\nrules:\n  - {classes: [decoy], effectors: [fighter]}\n"
            "  - {classes: [decoy, helicopter], effectors: [ground]}\n",
            "more than one rule",
        ),
        ("name: p\nspeed: 3\n", "speed"),
    ],
)
def test_bad_policy_files_are_refused_naming_the_field(
    tmp_path: Path, text: str, words: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    assert words in str(caught.value)
    assert str(path) in str(caught.value)


def test_an_unknown_name_lists_the_builtins() -> None:
    with pytest.raises(PolicyError, match="fighters-only"):
        load_policy("guns-blazing")


def test_a_scenario_type_is_known_with_its_catalogue(tmp_path: Path) -> None:
    path = tmp_path / "own.yaml"
    path.write_text("name: own\nrules:\n  - {classes: [decoy], effectors: [laser]}\n")
    with pytest.raises(PolicyError):
        load_policy(path)
    laser = builtin_catalogue().effectors["jammer"].model_copy()
    catalogue = builtin_catalogue().merged(EffectorCatalogue(effectors={"laser": laser}))
    assert load_policy(path, catalogue).tiers("decoy") == ["laser"]
