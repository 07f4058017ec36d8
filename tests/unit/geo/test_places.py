"""The gazetteer of named places used by the built-in scenarios."""

import dataclasses

import pytest
from pyproj import Geod
from shapely.geometry import Point
from shapely.ops import nearest_points

from flankwatch.geo.borders import border_line, inside
from flankwatch.geo.places import Place, UnknownPlaceError, place, places

WRECK_SITES_2025_09_10 = [
    "czosnowka",
    "wyryki-wola",
    "mniszkow",
    "nowe-miasto-nad-pilica",
    "czyzow",
    "olesno",
    "plosnica",
]
REQUIRED = WRECK_SITES_2025_09_10 + [
    "oserdow",
    "hrubieszow",
    "warsaw",
    "lublin",
    "rzeszow",
    "bialystok",
    "lodz",
    "krakow",
    "gdansk",
    "kyiv",
    "lviv",
    "lutsk",
    "kovel",
    "kharkiv",
    "dnipro",
    "odesa",
    "zaporizhzhia",
    "kryvyi-rih",
    "poltava",
    "brest",
    "pinsk",
    "minsk",
    "primorsko-akhtarsk",
    "kursk-khalino",
    "oryol",
    "millerovo",
    "shatalovo",
    "navlya",
    "hvardiiske",
]


def test_required_places_are_present():
    assert set(REQUIRED) <= set(places())
    assert len(places()) < 80


def test_names_match_without_case_accents_or_separators():
    assert place("Czosnówka").key == "czosnowka"
    assert place("WYRYKI WOLA").key == "wyryki-wola"
    assert place("nowe_miasto_nad_pilica").key == "nowe-miasto-nad-pilica"
    assert place("Łódź").key == "lodz"
    assert place("  Płośnica ").key == "plosnica"


def test_unknown_name_raises():
    with pytest.raises(UnknownPlaceError, match="Atlantis"):
        place("Atlantis")


def test_every_place_is_well_formed():
    for key, entry in places().items():
        assert isinstance(entry, Place)
        assert place(key) is entry
        assert -90.0 <= entry.lat_deg <= 90.0 and -180.0 <= entry.lon_deg <= 180.0
        assert entry.source.strip(), key
        assert entry.name.strip(), key


def test_every_place_lies_in_its_country():
    for key, entry in places().items():
        assert inside(entry.country, entry.lat_deg, entry.lon_deg), key


def test_wreck_sites_are_in_poland_and_olesno_is_northernmost():
    sites = [place(name) for name in WRECK_SITES_2025_09_10]
    assert all(site.country == "POL" for site in sites)
    assert max(sites, key=lambda site: site.lat_deg).key == "olesno"


def test_mniszkow_is_about_250_km_from_belarus():
    mniszkow = place("mniszkow")
    site = Point(mniszkow.lon_deg, mniszkow.lat_deg)
    nearest, _ = nearest_points(border_line("POL", "BLR"), site)
    _, _, distance_m = Geod(ellps="WGS84").inv(
        mniszkow.lon_deg, mniszkow.lat_deg, nearest.x, nearest.y
    )
    assert 200_000.0 < distance_m < 300_000.0


def test_places_returns_a_copy_and_places_are_frozen():
    table = places()
    table.pop("warsaw")
    assert "warsaw" in places()
    with pytest.raises(dataclasses.FrozenInstanceError):
        place("warsaw").lat_deg = 0.0
