"""Recording rows as the page's records: shots placed on the map, outcomes, event data."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from flankwatch.events import Event, EventKind, events_to_arrow
from flankwatch.geo.frames import LocalFrame
from flankwatch.store.sink import SHOT_OUTCOME_SCHEMA, SHOT_SCHEMA
from flankwatch.web.timeline import event_records, outcome_records, shot_records


def test_a_shot_is_drawn_from_the_shooter_to_the_aim_point_in_lon_lat() -> None:
    frame = LocalFrame(52.0, 21.0)
    row = {name: [0.0] for name in SHOT_SCHEMA.names}
    row |= {
        "t_s": [605.0],
        "shot_id": [3],
        "unit": ["lask-qra"],
        "effector": ["f16"],
        "weapon": ["aim-9x"],
        "track_id": [12],
        "category": ["decoy"],
        "no_engagement_area": [""],
        "aim_x_m": [10_000.0],
        "aim_z_m": [1_000.0],
    }
    [shot] = shot_records(pa.table(row, schema=SHOT_SCHEMA), frame)
    assert shot["shot_id"] == 3 and shot["track_id"] == 12 and shot["weapon"] == "aim-9x"
    assert shot["from"] == [21.0, 52.0]
    east_deg = np.degrees(10_000.0 / (6_371_000.0 * np.cos(np.radians(52.0))))
    assert shot["aim"][0] == pytest.approx(21.0 + east_deg, abs=2e-3)
    assert shot["aim"][1] == pytest.approx(52.0, abs=1e-3)


def test_outcomes_say_which_shot_killed() -> None:
    rows = {name: [0.0, 0.0] for name in SHOT_OUTCOME_SCHEMA.names}
    rows |= {
        "shot_id": [3, 4],
        "track_id": [12, 13],
        "kill": [True, False],
        "no_engagement_area": ["", ""],
    }
    table = pa.table(rows, schema=SHOT_OUTCOME_SCHEMA)
    assert outcome_records(table) == [(3, True), (4, False)]


def test_event_data_is_read_back_from_its_json() -> None:
    event = Event(10.0, EventKind.BORDER_CROSSED, "entered", 5, "BLR", {"lat_deg": 52.1})
    [record] = event_records(events_to_arrow([event]))
    assert record == {
        "t_s": 10.0,
        "kind": "border-crossed",
        "track_id": 5,
        "subject": "BLR",
        "message": "entered",
        "data": {"lat_deg": 52.1},
    }
