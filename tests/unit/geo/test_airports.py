"""Airports by ICAO code from airportsdata, with elevation in metres."""

import dataclasses

import pytest

from flankwatch.geo.airports import Airport, UnknownAirportError, airport
from flankwatch.geo.geodesy import distance_azimuth


def test_warsaw_chopin():
    epwa = airport("EPWA")
    assert isinstance(epwa, Airport)
    assert epwa.icao == "EPWA"
    assert "Chopin" in epwa.name
    distance_m, _ = distance_azimuth(epwa.lat_deg, epwa.lon_deg, 52.23, 21.01)
    assert float(distance_m) < 10_000.0
    assert epwa.elevation_m == pytest.approx(110.3, abs=1.0)
    assert epwa.tz == "Europe/Warsaw"


@pytest.mark.parametrize("icao", ["EPMO", "EPRZ", "EPLB"])
def test_airports_closed_on_2025_09_10_are_polish(icao):
    found = airport(icao)
    assert 49.0 < found.lat_deg < 55.0 and 14.0 < found.lon_deg < 24.2
    assert 50.0 < found.elevation_m < 300.0


def test_code_is_case_insensitive():
    assert airport("epwa") == airport("EPWA")


def test_unknown_code_raises():
    with pytest.raises(UnknownAirportError, match="ZZZZ"):
        airport("ZZZZ")


def test_airport_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        airport("EPWA").elevation_m = 0.0
