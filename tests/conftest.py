"""Shared fixtures: small scenarios written as data, validated like a user's file."""

from __future__ import annotations

import copy
import signal
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import settings

from flankwatch.scenario.loader import parse_scenario
from flankwatch.scenario.schema import Scenario

settings.register_profile("flankwatch", deadline=None)
settings.load_profile("flankwatch")
"""Property tests check behaviour, not time: no per-example deadline (a loaded machine
would fail them at random); speed is measured in benchmarks/."""

BASE_SCENARIO: dict[str, Any] = {
    "name": "test-scenario",
    "description": "a small scenario made by the tests",
    "start": "2025-09-10T00:00:00+00:00",
    "duration_s": 600.0,
    "seed": 7,
    "step_s": 1.0,
    "batch_s": 5.0,
    "truth_period_s": 5.0,
    "origin": {"lat": 52.0, "lon": 22.0},
    "sensors": [{"name": "radar", "type": "gap-filler", "at": [52.0, 22.0]}],
}
"""A valid scenario with one gap-filler radar and nothing flying; tests add to a copy."""

PROBE_THREAT: dict[str, Any] = {
    "label": "test target: slow, quick to climb, of a fixed cross-section",
    "category": "one-way-attack-drone",
    "speed_mps": [1.0, 1.0],
    "altitude_m": [100.0, 100.0],
    "climb_rate_mps": 1000.0,
    "turn_rate_deg_s": 10.0,
    "rcs_m2": [10.0, 10.0],
    "swerling": 1,
    "sound_db": 110.0,
    "range_m": 10_000_000.0,
}
"""A threat type for sensor tests: it reaches its altitude in a few steps and barely moves."""


@pytest.fixture
def default_ctrl_c() -> Iterator[None]:
    """Ctrl-C raises ``KeyboardInterrupt`` during the test, as in a terminal, and the
    previous handler comes back after it: the test runner's parallel workers ignore SIGINT."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def scenario_text(data: dict[str, Any]) -> str:
    """The YAML text of a scenario given as data."""
    return yaml.safe_dump(data, sort_keys=False)


@pytest.fixture(scope="session")
def new_scenario_data() -> Callable[[], dict[str, Any]]:
    """A function giving a fresh copy of :data:`BASE_SCENARIO` (for wider-scoped fixtures)."""
    return lambda: copy.deepcopy(BASE_SCENARIO)


@pytest.fixture(scope="session")
def new_probe_threat() -> Callable[[], dict[str, Any]]:
    """A function giving a fresh copy of :data:`PROBE_THREAT`."""
    return lambda: copy.deepcopy(PROBE_THREAT)


@pytest.fixture
def base_scenario() -> dict[str, Any]:
    """A fresh copy of :data:`BASE_SCENARIO` to change."""
    return copy.deepcopy(BASE_SCENARIO)


@pytest.fixture
def probe_threat() -> dict[str, Any]:
    """A fresh copy of :data:`PROBE_THREAT` to change."""
    return copy.deepcopy(PROBE_THREAT)


@pytest.fixture(scope="session")
def make_scenario() -> Callable[[dict[str, Any]], Scenario]:
    """Validate scenario data through the same path as a scenario file."""

    def make(data: dict[str, Any]) -> Scenario:
        return parse_scenario(scenario_text(data), "test scenario")

    return make


@pytest.fixture
def write_scenario(tmp_path: Path) -> Callable[..., Path]:
    """Write scenario data as a YAML file in the test's folder; returns its path."""

    def write(data: dict[str, Any], name: str = "scenario.yaml") -> Path:
        path = tmp_path / name
        path.write_text(scenario_text(data), encoding="utf-8")
        return path

    return write


def _incursion(base: dict[str, Any]) -> dict[str, Any]:
    """Two decoys from Belarus toward Biala Podlaska, a civil flight Warsaw-Lublin, 40 min."""
    return {
        **base,
        "duration_s": 2400.0,
        "origin": {"lat": 52.05, "lon": 23.2},
        "raids": [
            {
                "name": "decoys",
                "threat": "gerbera",
                "origin": "Belarus",
                "count": 2,
                "launch": [52.10, 24.30],
                "interval_s": 120,
                "target": [52.03, 23.10],
                "cruise_alt_m": 800,
            },
        ],
        "sensors": [
            {"name": "gf", "type": "gap-filler", "at": [52.05, 23.45]},
            {"name": "lr", "type": "rat-31dl", "at": [52.10, 22.95]},
            {"name": "adsb", "type": "adsb-station", "at": [52.0, 22.5]},
        ],
        "airports": ["EPLB", "EPWA"],
        "assets": [
            {"name": "Biala Podlaska", "kind": "city", "at": [52.03, 23.12], "radius_m": 5000}
        ],
        "civil_traffic": [
            {
                "name": "lot",
                "departure": "EPWA",
                "arrival": "EPLB",
                "count": 1,
                "first_departure": 0,
                "cruise_alt_m": 6000,
                "callsign_prefix": "LOT",
            },
        ],
    }


@pytest.fixture(scope="session")
def incursion_data() -> Callable[[], dict[str, Any]]:
    """A function giving fresh data of a small incursion: a gap-filler radar, a long-range
    radar and an ADS-B station near Terespol, two decoys flying in from Belarus toward Biala
    Podlaska, a civil flight from Warsaw to Lublin; EPLB and EPWA watched."""
    return lambda: _incursion(copy.deepcopy(BASE_SCENARIO))
