"""Transponder replies in the simulated plots: ICAO addresses, callsigns, squawks and IFF Mode 5."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from flankwatch.scenario.schema import Scenario
from flankwatch.sim.sensors.radar_sweep import MODE5_PINS, mode5_pin
from flankwatch.stream import PlotKind
from sim_runs import simulate


def test_a_radar_with_a_secondary_radar_gives_transponder_replies_identity(
    new_scenario_data: Callable[[], dict],
    make_scenario: Callable[[dict[str, Any]], Scenario],
) -> None:
    data = new_scenario_data()
    data.update(duration_s=900.0, origin={"lat": 52.17, "lon": 20.97})
    data["sensors"] = [{"name": "radar", "type": "gap-filler", "at": "warsaw"}]
    data["raids"] = [
        {
            "name": "drones",
            "threat": "gerbera",
            "count": 2,
            "launch": [52.3, 21.3],
            "target": [52.3, 20.6],
            "cruise_alt_m": 1_000.0,
        },
    ]
    data["civil_traffic"] = [
        {
            "name": "shuttle",
            "departure": "EPWA",
            "arrival": "EPGD",
            "count": 1,
            "cruise_alt_m": 3_000.0,
            "callsign_prefix": "TST",
        },
    ]
    run = simulate(make_scenario(data))
    plans = run.sim.plans
    plots = run.plots.take(run.plots.truth_id >= 0)
    civil = plans.cooperative[plots.truth_id]
    assert civil.any() and (~civil).any()
    assert np.all(plots.kind == PlotKind.RADAR)
    assert np.all(plots.icao24[civil] == plans.icao24[plots.truth_id[civil]])
    assert np.all(plots.callsign[civil] == plans.callsign[plots.truth_id[civil]])
    assert np.all(plots.icao24[~civil] == 0) and np.all(plots.callsign[~civil] == "")
    false_alarms = run.plots.take(run.plots.truth_id < 0)
    assert np.all(false_alarms.icao24 == 0)


def test_transponder_codes_and_mode5_replies_reach_the_plots(
    new_scenario_data: Callable[[], dict],
    make_scenario: Callable[[dict[str, Any]], Scenario],
) -> None:
    """A civil flight squawks 7700 from 300 s; an own F-16 answers Mode 5; drones answer
    nothing; the aerostat's radar has no interrogator."""
    data = new_scenario_data()
    data.update(duration_s=900.0, origin={"lat": 52.17, "lon": 20.97})
    data["sensors"] = [
        {"name": "radar", "type": "gap-filler", "at": "warsaw"},
        {"name": "balloon", "type": "aerostat", "at": "warsaw", "height_m": 1000.0},
        {"name": "adsb", "type": "adsb-station", "at": "warsaw"},
    ]
    data["raids"] = [
        {
            "name": "drones",
            "threat": "gerbera",
            "count": 2,
            "launch": [52.3, 21.3],
            "target": [52.3, 20.6],
            "cruise_alt_m": 1_000.0,
        },
        {
            "name": "qra",
            "threat": "f-16",
            "count": 1,
            "launch": [52.0, 20.6],
            "target": [52.6, 21.4],
            "cruise_alt_m": 6_000.0,
            "iff_mode5": True,
        },
    ]
    data["civil_traffic"] = [
        {
            "name": "shuttle",
            "departure": "EPWA",
            "arrival": "EPGD",
            "count": 1,
            "cruise_alt_m": 3_000.0,
            "callsign_prefix": "TST",
            "squawk": {"code": "7700", "from_s": 300.0},
        },
    ]
    run = simulate(make_scenario(data))
    plans = run.sim.plans
    table = run.sim.sensor_table()
    names, ids = table.column("name").to_pylist(), table.column("sensor_id").to_pylist()
    kinds = dict(zip(names, ids, strict=True))
    plots = run.plots.take(run.plots.truth_id >= 0)
    fighter = plans.group[plots.truth_id] == "qra"
    civil = plans.group[plots.truth_id] == "shuttle"
    radar = plots.sensor_id == kinds["radar"]
    assert np.all(plots.mode5[fighter & radar]) and (fighter & radar).any()
    assert not plots.mode5[~fighter].any()
    # Level 2 replies: the fighter's own PIN on every reply, no PIN without a reply
    assert set(plots.mode5_pin[fighter & radar].tolist()) == set(
        mode5_pin(plots.truth_id[fighter & radar]).tolist()
    )
    assert len(set(plots.mode5_pin[fighter & radar].tolist())) == 1
    assert 1 <= plots.mode5_pin[fighter & radar][0] <= 16383
    assert not run.plots.mode5_pin[~run.plots.mode5].any()
    assert not plots.mode5[plots.sensor_id == kinds["balloon"]].any()
    for source in (radar, plots.sensor_id == kinds["adsb"]):
        before, after = civil & source & (plots.t_s < 300.0), civil & source & (plots.t_s >= 300.0)
        assert before.any() and after.any()
        assert set(plots.squawk[before]) == {1000}
        assert set(plots.squawk[after]) == {7700}
    assert np.all(plots.squawk[~civil] == 0)


def test_each_of_the_first_16383_objects_has_its_own_mode5_pin() -> None:
    """PINs are 14-bit numbers from 1: the first 16,383 objects (planned and own forces
    alike) each answer with their own; only then do they repeat."""
    pins = mode5_pin(np.arange(MODE5_PINS))
    assert pins.dtype == np.uint16
    assert pins.min() == 1 and pins.max() == MODE5_PINS
    assert len(np.unique(pins)) == MODE5_PINS
    assert mode5_pin(np.array([MODE5_PINS]))[0] == pins[0]
