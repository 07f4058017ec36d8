"""A small gazetteer of named places used by the built-in scenarios.

The places live in ``geo/data/places.yaml``: wreck and incident sites in
Poland, cities of Poland, Ukraine and Belarus, and drone launch sites named in
public reporting. Each carries its latitude and longitude (degrees), its
country (ISO 3166-1 alpha-3), where the coordinate comes from, and whether it
is only approximate (possibly off by more than about 2 km).

Names are matched without regard to case, accents, spaces or underscores:
``place("Czosnówka")``, ``place("czosnowka")`` and ``place("Wyryki Wola")`` all work.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

import yaml

__all__ = ["Place", "UnknownPlaceError", "place", "places"]

_DATA_FILE = "places.yaml"


class UnknownPlaceError(LookupError):
    """No place with this name in the gazetteer."""


@dataclass(frozen=True)
class Place:
    """A named point: key, own spelling, WGS-84 position (degrees), country and provenance."""

    key: str
    name: str
    lat_deg: float
    lon_deg: float
    country: str
    source: str
    approximate: bool = False
    note: str = ""


def _key(name: str) -> str:
    """The gazetteer key for a name: ASCII lower case, words joined by hyphens."""
    decomposed = unicodedata.normalize("NFKD", name.replace("ł", "l").replace("Ł", "L"))
    ascii_name = "".join(c for c in decomposed if not unicodedata.combining(c))
    return "-".join(ascii_name.lower().replace("_", " ").replace("-", " ").split())


def _place(key: str, entry: dict[str, Any]) -> Place:
    try:
        return Place(
            key=key,
            name=str(entry["name"]),
            lat_deg=float(entry["lat"]),
            lon_deg=float(entry["lon"]),
            country=str(entry["country"]),
            source=str(entry["source"]),
            approximate=bool(entry.get("approximate", False)),
            note=str(entry.get("note", "")),
        )
    except KeyError as missing:
        raise ValueError(f"place {key!r} in {_DATA_FILE} lacks field {missing}") from None


@cache
def _gazetteer() -> dict[str, Place]:
    text = (files("flankwatch.geo") / "data" / _DATA_FILE).read_text(encoding="utf-8")
    return {key: _place(key, entry) for key, entry in yaml.safe_load(text).items()}


def places() -> dict[str, Place]:
    """Every place in the gazetteer, by key (a new dict on each call)."""
    return dict(_gazetteer())


def place(name: str) -> Place:
    """The place called ``name`` (case, accents, spaces and underscores ignored).

    Raises :class:`UnknownPlaceError` for a name not in the gazetteer.
    """
    found = _gazetteer().get(_key(name))
    if found is None:
        raise UnknownPlaceError(f"no place called {name!r} in the gazetteer ({_DATA_FILE})")
    return found
