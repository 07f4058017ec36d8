"""A whole run's outputs: CoT streamed to a real listener, events, alerts and CAP files.

One small scenario: a gap-filler radar and an ADS-B station near Terespol, two
decoys flying in from Belarus toward Biala Podlaska, and a civil flight from
Warsaw to Lublin; EPLB (Lublin) and EPWA are the airports watched.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from flankwatch.alert import validate_cap
from flankwatch.pipeline import RunOptions, RunSummary, run_scenario
from flankwatch.scenario.loader import parse_scenario
from flankwatch.store.query import query

pytestmark = pytest.mark.slow


class Listener:
    """A TCP server on the loopback that keeps everything it receives."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.received = bytearray()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        self.server.settimeout(30.0)
        try:
            connection, _ = self.server.accept()
        except OSError:
            return
        with connection:
            connection.settimeout(5.0)
            while True:
                try:
                    chunk = connection.recv(65536)
                except OSError:
                    return
                if not chunk:
                    return
                self.received.extend(chunk)

    def events(self) -> list[ET.Element]:
        self.thread.join(timeout=10.0)
        self.server.close()
        text = self.received.decode("utf-8")
        return [ET.fromstring(match) for match in re.findall(r"<event\b.*?</event>", text, re.S)]


@pytest.fixture(scope="module")
def run(
    tmp_path_factory: pytest.TempPathFactory, incursion_data: Callable[[], dict[str, Any]]
) -> tuple[RunSummary, Path, list[ET.Element]]:
    data = incursion_data()
    text = yaml.safe_dump(data, sort_keys=False)
    scenario = parse_scenario(text, "incursion")
    out = tmp_path_factory.mktemp("run") / "recording"
    listener = Listener()
    summary = run_scenario(
        scenario, text, out, options=RunOptions(cot_url=f"tcp://127.0.0.1:{listener.port}")
    )
    return summary, out, listener.events()


def test_cot_arrives_at_a_real_listener(run: tuple[RunSummary, Path, list[ET.Element]]) -> None:
    summary, _, events = run
    assert summary.cot is not None and summary.cot.sent > 0
    assert summary.cot.dropped == 0
    types = {event.get("type") for event in events}
    uids = {event.get("uid") for event in events}
    assert len(events) >= summary.cot.sent - 1
    assert any(t.startswith("a-h-A-M-F-Q") or t.startswith("a-s-A-M-F-Q") for t in types)
    assert any(t.startswith("a-n-A-C-F") for t in types), types
    assert any(uid.startswith("flankwatch.track.") for uid in uids)
    for event in events:
        point = event.find("point")
        assert point is not None
        if event.get("uid", "").startswith("flankwatch.track."):
            assert 47.5 < float(point.get("lat")) < 56.5
            assert 16.0 < float(point.get("lon")) < 30.0
            assert event.get("how") == "m-f"
            assert event.get("stale") > event.get("time")


def test_decoys_turn_hostile_and_cross_the_border(run: tuple) -> None:
    summary, out, _ = run
    _, rows = query(out, "select kind, message, data from events")
    kinds = [row[0] for row in rows]
    assert "border-crossed" in kinds
    hostile = [json.loads(r[2]) for r in rows if r[0] == "identity-changed"]
    assert any(change.get("to") == "hostile" for change in hostile)
    decoys = [t for t in summary.threats if t.category == "decoy"]
    assert len(decoys) == 2
    assert all(t.crossed_s is not None for t in decoys)
    assert all(t.lead_time_s is not None and t.lead_time_s > 0 for t in decoys)


def test_the_civil_flight_is_never_suspect_or_hostile(run: tuple) -> None:
    summary, _, _ = run
    assert summary.civil_misidentified == 0


def test_every_cap_file_is_valid(run: tuple) -> None:
    summary, out, _ = run
    files = sorted((out / "cap").glob("*.xml"))
    assert summary.cap_messages == len(files) > 0
    for path in files:
        assert validate_cap(path.read_text()) == [], path.name
    _, rows = query(out, "select msg_type, count(*) from alerts where format = 'cap' group by 1")
    assert dict(rows).get("Alert", 0) >= 1


def test_a_refused_cot_endpoint_never_stops_the_run(
    tmp_path: Path, incursion_data: Callable[[], dict[str, Any]]
) -> None:
    data = {**incursion_data(), "duration_s": 300.0}
    text = yaml.safe_dump(data, sort_keys=False)
    closed = socket.create_server(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    summary = run_scenario(
        parse_scenario(text, "incursion"),
        text,
        tmp_path / "r",
        options=RunOptions(cot_url=f"tcp://127.0.0.1:{port}"),
    )
    assert summary.cot is not None
    assert summary.cot.sent == 0 and summary.cot.failures > 0
    assert summary.cot.last_error


def test_a_simulated_run_never_issues_an_actual_cap_alert(
    tmp_path: Path, incursion_data: Callable[[], dict[str, Any]]
) -> None:
    rules = tmp_path / "alerts.yaml"
    rules.write_text("cap:\n  status: Actual\n")
    text = yaml.safe_dump(incursion_data(), sort_keys=False)
    summary = run_scenario(
        parse_scenario(text, "incursion"),
        text,
        tmp_path / "r",
        options=RunOptions(alert_rules=rules),
    )
    files = sorted((tmp_path / "r" / "cap").glob("*.xml"))
    assert summary.cap_messages == len(files) > 0
    for path in files:
        status = ET.fromstring(path.read_text()).find(
            "{urn:oasis:names:tc:emergency:cap:1.2}status"
        )
        assert status is not None and status.text == "Exercise", path.name
