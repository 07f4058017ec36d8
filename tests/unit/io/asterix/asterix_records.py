"""Test-side ASTERIX builders: records made by libasterix's own encoder from known values.

Values go in with libasterix's unit conversion (nautical miles, feet, flight levels,
degrees), so the decoder under test, which converts with its own table, is checked
against an independent path.
"""

from __future__ import annotations

from typing import Any

import asterix.generated as gen

CAT048 = gen.Cat_048_1_32
REF048 = gen.Ref_048_1_13.cv_expansion
CAT021 = gen.Cat_021_2_7
CAT062 = gen.Cat_062_1_21

FT = 0.3048
NM = 1852.0


def cat048(
    sac: int = 1,
    sic: int = 2,
    tod_s: float = 3600.0,
    range_m: float = 50_000.0,
    azimuth_deg: float = 45.0,
    fl: float | None = 250.0,
    height_m: float | None = None,
    squawk: str | None = "7500",
    address: int | None = None,
    callsign: str | None = None,
    track_number: int | None = None,
    speed_mps: float | None = None,
    heading_deg: float = 0.0,
    report_type: int | None = 3,
    flags_090: tuple[int, int] = (0, 0),
    mode5: tuple[int, int, int, int] | None = None,
    drop: tuple[str, ...] = (),
) -> object:
    """A CAT048 record; ``drop`` leaves items out by name. ``mode5`` = (M5, ID, DA, PIN)
    puts the Mode 5 summary and PIN in the Reserved Expansion Field (I048/RE MD5)."""
    items: dict[str, object] = {
        "010": (("SAC", sac), ("SIC", sic)),
        "140": (tod_s, "s"),
        "040": (("RHO", (range_m / NM, "NM")), ("THETA", (azimuth_deg, "°"))),
    }
    if report_type is not None:
        items["020"] = (
            (("TYP", report_type), ("SIM", 0), ("RDP", 0), ("SPI", 0), ("RAB", 0), None),
        )
    if squawk is not None:
        items["070"] = (("V", 0), ("G", 0), ("L", 0), 0, ("MODE3A", squawk))
    if fl is not None:
        items["090"] = (("V", flags_090[0]), ("G", flags_090[1]), ("FL", (fl, "FL")))
    if height_m is not None:
        items["110"] = (0, ("3DH", (height_m / FT, "ft")))
    if address is not None:
        items["220"] = address
    if callsign is not None:
        items["240"] = callsign
    if track_number is not None:
        items["161"] = (0, ("TRN", track_number))
    if speed_mps is not None:
        items["200"] = (("GSP", (speed_mps / NM, "NM/s")), ("HDG", (heading_deg, "°")))
    if mode5 is not None:
        m5, identified, data, pin = mode5
        summary = (m5, identified, data, 0, 0, 0, 0, 0)
        pmn = (0, ("PIN", pin), 0, ("NAV", 0), ("NAT", 0), 0, ("MIS", 0))
        expansion = REF048.create({"MD5": {"SUM": summary, "PMN": pmn}})
        items["RE"] = expansion.unparse().to_bytes()
    return CAT048.cv_record.create({k: v for k, v in items.items() if k not in drop})


def cat021(
    sac: int = 3,
    sic: int = 4,
    tod_s: float = 7200.0,
    tod_item: str = "073",
    lat_deg: float = 52.25,
    lon_deg: float = 21.0,
    high_resolution: bool = True,
    alt_geom_m: float | None = 10_000.0,
    fl: float | None = 330.0,
    address: int = 0x48AE21,
    callsign: str | None = "LOT3AB",
    squawk: str | None = "1000",
    speed_mps: float | None = 230.0,
    track_deg: float = 90.0,
    speed_flagged: bool = False,
    geometric_rate_mps: float | None = -5.08,
    barometric_rate_mps: float | None = None,
    track_number: int | None = None,
) -> object:
    """A CAT021 record."""
    position = (("LAT", (lat_deg, "°")), ("LON", (lon_deg, "°")))
    items: dict[str, object] = {
        "010": (("SAC", sac), ("SIC", sic)),
        tod_item: (tod_s, "s"),
        "131" if high_resolution else "130": position,
        "080": address,
    }
    if alt_geom_m is not None:
        items["140"] = (alt_geom_m / FT, "ft")
    if fl is not None:
        items["145"] = (fl, "FL")
    if callsign is not None:
        items["170"] = callsign
    if squawk is not None:
        items["070"] = (0, ("MODE3A", squawk))
    if speed_mps is not None:
        items["160"] = (
            ("RE", int(speed_flagged)),
            ("GS", (speed_mps / NM, "NM/s")),
            ("TA", (track_deg, "°")),
        )
    if geometric_rate_mps is not None:
        items["157"] = (("RE", 0), ("GVR", (geometric_rate_mps / FT * 60.0, "ft/min")))
    if barometric_rate_mps is not None:
        items["155"] = (("RE", 0), ("BVR", (barometric_rate_mps / FT * 60.0, "ft/min")))
    if track_number is not None:
        items["161"] = (0, ("TRNUM", track_number))
    return CAT021.cv_record.create(items)


def block(spec: Any, records: list[Any]) -> bytes:
    """One data block of ``records`` in category specification ``spec``."""
    return bytes(spec.create(records).unparse().to_bytes())
