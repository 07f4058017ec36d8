"""National borders from Natural Earth 10m admin-0 countries."""

import numpy as np
import pytest
from pyproj import Geod
from shapely.geometry import Point

from flankwatch.geo.borders import (
    BORDER_TOLERANCE_DEG,
    UnknownCountryError,
    border_line,
    country,
    country_codes,
    inside,
)

WARSAW = (52.23, 21.01)
MINSK = (53.90, 27.56)
BREST = (52.10, 23.73)
KYIV = (50.45, 30.52)
GEOD = Geod(ellps="WGS84")


def test_cities_in_their_countries():
    assert inside("POL", *WARSAW)
    assert not inside("POL", *MINSK)
    assert inside("BLR", *MINSK)
    assert inside("BLR", *BREST)
    assert not inside("POL", *BREST)
    assert inside("UKR", *KYIV)


def test_inside_is_vectorised_and_keeps_shape():
    lat = np.array([[WARSAW[0], MINSK[0]], [BREST[0], KYIV[0]]])
    lon = np.array([[WARSAW[1], MINSK[1]], [BREST[1], KYIV[1]]])
    result = inside("POL", lat, lon)
    assert result.dtype == bool
    assert result.tolist() == [[True, False], [False, False]]


def test_codes_are_case_insensitive():
    assert country("pol") is country("POL")


def test_unknown_code_raises():
    with pytest.raises(UnknownCountryError, match="XYZ"):
        country("XYZ")
    with pytest.raises(UnknownCountryError):
        inside("-99", 0.0, 0.0)


def test_missing_iso_codes_fall_back_to_adm0():
    # Natural Earth leaves ISO_A3 at -99 for France and Norway.
    assert {"FRA", "NOR", "POL", "BLR", "UKR", "LTU", "RUS", "DEU"} <= country_codes()
    assert inside("FRA", 48.8566, 2.3522)
    assert inside("NOR", 59.91, 10.75)


def test_crimea_is_drawn_in_ukraine():
    assert inside("UKR", 44.95, 34.10)
    assert not inside("RUS", 44.95, 34.10)


def test_kaliningrad_is_russia():
    assert inside("RUS", 54.71, 20.51)


def test_poland_belarus_border_length():
    length_km = GEOD.geometry_length(border_line("POL", "BLR")) / 1000
    # 418 km on the ground; the 10m generalisation smooths the Bug's meanders.
    assert 300.0 < length_km < 450.0


def test_poland_ukraine_border_length():
    length_km = GEOD.geometry_length(border_line("POL", "UKR")) / 1000
    assert 350.0 < length_km < 560.0


def test_border_line_lies_between_the_two_countries():
    line = border_line("POL", "BLR")
    assert line.geom_type in ("LineString", "MultiLineString")
    pol, blr = country("POL"), country("BLR")
    coords = np.concatenate([np.asarray(part.coords) for part in getattr(line, "geoms", [line])])
    for lon, lat in coords[:: max(1, len(coords) // 200)]:
        point = Point(lon, lat)
        assert pol.boundary.distance(point) <= 2 * BORDER_TOLERANCE_DEG
        assert blr.distance(point) <= 2 * BORDER_TOLERANCE_DEG


def test_no_border_between_countries_that_do_not_touch():
    assert border_line("POL", "FRA").is_empty
