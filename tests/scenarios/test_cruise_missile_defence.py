"""Cruise missiles against a city defended by ground-based missiles, end to end.

Ten Kh-101 fly from Volhynia to Lublin at about 250 m/s (the built-in Kh-101 type);
a NASAMS launcher and a Patriot unit stand by the city. Under `missiles-for-missiles`
fighters come first against cruise missiles, but the quick-reaction pairs are 15 min
from airborne and the missiles reach the city in about 5 min from the border: the
ground missiles must fire, and every kill must end its missile in the simulation,
however fast it flies.
"""

from __future__ import annotations

import pytest
import yaml

from flankwatch.events import Event, EventKind
from flankwatch.loop import Picture, SinkBase
from flankwatch.pipeline import RunOptions, run_scenario
from flankwatch.scenario.loader import builtin_text, parse_scenario
from flankwatch.scenario.schema import Scenario
from flankwatch.sim.truth import TruthBatch

pytestmark = pytest.mark.slow


def _cruise_missiles_on_lublin() -> tuple[str, Scenario]:
    """The scenario's text and the scenario: the Polish night's sensors and defence, with
    ten Kh-101 instead of its drones, the two ground units added and no civil traffic."""
    data = yaml.safe_load(builtin_text("poland-2025-09-10"))
    data.update(
        name="kh101-on-lublin",
        start="2025-09-09T21:30:00+00:00",
        duration_s=2400,
        raids=[
            {
                "name": "cm",
                "threat": "kh-101",
                "origin": "Ukraine",
                "count": 10,
                "launch": [51.0, 26.5],
                "first_launch": 0,
                "interval_s": 120,
                "route": [
                    {"at": [51.2, 23.6], "alt_m": 100},
                    {"at": "lublin", "alt_m": 0},
                ],
                "spread_m": 3000,
            }
        ],
        civil_traffic=[],
    )
    defence = data["defence"]
    defence.update(policy="missiles-for-missiles", engage_threats_only=False)
    defence["units"] += [
        {"name": "lublin-nasams", "type": "nasams", "at": [51.24, 22.9]},
        {"name": "lublin-patriot", "type": "patriot-pac3", "at": [51.2, 22.8], "count": 2},
    ]
    text = yaml.safe_dump(data, sort_keys=False)
    return text, parse_scenario(text, "kh101-on-lublin")


def test_ground_missiles_fire_in_time_and_every_kill_ends_its_missile() -> None:
    text, scenario = _cruise_missiles_on_lublin()
    summary = run_scenario(scenario, text, None, options=RunOptions(response_only=True))
    response = summary.response
    assert response is not None
    assert response.threats_inside == 10
    ground = {"aim-120-sl", "pac-3-mse"}
    assert sum(response.shots_by_weapon.get(weapon, 0) for weapon in ground) >= 10
    assert response.kills >= 8
    assert response.destroyed == response.kills  # no kill left its missile flying
    assert response.leakers == 10 - response.destroyed


class _Warnings(SinkBase):
    """The public warnings' life-cycle events and the tracks the response killed."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self.killed: set[int] = set()

    def consume(self, picture: Picture, truth: TruthBatch | None) -> None:
        # A public warning's id (the events' subject) is SENDER-SCENARIO-PA-N.
        self.events += [e for e in picture.alerts.events if "-PA-" in e.subject]
        self.killed |= {o.track_id for o in picture.response.outcomes if o.kill}


def test_a_warning_for_a_missile_shot_down_ends_as_all_clear() -> None:
    text, scenario = _cruise_missiles_on_lublin()
    warnings = _Warnings()
    run_scenario(scenario, text, None, extra_sinks=[warnings])
    issued = {e.track_id for e in warnings.events if e.kind == EventKind.ALERT_ISSUED}
    ended = {
        e.track_id: e.data.get("ending")
        for e in warnings.events
        if e.kind == EventKind.ALERT_CANCELLED
    }
    shot_down = issued & warnings.killed
    assert shot_down, "some warned-for missiles are shot down"
    # Each ends with the all clear "destroyed", not "contact lost" and a lapse.
    assert {ended.get(track) for track in shot_down} == {"destroyed"}
