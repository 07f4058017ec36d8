"""A small defended scenario for the study tests: two decoys, one radar, a gun, a fighter base."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from flankwatch.scenario.loader import parse_scenario
from flankwatch.study.runs import RunSpec, study_specs


def defended_data() -> dict[str, Any]:
    """Three minutes: two decoys flying west past a 35 mm gun toward a town, seen by one
    gap-filler radar, with two F-16 on alert nearby."""
    return dict(
        name="defended",
        start="2025-09-10T00:00:00+00:00",
        duration_s=180.0,
        seed=7,
        step_s=1.0,
        batch_s=5.0,
        truth_period_s=5.0,
        origin={"lat": 52.05, "lon": 23.3},
        sensors=[{"name": "gf", "type": "gap-filler", "at": [52.05, 23.3]}],
        raids=[
            {
                "name": "decoys",
                "threat": "gerbera",
                "count": 2,
                "launch": [52.05, 23.38],
                "interval_s": 30,
                "target": [52.03, 23.10],
                "cruise_alt_m": 500,
            }
        ],
        assets=[{"name": "town", "kind": "city", "at": [52.03, 23.10], "value": 2.0}],
        defence={
            "units": [
                {"name": "gun", "type": "skynex", "at": [52.04, 23.28]},
                {"name": "qra", "type": "f16-qra", "at": [52.0, 23.0], "count": 2},
            ],
        },
    )


def defended_spec(seed: int, out: Path | None = None, hours: float = 0.0) -> RunSpec:
    """A run of the defended scenario under ``layered`` (``hours`` long if given: a
    ten-hour run takes tens of seconds), recorded under ``out`` if given."""
    data = defended_data()
    if hours:
        data.update(name="defended-long", duration_s=hours * 3600.0)
    text = yaml.safe_dump(data, sort_keys=False)
    scenario = parse_scenario(text, "defended")
    return study_specs(scenario, text, "defended", ["layered"], [seed], out)[0]
