"""ASTERIX input: CAT021, CAT048 and CAT062 records to plots, timed by their time of day."""

from __future__ import annotations

import math
import socket
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from live_feeds import FLIGHTS, FRAME

from flankwatch.deployment import Deployment, Origin
from flankwatch.geo.frames import LocalFrame
from flankwatch.geo.geodesy import forward
from flankwatch.io.adsb import SkipKind
from flankwatch.io.asterix import Cat062Tracks, encode_cat062
from flankwatch.live import LiveSource, parse_input
from flankwatch.live.asterix import AsterixDecoder
from flankwatch.loop import Window
from flankwatch.stream import PlotBatch, PlotKind

sys.path.insert(0, str(Path(__file__).parents[1] / "io" / "asterix"))

from asterix_records import CAT021, CAT048, block, cat021, cat048  # noqa: E402

START = datetime(2025, 9, 10, 21, 30, tzinfo=UTC)
START_TOD_S = 21 * 3600 + 30 * 60
RADAR_DEG = (52.1, 21.2)
RADAR_M = FRAME.geodetic_to_enu(*RADAR_DEG, 0.0).reshape(3)
FEET = 0.3048


def _decoder(radar: bool = True) -> AsterixDecoder:
    return AsterixDecoder(2, START, FRAME, RADAR_DEG if radar else None, RADAR_M)


def test_cat021_reports_become_adsb_reports_timed_by_their_time_of_day() -> None:
    data = block(CAT021, [cat021(tod_s=START_TOD_S + 12.5, lat_deg=52.3, lon_deg=21.1)])
    reports, skips = _decoder().feed(data, None)
    assert not skips and reports.t_s.tolist() == [12.5]
    assert reports.icao24.tolist() == [0x48AE21] and reports.callsign.tolist() == ["LOT3AB"]
    assert reports.lat_deg[0] == pytest.approx(52.3) and reports.alt_geom_m[0] == pytest.approx(
        10_000.0, abs=10
    )


def test_a_cat048_plot_is_placed_from_range_azimuth_and_altitude() -> None:
    # a target 60 km from the radar, bearing 70 deg, at FL 300 (pressure altitude as height)
    height_m = 30_000 * FEET
    lat, lon, _ = forward(RADAR_DEG[0], RADAR_DEG[1], math.radians(70.0), 60_000.0)
    truth = FRAME.geodetic_to_enu(lat, lon, height_m).reshape(3)
    offset = LocalFrame(*RADAR_DEG).geodetic_to_enu(lat, lon, height_m).reshape(3)  # its axes
    rho = float(np.linalg.norm(offset))
    theta = math.degrees(math.atan2(offset[0], offset[1])) % 360.0
    record = cat048(tod_s=START_TOD_S + 3.0, range_m=rho, azimuth_deg=theta, fl=300.0,
                    address=0x3C6512, callsign="DLH1LK", squawk="1000")  # fmt: skip
    decoder = _decoder()
    reports, skips = decoder.feed(block(CAT048, [record]), None)
    plots = decoder.plots
    assert not skips and len(reports) == 0 and len(plots) == 1
    assert plots.kind.tolist() == [PlotKind.RADAR] and plots.sensor_id.tolist() == [2]
    assert plots.t_s.tolist() == [3.0] and plots.icao24.tolist() == [0x3C6512]
    assert (plots.callsign[0], plots.squawk[0]) == ("DLH1LK", 1000)
    # off by the refraction the model assumes (4/3 earth) and the items' resolutions
    assert np.linalg.norm(plots.position()[0] - truth) < 150.0
    assert np.all(np.linalg.eigvalsh(plots.covariance()[0]) > 0)
    assert not plots.mode5[0] and plots.mode5_pin[0] == 0


def test_a_cat048_mode5_reply_reaches_the_plot_with_its_pin() -> None:
    """A fighter's plot with an authenticated Mode 5 reply (I048/RE MD5) is a plot with
    ``mode5`` and the reply's PIN, which the tracker holds its track by."""
    record = cat048(tod_s=START_TOD_S + 1.0, squawk=None, mode5=(1, 1, 0, 4101))
    decoder = _decoder()
    _, skips = decoder.feed(block(CAT048, [record]), None)
    plots = decoder.plots
    assert not skips and len(plots) == 1
    assert plots.mode5.tolist() == [True] and plots.mode5_pin.tolist() == [4101]
    assert plots.identity[0] > 0xFFFFFF and plots.icao24[0] == 0


def test_cat048_plots_without_a_radar_position_or_height_are_counted() -> None:
    records = [cat048(tod_s=START_TOD_S + 1.0), cat048(tod_s=START_TOD_S + 2.0, fl=None)]
    no_radar = _decoder(radar=False)
    _, skips = no_radar.feed(block(CAT048, records), None)
    assert [s.kind for s in skips] == [SkipKind.UNSUPPORTED] * 2 and not len(no_radar.plots)
    radar = _decoder()
    _, skips = radar.feed(block(CAT048, records), None)
    assert [s.kind for s in skips] == [SkipKind.FIELD] and len(radar.plots) == 1


def _cat062(t_s: np.ndarray, start_tod_s: float = START_TOD_S) -> list[bytes]:
    """CAT062 blocks of every flight at each of ``t_s`` (s after the time of day
    ``start_tod_s``, by default that of :data:`START`)."""
    rows = []
    for t in t_s:
        for flight in FLIGHTS:
            lat, lon = flight.lat_lon(t)
            rows.append(
                {"sac": 9, "sic": 1, "tod_s": start_tod_s + t, "track_number": 7,
                 "lat_deg": lat, "lon_deg": lon, "alt_baro_m": flight.alt_ft * FEET,
                 "icao24": flight.icao24, "callsign": flight.callsign}
            )  # fmt: skip
    encoded = encode_cat062(Cat062Tracks.from_rows(rows))
    assert encoded.records == len(rows)
    return list(encoded.blocks)


def test_a_stream_cut_anywhere_gives_the_same_plots_and_garbage_is_skipped() -> None:
    data = b"".join(_cat062(np.arange(0.0, 20.0, 1.0)))
    whole = _decoder()
    whole.feed(data, None)
    reference = whole.plots
    pieces = _decoder()
    found = []
    for k in range(0, len(data), 7):
        pieces.feed(data[k : k + 7], None)
        found.append(pieces.plots)
    plots = PlotBatch.concat(found)
    assert len(reference) == 20 * len(FLIGHTS)
    np.testing.assert_array_equal(plots.t_s, reference.t_s)
    np.testing.assert_array_equal(plots.x_m, reference.x_m)
    _, skips = pieces.end(None)
    assert not skips
    # a block length below 3: passed over once the blocks after it show where they start
    _, skips = pieces.feed(b"\x3e\x00\x01junk", None)
    assert not skips and not len(pieces.plots)
    _, skips = pieces.feed(b"".join(_cat062(np.array([21.0]))), None)
    assert [(s.kind, s.at, s.size) for s in skips] == [(SkipKind.FRAMING, len(data), 7)]
    assert pieces.plots.t_s.tolist() == [21.0] * len(FLIGHTS)


def test_an_asterix_file_starts_at_its_first_time_of_day_and_is_tracked(tmp_path: Path) -> None:
    path = tmp_path / "tracks.ast"
    path.write_bytes(b"".join(_cat062(np.arange(0.0, 30.0, 1.0))))
    deployment = Deployment(name="t", start=START, origin=Origin(lat=52.0, lon=21.0))
    with LiveSource([parse_input(f"asterix@file://{path}")], deployment, batch_s=5.0) as source:
        windows = [window for window, _ in source.windows()]
    assert source.info.deployment.start == START
    assert [w.t0_s for w in windows] == [0.0, 5.0, 10.0, 15.0, 20.0, 25.0]
    plots = PlotBatch.concat([w.plots for w in windows])
    assert len(plots) == 60 and source.stats[0].plots == 60
    assert dict(source.stats[0].skips) == {}
    for flight in FLIGHTS:
        mine = plots.take(plots.icao24 == flight.icao24)
        error = np.linalg.norm(mine.position() - [flight.enu_m(t) for t in mine.t_s], axis=1)
        assert len(mine) == 30 and np.max(error) < 5.0


def test_an_asterix_file_whose_first_block_is_misdated_starts_at_its_true_time(
    tmp_path: Path,
) -> None:
    # a first block two hours ahead of the rest: the records that agree set the start
    path = tmp_path / "tracks.ast"
    path.write_bytes(b"".join(_cat062(np.array([2 * 3600.0])) + _cat062(np.arange(0.0, 30.0))))
    deployment = Deployment(name="t", start=START, origin=Origin(lat=52.0, lon=21.0))
    with LiveSource([parse_input(f"asterix@file://{path}")], deployment, batch_s=5.0) as source:
        windows = [window for window, _ in source.windows()]
    assert source.info.deployment.start == START
    assert [w.t0_s for w in windows] == [0.0, 5.0, 10.0, 15.0, 20.0, 25.0]
    assert dict(source.stats[0].skips) == {"future": len(FLIGHTS)}
    assert source.stats[0].plots == 30 * len(FLIGHTS)


def _udp_run(duration_s: float, ahead_s: Sequence[float]) -> tuple[LiveSource, list[Window]]:
    """A UDP ASTERIX input windowed by 0.5 s for ``duration_s``; while the second window is
    filled, CAT062 blocks are sent timed 0.6 s into the run plus each of ``ahead_s`` (s)."""
    deployment = Deployment(name="t", start=START, origin=Origin(lat=52.0, lon=21.0))
    source = LiveSource(
        [parse_input("asterix@udp://127.0.0.1:0")], deployment, batch_s=0.5, duration_s=duration_s
    )
    start_tod = (source.start_epoch_s % 86_400.0) + 0.6  # inside the second window
    windows = []
    with source, socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
        for window, _ in source.windows():
            windows.append(window)
            if window.index == 0:
                for tod_s in ((start_tod + ahead) % 86_400.0 for ahead in ahead_s):
                    for block_bytes in _cat062(np.array([0.0]), tod_s):
                        sender.sendto(block_bytes, ("127.0.0.1", source.ports[0]))
    return source, windows


def test_asterix_datagrams_over_udp_are_read_whole() -> None:
    source, windows = _udp_run(1.0, [0.0])
    plots = windows[1].plots
    assert len(plots) == len(FLIGHTS) and not source.stats[0].skips
    np.testing.assert_allclose(plots.t_s, 0.6, atol=0.01)


def test_a_record_timed_far_ahead_in_a_file_is_skipped_as_future() -> None:
    decoder = _decoder()
    _, skips = decoder.feed(b"".join(_cat062(np.array([0.0, 2 * 3600.0, 1.0]))), None)
    assert [s.kind for s in skips] == [SkipKind.FUTURE] * len(FLIGHTS)
    assert "ahead of the input's latest time" in skips[0].message
    assert sorted(decoder.plots.t_s.tolist()) == [0.0] * len(FLIGHTS) + [1.0] * len(FLIGHTS)


def test_a_datagram_timed_hours_ahead_is_skipped_and_later_ones_are_not_late() -> None:
    source, windows = _udp_run(1.5, [0.0, 5 * 3600.0, 0.1])  # 5 h ahead between two good ones
    plots = PlotBatch.concat([w.plots for w in windows])
    assert dict(source.stats[0].skips) == {"future": len(FLIGHTS)}
    assert len(plots) == 2 * len(FLIGHTS) and source.stats[0].plots == 2 * len(FLIGHTS)
    np.testing.assert_allclose(sorted(set(plots.t_s.round(2))), [0.6, 0.7], atol=0.01)
