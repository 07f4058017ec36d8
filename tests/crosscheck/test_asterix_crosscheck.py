"""flankwatch's ASTERIX codec against an independent decoder (``asterix-decoder``).

CAT062 tracks are encoded by flankwatch, CAT048 plots and CAT021 reports built by
libasterix's encoder (the test builders); the reference decoder reads the same bytes
in its own environment. Every field flankwatch reads must agree with it within half
the item's resolution, and the reference's reading of flankwatch's CAT062 must match
the tracks that went in.
"""

from __future__ import annotations

import importlib.util
import math
import string
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest
from reference_env import Reference
from reference_fields import CAT021, CAT048, CAT062, FT, assert_agree, rows_of

from flankwatch.io.asterix import Cat062Tracks, decode, encode_cat062

SEED = 20_250_910
"""Seed of the made-up values."""
COUNT = 60
"""Records per category."""


def _builders() -> ModuleType:
    """The test-side ASTERIX builders beside the unit tests of the codec."""
    name = "asterix_records"
    if name not in sys.modules:
        path = Path(__file__).parents[1] / "unit" / "io" / "asterix" / f"{name}.py"
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def _callsign(rng: np.random.Generator) -> str:
    """A random identification: 1-8 of A-Z and 0-9."""
    alphabet = string.ascii_uppercase + string.digits
    return "".join(rng.choice(list(alphabet), size=int(rng.integers(1, 9))))


def _squawk(rng: np.random.Generator) -> str:
    """A random Mode 3/A code, four octal digits."""
    return "".join(str(digit) for digit in rng.integers(0, 8, size=4))


def _maybe(rng: np.random.Generator, value: Any, absent: Any = None) -> Any:
    """``value``, or ``absent`` one time in five."""
    return absent if rng.random() < 0.2 else value


def _tracks(rng: np.random.Generator) -> Cat062Tracks:
    """Made-up system tracks over the whole range of each item, some values absent."""
    rows = []
    for number in rng.choice(65_536, size=COUNT, replace=False):
        lat, lon = rng.uniform(-90, 90), rng.uniform(-180, 180)
        x_m, y_m = rng.uniform(-2e6, 2e6, size=2)
        if rng.random() < 0.15:
            lat = lon = math.nan  # Cartesian position only
        elif rng.random() < 0.15:
            x_m = y_m = math.nan  # WGS 84 position only
        squawk = int(_squawk(rng))
        vx_mps, vy_mps = _maybe(rng, rng.uniform(-1000, 1000, size=2), (math.nan, math.nan))
        rows.append(
            {
                "sac": int(rng.integers(0, 256)),
                "sic": int(rng.integers(0, 256)),
                "tod_s": rng.uniform(0, 86_399),
                "track_number": int(number),
                "lat_deg": lat,
                "lon_deg": lon,
                "x_m": x_m,
                "y_m": y_m,
                "vx_mps": float(vx_mps),
                "vy_mps": float(vy_mps),
                "alt_geom_m": _maybe(rng, rng.uniform(-400, 40_000), math.nan),
                "alt_baro_m": _maybe(rng, rng.uniform(-400, 40_000), math.nan),
                "vertical_rate_mps": _maybe(rng, rng.uniform(-200, 200), math.nan),
                "squawk": _maybe(rng, squawk, 0),
                "icao24": _maybe(rng, int(rng.integers(1, 1 << 24)), 0),
                "callsign": _maybe(rng, _callsign(rng), ""),
                "tentative": bool(rng.random() < 0.3),
                "coasting": bool(rng.random() < 0.3),
                "ended": bool(rng.random() < 0.1),
            }
        )
    return Cat062Tracks.from_rows(rows)


def test_cat062_encoded_by_flankwatch_reads_the_same_in_the_reference(
    reference: Reference,
) -> None:
    tracks = _tracks(np.random.default_rng(SEED))
    encoded = encode_cat062(tracks, max_block_bytes=1400)
    assert encoded.records == COUNT and encoded.refused == () and encoded.omitted == {}
    assert len(encoded.blocks) > 1  # several data blocks in one datagram
    datagram = b"".join(encoded.blocks)
    [records] = reference.decode([datagram])
    assert all(record["category"] == 62 for record in records)
    # the encoder: what the reference reads is what went in, to half a step
    sent = rows_of(tracks)
    problems = []
    for index, (record, row) in enumerate(zip(records, sent, strict=True)):
        for field in CAT062:
            want = field.value(record["items"])
            got = row[field.column]
            if want is None:
                assert got in (0, "", False) or math.isnan(got), (index, field.column)
            elif field.lsb:
                if abs(got - want) > field.lsb / 2 * (1 + 1e-9):
                    problems.append(f"track {index} {field.column}: sent {got}, read {want}")
            elif got != want:
                problems.append(f"track {index} {field.column}: sent {got!r}, read {want!r}")
    assert not problems, "\n".join(problems)
    # the decoder: flankwatch reads what the reference reads
    decoded = decode(datagram)
    assert decoded.skips == ()
    assert_agree(CAT062, records, rows_of(decoded.cat062))


def test_cat048_plots_read_the_same_as_in_the_reference(reference: Reference) -> None:
    builders = _builders()
    rng = np.random.default_rng(SEED + 48)
    plots = [
        builders.cat048(
            sac=int(rng.integers(0, 256)),
            sic=int(rng.integers(0, 256)),
            tod_s=rng.uniform(0, 86_399),
            range_m=rng.uniform(0, 255.9 * builders.NM),
            azimuth_deg=rng.uniform(0, 359.99),
            fl=_maybe(rng, rng.uniform(-12, 1_200)),
            height_m=_maybe(rng, rng.uniform(-300, 20_000)),
            squawk=_maybe(rng, _squawk(rng)),
            address=_maybe(rng, int(rng.integers(0, 1 << 24))),
            callsign=_maybe(rng, _callsign(rng)),
            track_number=_maybe(rng, int(rng.integers(0, 4096))),
            speed_mps=_maybe(rng, rng.uniform(0, 1_000)),
            heading_deg=rng.uniform(0, 359.99),
            report_type=_maybe(rng, int(rng.integers(0, 8))),
            flags_090=(int(rng.random() < 0.2), int(rng.random() < 0.2)),
        )
        for _ in range(COUNT)
    ]
    datagram = builders.block(builders.CAT048, plots[: COUNT // 2]) + builders.block(
        builders.CAT048, plots[COUNT // 2 :]
    )
    [records] = reference.decode([datagram])
    decoded = decode(datagram)
    assert decoded.skips == ()
    assert_agree(CAT048, records, rows_of(decoded.cat048))
    # the flags of I048/090 took effect on some plots and not on others
    heights = decoded.cat048.alt_baro_m
    assert np.isnan(heights).any() and np.isfinite(heights).any()


def test_cat021_reports_read_the_same_as_in_the_reference(reference: Reference) -> None:
    builders = _builders()
    rng = np.random.default_rng(SEED + 21)
    reports = []
    for _ in range(COUNT):
        geometric = rng.random() < 0.5
        rate = rng.uniform(-100, 100)
        reports.append(
            builders.cat021(
                sac=int(rng.integers(0, 256)),
                sic=int(rng.integers(0, 256)),
                tod_s=rng.uniform(0, 86_399),
                tod_item=str(rng.choice(["073", "071", "077"])),
                lat_deg=rng.uniform(-90, 90),
                lon_deg=rng.uniform(-180, 180),
                high_resolution=bool(rng.random() < 0.7),
                alt_geom_m=_maybe(rng, rng.uniform(-400, 40_000)),
                fl=_maybe(rng, rng.uniform(-12, 1_200)),
                address=int(rng.integers(0, 1 << 24)),
                callsign=_maybe(rng, _callsign(rng)),
                squawk=_maybe(rng, _squawk(rng)),
                speed_mps=_maybe(rng, rng.uniform(0, 1_000)),
                track_deg=rng.uniform(0, 359.99),
                speed_flagged=bool(rng.random() < 0.2),
                geometric_rate_mps=rate if geometric else None,
                barometric_rate_mps=None if geometric else _maybe(rng, rate),
                track_number=_maybe(rng, int(rng.integers(0, 4096))),
            )
        )
    datagram = builders.block(builders.CAT021, reports)
    [records] = reference.decode([datagram])
    decoded = decode(datagram)
    assert decoded.skips == ()
    assert_agree(CAT021, records, rows_of(decoded.cat021))


def test_heights_in_feet_and_flight_levels_agree_with_the_reference(
    reference: Reference,
) -> None:
    """One plot of known values: the reference's feet and flight levels are flankwatch's
    metres (so a wrong foot in both builders and decoder would still show)."""
    builders = _builders()
    plot = builders.cat048(fl=350.0, height_m=25 * 400 * FT, speed_mps=None)
    datagram = builders.block(builders.CAT048, [plot])
    [[record]] = reference.decode([datagram])
    assert record["items"]["I090"]["FL"] == 350.0
    assert record["items"]["I110"]["3D_Height"] == 10_000.0
    decoded = decode(datagram).cat048
    assert decoded.alt_baro_m[0] == pytest.approx(350 * 100 * 0.3048)
    assert decoded.height_m[0] == pytest.approx(10_000 * 0.3048)
