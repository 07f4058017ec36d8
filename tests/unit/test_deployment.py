"""The deployment: what a run defends, from a scenario or from its own file."""

from __future__ import annotations

from pathlib import Path

import pytest

from flankwatch.deployment import (
    Deployment,
    DeploymentError,
    load_deployment,
    parse_deployment,
)

GOOD = """\
name: polish-border
start: 2025-09-09T21:30:00+00:00
origin: {lat: 52.0, lon: 21.0}
airports: [EPWA, EPLB]
assets:
  - {name: Warsaw, kind: city, at: warsaw, radius_m: 15000, value: 5}
"""


def test_a_deployment_file_gives_frame_airports_and_assets(tmp_path: Path) -> None:
    path = tmp_path / "deployment.yaml"
    path.write_text(GOOD)
    deployment = load_deployment(path)
    assert (deployment.frame.lat_deg, deployment.frame.lon_deg) == (52.0, 21.0)
    assert deployment.airports == ["EPWA", "EPLB"]
    assert deployment.assets[0].name == "Warsaw" and deployment.country == "POL"
    assert deployment.start.utcoffset().total_seconds() == 0


def test_a_deployment_reads_back_what_it_writes() -> None:
    deployment = parse_deployment(GOOD, "test")
    again = parse_deployment(deployment.to_yaml(), "again")
    assert again == deployment and again.frame == deployment.frame


def test_a_scenario_deployment_is_centred_on_its_sensors(make_scenario, base_scenario) -> None:
    data = {**base_scenario, "origin": None}
    data["sensors"] = [
        {"name": "a", "type": "gap-filler", "at": [52.0, 22.0]},
        {"name": "b", "type": "gap-filler", "at": [53.0, 23.0]},
    ]
    data["airports"] = ["EPWA"]
    deployment = Deployment.from_scenario(make_scenario(data))
    assert (deployment.origin.lat, deployment.origin.lon) == (52.5, 22.5)
    assert deployment.airports == ["EPWA"] and deployment.name == base_scenario["name"]


@pytest.mark.parametrize(
    ("text", "field"),
    [
        (GOOD.replace("lat: 52.0", "lat: 89.9"), "origin.lat"),
        (GOOD.replace("lat: 52.0", "lat: .nan"), "origin.lat"),
        (GOOD.replace("EPLB", "XXXX"), "airports[1]"),
        (GOOD.replace("+00:00", ""), "start"),
        (GOOD + "airspace: [[21, 52], [22, 52]]\n", "airspace"),
        (GOOD + "radars: 3\n", "radars"),
        (GOOD.replace("radius_m: 15000", "radius_m: -1"), "assets[0].radius_m"),
        (GOOD.replace("lat: 52.0", "lat: '52.0'"), "origin.lat"),
        (GOOD.replace("radius_m: 15000", "radius_m: true"), "assets[0].radius_m"),
    ],
)
def test_a_bad_deployment_names_the_field(text: str, field: str) -> None:
    with pytest.raises(DeploymentError) as error:
        parse_deployment(text, "bad.yaml")
    assert "bad.yaml" in str(error.value) and field in str(error.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (GOOD.replace("lon: 21.0", "lon: 120.0"), "airspace: the watched airspace POL has no part"),
        (GOOD + "airspace: NOPE\n", "no country with code 'NOPE'"),
        (GOOD + "airspace: [[60, 10], [61, 10], [61, 11]]\n", "watched airspace polygon has no"),
        (GOOD + "airspace: RUS\n", "watched airspace RUS does not lie wholly within"),
    ],
)
def test_a_deployment_whose_airspace_is_not_near_its_origin_is_refused(
    text: str, message: str
) -> None:
    with pytest.raises(DeploymentError) as error:
        parse_deployment(text, "bad.yaml")
    assert "bad.yaml" in str(error.value) and message in str(error.value)
