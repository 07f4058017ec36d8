"""The FastAPI application of the web picture: the page, its WebSocket and REST API.

Routes (see the project README for the messages):

- ``GET /`` the page; ``GET /static/{name}`` its files (only those of the page's
  folder, listed when the app is made); ``GET /vendor/{name}`` only
  ``maplibre-gl.js``, ``maplibre-gl.css`` and ``milsymbol.js`` from the page's npm
  packages (503 when they are not installed);
- ``GET /aar`` the after-action view of the recording;
- ``GET /api/metadata``, ``/api/basemap``, ``/api/events``, ``/api/alerts``,
  ``/api/tracks/{track_id}``;
- ``POST /api/decisions`` an operator decision, with ``Authorization: Bearer TOKEN``;
- ``WS /ws`` the picture as it goes (:mod:`flankwatch.web.session`).

Every error is a JSON ``{"detail": ...}`` with a 4xx status (a 500 says only
"internal error"; its cause goes to the server's log, never to the client). No
request path reaches a file other than the page's, the three vendor files and the
served recording's own tables; the operator token is compared in constant time
and never logged.
"""

from __future__ import annotations

import functools
import importlib
import json
import logging
import mimetypes
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import FastAPI, HTTPException, Query, Request, WebSocket
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware

from flankwatch.decisions import Decision, DecisionError, DecisionKind
from flankwatch.store.recording import RecordingError
from flankwatch.web.basemap import basemap, bounds
from flankwatch.web.served import Served
from flankwatch.web.session import ReplaySession, RunSession, stream
from flankwatch.web.tracks import track_details

WEB = Path(__file__).parent
STATIC = WEB / "static"
NODE_MODULES = WEB / "node_modules"
VENDOR = {
    "maplibre-gl.js": ("maplibre-gl", "dist", "maplibre-gl.js"),
    "maplibre-gl.css": ("maplibre-gl", "dist", "maplibre-gl.css"),
    "milsymbol.js": ("milsymbol", "dist", "milsymbol.js"),
}
"""The vendor files served, by name: their path under node_modules."""
Seconds = Annotated[float | None, Query(allow_inf_nan=False)]
"""A time in a query, s since the run's start: a finite number (422 otherwise)."""
DECISION_FIELDS = frozenset({"kind", "track_id", "identity", "alert_id", "operator", "reason"})
MAX_BODY_BYTES = 16_384
"""Largest decision body accepted."""
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}

log = logging.getLogger("flankwatch.web")


def static_files(folder: Path = STATIC) -> dict[str, Path]:
    """The page's files that may be served, by name: plain files directly in ``folder``
    (no links, no hidden files)."""
    if not folder.is_dir():
        return {}
    return {
        path.name: path
        for path in sorted(folder.iterdir())
        if path.is_file() and not path.is_symlink() and not path.name.startswith(".")
    }


def _file(path: Path) -> FileResponse:
    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if path.suffix == ".js":
        kind = "text/javascript"
    return FileResponse(path, media_type=kind, headers=SECURITY_HEADERS)


def create_app(served: Served, allowed_hosts: list[str] | None = None) -> FastAPI:
    """The application serving ``served``; a run starts and stops with the app.

    ``allowed_hosts``: the only ``Host`` headers answered (None: any), so that a page
    of another site cannot reach a server on this machine's loopback through a name
    of its own (DNS rebinding).
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if served.run is not None:
            served.run.start()
        try:
            yield
        finally:
            if served.run is not None:
                served.run.stop()

    app = FastAPI(
        title="flankwatch",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=lifespan,
    )
    pages = static_files()
    _errors(app)
    if allowed_hosts is not None:
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts)

    @app.middleware("http")
    async def one_value_each(request: Request, call_next: Any) -> Response:
        # a repeated parameter would otherwise quietly take its last value
        names = [name for name, _ in request.query_params.multi_items()]
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            return JSONResponse(
                {"detail": f"query parameter(s) {', '.join(repeated)} given more than once"},
                status_code=422,
            )
        response: Response = await call_next(request)
        return response

    @app.middleware("http")
    async def headers(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        for key, value in SECURITY_HEADERS.items():
            response.headers.setdefault(key, value)
        return response

    @app.get("/", include_in_schema=False)
    def index() -> Response:
        page = pages.get("index.html")
        if page is None:
            raise HTTPException(503, "the page is not installed (web/static/index.html)")
        return _file(page)

    @app.get("/static/{name}", include_in_schema=False)
    def static(name: str) -> Response:
        page = pages.get(name)
        if page is None:
            raise HTTPException(404, f"no page file {name!r}")
        return _file(page)

    @app.get("/vendor/{name}", include_in_schema=False)
    def vendor(name: str) -> Response:
        parts = VENDOR.get(name)
        if parts is None:
            raise HTTPException(404, f"no vendor file {name!r}")
        path = NODE_MODULES.joinpath(*parts)
        if not path.is_file():
            raise HTTPException(
                503,
                "the page's JavaScript packages are not installed: "
                "run `npm ci --prefix src/flankwatch/web`",
            )
        return _file(path)

    aar_pages: dict[str, str] = {}
    """The after-action view of a replayed recording, made once (it no longer changes)."""

    @app.get("/aar", include_in_schema=False)
    def aar() -> Response:
        if "page" in aar_pages:
            return HTMLResponse(aar_pages["page"], headers=SECURITY_HEADERS)
        try:
            report = importlib.import_module("flankwatch.web.aar")
        except ImportError:
            raise HTTPException(503, "the after-action view is not available") from None
        try:
            html: str = report.render_report(served.recording)
        except RecordingError as error:
            raise HTTPException(409, f"no after-action view yet: {error}") from None
        if served.mode == "replay":
            aar_pages["page"] = html
        return HTMLResponse(html, headers=SECURITY_HEADERS)

    @app.get("/api/metadata")
    def metadata() -> dict[str, Any]:
        origin = served.deployment.origin
        return {
            "name": served.name,
            "seed": served.seed,
            "mode": served.mode,
            "duration_s": served.duration_s,
            "batch_s": served.batch_s,
            "start_utc": served.start.isoformat(),
            "exercise": served.exercise,
            "origin": {"lat": origin.lat, "lon": origin.lon},
            "bounds": bounds(served.deployment, served.sensors),
            "operator": served.operator,
        }

    @functools.cache
    def map_layers() -> dict[str, Any]:
        return basemap(served.deployment, served.sensors)

    @app.get("/api/basemap")
    def base_map() -> dict[str, Any]:
        return map_layers()

    @app.get("/api/events")
    def events(
        from_s: Seconds = None, to_s: Seconds = None, track_id: int | None = None
    ) -> list[dict[str, Any]]:
        return [
            {
                "t_s": e["t_s"],
                "kind": e["kind"],
                "track_id": e["track_id"],
                "subject": e["subject"],
                "text": e["message"],
                "data": e["data"],
            }
            for e in list(served.timeline.events)
            if (from_s is None or e["t_s"] >= from_s)
            and (to_s is None or e["t_s"] <= to_s)
            and (track_id is None or e["track_id"] == track_id)
        ]

    @app.get("/api/alerts")
    def alerts() -> list[dict[str, Any]]:
        grouped: dict[str, dict[str, Any]] = {}
        for message in list(served.timeline.alerts):
            entry = grouped.setdefault(
                message["alert_id"],
                {"alert_id": message["alert_id"], "kind": message["kind"], "messages": []},
            )
            entry["messages"].append(
                {key: message[key] for key in ("t_s", "msg_type", "format", "body")}
            )
        return list(grouped.values())

    @app.get("/api/tracks/{track_id}")
    def track(track_id: int, t_s: Seconds = None) -> dict[str, Any]:
        details = track_details(served.timeline, track_id, t_s)
        if details is None:
            raise HTTPException(404, f"no track {track_id} by then")
        return details

    @app.post("/api/decisions", status_code=202)
    async def decide(request: Request) -> dict[str, Any]:
        if served.mode == "replay" or served.run is None:
            raise HTTPException(
                409, "a recording's night is over: decisions apply to `flankwatch serve --run`"
            )
        _authorise(served, request)
        decision = _decision(await _body(request))
        if decision.kind is DecisionKind.ACKNOWLEDGE_ALERT and not any(
            message["alert_id"] == decision.alert_id for message in list(served.timeline.alerts)
        ):
            raise HTTPException(404, f"no alert {decision.alert_id!r} has been issued")
        if served.run.finished.is_set():
            raise HTTPException(409, "the run has ended: no more decisions")
        return {"accepted": True, "decision_id": served.run.inbox.submit(decision)}

    @app.websocket("/ws")
    async def socket(websocket: WebSocket) -> None:
        if not _same_origin(websocket):
            await websocket.close(code=1008)
            return
        await websocket.accept()
        if served.run is not None:
            await stream(websocket, RunSession(served, served.run.pacer))
        else:
            await stream(websocket, ReplaySession(served))

    for route in app.routes:
        if isinstance(route, APIRoute) and route.methods and "GET" in route.methods:
            route.methods.add("HEAD")  # what monitors ask with; the server sends no body
    return app


def _authorise(served: Served, request: Request) -> None:
    """Refuse (401) a request without the operator token."""
    if served.token is None:
        raise HTTPException(
            401,
            "this server is read-only: it was started without an operator token",
            headers={"WWW-Authenticate": "Bearer"},
        )
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not served.token_matches(given.strip()):
        raise HTTPException(
            401, "missing or wrong operator token", headers={"WWW-Authenticate": "Bearer"}
        )


async def _body(request: Request) -> dict[str, Any]:
    """The request's JSON object (422 when it is not one)."""
    declared = request.headers.get("content-length", "0")
    if not declared.isdigit() or int(declared) > MAX_BODY_BYTES:
        raise HTTPException(413, f"the body must be at most {MAX_BODY_BYTES} bytes")
    raw = bytearray()
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > MAX_BODY_BYTES:
            raise HTTPException(413, f"the body must be at most {MAX_BODY_BYTES} bytes")
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):  # RecursionError: nested too deep to read
        raise HTTPException(422, "the body is not JSON") from None
    if not isinstance(body, dict):
        raise HTTPException(422, "the body must be a JSON object")
    return body


def _decision(body: dict[str, Any]) -> Decision:
    """A decision from its JSON body (422 naming the fault)."""
    unknown = sorted(set(body) - DECISION_FIELDS)
    if unknown:
        raise HTTPException(422, f"unknown field(s) {unknown}; known: {sorted(DECISION_FIELDS)}")
    for name in ("kind", "operator"):
        if name not in body:
            raise HTTPException(422, f"{name}: required")
    try:
        return Decision(
            kind=body["kind"],
            operator=body["operator"],
            reason=body.get("reason", ""),
            track_id=body.get("track_id", -1),
            alert_id=body.get("alert_id", ""),
            identity=body.get("identity", ""),
        )
    except DecisionError as error:
        raise HTTPException(422, str(error)) from None


def _same_origin(websocket: WebSocket) -> bool:
    """Whether a WebSocket comes from this server's own page (or from no page at all)."""
    origin = websocket.headers.get("origin")
    if origin is None:
        return True
    return urlsplit(origin).netloc == websocket.headers.get("host")


def _errors(app: FastAPI) -> None:
    """Every error as JSON ``{"detail": ...}``, never a traceback."""

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        return JSONResponse(
            {"detail": error.detail}, status_code=error.status_code, headers=error.headers
        )

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        faults = [
            f"{'.'.join(str(part) for part in fault.get('loc', ()))}: {fault.get('msg', '')}"
            for fault in error.errors()
        ]
        return JSONResponse({"detail": "; ".join(faults) or "invalid request"}, status_code=422)

    @app.exception_handler(Exception)
    async def failed(request: Request, error: Exception) -> JSONResponse:
        log.error(
            "%s %s failed: %s: %s", request.method, request.url.path, type(error).__name__, error
        )
        return JSONResponse({"detail": "internal error"}, status_code=500)
