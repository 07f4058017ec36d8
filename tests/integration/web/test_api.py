"""The web server on a recording: REST answers, the WebSocket on a real loopback socket,
and requests that must be refused.

One small incursion (two decoys from Belarus, a civil flight, 25 min) is run once,
recorded, and seen at the same time by a web sink: the replay must rebuild what
the run showed.
"""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import uvicorn
import yaml
from fastapi import FastAPI
from fastapi.testclient import TestClient
from websockets.exceptions import InvalidStatus
from websockets.sync.client import ClientConnection, connect

from flankwatch.pipeline import execute
from flankwatch.scenario.loader import parse_scenario
from flankwatch.sim.source import SimulationSource
from flankwatch.store.reading import read_table
from flankwatch.web import app as web_app
from flankwatch.web.app import create_app
from flankwatch.web.frames import TRACK_FIELDS, frame_at
from flankwatch.web.live import WebSink
from flankwatch.web.recorded import airport_names
from flankwatch.web.served import Served, serve_recording
from flankwatch.web.timeline import Timeline

pytestmark = pytest.mark.slow

TOKEN = "a-long-enough-operator-token"
DURATION_S = 1500.0


@pytest.fixture(scope="module")
def incursion_run(
    tmp_path_factory: pytest.TempPathFactory, incursion_data: Callable[[], dict[str, Any]]
) -> tuple[Path, Timeline]:
    """The incursion's first 25 minutes run once (both crossings, identities and warnings):
    its recording, and the timeline a web sink made of it."""
    data = {**incursion_data(), "duration_s": DURATION_S}
    text = yaml.safe_dump(data, sort_keys=False)
    source = SimulationSource(parse_scenario(text, "incursion"), text)
    deployment = source.info.deployment
    timeline = Timeline(source.info.batch_s, airport_names(deployment))
    out = tmp_path_factory.mktemp("web") / "recording"
    execute(source, out, extra_sinks=[WebSink(timeline, deployment.frame, None)])
    return out, timeline


@pytest.fixture(scope="module")
def served(incursion_run: tuple[Path, Timeline]) -> Served:
    return serve_recording(incursion_run[0], speed=60.0, token=TOKEN)


@pytest.fixture(scope="module")
def client(served: Served) -> Iterator[TestClient]:
    with TestClient(create_app(served), raise_server_exceptions=False) as test_client:
        yield test_client


@contextmanager
def serving(app: FastAPI) -> Iterator[int]:
    """``app`` served by uvicorn on a loopback port (yielded), in a thread."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    port = int(listener.getsockname()[1])
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30.0
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(10.0)
        listener.close()


@pytest.fixture(scope="module")
def port(served: Served) -> Iterator[int]:
    with serving(create_app(served)) as number:
        yield number


def receive(socket_: ClientConnection) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(socket_.recv(timeout=20.0))
    return message


def next_frame(socket_: ClientConnection, errors: list[str] | None = None) -> dict[str, Any]:
    """The next frame message (error messages on the way are kept in ``errors``)."""
    while True:
        message = receive(socket_)
        if message["type"] == "frame":
            return message
        assert message["type"] == "error", message
        if errors is not None:
            errors.append(message["message"])


def apply(state: dict[int, dict[str, Any]], frame: dict[str, Any]) -> None:
    """What a page does with a frame: a full one replaces, a delta sets and deletes."""
    if frame["full"]:
        state.clear()
    for track in frame["tracks"]["set"]:
        state[track["id"]] = track
    for gone in frame["tracks"]["del"]:
        del state[gone]


def as_sent(values: tuple[Any, ...]) -> dict[str, Any]:
    """A frame's track tuple as the page receives it."""
    record = dict(zip(TRACK_FIELDS, values, strict=True))
    record["path"] = [list(point) for point in record["path"]]
    return record


# --- the replay rebuilds the run ---------------------------------------------------------


def test_the_replay_shows_what_the_run_showed(
    incursion_run: tuple[Path, Timeline], served: Served
) -> None:
    _, run = incursion_run
    replay = served.timeline
    assert replay.t1_s == run.t1_s
    compared = [f for f in TRACK_FIELDS if f not in ("ttb", "path")]
    seen = 0
    for index in range(0, len(run), 7):
        shown, rebuilt = frame_at(run, index), frame_at(replay, index)
        assert shown.tracks.keys() == rebuilt.tracks.keys()
        for track_id, values in shown.tracks.items():
            # identity from events, class from the classifier run again, rank from the table
            assert {f: v for f, v in zip(TRACK_FIELDS, values, strict=True) if f in compared} == {
                f: v
                for f, v in zip(TRACK_FIELDS, rebuilt.tracks[track_id], strict=True)
                if f in compared
            }
            seen += 1
        assert shown.airports == rebuilt.airports
    assert seen > 100
    assert replay.events == run.events
    assert replay.alerts == run.alerts
    late = frame_at(replay, replay.index_at(1200.0))
    hostile = [t for t in late.tracks.values() if t[7] == "hostile"]
    assert hostile, "the decoys are declared hostile inside the airspace"


# --- REST ----------------------------------------------------------------------------------


def test_metadata_names_the_recording_and_its_map(client: TestClient) -> None:
    answer = client.get("/api/metadata")
    assert answer.status_code == 200
    body = answer.json()
    assert body["mode"] == "replay" and body["operator"] is False
    assert body["duration_s"] == DURATION_S and body["batch_s"] == 5.0 and body["seed"] == 7
    assert body["start_utc"] == "2025-09-10T00:00:00+00:00"
    west, south, east, north = body["bounds"]
    assert west < 22.5 < 24.3 < east and south < 52.0 < north  # sensors and the launch area
    assert body["origin"] == {"lat": 52.05, "lon": 23.2}


def test_basemap_layers_come_from_the_shipped_data_and_the_deployment(
    client: TestClient, incursion_run: tuple[Path, Timeline]
) -> None:
    layers = client.get("/api/basemap").json()
    assert set(layers) == {
        "countries",
        "border",
        "admin",
        "airports",
        "assets",
        "no_engagement",
        "sensors",
    }
    for layer in layers.values():
        assert layer["type"] == "FeatureCollection"
    countries = {f["properties"]["iso_a3"]: f for f in layers["countries"]["features"]}
    assert {"POL", "BLR", "UKR", "LTU"} <= set(countries)
    assert countries["POL"]["properties"]["watched"] is True
    assert len(layers["admin"]["features"]) == 16  # Polish voivodeships
    assert {f["properties"]["icao"] for f in layers["airports"]["features"]} == {"EPLB", "EPWA"}
    sensors = layers["sensors"]["features"]
    points = [f for f in sensors if f["geometry"]["type"] == "Point"]
    coverage = [f for f in sensors if f["properties"].get("coverage")]
    assert {f["properties"]["name"] for f in points} == {"gf", "lr", "adsb"}
    assert len(coverage) == 3 and coverage[0]["geometry"]["type"] == "Polygon"
    lon, lat = points[0]["geometry"]["coordinates"]
    assert 22.0 < lon < 24.0 and 51.5 < lat < 52.5


def test_events_filter_by_time_and_track(client: TestClient) -> None:
    every = client.get("/api/events").json()
    assert every and all(
        set(e) == {"t_s", "kind", "track_id", "subject", "text", "data"} for e in every
    )
    some = client.get("/api/events", params={"from_s": 900, "to_s": 1300}).json()
    assert some and all(900 <= e["t_s"] <= 1300 for e in some)
    assert len(some) < len(every)
    track = every[-1]["track_id"]
    mine = client.get("/api/events", params={"track_id": track}).json()
    assert mine and all(e["track_id"] == track for e in mine)


def test_alerts_group_each_alerts_messages(
    client: TestClient, incursion_run: tuple[Path, Timeline]
) -> None:
    alerts = client.get("/api/alerts").json()
    table = read_table(incursion_run[0], "alerts").to_pylist()
    assert sum(len(a["messages"]) for a in alerts) == len(table)
    assert {a["alert_id"] for a in alerts} == {row["alert_id"] for row in table}
    first = alerts[0]
    assert first["kind"] == "public"
    assert [m["msg_type"] for m in first["messages"]][0] == "Alert"
    assert first["messages"][0]["body"].startswith("<?xml")


def test_a_track_shows_its_class_identity_reasons_and_history(client: TestClient) -> None:
    events = client.get("/api/events").json()
    crossed = next(e for e in events if e["kind"] == "border-crossed")
    track_id = crossed["track_id"]
    details = client.get(f"/api/tracks/{track_id}", params={"t_s": crossed["t_s"] + 400}).json()
    assert details["id"] == track_id
    assert details["cls"] in ("one-way-attack-drone", "decoy")
    assert details["cls_reasons"] and details["idn_reasons"]
    assert any("declared" in reason for reason in details["idn_reasons"])
    times = [point[0] for point in details["history"]]
    assert times == sorted(times) and times[-1] <= crossed["t_s"] + 400
    assert any(e["kind"] == "border-crossed" for e in details["events"])
    early = client.get(f"/api/tracks/{track_id}", params={"t_s": 1.0})
    assert early.status_code == 404
    assert client.get("/api/tracks/999999").status_code == 404


def test_decisions_on_a_recording_are_refused_as_too_late(client: TestClient) -> None:
    decision = {"kind": "veto-engagement", "track_id": 6, "operator": "ops", "reason": "test"}
    for headers in ({}, {"Authorization": f"Bearer {TOKEN}"}):
        answer = client.post("/api/decisions", json=decision, headers=headers)
        assert answer.status_code == 409
        assert "serve --run" in answer.json()["detail"]


def test_page_files_are_served_from_the_whitelist_only(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert client.get("/").status_code == 200
    view = client.get("/aar")
    assert view.status_code == 200 and view.headers["content-type"].startswith("text/html")
    assert client.get("/aar").text == view.text  # the replay's view, made once
    page = client.get("/static/index.html")
    assert page.status_code == 200 and page.headers["x-content-type-options"] == "nosniff"
    assert client.get("/static/nothing.js").status_code == 404
    assert client.get("/vendor/milsymbol.development.js").status_code == 404
    monkeypatch.setattr(web_app, "NODE_MODULES", tmp_path / "none")
    missing = client.get("/vendor/maplibre-gl.js")
    assert missing.status_code == 503
    assert "npm ci --prefix src/flankwatch/web" in missing.json()["detail"]


def test_odd_requests_get_clear_4xx_answers_never_500(client: TestClient) -> None:
    requests = [
        ("GET", "/api/nothing"),
        ("GET", "/api/tracks/abc"),
        ("GET", "/api/tracks/1?t_s=soon"),
        ("GET", "/api/tracks/-5"),
        ("GET", "/api/tracks/99999999999999999999999"),
        ("GET", "/api/tracks/6?t_s=nan"),
        ("GET", "/api/tracks/6?t_s=1e308"),
        ("GET", "/api/events?from_s=abc"),
        ("GET", "/api/events?track_id=1.5"),
        ("POST", "/api/metadata"),
        ("DELETE", "/api/decisions"),
        ("GET", "/ws"),
        ("GET", "/static/"),
        ("GET", "/vendor/"),
    ]
    for method, path in requests:
        answer = client.request(method, path)
        assert answer.status_code < 500, (method, path, answer.status_code)
        if answer.status_code >= 400:
            assert "detail" in answer.json(), (method, path)
            assert "Traceback" not in answer.text


def test_a_repeated_query_parameter_is_refused_not_half_read(client: TestClient) -> None:
    # /api/events?track_id=1&track_id=2 answered for track 2 alone
    answer = client.get("/api/events?track_id=1&track_id=2&from_s=0")
    assert answer.status_code == 422
    assert answer.json()["detail"] == "query parameter(s) track_id given more than once"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert client.get("/api/events?track_id=1&from_s=0").status_code == 200


def test_a_time_that_is_no_finite_number_is_refused(client: TestClient) -> None:
    for path in ("/api/tracks/6?t_s=nan", "/api/tracks/6?t_s=inf", "/api/events?from_s=-inf"):
        answer = client.get(path)
        assert answer.status_code == 422, (path, answer.text)
        assert "finite" in answer.json()["detail"]


# --- over a real socket --------------------------------------------------------------------


def raw_get(port: int, path: str) -> tuple[int, bytes]:
    """GET ``path`` exactly as written (no client normalises the dots)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        connection.request("GET", path)
        answer = connection.getresponse()
        return answer.status, answer.read()
    finally:
        connection.close()


@pytest.mark.parametrize("path", ["/", "/api/metadata", "/api/alerts", "/static/app.js"])
def test_head_answers_as_get_without_a_body(port: int, path: str) -> None:
    # monitors ask with HEAD; it was a 405
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        connection.request("GET", path)
        got = connection.getresponse()
        body = got.read()
        connection.request("HEAD", path)
        head = connection.getresponse()
        assert head.status == got.status == 200
        assert head.read() == b"" and body
        assert head.getheader("content-type") == got.getheader("content-type")
        assert head.getheader("content-length") == str(len(body))
    finally:
        connection.close()


@pytest.mark.parametrize(
    "path",
    [
        "/static/../../pyproject.toml",
        "/static/..%2f..%2f..%2fpyproject.toml",
        "/static/%2e%2e/%2e%2e/%2e%2e/pyproject.toml",
        "/static/..\\..\\app.py",
        "/static/../app.py",
        "/vendor/..%2f..%2fetc/passwd",
        "/vendor/../../../../../../etc/passwd",
        "/vendor/..%2fmaplibre-gl%2fpackage.json",
        "/../../../../etc/passwd",
        "//etc/passwd",
        "/static//etc/passwd",
        "/aar/../pyproject.toml",
    ],
)
def test_no_path_reaches_a_file_outside_the_page(port: int, path: str) -> None:
    status, body = raw_get(port, path)
    assert status in (400, 404), (path, status)
    assert b"[project]" not in body and b"root:" not in body and b"import" not in body


def test_frames_arrive_and_rebuild_the_picture(port: int, served: Served) -> None:
    with connect(f"ws://127.0.0.1:{port}/ws") as socket_:
        hello = receive(socket_)
        assert hello == {
            "type": "hello",
            "mode": "replay",
            "name": served.name,
            "duration_s": DURATION_S,
            "batch_s": 5.0,
            "start_utc": "2025-09-10T00:00:00+00:00",
            "operator": False,
        }
        first = next_frame(socket_)
        assert first["full"] is True and first["playing"] is True and first["speed"] == 60.0
        socket_.send(json.dumps({"type": "seek", "t_s": 1000.0}))
        socket_.send(json.dumps({"type": "speed", "value": 600}))
        state: dict[int, dict[str, Any]] = {}
        frame = next_frame(socket_)
        while not (frame["full"] and frame["t_s"] == 1000.0):
            frame = next_frame(socket_)
        apply(state, frame)
        deltas = 0
        while deltas < 8:
            frame = next_frame(socket_)
            assert frame["full"] is False and frame["t_s"] >= 1000.0
            for track in frame["tracks"]["set"]:
                # a track is sent only when one of its rounded values changed
                assert state.get(track["id"]) != track
            apply(state, frame)
            deltas += frame["t_s"] > 1000.0
        index = served.timeline.index_at(frame["t_s"])
        expected = frame_at(served.timeline, index).tracks
        assert state == {track_id: as_sent(values) for track_id, values in expected.items()}


def test_a_seek_gives_a_full_frame_of_that_time(port: int, served: Served) -> None:
    with connect(f"ws://127.0.0.1:{port}/ws") as socket_:
        receive(socket_)
        socket_.send(json.dumps({"type": "pause"}))
        socket_.send(json.dumps({"type": "seek", "t_s": 1500.0}))
        frame = next_frame(socket_)
        while frame["t_s"] != 1500.0:
            frame = next_frame(socket_)
        assert frame["full"] is True and frame["playing"] is False
        expected = frame_at(served.timeline, served.timeline.index_at(1500.0))
        assert {t["id"] for t in frame["tracks"]["set"]} == set(expected.tracks)
        alerts_so_far = [a for a in served.timeline.alerts if a["t_s"] <= 1500.0]
        assert [a["alert_id"] for a in frame["alerts"]] == [a["alert_id"] for a in alerts_so_far]
        assert frame["utc"] == "2025-09-10T00:25:00+00:00"


def test_bad_client_messages_get_an_error_and_the_socket_stays_open(port: int) -> None:
    with connect(f"ws://127.0.0.1:{port}/ws") as socket_:
        receive(socket_)
        bad = [
            "nonsense",
            "[]",
            '{"type": "fly"}',
            '{"type": "speed", "value": 0}',
            '{"type": "speed", "value": "fast"}',
            '{"type": "seek", "t_s": "later"}',
            # a whole number too large for a float ended the socket with a traceback
            '{"type": "speed", "value": 1' + "0" * 400 + "}",
            "[" * 3000 + "]" * 3000,
        ]
        for text in bad:
            socket_.send(text)
        errors: list[str] = []
        while len(errors) < len(bad):
            message = receive(socket_)
            if message["type"] == "error":
                errors.append(message["message"])
        assert any("JSON" in e for e in errors) and any("speed" in e for e in errors)
        assert "speed must be from 1 to 600, not inf" in errors
        socket_.send('{"type": "seek", "t_s": 1' + "0" * 400 + "}")  # past the end: taken
        socket_.send(json.dumps({"type": "pause"}))
        frame = next_frame(socket_)
        while frame["playing"]:
            frame = next_frame(socket_)
        assert frame["playing"] is False


def test_a_socket_from_another_sites_page_is_refused(port: int) -> None:
    with pytest.raises(InvalidStatus):
        with connect(f"ws://127.0.0.1:{port}/ws", origin="http://evil.example"):  # type: ignore[arg-type]
            pass


def test_a_loopback_server_answers_only_to_loopback_names(served: Served) -> None:
    app = create_app(served, allowed_hosts=["127.0.0.1", "localhost", "[::1]"])
    with TestClient(app, base_url="http://127.0.0.1:8750") as local:
        assert local.get("/api/metadata").status_code == 200
        assert local.get("/api/metadata", headers={"Host": "localhost:8750"}).status_code == 200
        rebound = local.get("/api/metadata", headers={"Host": "attacker.example:8750"})
        assert rebound.status_code == 400
