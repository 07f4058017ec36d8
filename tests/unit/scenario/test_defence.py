"""A scenario's defence section: validated, checked across fields, carried by the deployment."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from flankwatch.deployment import Deployment, parse_deployment
from flankwatch.respond.catalogue import builtin_catalogue
from flankwatch.scenario.loader import ScenarioError, load_scenario, parse_scenario

BASE: dict[str, Any] = yaml.safe_load(
    """
name: defence-test
start: 2025-09-10T00:00:00+00:00
duration_s: 600
seed: 3
sensors:
  - {name: radar, type: gap-filler, at: [52.0, 22.0]}
defence:
  policy: layered
  units:
    - {name: qra, type: f16-qra, at: [51.55, 19.18], count: 2}
    - {name: guns, type: gepard-35mm, at: warsaw, active_from: 60,
       active_until: 2025-09-10T00:05:00+00:00}
  no_engagement:
    places_min_population: 5000
    areas:
      - {name: spot, at: wyryki-wola, radius_m: 1500}
      - {name: box, polygon: [[20.0, 51.0], [20.2, 51.0], [20.2, 51.2]]}
  engagement_zone: [[19.0, 50.0], [24.5, 50.0], [24.5, 54.0], [19.0, 54.0]]
"""
)


def _refused(defence: dict[str, Any]) -> str:
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(yaml.safe_dump({**BASE, "defence": defence}), "test.yaml")
    return str(caught.value)


def test_a_defence_is_read() -> None:
    scenario = parse_scenario(yaml.safe_dump(BASE), "test.yaml")
    defence = scenario.defence
    assert defence is not None
    assert [unit.name for unit in defence.units] == ["qra", "guns"]
    assert defence.units[0].count == 2 and defence.units[1].count == 1
    assert defence.units[1].at.name == "Warszawa"
    assert defence.units[1].active_window_s(scenario.start) == (60.0, 300.0)
    assert defence.units[0].active_window_s(scenario.start) == (float("-inf"), float("inf"))
    assert defence.no_engagement.place_radius_m == 2000.0
    assert defence.no_engagement.debris_margin_m == 0.0 and not defence.engage_threats_only


def test_the_deployment_carries_the_defence_through_its_file() -> None:
    scenario = parse_scenario(yaml.safe_dump(BASE), "test.yaml")
    deployment = Deployment.from_scenario(scenario)
    assert deployment.defence == scenario.defence
    assert parse_deployment(deployment.to_yaml(), "deployment.yaml") == deployment


def test_without_a_defence_there_is_none() -> None:
    scenario = parse_scenario(
        yaml.safe_dump({k: v for k, v in BASE.items() if k != "defence"}), "t"
    )
    assert scenario.defence is None
    assert Deployment.from_scenario(scenario).defence is None


def _with(**changes: Any) -> dict[str, Any]:
    return {**BASE["defence"], **changes}


@pytest.mark.parametrize(
    ("defence", "words"),
    [
        (_with(units=[{"name": "x", "type": "tank", "at": "warsaw"}]), "defence.units[0].type"),
        (
            _with(units=[{"name": "x", "type": "jammer", "at": "warsaw"}] * 2),
            "defence.units[1].name",
        ),
        (_with(units=[{"name": "x", "type": "jammer", "at": "atlantis"}]), "defence.units[0].at"),
        (_with(units=[{"name": "x", "type": "jammer", "at": "warsaw", "count": 0}]), "count"),
        (
            _with(
                units=[
                    {
                        "name": "x",
                        "type": "jammer",
                        "at": "warsaw",
                        "active_from": 300,
                        "active_until": 100,
                    }
                ]
            ),
            "defence.units[0].active_until",
        ),
        (_with(policy="guns-blazing"), "defence.policy"),
        (_with(no_engagement={"areas": [{"name": "a", "at": "warsaw"}]}), "radius_m"),
        (
            _with(
                no_engagement={"areas": [{"name": "a", "radius_m": 10, "polygon": [[1, 2]] * 3}]}
            ),
            "either",
        ),
        (_with(engagement_zone=[[20.0, 50.0], [21.0, 50.0]]), "defence.engagement_zone"),
        (_with(engagement_zone=[[200.0, 50.0], [21.0, 50.0], [21.0, 51.0]]), "[lon, lat]"),
        (_with(no_engagement={"place_radius_m": -1}), "place_radius_m"),
        (_with(no_engagement={"debris_margin_m": -10}), "debris_margin_m"),
        (_with(engage_threats_only="sometimes"), "defence.engage_threats_only"),
        (_with(rules=[]), "defence.rules"),
        (
            _with(
                catalogue={
                    "effectors": {
                        "odd": {
                            "label": "odd",
                            "kind": "jammer",
                            "readiness_s": 1,
                            "loadout": {"phaser": 1},
                        }
                    }
                }
            ),
            "defence.catalogue.effectors.odd.loadout.phaser",
        ),
    ],
)
def test_bad_defences_are_refused_naming_the_field(defence: dict[str, Any], words: str) -> None:
    assert words in _refused(defence)


def test_a_scenario_may_add_an_effector_type() -> None:
    laser = {"label": "laser", "kind": "jammer", "readiness_s": 1, "loadout": {"jammer-burst": 5}}
    defence = _with(
        catalogue={"effectors": {"laser": laser}},
        units=[{"name": "l", "type": "laser", "at": "warsaw"}],
    )
    scenario = parse_scenario(yaml.safe_dump({**BASE, "defence": defence}), "test.yaml")
    assert scenario.defence is not None
    assert scenario.defence.catalogue.effectors["laser"].loadout == {"jammer-burst": 5}


def test_the_night_of_10_september_has_its_order_of_battle() -> None:
    scenario, _ = load_scenario("poland-2025-09-10")
    defence = scenario.defence
    assert defence is not None and defence.policy == "fighters-only"
    catalogue = builtin_catalogue()
    kinds = {catalogue.effectors[unit.type].kind for unit in defence.units}
    assert {"fighter", "enabler", "ground"} <= kinds
    types = {unit.type for unit in defence.units}
    assert {"f16-qra", "f35a-qra", "tanker", "patriot-pac3"} <= types
    assert any(area.name == "Wyryki-Wola" for area in defence.no_engagement.areas)
    # As that night: only drones that could pose a threat; no debris on villages.
    assert defence.engage_threats_only
    assert defence.no_engagement.places_min_population == 500
