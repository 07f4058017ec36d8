"""Rules of engagement: hostile only, inside the zone, no debris on towns or named areas."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from flankwatch.deployment import Deployment
from flankwatch.geo.admin import populated_places
from flankwatch.geo.places import place
from flankwatch.respond.roe import (
    NOT_HOSTILE,
    OUTSIDE_ZONE,
    RulesOfEngagement,
    debris_reason,
    stale_reason,
)
from flankwatch.scenario.defence import Defence


def _deployment(defence: dict[str, Any] | None) -> Deployment:
    return Deployment(
        name="roe-test",
        start="2025-09-09T21:30:00+00:00",
        origin={"lat": 52.0, "lon": 21.5},
        defence=None if defence is None else Defence.model_validate(defence),
    )


def _xy(deployment: Deployment, lat: list[float], lon: list[float]) -> np.ndarray:
    return deployment.frame.geodetic_to_enu(np.array(lat), np.array(lon), 0.0)[:, :2]


def test_only_declared_hostile_tracks_inside_the_airspace_may_be_engaged() -> None:
    rules = RulesOfEngagement.from_deployment(_deployment(None))
    far = np.full((4, 2), 1e7)  # debris nowhere near an area
    allowed, reasons, held_by = rules.check(
        ["hostile", "suspect", "hostile", "friend"], [True, True, False, False], far, far
    )
    assert allowed.tolist() == [True, False, False, False]
    assert reasons.tolist() == ["", NOT_HOSTILE, OUTSIDE_ZONE, NOT_HOSTILE]
    assert held_by.tolist() == ["", "not-hostile", "outside-zone", "not-hostile"]


def test_debris_on_a_town_or_named_area_forbids_the_shot() -> None:
    deployment = _deployment(
        {
            "no_engagement": {
                "places_min_population": 100_000,
                "place_radius_m": 5000,
                "areas": [
                    {"name": "Wyryki-Wola", "at": "wyryki-wola", "radius_m": 1500},
                    {
                        "name": "box",
                        "polygon": [[20.0, 51.0], [20.2, 51.0], [20.2, 51.2], [20.0, 51.2]],
                    },
                ],
            }
        }
    )
    rules = RulesOfEngagement.from_deployment(deployment)
    towns = populated_places()
    big = towns.select(towns.population >= 100_000)
    assert len(rules.circles) == len(big) + 1
    wyryki, town = place("wyryki-wola"), big.name[0]
    lat = [wyryki.lat_deg, big.lat_deg[0], 51.1, 52.0, wyryki.lat_deg + 0.02]
    lon = [wyryki.lon_deg, big.lon_deg[0], 20.1, 21.5, wyryki.lon_deg]
    debris = _xy(deployment, lat, lon)
    assert rules.area_at(debris).tolist() == ["Wyryki-Wola", town, "box", "", ""]
    allowed, reasons, held_by = rules.check(["hostile"] * 5, [True] * 5, debris, debris)
    assert allowed.tolist() == [False, False, False, True, True]
    assert held_by.tolist() == ["debris"] * 3 + ["", ""]
    assert reasons[0] == debris_reason("Wyryki-Wola") == "debris would fall on Wyryki-Wola"
    assert reasons[1] == f"debris would fall on {town}"


def test_a_circle_ends_at_its_radius() -> None:
    deployment = _deployment(
        {"no_engagement": {"areas": [{"name": "spot", "at": [52.0, 21.5], "radius_m": 1000}]}}
    )
    rules = RulesOfEngagement.from_deployment(deployment)
    names = rules.area_at([[0.0, 990.0], [0.0, 1010.0], [np.nan, np.nan]])
    assert names.tolist() == ["spot", "", ""]


def test_a_configured_zone_replaces_the_airspace() -> None:
    deployment = _deployment(
        {"engagement_zone": [[21.0, 51.5], [22.0, 51.5], [22.0, 52.5], [21.0, 52.5]]}
    )
    rules = RulesOfEngagement.from_deployment(deployment)
    positions = _xy(deployment, [52.0, 53.0], [21.5, 21.5])
    allowed, reasons, _ = rules.check(["hostile", "hostile"], [False, True], positions, positions)
    assert allowed.tolist() == [True, False]
    assert reasons.tolist() == ["", OUTSIDE_ZONE]


def test_the_first_broken_rule_is_the_reason() -> None:
    deployment = _deployment(
        {"no_engagement": {"areas": [{"name": "spot", "at": [52.0, 21.5], "radius_m": 1000}]}}
    )
    rules = RulesOfEngagement.from_deployment(deployment)
    on_spot = np.zeros((3, 2))
    _, reasons, _ = rules.check(
        ["unknown", "hostile", "hostile"], [True, False, True], on_spot, on_spot
    )
    assert reasons.tolist() == [NOT_HOSTILE, OUTSIDE_ZONE, "debris would fall on spot"]


@pytest.mark.parametrize("n", [0, 1])
def test_empty_and_single_rows(n: int) -> None:
    rules = RulesOfEngagement.from_deployment(_deployment({}))
    allowed, reasons, held_by = rules.check(
        ["hostile"] * n, [True] * n, np.zeros((n, 2)), np.zeros((n, 2))
    )
    assert allowed.tolist() == [True] * n
    assert reasons.shape == held_by.shape == (n,)


def test_the_debris_margin_grows_circles_and_polygons() -> None:
    areas = {
        "areas": [
            {"name": "spot", "at": [52.0, 21.5], "radius_m": 1000},
            {"name": "box", "polygon": [[21.6, 51.9], [21.7, 51.9], [21.7, 52.1], [21.6, 52.1]]},
        ]
    }
    plain = _deployment({"no_engagement": areas})
    grown = _deployment({"no_engagement": {**areas, "debris_margin_m": 500}})
    box_west_m = float(_xy(plain, [52.0], [21.6])[0, 0])
    points = [[0.0, 1_400.0], [box_west_m - 400.0, 0.0], [0.0, 1_600.0]]
    assert RulesOfEngagement.from_deployment(plain).area_at(points).tolist() == ["", "", ""]
    assert RulesOfEngagement.from_deployment(grown).area_at(points).tolist() == [
        "spot",
        "box",
        "",
    ]


def test_each_shot_grows_the_areas_by_its_own_extra_distance() -> None:
    areas = {
        "areas": [
            {"name": "spot", "at": [52.0, 21.5], "radius_m": 1000},
            {"name": "box", "polygon": [[21.6, 51.9], [21.7, 51.9], [21.7, 52.1], [21.6, 52.1]]},
        ]
    }
    roe = RulesOfEngagement.from_deployment(_deployment({"no_engagement": areas}))
    box_west_m = float(_xy(_deployment(None), [52.0], [21.6])[0, 0])
    points = [[0.0, 1_400.0], [box_west_m - 400.0, 0.0], [0.0, 1_400.0], [np.nan, np.nan]]
    extra = [500.0, 500.0, 300.0, 500.0]
    assert roe.area_at(points, extra).tolist() == ["spot", "box", "", ""]
    assert roe.area_at(points).tolist() == ["", "", "", ""]


def test_debris_sigmas_grow_the_areas_by_the_targets_uncertainty_at_impact() -> None:
    rules = {"areas": [{"name": "village", "at": [52.0, 21.5], "radius_m": 1000}]}
    cautious = _deployment({"no_engagement": {**rules, "debris_sigmas": 2.0}})
    plain = _deployment({"no_engagement": rules})
    debris = [[0.0, 1_500.0], [0.0, 1_500.0]]  # 500 m outside the village
    sigma = [200.0, 300.0]  # 2 sigma: 400 m (clear) and 600 m (on the village)
    args = (["hostile", "hostile"], [True, True], [[0.0, 0.0], [0.0, 0.0]], debris)
    allowed, reasons, _ = RulesOfEngagement.from_deployment(cautious).check(*args, sigma)
    assert allowed.tolist() == [True, False]
    assert reasons.tolist() == ["", debris_reason("village")]
    assert RulesOfEngagement.from_deployment(plain).check(*args, sigma)[0].all()
    assert RulesOfEngagement.from_deployment(cautious).check(*args)[0].all()  # none given


def test_a_track_no_plot_updated_lately_is_not_fired_at() -> None:
    far = np.full((4, 2), 1e7)  # debris nowhere near an area
    args = (["hostile", "hostile", "hostile", "suspect"], [True] * 4, far, far)
    age = [5.0, 20.0, 31.0, 40.0]
    rules = RulesOfEngagement.from_deployment(_deployment({}))  # the default: 20 s
    allowed, reasons, held_by = rules.check(*args, None, age)
    assert allowed.tolist() == [True, True, False, False]
    assert reasons.tolist() == ["", "", stale_reason(20.0), NOT_HOSTILE]
    assert held_by.tolist() == ["", "", "stale-track", "not-hostile"]
    assert rules.check(*args)[0].tolist() == [True, True, True, False]  # no ages given
    any_age = RulesOfEngagement.from_deployment(_deployment({"max_track_age_s": None}))
    assert any_age.check(*args, None, age)[0].tolist() == [True, True, True, False]
