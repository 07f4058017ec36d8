"""Flight plans: launch times, identities and routes drawn from a scenario."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from flankwatch.sim.plans import FlightPlans, draw_plans


@pytest.fixture
def plans_of(base_scenario: dict, make_scenario: Callable) -> Callable[..., FlightPlans]:
    """Flight plans of the base scenario with the given raids and civil traffic."""

    def make(raids: list[dict], civil: list[dict] | None = None) -> FlightPlans:
        scenario = make_scenario({**base_scenario, "raids": raids, "civil_traffic": civil or []})
        return draw_plans(scenario, np.random.default_rng(1))

    return make


def test_cooperative_raid_objects_get_unique_addresses_and_callsigns(plans_of: Callable) -> None:
    raid = {
        "name": "club",
        "threat": "light-aircraft",
        "count": 4,
        "launch": [52.0, 21.0],
        "target": [52.5, 21.5],
        "interval_s": 60,
    }
    civil = {
        "name": "lot",
        "departure": "EPWA",
        "arrival": "EPGD",
        "count": 3,
        "callsign_prefix": "LOT",
    }
    plans = plans_of([raid], [civil])
    assert plans.cooperative.all()
    assert (plans.icao24 > 0).all() and (plans.icao24 < 2**24).all()
    assert len(set(plans.icao24.tolist())) == len(plans)
    assert list(plans.callsign[:4]) == ["CLUB1", "CLUB2", "CLUB3", "CLUB4"]
    assert all(c.startswith("LOT") for c in plans.callsign[4:])


def test_non_cooperative_raid_objects_have_no_identity(plans_of: Callable) -> None:
    raid = {
        "name": "r",
        "threat": "gerbera",
        "count": 3,
        "launch": [52.0, 23.0],
        "target": [52.0, 22.0],
    }
    plans = plans_of([raid])
    assert not plans.cooperative.any()
    assert (plans.icao24 == 0).all() and (plans.callsign == "").all()


def test_launch_times_follow_interval_and_jitter(plans_of: Callable) -> None:
    raid = {
        "name": "r",
        "threat": "gerbera",
        "count": 200,
        "launch": [52.0, 23.0],
        "target": [52.0, 22.0],
        "first_launch": 100,
        "interval_s": 30,
        "jitter_s": 5,
    }
    plans = plans_of([raid])
    offsets = plans.launch_t_s - (100 + 30 * np.arange(200))
    assert abs(offsets.mean()) < 1.5
    assert 4.0 < offsets.std() < 6.0


def test_launch_times_before_the_start_are_kept(plans_of: Callable) -> None:
    raid = {
        "name": "r",
        "threat": "gerbera",
        "count": 3,
        "launch": [52.0, 23.0],
        "target": [52.0, 22.0],
        "first_launch": -1800,
        "interval_s": 600,
    }
    plans = plans_of([raid])
    assert list(plans.launch_t_s) == [-1800.0, -1200.0, -600.0]
