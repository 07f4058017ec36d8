"""Fixtures of the alert tests: the local frame, Warsaw Chopin in it, a small scenario."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from alert_builders import ORIGIN

from flankwatch.geo.airports import airport
from flankwatch.geo.frames import LocalFrame
from flankwatch.scenario.schema import Scenario


@pytest.fixture(scope="session")
def frame() -> LocalFrame:
    return LocalFrame(*ORIGIN)


@pytest.fixture(scope="session")
def epwa_enu(frame: LocalFrame) -> np.ndarray:
    """Warsaw Chopin airport in the test frame, m."""
    found = airport("EPWA")
    return frame.geodetic_to_enu(found.lat_deg, found.lon_deg, 0.0)


@pytest.fixture(scope="session")
def scenario(
    new_scenario_data: Callable[[], dict[str, Any]], make_scenario: Callable[..., Scenario]
) -> Scenario:
    """A scenario with Warsaw Chopin and Lublin airports and the city of Warsaw."""
    data = new_scenario_data()
    data["origin"] = {"lat": ORIGIN[0], "lon": ORIGIN[1]}
    data["airports"] = ["EPWA", "EPLB"]
    data["assets"] = [{"name": "Warsaw", "kind": "city", "at": "warsaw", "radius_m": 15000}]
    return make_scenario(data)
