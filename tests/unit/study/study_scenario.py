"""A small defended scenario for the study tests: two decoys, one radar, a gun, a fighter base."""

from __future__ import annotations

from typing import Any


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
