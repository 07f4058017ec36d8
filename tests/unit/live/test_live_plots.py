"""Reports to plots: frame, accuracy from NACp, identity and height remembered."""

from __future__ import annotations

import math

import numpy as np
import pytest
from live_feeds import FRAME

from flankwatch.io.adsb import AdsbReports, AdsbSource
from flankwatch.live.plots import (
    DEFAULT_SIGMA_M,
    EPU_PER_SIGMA,
    HEIGHT_MEMORY_S,
    MIN_SIGMA_M,
    MLAT_SIGMA_M,
    NACP_EPU_M,
    SIGMA_GEOMETRIC_M,
    SIGMA_PRESSURE_M,
    PlotMaker,
)
from flankwatch.stream import PlotBatch, PlotKind

ICAO = 0x48AE01


def _maker(sigma_m: float | None = None) -> PlotMaker:
    return PlotMaker(3, FRAME, np.array([100.0, 200.0, 5.0]), sigma_m)


def _plots(maker: PlotMaker, rows: list[dict]) -> PlotBatch:
    return PlotBatch.from_parts([maker.plots(AdsbReports.from_rows(rows))])


def test_a_position_is_placed_in_the_frame_with_its_sensor() -> None:
    plots = _plots(_maker(), [{"t_s": 1.0, "icao24": ICAO, "lat_deg": 52.1, "lon_deg": 21.2,
                               "alt_geom_m": 9000.0}])  # fmt: skip
    expected = FRAME.geodetic_to_enu(52.1, 21.2, 9000.0).reshape(3)
    np.testing.assert_allclose(plots.position()[0], expected)
    assert plots.kind.tolist() == [PlotKind.ADSB] and plots.sensor_id.tolist() == [3]
    assert (plots.sensor_x_m[0], plots.sensor_y_m[0], plots.sensor_z_m[0]) == (100.0, 200.0, 5.0)
    assert plots.truth_id.tolist() == [-1]
    assert plots.cov_zz_m2[0] == SIGMA_GEOMETRIC_M**2


def test_identity_and_nacp_heard_earlier_go_with_the_position() -> None:
    maker = _maker()
    rows = [
        {"t_s": 0.0, "icao24": ICAO, "callsign": "LOT3921"},
        {"t_s": 0.2, "icao24": ICAO, "squawk": 7500},
        {"t_s": 0.4, "icao24": ICAO, "nacp": 8},
        {"t_s": 0.5, "icao24": ICAO, "lat_deg": 52.0, "lon_deg": 21.0, "alt_baro_m": 10_000.0},
        {"t_s": 0.5, "icao24": 0x3C6512, "lat_deg": 52.0, "lon_deg": 21.1, "alt_baro_m": 9_000.0},
    ]
    plots = _plots(maker, rows)
    assert plots.callsign.tolist() == ["LOT3921", ""]
    assert plots.squawk.tolist() == [7500, 0]
    sigma = NACP_EPU_M[8] / EPU_PER_SIGMA
    assert plots.cov_xx_m2.tolist() == pytest.approx([sigma**2, DEFAULT_SIGMA_M**2])
    assert plots.cov_zz_m2.tolist() == [SIGMA_PRESSURE_M**2] * 2


@pytest.mark.parametrize(
    ("source", "nacp", "sigma_m"),
    [
        (AdsbSource.ADSB, 11, MIN_SIGMA_M),
        (AdsbSource.ADSB, 9, 30.0 / 2.4477),
        (AdsbSource.ADSB, 0, 42.0),
        (AdsbSource.ADSB, -1, 42.0),
        (AdsbSource.MLAT, 11, MLAT_SIGMA_M),
        (AdsbSource.TISB, -1, MLAT_SIGMA_M),
    ],
)
def test_horizontal_accuracy_follows_nacp_and_source(
    source: int, nacp: int, sigma_m: float
) -> None:
    plots = _plots(_maker(sigma_m=42.0), [{"t_s": 0.0, "icao24": ICAO, "source": source,
        "nacp": nacp, "lat_deg": 52.0, "lon_deg": 21.0, "alt_baro_m": 1000.0}])  # fmt: skip
    assert math.sqrt(plots.cov_xx_m2[0]) == pytest.approx(sigma_m, rel=1e-3)
    assert plots.cov_yy_m2[0] == plots.cov_xx_m2[0] and plots.cov_xy_m2[0] == 0.0


def test_a_position_without_height_takes_a_recent_one_or_is_dropped() -> None:
    maker = _maker()
    rows = [
        {"t_s": 0.0, "icao24": ICAO, "lat_deg": 52.0, "lon_deg": 21.0},
        {"t_s": 1.0, "icao24": ICAO, "alt_baro_m": 3000.0},
        {"t_s": 2.0, "icao24": ICAO, "lat_deg": 52.0, "lon_deg": 21.0},
        {"t_s": 2.0 + HEIGHT_MEMORY_S, "icao24": ICAO, "lat_deg": 52.0, "lon_deg": 21.0},
        {"t_s": 40.0, "icao24": 0x111111, "lat_deg": 52.0, "lon_deg": 21.0, "on_ground": True},
    ]
    plots = _plots(maker, rows)
    assert plots.t_s.tolist() == [2.0, 40.0]
    assert plots.position()[0] == pytest.approx(
        FRAME.geodetic_to_enu(52.0, 21.0, 3000.0).reshape(3)
    )
    assert maker.without_height == 2


def test_aircraft_not_heard_for_long_are_forgotten() -> None:
    maker = _maker()
    _plots(maker, [{"t_s": 0.0, "icao24": ICAO, "callsign": "LOT3921"}])
    _plots(maker, [{"t_s": 1000.0, "icao24": 0x3C6512, "callsign": "DLH1LK"}])
    assert set(maker.aircraft) == {0x3C6512}
    assert _plots(maker, []).t_s.size == 0
