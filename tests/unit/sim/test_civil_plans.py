"""Civil flights that squawk or leave their filed plan: the plans, and a whole run."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from flankwatch.deployment import Deployment
from flankwatch.geo.airports import airport
from flankwatch.geo.geodesy import distance_azimuth
from flankwatch.geo.places import place
from flankwatch.pipeline import run_scenario
from flankwatch.scenario.loader import ScenarioError
from flankwatch.scenario.schema import Scenario
from flankwatch.sim.plans import draw_plans
from flankwatch.store.query import query


def _shuttle(**extra: Any) -> dict[str, Any]:
    return {
        "name": "shuttle",
        "departure": "EPWA",
        "arrival": "EPGD",
        "count": 2,
        "interval_s": 600.0,
        "cruise_alt_m": 8_000.0,
        "callsign_prefix": "TST",
        **extra,
    }


@pytest.fixture
def diverted(base_scenario: dict, make_scenario: Callable[[dict], Scenario]) -> Scenario:
    base_scenario.update(duration_s=1500.0, origin={"lat": 52.17, "lon": 20.97})
    base_scenario["sensors"] = [
        {"name": "adsb", "type": "adsb-station", "at": "warsaw", "range_m": 400_000.0}
    ]
    base_scenario["civil_traffic"] = [_shuttle(divert={"at_s": 400.0, "to": "bialystok"})]
    return make_scenario(base_scenario)


def test_a_diverted_flight_turns_on_its_route_for_the_place(diverted: Scenario) -> None:
    plans = draw_plans(diverted, np.random.default_rng(1))
    first, second = 0, 1
    assert plans.n_waypoints.tolist() == [2, 1]
    turn = (plans.waypoint_lat_deg[first, 0], plans.waypoint_lon_deg[first, 0])
    dep, arr = airport("EPWA"), airport("EPGD")
    flown, _ = distance_azimuth(dep.lat_deg, dep.lon_deg, *turn)
    assert float(flown) == pytest.approx(plans.speed_mps[first] * 400.0, rel=1e-6)
    to = place("bialystok")
    assert (plans.waypoint_lat_deg[first, 1], plans.waypoint_lon_deg[first, 1]) == (
        pytest.approx(to.lat_deg),
        pytest.approx(to.lon_deg),
    )
    assert plans.waypoint_lat_deg[second, 0] == pytest.approx(arr.lat_deg)


def test_the_deployment_carries_the_filed_plans_not_the_diversion(diverted: Scenario) -> None:
    deployment = Deployment.from_scenario(diverted)
    plans = draw_plans(diverted, np.random.default_rng(1))
    assert [p.callsign for p in deployment.flight_plans] == list(plans.callsign)
    assert {(p.departure, p.arrival) for p in deployment.flight_plans} == {("EPWA", "EPGD")}
    gap = deployment.flight_plans[1].off_block - deployment.flight_plans[0].off_block
    assert gap.total_seconds() == 600.0
    assert Deployment.model_validate_json(deployment.model_dump_json()) == deployment


def test_a_squawk_or_divert_of_a_flight_the_flow_lacks_is_refused(
    base_scenario: dict, make_scenario: Callable[[dict], Scenario]
) -> None:
    base_scenario["civil_traffic"] = [_shuttle(squawk={"code": "7500", "from_s": 0, "flight": 3})]
    with pytest.raises(ScenarioError, match="flight 3 of a flow of 2"):
        make_scenario(base_scenario)
    base_scenario["civil_traffic"] = [_shuttle(squawk={"code": "7800", "from_s": 0})]
    with pytest.raises(ScenarioError, match="civil_traffic"):
        make_scenario(base_scenario)


def test_in_a_run_the_diverted_flight_becomes_unknown_then_suspect(
    diverted: Scenario, tmp_path: Path
) -> None:
    out = tmp_path / "run"
    run_scenario(diverted, "", out)
    _, rows = query(
        out,
        "select e.t_s, t.callsign, e.data from events e join "
        "(select distinct track_id, callsign from tracks where callsign <> '') t "
        "using (track_id) where e.kind = 'identity-changed' order by e.t_s",
    )
    by_flight: dict[str, list[str]] = {}
    for _, callsign, data in rows:
        by_flight.setdefault(callsign, []).append(json.loads(data)["to"])
    plans = draw_plans(diverted, np.random.default_rng(1))
    diverted_cs, on_plan_cs = str(plans.callsign[0]), str(plans.callsign[1])
    assert by_flight[on_plan_cs][-1] == "neutral"
    assert "suspect" not in by_flight[on_plan_cs]
    changes = by_flight[diverted_cs]
    assert changes[-1] == "suspect"
    assert changes.index("neutral") < changes.index("unknown") < changes.index("suspect")
    assert "hostile" not in changes
    _, codes = query(out, "select distinct squawk, mode5 from plots")
    assert codes == [(1000, False)]  # the recording keeps the new plot columns
