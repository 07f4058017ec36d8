"""The picture in a real browser: Debian's chromium, headless, driven by Playwright.

The server is the real one (``flankwatch serve``) on a loopback port: a replay of
the first part of ``poland-2025-09-10`` recorded once per session, and a live run
of a small incursion with an operator token. Without chromium (and without
``FLANKWATCH_CHROMIUM`` naming one) the tests are skipped; CI sets the variable,
so there they fail instead.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from PIL import Image
from playwright.sync_api import expect, sync_playwright

from flankwatch.store.query import query

SCENARIO = "poland-2025-09-10"
RECORDED_S = 1500.0
"""The replay's recording holds the night's first 25 min: warnings from the 11th."""
SEEK_S = 1400.0
"""A replay time with tracks, warnings and a closed airport on the picture, s."""
TOKEN = "correct-horse-battery-staple"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
GL_ARGS = ["--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--ignore-gpu-blocklist"]
"""Chromium's software GL, so that MapLibre draws without a GPU."""
START_TIMEOUT_S = 120.0
SERVE = [sys.executable, "-m", "flankwatch.cli", "serve"]


def _chromium() -> str:
    """The chromium to drive, or skip when there is none and none was asked for."""
    wanted = os.environ.get("FLANKWATCH_CHROMIUM")
    found = wanted or shutil.which("chromium")
    if found is None:
        pytest.skip("no chromium (install Debian's chromium or set FLANKWATCH_CHROMIUM)")
    assert Path(found).is_file(), f"FLANKWATCH_CHROMIUM={wanted!r} is not a file"
    return found


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    """A ``flankwatch serve`` process on a loopback port."""

    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        """GET ``path`` sent exactly as given (no normalisation of ``..``); status and body."""
        parts = urlsplit(self.url)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        try:
            connection.request("GET", path, headers=headers or {})
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def json(self, path: str) -> Any:
        status, body = self.get(path)
        assert status == 200, (path, status, body[:300])
        return json.loads(body)


@contextmanager
def _serve(arguments: list[str], log: Path, env: dict[str, str] | None = None) -> Iterator[Server]:
    """Start ``flankwatch serve ARGUMENTS`` on a free loopback port; stop it afterwards."""
    port = _free_port()
    command = [*SERVE, *arguments]
    command += ["--host", "127.0.0.1", "--port", str(port)]
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})}
        )
    server = Server(f"http://127.0.0.1:{port}", process, log)
    deadline = time.monotonic() + START_TIMEOUT_S
    try:
        while True:
            assert process.poll() is None, f"serve stopped: {log.read_text(errors='replace')}"
            assert time.monotonic() < deadline, f"serve not up: {log.read_text(errors='replace')}"
            try:
                if server.get("/api/metadata")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.25)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def recording(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The first :data:`RECORDED_S` of the default night, recorded once."""
    out = tmp_path_factory.mktemp("web") / SCENARIO
    command = [sys.executable, "-m", "flankwatch.cli", "run", SCENARIO]
    command += ["--duration", str(RECORDED_S), "--out", str(out), "--quiet"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout + done.stderr
    return out


@pytest.fixture(scope="session")
def replay(recording: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with _serve([str(recording)], tmp_path_factory.mktemp("replay") / "serve.log") as server:
        yield server


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    executable = _chromium()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=GL_ARGS)
        yield launched
        launched.close()


@dataclass
class Traffic:
    """Every request the page made, every one that failed or was answered with an error, and
    the page's errors."""

    urls: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    off_machine: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    """Errors the page threw or logged."""


def _watch(context: Any, traffic: Traffic) -> None:
    """Record every request of ``context``; abort (and note) any that leaves the machine."""

    def route(route: Any) -> None:
        url = route.request.url
        traffic.urls.append(url)
        parts = urlsplit(url)
        if parts.scheme in ("http", "https", "ws", "wss") and parts.hostname not in LOOPBACK:
            traffic.off_machine.append(url)
            route.abort()
        else:
            route.continue_()

    context.route("**/*", route)
    context.on("requestfailed", lambda r: traffic.failed.append(f"{r.url}: {r.failure}"))
    context.on(
        "response",
        lambda r: r.status >= 400 and traffic.failed.append(f"{r.url}: HTTP {r.status}"),
    )


def _open(browser: Any, server: Server, traffic: Traffic) -> Any:
    """A new page on ``server``'s picture, once it is drawing frames."""
    context = browser.new_context(viewport={"width": 1400, "height": 850})
    _watch(context, traffic)
    page = context.new_page()
    page.on("websocket", lambda ws: traffic.urls.append(ws.url))
    page.on("pageerror", lambda error: traffic.errors.append(f"page error: {error}"))
    page.on(
        "console",
        lambda message: message.type == "error" and traffic.errors.append(message.text),
    )
    page.goto(server.url + "/")
    page.wait_for_function(
        "window.flankwatch && window.flankwatch.ready && window.flankwatch.frames > 0",
        timeout=60_000,
    )
    return page


@pytest.fixture(scope="session")
def replay_page(browser: Any, replay: Server) -> Iterator[tuple[Any, Traffic]]:
    """One page on the replay for all its tests (each seeks where it looks)."""
    traffic = Traffic()
    page = _open(browser, replay, traffic)
    yield page, traffic
    page.context.close()


def _seek(page: Any, t_s: float) -> float:
    """Pause the replay and jump to ``t_s`` with the timeline; the picture's time after it."""
    page.click("#pause")
    page.wait_for_function("window.flankwatch.playing === false", timeout=30_000)
    frames = page.evaluate("window.flankwatch.frames")
    page.locator("#seek").evaluate(
        "(slider, t) => { slider.value = t; slider.dispatchEvent(new Event('change')); }", t_s
    )
    page.wait_for_function(
        f"window.flankwatch.frames > {frames} && Math.abs(window.flankwatch.t_s - {t_s}) < 30",
        timeout=30_000,
    )
    return float(page.evaluate("window.flankwatch.t_s"))


def _live_tracks(recording: Path, t_s: float) -> set[int]:
    """The recorded tracks alive (not deleted) in the window that ends at or after ``t_s``."""
    sql = f"select t0_s, t1_s from windows where t1_s >= {t_s} - 1e-9 order by t1_s limit 1"
    _, windows = query(recording, sql)
    t0, t1 = windows[0]
    _, rows = query(
        recording,
        f"select distinct track_id from tracks where time_s > {t0} and time_s <= {t1} "
        "and status != 3",
    )
    return {int(row[0]) for row in rows}


def _symbols(page: Any) -> set[int]:
    ids = page.eval_on_selector_all(
        "#map [data-track-id]", "elements => elements.map(e => Number(e.dataset.trackId))"
    )
    return set(ids)


def test_the_page_loads_from_the_machine_alone(replay_page: tuple[Any, Traffic]) -> None:
    page, traffic = replay_page
    page.wait_for_timeout(1000)
    assert traffic.off_machine == []
    assert traffic.failed == []
    assert traffic.errors == []
    local = ("blob:", "data:")
    hosts = {urlsplit(url).hostname for url in traffic.urls if not url.startswith(local)}
    assert hosts == {"127.0.0.1"}
    assert any(url.endswith("/vendor/maplibre-gl.js") for url in traffic.urls)
    assert any(urlsplit(url).scheme == "ws" for url in traffic.urls)
    assert page.locator("#map canvas.maplibregl-canvas").count() == 1
    assert page.evaluate("window.flankwatch.mode") == "replay"
    assert page.locator("#operator").is_hidden()  # no token, no run: read-only


def test_the_symbols_are_the_recorded_tracks_at_a_replay_time(
    replay_page: tuple[Any, Traffic], recording: Path
) -> None:
    page, _ = replay_page
    t_s = _seek(page, SEEK_S)
    expected = _live_tracks(recording, t_s)
    assert len(expected) > 10
    assert _symbols(page) == expected
    assert page.evaluate("window.flankwatch.tracks") == len(expected)
    rows = page.locator("#track-list tbody tr").count()
    assert rows == min(len(expected), 200)


def _topmost_symbol(page: Any) -> int:
    """The id of a track symbol inside the map's view that nothing covers at its centre."""
    found = page.evaluate(
        """() => {
            const view = document.getElementById('map').getBoundingClientRect();
            for (const element of document.querySelectorAll('#map [data-track-id]')) {
                const box = element.getBoundingClientRect();
                const x = box.x + box.width / 2, y = box.y + box.height / 2;
                if (x < view.left + 40 || x > view.right - 60) continue;
                if (y < view.top + 40 || y > view.bottom - 40) continue;
                const hit = document.elementFromPoint(x, y);
                if (hit && hit.closest('[data-track-id]') === element) {
                    return Number(element.dataset.trackId);
                }
            }
            return null;
        }"""
    )
    assert found is not None, "no track symbol free to click in the map's view"
    return int(found)


def test_a_click_on_a_track_shows_its_details(
    replay_page: tuple[Any, Traffic], replay: Server
) -> None:
    page, _ = replay_page
    t_s = _seek(page, SEEK_S)
    track_id = _topmost_symbol(page)
    page.click(f"#map [data-track-id='{track_id}']")
    page.wait_for_function(f"window.flankwatch.selected === {track_id}")
    details = page.locator("#details")
    details.locator(".cls").wait_for()
    assert page.inner_text("#details-id") == str(track_id)
    expected = replay.json(f"/api/tracks/{track_id}?t_s={t_s}")
    assert details.locator(".cls").inner_text() == expected["cls"]
    assert details.locator(".idn").inner_text() == expected["idn"]
    assert details.locator(".events li").count() == max(1, len(expected["events"]))
    # a row of the track list opens another track's details
    other = page.locator(f"#track-list tbody tr:not([data-track-id='{track_id}'])").first
    other_id = int(other.get_attribute("data-track-id"))
    other.click()
    page.wait_for_function(f"document.getElementById('details-id').textContent === '{other_id}'")
    assert page.locator(f"#map [data-track-id='{other_id}'].selected").count() == 1


@pytest.mark.parametrize(
    "path",
    [
        "/static/../../../pyproject.toml",
        "/static/%2e%2e/%2e%2e/%2e%2e/pyproject.toml",
        "/static/..%2f..%2f..%2fpyproject.toml",
        "/vendor/..%2fpackage.json",
        "/vendor/../package.json",
        "/static/%2fetc%2fpasswd",
        "/../../../../etc/passwd",
        "/api/tracks/..%2f..%2fmetadata.json",
    ],
)
def test_a_path_out_of_the_served_folders_is_refused(replay: Server, path: str) -> None:
    status, body = replay.get(path)
    assert 400 <= status < 500, (status, body[:200])
    assert b"[project]" not in body and b"root:" not in body and b'"dependencies"' not in body
    assert b"Traceback" not in body


def test_a_screenshot_of_the_picture(replay_page: tuple[Any, Traffic], tmp_path: Path) -> None:
    page, traffic = replay_page
    _seek(page, SEEK_S)
    page.wait_for_timeout(500)
    path = tmp_path / "cop.png"
    page.screenshot(path=str(path))
    box = page.locator("#map").bounding_box()
    with Image.open(path) as image:
        left, top = int(box["x"]), int(box["y"])
        view = image.convert("RGB").crop(
            (left, top, left + int(box["width"]), top + int(box["height"]))
        )
        colours = view.getcolors(maxcolors=1 << 20) or []
    # the map is drawn (countries, border, coverage, tracks), not a blank canvas
    assert len(colours) > 50
    assert traffic.failed == [] and traffic.errors == []
    print(f"screenshot: {path}")


def _incursion_file(
    incursion_data: Callable[[], dict[str, Any]], write_scenario: Callable[..., Path]
) -> Path:
    data = incursion_data()
    data["duration_s"] = 300.0
    return write_scenario(data, "incursion.yaml")


@pytest.fixture
def live_run(
    incursion_data: Callable[[], dict[str, Any]],
    write_scenario: Callable[..., Path],
    tmp_path: Path,
) -> Iterator[tuple[Server, Path]]:
    """``serve --run`` of a 5-min incursion at 5x real time with an operator token."""
    out = tmp_path / "run"
    scenario = _incursion_file(incursion_data, write_scenario)
    arguments = ["--run", str(scenario), "--speed", "5", "--out", str(out)]
    with _serve(arguments, tmp_path / "serve.log", {"FLANKWATCH_OPERATOR_TOKEN": TOKEN}) as server:
        yield server, out


def _declare(page: Any, identity: str) -> int:
    """Declare the selected track ``identity`` with the page's controls; the HTTP status,
    once the page shows whether the decision was accepted or refused."""
    page.select_option("#declare-identity", identity)
    page.fill("#decision-reason", "seen by the pilot")
    with page.expect_response("**/api/decisions") as answer:
        page.click("#declare")
    status = int(answer.value.status)
    result = "accepted" if status == 202 else "refused"
    expect(page.locator("#operator-status")).to_have_attribute("data-result", result)
    return status


CANDIDATE = """() => {
    const rows = [...document.querySelectorAll('#track-list tbody tr')];
    const track = rows.map(r => window.flankwatch.track(Number(r.dataset.trackId)))
        .find(t => t && t.st === 'confirmed' && t.idn !== 'friend');
    return track ? track.id : null;
}"""
"""The first confirmed track of the list not yet a friend (null: none)."""


def test_an_operator_decision_needs_the_token_and_changes_the_run(
    browser: Any, live_run: tuple[Server, Path]
) -> None:
    server, out = live_run
    traffic = Traffic()
    page = _open(browser, server, traffic)
    try:
        assert page.evaluate("window.flankwatch.mode") == "run"
        track_id = int(page.wait_for_function(CANDIDATE, timeout=60_000).json_value())
        page.click("#pause")  # pauses the run itself
        page.wait_for_function("window.flankwatch.playing === false", timeout=30_000)
        page.click(f"#track-list tbody tr[data-track-id='{track_id}']")
        page.locator("#details-actions").wait_for()
        page.fill("#operator-name", "alice")

        assert _declare(page, "friend") == 401  # no token given
        page.fill("#operator-token", "not-the-token-at-all")
        assert _declare(page, "friend") == 401
        page.fill("#operator-token", TOKEN)
        assert _declare(page, "friend") == 202

        # the run goes on at 600x: the next window holds the declared identity
        page.locator("#speed").evaluate(
            "slider => { slider.value = 600; slider.dispatchEvent(new Event('change')); }"
        )
        page.click("#play")
        page.wait_for_function(
            f"window.flankwatch.track({track_id})?.idn === 'friend'", timeout=30_000
        )
        assert traffic.failed == [f"{server.url}/api/decisions: HTTP 401"] * 2
    finally:
        page.context.close()
    deadline = time.monotonic() + START_TIMEOUT_S
    while json.loads((out / "metadata.json").read_text())["status"] != "complete":
        assert time.monotonic() < deadline, "the live run did not finish"
        time.sleep(0.5)
    sql = "select subject, track_id, message from events where kind = 'operator-decision'"
    _, rows = query(out, sql)
    assert [(subject, track) for subject, track, _ in rows] == [("alice", track_id)]
    assert "seen by the pilot" in rows[0][2]
    sql = f"select count(*) from events where kind = 'identity-declared' and track_id = {track_id}"
    _, declared = query(out, sql)
    assert declared[0][0] >= 1
