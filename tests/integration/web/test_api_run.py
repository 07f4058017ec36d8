"""The web server running a scenario: operator decisions with and without the token, the
run's controls over the WebSocket, and the recording it leaves."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient

from flankwatch.scenario.loader import parse_scenario
from flankwatch.store.recording import read_metadata
from flankwatch.web.app import create_app
from flankwatch.web.served import Served, serve_run

pytestmark = pytest.mark.slow

TOKEN = "run-operator-token-of-some-length"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
DURATION_S = 900.0
SPEED = 300.0


@pytest.fixture(scope="module")
def live(
    tmp_path_factory: pytest.TempPathFactory, incursion_data: Callable[[], dict[str, Any]]
) -> Iterator[tuple[Served, TestClient]]:
    """The incursion's first 15 minutes run at 300x behind a server with a token."""
    data = {**incursion_data(), "duration_s": DURATION_S}
    text = yaml.safe_dump(data, sort_keys=False)
    out = tmp_path_factory.mktemp("web-run") / "recording"
    served = serve_run(parse_scenario(text, "incursion"), text, out, SPEED, TOKEN)
    with TestClient(create_app(served), raise_server_exceptions=False) as client:
        yield served, client


def wait_for(condition: Callable[[], bool], timeout_s: float = 120.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def confirmed_track(served: Served) -> int | None:
    timeline = served.timeline
    if not len(timeline):
        return None
    rows = timeline.tracks(len(timeline) - 1)
    ids = rows.track_id[(rows.status == "confirmed") & (rows.callsign == "")]
    return int(ids[0]) if len(ids) else None


def test_decisions_without_the_right_token_are_refused(live: tuple[Served, TestClient]) -> None:
    _, client = live
    decision = {"kind": "veto-engagement", "track_id": 1, "operator": "ops", "reason": "test"}
    for headers in (
        {},
        {"Authorization": "Bearer wrong-token"},
        {"Authorization": f"Basic {TOKEN}"},
        {"Authorization": TOKEN},
        {"Authorization": f"Bearer {TOKEN}x"},
    ):
        answer = client.post("/api/decisions", json=decision, headers=headers)
        assert answer.status_code == 401, headers
        assert TOKEN not in answer.text


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        "[1, 2]",
        '{"kind": "declare-identity", "track_id": 1, "identity": "martian", "operator": "o"}',
        '{"kind": "declare-identity", "track_id": "one", "identity": "hostile", "operator": "o"}',
        '{"kind": "acknowledge-alert", "operator": "o"}',
        '{"kind": "fire-everything", "operator": "o"}',
        '{"kind": "veto-engagement", "track_id": 1}',
        '{"kind": "veto-engagement", "track_id": 9223372036854775808, "operator": "o"}',
        '{"kind": "veto-engagement", "track_id": 1, "operator": "o", "colour": "red"}',
        '{"kind": "veto-engagement", "track_id": 1, "operator": "\\u0007"}',
        # nested too deep for the JSON reader: it was a 500
        pytest.param("[" * 8000 + "]" * 8000, id="nested-arrays"),
        pytest.param(
            '{"kind": ' + "[" * 5000 + "]" * 5000 + ', "operator": "o"}', id="nested-kind"
        ),
    ],
)
def test_malformed_decisions_get_a_422_naming_the_fault(
    live: tuple[Served, TestClient], body: str
) -> None:
    _, client = live
    answer = client.post(
        "/api/decisions", content=body, headers={**AUTH, "Content-Type": "application/json"}
    )
    assert answer.status_code == 422, body
    assert answer.json()["detail"]


def test_acknowledging_an_alert_never_issued_is_a_404(live: tuple[Served, TestClient]) -> None:
    # it was accepted and recorded as an acknowledgement of nothing
    _, client = live
    decision = {"kind": "acknowledge-alert", "alert_id": "no-such-alert", "operator": "o"}
    answer = client.post("/api/decisions", json=decision, headers=AUTH)
    assert answer.status_code == 404
    assert answer.json()["detail"] == "no alert 'no-such-alert' has been issued"


def test_an_oversized_decision_is_refused_unread(live: tuple[Served, TestClient]) -> None:
    _, client = live
    body = json.dumps(
        {"kind": "veto-engagement", "track_id": 1, "operator": "o", "reason": "x" * 20_000}
    )
    answer = client.post(
        "/api/decisions", content=body, headers={**AUTH, "Content-Type": "application/json"}
    )
    assert answer.status_code == 413


def test_a_declared_identity_enters_the_run_and_is_recorded(
    live: tuple[Served, TestClient],
) -> None:
    served, client = live
    wait_for(lambda: confirmed_track(served) is not None)
    track_id = confirmed_track(served)
    decision = {
        "kind": "declare-identity",
        "track_id": track_id,
        "identity": "hostile",
        "operator": "duty officer",
        "reason": "seen launching from Belarus",
    }
    answer = client.post("/api/decisions", json=decision, headers=AUTH)
    assert answer.status_code == 202
    assert answer.json()["accepted"] is True and isinstance(answer.json()["decision_id"], int)
    assert served.run is not None
    wait_for(served.run.finished.is_set)
    events = client.get("/api/events", params={"track_id": track_id}).json()
    decided = [e for e in events if e["kind"] == "operator-decision"]
    assert decided and "duty officer" in json.dumps(decided)
    details = client.get(f"/api/tracks/{track_id}").json()
    assert details["idn"] == "hostile"
    assert any("duty officer" in reason for reason in details["idn_reasons"])


def test_run_clients_set_the_pace_and_cannot_seek(live: tuple[Served, TestClient]) -> None:
    served, client = live
    assert served.run is not None
    with client.websocket_connect("/ws") as socket_:
        hello = socket_.receive_json()
        assert hello["mode"] == "run" and hello["operator"] is True
        assert hello["duration_s"] == DURATION_S
        socket_.send_text(json.dumps({"type": "seek", "t_s": 10.0}))
        socket_.send_text(json.dumps({"type": "speed", "value": 450}))
        messages = [socket_.receive_json() for _ in range(2)]
        while not any(m["type"] == "error" for m in messages):
            messages.append(socket_.receive_json())
        error = next(m for m in messages if m["type"] == "error")
        assert "seek" in error["message"]
        wait_for(lambda: served.run is not None and served.run.pacer.speed == 450.0, 10.0)


def test_the_run_leaves_a_complete_recording_and_takes_no_more_decisions(
    live: tuple[Served, TestClient],
) -> None:
    served, client = live
    assert served.run is not None
    wait_for(served.run.finished.is_set)
    assert served.run.error is None
    assert read_metadata(Path(served.recording))["status"] == "complete"
    decision = {"kind": "veto-engagement", "track_id": 1, "operator": "ops", "reason": "late"}
    answer = client.post("/api/decisions", json=decision, headers=AUTH)
    assert answer.status_code == 409
    assert client.get("/api/metadata").json()["mode"] == "run"


def test_a_run_stopped_with_the_server_leaves_its_recording_interrupted(
    tmp_path: Path, incursion_data: Callable[[], dict[str, Any]]
) -> None:
    text = yaml.safe_dump(incursion_data(), sort_keys=False)
    out = tmp_path / "recording"
    served = serve_run(parse_scenario(text, "incursion"), text, out, 10.0, TOKEN)
    with TestClient(create_app(served), raise_server_exceptions=False):
        wait_for(lambda: len(served.timeline) >= 2)
    metadata = read_metadata(out)  # the server stopped (Ctrl-C) before the run's end
    assert metadata["status"] == "interrupted"
    assert "error" not in metadata and "summary" not in metadata
