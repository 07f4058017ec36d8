"""The airports of an after-action view: closures, and the public record beside them.

Closures are the run summary's (or, while a run has no summary yet, those its
airport alerts' events give). The public record is what the recording's scenario
cites among its ``sources`` about airports; an airport counts as named in it when
the text holds its ICAO code, its name without "Airport", or that name's last word
(whole words, any case). Times are in s since the run's start.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from flankwatch.events import Event, EventKind
from flankwatch.geo.airports import UnknownAirportError, airport
from flankwatch.store.recording import SCENARIO
from flankwatch.store.sink import DEPLOYMENT_FILE
from flankwatch.summary import AirportClosure, CountingSink


@dataclass(frozen=True)
class Closure:
    """An airport closure: ICAO code, name, when it closed and reopened (None: still
    closed at the end)."""

    icao: str
    name: str
    closed_s: float
    reopened_s: float | None


@dataclass(frozen=True)
class Airport:
    """A defended airport: ICAO code, name, and whether the public record the scenario
    cites names it (by code, by its name without "Airport", or by that name's last word)."""

    icao: str
    name: str
    in_public_record: bool


def airport_closures(summary: dict[str, Any], events: list[Event]) -> tuple[Closure, ...]:
    """The summary's airport closures, or (no summary yet) those the alert events give."""
    if "closures" in summary:
        found = [
            AirportClosure(str(c["icao"]), float(c["closed_s"]), c.get("reopened_s"))
            for c in summary["closures"]
        ]
    else:
        counts = CountingSink()
        counts.alert_events.extend(
            e for e in events if e.kind in (EventKind.ALERT_ISSUED, EventKind.ALERT_CANCELLED)
        )
        found = counts.closures()
    return tuple(Closure(c.icao, _airport_name(c.icao), c.closed_s, c.reopened_s) for c in found)


def _airport_name(icao: str) -> str:
    try:
        return airport(icao).name
    except UnknownAirportError:
        return icao


def airports(
    folder: Path, closures: tuple[Closure, ...], record: tuple[str, ...]
) -> tuple[Airport, ...]:
    """The deployment's airports and the closed ones, each marked if the record names it."""
    deployment = _yaml(folder / DEPLOYMENT_FILE)
    listed = deployment.get("airports") if isinstance(deployment, dict) else None
    codes = [str(c).upper() for c in listed or [] if isinstance(c, str)]
    codes += [c.icao for c in closures if c.icao not in codes]
    text = " ".join(record).lower()
    found = []
    for code in dict.fromkeys(codes):
        name = _airport_name(code)
        short = re.sub(r"\s+airport$", "", name, flags=re.IGNORECASE)
        words = {code, short, short.split()[-1]} if short else {code}
        named = any(re.search(rf"\b{re.escape(w.lower())}\b", text) for w in words)
        found.append(Airport(code, name, named))
    return tuple(found)


def _yaml(path: Path) -> object:
    """A YAML file of the recording as plain data (None if absent, a link, or unreadable)."""
    if not path.is_file() or path.is_symlink():
        return None
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None


def public_record(folder: Path) -> tuple[str, ...]:
    """The sources the recording's scenario cites that speak of airports."""
    scenario = _yaml(folder / SCENARIO)
    sources = scenario.get("sources") if isinstance(scenario, dict) else None
    if not isinstance(sources, list):
        return ()
    return tuple(str(s) for s in sources if isinstance(s, str) and "airport" in s.lower())
