"""Voivodeships and populated places of Poland shipped with the package."""

import numpy as np
import pytest
from shapely.geometry import box
from shapely.ops import unary_union

from flankwatch.geo.admin import (
    AdminUnit,
    admin_unit,
    admin_unit_of,
    admin_units,
    populated_places,
)
from flankwatch.geo.places import place

TERYT_VOIVODESHIPS = {
    "02": "dolnośląskie",
    "04": "kujawsko-pomorskie",
    "06": "lubelskie",
    "08": "lubuskie",
    "10": "łódzkie",
    "12": "małopolskie",
    "14": "mazowieckie",
    "16": "opolskie",
    "18": "podkarpackie",
    "20": "podlaskie",
    "22": "pomorskie",
    "24": "śląskie",
    "26": "świętokrzyskie",
    "28": "warmińsko-mazurskie",
    "30": "wielkopolskie",
    "32": "zachodniopomorskie",
}


def test_the_sixteen_voivodeships_with_iso_and_teryt_codes():
    units = admin_units()
    assert {u.teryt: u.name_pl for u in units} == TERYT_VOIVODESHIPS
    assert all(u.code == f"PL-{u.teryt}" for u in units)


def test_voivodeship_outlines_tile_poland_without_overlap():
    units = admin_units()
    total = sum(u.polygon.area for u in units)
    union = unary_union([u.polygon for u in units])
    # Poland is about 312,700 km2, about 41.1 square degrees at its latitude.
    assert union.area == pytest.approx(41.1, rel=0.02)
    assert total == pytest.approx(union.area, rel=1e-3)
    for unit in units:
        assert unit.polygon.is_valid
        assert 50 <= len(unit.polygon.exterior.coords) <= 400


@pytest.mark.parametrize(
    ("city", "code"),
    [
        ("warsaw", "PL-14"),
        ("lublin", "PL-06"),
        ("rzeszow", "PL-18"),
        ("bialystok", "PL-20"),
        ("krakow", "PL-12"),
        ("lodz", "PL-10"),
        ("czosnowka", "PL-06"),
        ("wyryki-wola", "PL-06"),
    ],
)
def test_a_place_lies_in_its_voivodeship(city, code):
    p = place(city)
    unit = admin_unit_of(p.lat_deg, p.lon_deg)
    assert isinstance(unit, AdminUnit)
    assert unit.code == code


def test_no_unit_outside_poland():
    assert admin_unit_of(50.45, 30.52) is None  # Kyiv
    assert admin_unit_of(52.52, 13.40) is None  # Berlin


def test_a_unit_by_code_and_an_unknown_one():
    assert admin_unit("PL-06").name == "Lublin"
    with pytest.raises(ValueError, match="PL-99"):
        admin_unit("PL-99")


def test_unknown_country_is_named():
    with pytest.raises(ValueError, match="'XYZ'"):
        admin_units("XYZ")
    with pytest.raises(ValueError, match="'XYZ'"):
        populated_places("XYZ")


def test_places_have_every_column_and_agree_with_the_outlines():
    places = populated_places()
    assert len(places) > 3000
    assert places.name[0] == "Warszawa"
    assert np.all(np.diff(places.population) <= 0)
    assert set(places.admin1_code) == {f"PL-{t}" for t in TERYT_VOIVODESHIPS}
    assert places.admin1_name[0] == "Masovian"
    agree = sum(
        (u := admin_unit_of(lat, lon)) is not None and u.code == code
        for lat, lon, code in zip(places.lat_deg, places.lon_deg, places.admin1_code, strict=True)
    )
    # Natural Earth 1:10m outlines, simplified: places within a few kilometres of a
    # boundary may fall either side (about 2.6 % of them do).
    assert agree / len(places) > 0.96


def test_places_within_an_area_and_above_a_population():
    around_lublin = box(22.3, 51.1, 22.8, 51.4)
    places = populated_places().within(around_lublin, min_population=5_000)
    assert "Lublin" in set(places.name)
    assert np.all(places.population >= 5_000)
    assert np.all((places.lon_deg > 22.3) & (places.lon_deg < 22.8))
    assert len(populated_places().within(around_lublin)) > len(places)
