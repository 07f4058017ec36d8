"""flankwatch's decoders on real recordings shipped by packages, read where installed.

Nothing is copied into the project: the files are read at test time from the packages
installed in the reference environment (see :mod:`reference_env`).

- ASTERIX: the sample captures and raw files of ``asterix-decoder`` (GPL-3; recorded
  CAT034/CAT048 radar and CAT062/CAT065 tracker output), read by flankwatch and by
  ``asterix-decoder`` itself, compared field by field.
- Mode S / ADS-B: ``traffic`` (MIT) ships ``rs1090/full_flight_short.jsonl``, one real
  flight (AFR34ZG, from the gate at Paris-Charles de Gaulle into cruise) as received
  frames with the fields that the jet1090 decoder gave for each, and
  ``dump1090/sample_dump1090.bin``, a receiver's Beast binary output.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import airportsdata
import numpy as np
import pytest
from reference_env import Reference
from reference_fields import CAT048, CAT062, FPM, FT, assert_agree, rows_of

from flankwatch.io.adsb import AdsbReports, DecoderState, ModeSFrames, decode_frames, split_beast
from flankwatch.io.adsb import SkipKind as AdsbSkipKind
from flankwatch.io.asterix import SkipKind, decode
from flankwatch.live.capture import CaptureReader

ASTERIX_SAMPLES = "asterix/sample_data"
"""Where ``asterix-decoder`` keeps its samples, in site-packages."""
FLIGHT = "traffic/data/samples/rs1090/full_flight_short.jsonl"
"""``traffic``'s recorded flight, in site-packages."""
BEAST = "traffic/data/samples/dump1090/sample_dump1090.bin"
"""``traffic``'s Beast capture, in site-packages."""
KNOT = 1852.0 / 3600.0
"""One knot, m/s."""
Flight = tuple[list[dict[str, Any]], AdsbReports]
"""The recorded flight's lines and flankwatch's reports, one per line."""
REQUIRED_048 = ("I010", "I140", "I040")
"""Items without which flankwatch skips a CAT048 record (source, time, position)."""


def _sample(reference: Reference, distribution: str, relative: str) -> Path:
    """A file of an installed package of the reference environment; skips if missing."""
    path = reference.package_file(distribution, relative)
    if path is None:
        pytest.skip(f"the reference environment has no {relative} ({distribution})")
    return path


def _datagrams(path: Path) -> list[bytes]:
    """The UDP payloads of a capture, or a raw file as one datagram."""
    if path.suffix != ".pcap":
        return [path.read_bytes()]
    with path.open("rb") as file:
        reader = CaptureReader(file)
        datagrams = [payload for _t_s, payload in reader]
    assert reader.ignored == 0 and reader.broken == ""
    return datagrams


@pytest.mark.parametrize(
    "name", ["cat_034_048.pcap", "cat048.raw", "cat_062_065.pcap", "cat062cat065.raw"]
)
def test_recorded_asterix_reads_as_in_the_reference(reference: Reference, name: str) -> None:
    path = _sample(reference, "asterix-decoder", f"{ASTERIX_SAMPLES}/{name}")
    datagrams = _datagrams(path)
    if path.suffix == ".pcap":
        per_datagram = reference.decode(datagrams)
    else:
        per_datagram = [reference.decode_file(path)]
    records = [record for datagram in per_datagram for record in datagram]
    decoded = [decode(datagram) for datagram in datagrams]
    skips = [skip for result in decoded for skip in result.skips]
    read = {48, 62}
    # what flankwatch leaves out: other categories, and records the reference shows
    # without a required item
    incomplete_048 = [
        record
        for record in records
        if record["category"] == 48 and not all(item in record["items"] for item in REQUIRED_048)
    ]
    assert sum(skip.kind == SkipKind.CATEGORY for skip in skips) == sum(
        record["category"] not in read for record in records
    )
    assert sum(skip.kind == SkipKind.MISSING for skip in skips) == len(incomplete_048)
    assert all(skip.kind in (SkipKind.CATEGORY, SkipKind.MISSING) for skip in skips)
    plots = [
        record for record in records if record["category"] == 48 and record not in incomplete_048
    ]
    tracks = [record for record in records if record["category"] == 62]
    assert plots or tracks
    assert_agree(CAT048, plots, [row for result in decoded for row in rows_of(result.cat048)])
    assert_agree(CAT062, tracks, [row for result in decoded for row in rows_of(result.cat062)])


def _flight(reference: Reference) -> list[dict[str, Any]]:
    """The recorded flight's frames with the recording decoder's fields, in time order."""
    path = _sample(reference, "traffic", FLIGHT)
    with path.open(encoding="utf-8") as file:
        return [json.loads(line) for line in file]


def _short_format(frame: str) -> bool:
    """Whether a frame's downlink format (below 16) is a 56-bit one."""
    return int(frame[:2], 16) >> 3 < 16


SURFACE_SPEED_STEPS = (
    (1, 0.0, 0.0),
    (2, 0.125, 0.125),
    (9, 1.0, 0.25),
    (13, 2.0, 0.5),
    (39, 15.0, 1.0),
    (94, 70.0, 2.0),
    (109, 100.0, 5.0),
    (124, 175.0, 0.0),
    (125, math.nan, 0.0),
)
"""Surface movement codes: (first code, kt at it, kt per code) up to the next row (ICAO
Doc 9871 / RTCA DO-260B surface position movement table; 0 and 125-127 carry none)."""


def surface_speed_kt(movement: int) -> float:
    """The ground speed of a surface position's movement code (0-127), kt, at the low end
    of its step; NaN where the code carries none."""
    value = math.nan
    for first, low_kt, step_kt in SURFACE_SPEED_STEPS:
        if movement >= first:
            value = low_kt + (movement - first) * step_kt
    return value


@pytest.fixture(scope="module")
def flight_decoded(reference: Reference) -> Flight:
    """The recorded flight and flankwatch's reports, one per line."""
    lines = _flight(reference)
    # the recording stores every frame with 112 bits; a 56-bit format's first 56 are it
    messages = [
        line["frame"][:14] if _short_format(line["frame"]) else line["frame"] for line in lines
    ]
    frames = ModeSFrames.from_lists(
        messages, [0] * len(lines), [math.nan] * len(lines), list(range(len(lines)))
    )
    times = np.array([line["timestamp"] for line in lines])
    airport = airportsdata.load()["LFPG"]  # the receiver's area: surface positions need it
    reports, skips, _state = decode_frames(
        frames, times - times[0], DecoderState(), receiver_deg=(airport["lat"], airport["lon"])
    )
    assert skips == []
    return lines, reports


def test_recorded_flight_positions_match_the_recording(
    flight_decoded: Flight,
) -> None:
    """flankwatch's own CPR decoding (airborne global pairs, surface and airborne local)
    gives the recording's positions, and none where it had none."""
    lines, reports = flight_decoded
    wanted = np.array([("latitude" in line) for line in lines])
    assert wanted.sum() > 1000
    got = np.isfinite(reports.lat_deg)
    assert np.array_equal(got, wanted)
    lat = np.array([line["latitude"] for line in lines if "latitude" in line])
    lon = np.array([line["longitude"] for line in lines if "longitude" in line])
    # a micro-degree is about 0.1 m, far below the finest CPR step (about 1.3 m)
    assert np.max(np.abs(reports.lat_deg[wanted] - lat)) < 1e-6
    assert np.max(np.abs(reports.lon_deg[wanted] - lon)) < 1e-6
    assert reports.on_ground[wanted].any() and not reports.on_ground[wanted].all()


def test_recorded_flight_squitters_match_the_recording(
    flight_decoded: Flight,
) -> None:
    """Extended squitters (parity-checked): altitude, velocity, identification, in SI."""
    lines, reports = flight_decoded
    compared = 0
    for index, line in enumerate(lines):
        if line["df"] != "17":
            continue
        if line.get("bds") == "05" and line.get("altitude") is not None:
            column = reports.alt_baro_m if line["source"] == "barometric" else reports.alt_geom_m
            assert column[index] == pytest.approx(line["altitude"] * FT)
            compared += 1
        elif line.get("bds") == "09":
            assert reports.ground_speed_mps[index] == pytest.approx(line["groundspeed"] * KNOT)
            assert reports.track_rad[index] == pytest.approx(math.radians(line["track"]))
            assert reports.vertical_rate_mps[index] == pytest.approx(line["vertical_rate"] * FPM)
            compared += 1
        elif line.get("bds") == "08":
            assert reports.callsign[index] == line["callsign"].strip()
            compared += 1
        elif line.get("bds") == "06":
            # the recording's decoder was off by a step here (2.75 kt for movement code
            # 16, which is 3.5 kt): check against the standard's table instead
            movement = int(line["frame"][8:12], 16) >> 4 & 0x7F
            assert reports.ground_speed_mps[index] == pytest.approx(
                surface_speed_kt(movement) * KNOT, nan_ok=True
            )
            compared += 1
    assert compared > 10_000


def test_recorded_flight_replies_match_the_recording(
    flight_decoded: Flight,
) -> None:
    """Surveillance and Comm-B replies (address/parity): altitude and squawk. A handful
    of replies that the recording's decoder read otherwise (malformed altitude codes)
    are allowed: at most one in a thousand."""
    lines, reports = flight_decoded
    compared, differing = 0, []
    for index, line in enumerate(lines):
        if line["df"] in ("17", "11"):
            continue
        if line.get("altitude") is not None:
            compared += 1
            if reports.alt_baro_m[index] != pytest.approx(line["altitude"] * FT):
                differing.append((index, "altitude", reports.alt_baro_m[index], line["altitude"]))
        if line.get("squawk") is not None:
            compared += 1
            if reports.squawk[index] != int(line["squawk"]):
                differing.append((index, "squawk", reports.squawk[index], line["squawk"]))
    assert compared > 40_000
    assert len(differing) <= compared / 1000, differing[:20]


def test_recorded_beast_capture_frames_and_decodes(reference: Reference) -> None:
    """A receiver's real Beast output: every byte framed, every frame's parity or
    address accepted or its reply waiting for the address to be heard."""
    data = _sample(reference, "traffic", BEAST).read_bytes()
    frames, skips, tail = split_beast(data)
    assert skips == [] and tail == b""
    assert len(frames) > 100
    ticks = frames.mlat_ticks.astype(np.float64)
    assert np.all(np.diff(ticks) >= 0)  # the receiver's counter only goes on
    reports, decode_skips, _state = decode_frames(frames, (ticks - ticks[0]) / 12e6, DecoderState())
    assert {skip.kind for skip in decode_skips} <= {AdsbSkipKind.UNKNOWN_ADDRESS}
    assert len(reports) + len(decode_skips) == len(frames)
    assert (reports.callsign != "").any() and np.isfinite(reports.lat_deg).any()
