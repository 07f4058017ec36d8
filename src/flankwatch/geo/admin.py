"""Administrative units (first level) and populated places, shipped with the package.

For Poland: the 16 voivodeships (województwa) with their ISO 3166-2:PL codes
(``PL-02`` ... ``PL-32``, the same digits as the TERYT codes) and polygons in
lon/lat degrees from Natural Earth (public domain), and the 3,678 towns and
villages of at least 500 inhabitants from GeoNames (CC BY 4.0). The files and
how they were made are described in ``geo/data/README.md``.

Positions are WGS-84 degrees; populations are head counts as GeoNames gives them.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry import Polygon, shape

__all__ = [
    "AdminUnit",
    "PopulatedPlaces",
    "admin_unit",
    "admin_unit_of",
    "admin_units",
    "populated_places",
]

_UNITS_FILE = {"POL": "pol_admin1.geojson"}
_PLACES_FILE = {"POL": "pol_places.csv"}
# Beyond this distance (degrees, about 5 km) from every unit a point has no unit.
_NEAREST_UNIT_MAX_DEG = 0.05


@dataclass(frozen=True)
class AdminUnit:
    """A first-level administrative unit.

    ``code`` is ISO 3166-2 (``PL-14``), ``teryt`` the national statistical code
    (``14``), ``name`` English, ``name_pl`` the national-language name and
    ``polygon`` the outline in lon/lat degrees.
    """

    code: str
    teryt: str
    name: str
    name_pl: str
    polygon: Polygon


@dataclass(frozen=True)
class PopulatedPlaces:
    """Towns and villages as parallel arrays, largest population first.

    Columns: ``name``, ``lat_deg`` and ``lon_deg`` (WGS-84 degrees),
    ``population`` (inhabitants), ``admin1_code`` (ISO 3166-2 of the unit) and
    ``admin1_name`` (its English name).
    """

    name: NDArray[np.str_]
    lat_deg: NDArray[np.float64]
    lon_deg: NDArray[np.float64]
    population: NDArray[np.int64]
    admin1_code: NDArray[np.str_]
    admin1_name: NDArray[np.str_]

    def __len__(self) -> int:
        return int(self.name.shape[0])

    def select(self, mask: NDArray[np.bool_]) -> PopulatedPlaces:
        """The places where ``mask`` is true (order kept)."""
        return PopulatedPlaces(
            name=self.name[mask],
            lat_deg=self.lat_deg[mask],
            lon_deg=self.lon_deg[mask],
            population=self.population[mask],
            admin1_code=self.admin1_code[mask],
            admin1_name=self.admin1_name[mask],
        )

    def within(self, area_lonlat: Any, min_population: int = 0) -> PopulatedPlaces:
        """The places inside a shapely geometry in lon/lat degrees with at least
        ``min_population`` inhabitants."""
        inside = shapely.contains_xy(area_lonlat, self.lon_deg, self.lat_deg)
        return self.select(np.asarray(inside, dtype=bool) & (self.population >= min_population))


def _check_country(country: str, table: dict[str, str]) -> str:
    try:
        return table[country]
    except KeyError:
        known = ", ".join(sorted(table))
        raise ValueError(
            f"no administrative data for country {country!r} (known: {known})"
        ) from None


def _read(name: str) -> str:
    return (files("flankwatch.geo") / "data" / name).read_text(encoding="utf-8")


@cache
def _units(country: str) -> tuple[AdminUnit, ...]:
    file_name = _check_country(country, _UNITS_FILE)
    units = []
    for number, feature in enumerate(json.loads(_read(file_name))["features"], start=1):
        try:
            props = feature["properties"]
            polygon = shape(feature["geometry"])
            units.append(
                AdminUnit(
                    code=str(props["iso_3166_2"]),
                    teryt=str(props["teryt"]),
                    name=str(props["name"]),
                    name_pl=str(props["name_pl"]),
                    polygon=polygon,
                )
            )
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError(f"{file_name}: feature {number} is malformed ({error})") from None
    for unit in units:
        shapely.prepare(unit.polygon)
    return tuple(units)


def admin_units(country: str = "POL") -> list[AdminUnit]:
    """The first-level administrative units of ``country`` (ISO 3166-1 alpha-3), by code."""
    return list(_units(country))


def admin_unit(code: str, country: str = "POL") -> AdminUnit:
    """The unit with ISO 3166-2 code ``code`` (e.g. ``PL-14``); ValueError if there is none."""
    for unit in _units(country):
        if unit.code == code:
            return unit
    raise ValueError(f"no administrative unit {code!r} in {country}")


def admin_unit_of(lat_deg: float, lon_deg: float, country: str = "POL") -> AdminUnit | None:
    """The unit holding a WGS-84 point (degrees), or None outside the country.

    A point in the narrow seams between simplified outlines, or just outside the
    outline (within about 5 km), is given the nearest unit.
    """
    units = _units(country)
    for unit in units:
        if shapely.contains_xy(unit.polygon, lon_deg, lat_deg):
            return unit
    point = shapely.Point(lon_deg, lat_deg)
    distances = [unit.polygon.distance(point) for unit in units]
    nearest = int(np.argmin(distances))
    return units[nearest] if distances[nearest] <= _NEAREST_UNIT_MAX_DEG else None


@cache
def _places(country: str) -> PopulatedPlaces:
    file_name = _check_country(country, _PLACES_FILE)
    unit_names = {unit.code: unit.name for unit in _units(country)}
    rows = list(csv.DictReader(_read(file_name).splitlines()))
    try:
        names = [row["name"] for row in rows]
        lat = [float(row["lat_deg"]) for row in rows]
        lon = [float(row["lon_deg"]) for row in rows]
        population = [int(row["population"]) for row in rows]
        codes = [row["admin1_code"] for row in rows]
    except (KeyError, ValueError) as error:
        raise ValueError(f"{file_name}: malformed row ({error})") from None
    return PopulatedPlaces(
        name=np.array(names, dtype=str),
        lat_deg=np.array(lat, dtype=np.float64),
        lon_deg=np.array(lon, dtype=np.float64),
        population=np.array(population, dtype=np.int64),
        admin1_code=np.array(codes, dtype=str),
        admin1_name=np.array([unit_names.get(code, "") for code in codes], dtype=str),
    )


def populated_places(country: str = "POL") -> PopulatedPlaces:
    """The towns and villages of ``country`` (ISO 3166-1 alpha-3), largest first."""
    return _places(country)
