"""Streaming decoders: the same reports however the stream is cut, times from the format."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from live_feeds import (
    FLIGHTS,
    START_EPOCH_S,
    avr_text,
    beast_bytes,
    json_documents,
    messages,
    sbs_lines,
)

from flankwatch.io.adsb import AdsbReports, SkipKind
from flankwatch.live.decoders import (
    DECODERS,
    MLAT_TICKS_PER_S,
    JsonSplitter,
    TickClock,
    sbs_epoch_s,
)

FEEDS = {
    "sbs": ("\n".join(line for _, line in sbs_lines(12.0)) + "\n").encode(),
    "avr": avr_text(12.0).encode(),
    "beast": beast_bytes(12.0),
    "readsb-json": "\n".join(doc for _, doc in json_documents(12.0)).encode(),
}


def _decode(
    fmt: str, pieces: list[bytes], received_s: float | None = None
) -> tuple[AdsbReports, list]:
    decoder = DECODERS[fmt](START_EPOCH_S, None)
    parts, skips = [], []
    for piece in pieces:
        reports, more = decoder.feed(piece, received_s)
        parts.append(reports)
        skips += more
    reports, more = decoder.end(received_s)
    return AdsbReports.concat([*parts, reports]), skips + more


def _cut(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({min(c, len(data)) for c in cuts})
    return [data[a:b] for a, b in zip([0, *points], [*points, len(data)], strict=True)]


@settings(max_examples=15, deadline=None)
@given(fmt=st.sampled_from(sorted(FEEDS)), cuts=st.lists(st.integers(0, 20_000), max_size=30))
def test_reports_do_not_depend_on_how_the_stream_is_cut(fmt: str, cuts: list[int]) -> None:
    whole, whole_skips = _decode(fmt, [FEEDS[fmt]])
    pieces, piece_skips = _decode(fmt, _cut(FEEDS[fmt], cuts))
    assert len(whole) > 0 and not whole_skips and not piece_skips
    for name in ("t_s", "icao24", "lat_deg", "lon_deg", "alt_baro_m"):
        np.testing.assert_array_equal(getattr(pieces, name), getattr(whole, name))


@pytest.mark.parametrize("fmt", sorted(FEEDS))
def test_unstamped_files_are_timed_by_the_format(fmt: str) -> None:
    reports, _ = _decode(fmt, [FEEDS[fmt]])
    positions = reports.with_position()
    expected = {
        "sbs": np.arange(0.0, 12.0, 0.5),
        "readsb-json": np.arange(0.0, 12.0, 1.0),
        # the counter starts with the first frame; the first position of each pair needs two
        "avr": np.arange(0.5, 12.0, 0.5),
        "beast": np.arange(0.5, 12.0, 0.5),
    }[fmt]
    np.testing.assert_allclose(np.unique(positions.t_s), expected, atol=1e-6)
    for flight in FLIGHTS:
        mine = positions.take(positions.icao24 == flight.icao24)
        truth = np.array([flight.lat_lon(t) for t in mine.t_s])
        np.testing.assert_allclose(mine.lat_deg, truth[:, 0], atol=1e-4)
        np.testing.assert_allclose(mine.lon_deg, truth[:, 1], atol=1e-4)


@pytest.mark.parametrize("fmt", sorted(FEEDS))
def test_stamped_chunks_take_their_reception_time(fmt: str) -> None:
    reports, _ = _decode(fmt, [FEEDS[fmt]], received_s=42.5)
    assert len(reports) and np.all(reports.t_s == 42.5)


def test_a_malformed_line_is_skipped_with_its_line_number() -> None:
    lines = [line for _, line in sbs_lines(2.0)]
    lines.insert(3, "MSG,3,this is not,an SBS line")
    reports, skips = _decode("sbs", [("\n".join(lines) + "\n").encode()])
    assert [(s.kind, s.at) for s in skips] == [(SkipKind.SYNTAX, 4)]
    assert len(reports) == len(lines) - 1


def test_an_overlong_line_is_dropped_and_the_stream_goes_on() -> None:
    decoder = DECODERS["avr"](0.0, None)
    _, skips = decoder.feed(b"*" + b"A" * 70_000, 1.0)
    assert [s.kind for s in skips] == [SkipKind.SYNTAX]
    good = "".join(f"*{m};\n" for _, m in messages(1.0)).encode()
    reports, more = decoder.feed(b"\n" + good, 2.0)
    assert len(reports) > 0
    assert all(s.kind == SkipKind.SYNTAX for s in more) and len(more) <= 1


def test_a_beast_frame_cut_by_the_stream_end_is_skipped() -> None:
    data = beast_bytes(1.0)
    reports, skips = _decode("beast", [data[:-5]])
    assert skips[-1].kind == SkipKind.FRAMING and "end of the stream" in skips[-1].message
    assert skips[-1].at + skips[-1].size == len(data) - 5


def test_sbs_times_are_read_as_utc_with_the_logged_time_as_fallback() -> None:
    line = "MSG,3,1,1,48AE01,1,2025/09/10,21:33:20.250,2025/09/10,21:33:21.000,,35000"
    assert sbs_epoch_s(line) == pytest.approx(START_EPOCH_S + 0.25)
    assert sbs_epoch_s(line.replace("2025/09/10,21:33:20.250", ",")) == START_EPOCH_S + 1.0
    assert sbs_epoch_s("MSG,3,1,1,48AE01,1,yesterday,noon,,") is None
    assert sbs_epoch_s("MSG,3,1,1,48AE01,1,2025/13/10,21:33:20,,") is None


def test_the_tick_clock_counts_from_the_first_frame_and_survives_a_restart() -> None:
    clock = TickClock()
    tick = int(MLAT_TICKS_PER_S)
    first = clock.times(np.array([100 * tick, 0, 101 * tick], np.uint64))
    np.testing.assert_allclose(first, [0.0, 0.0, 1.0])
    after_restart = clock.times(np.array([3 * tick, 5 * tick], np.uint64))
    np.testing.assert_allclose(after_restart, [1.0, 3.0])


def test_the_json_splitter_finds_documents_across_chunks_and_strings() -> None:
    splitter = JsonSplitter()
    text = '{"a": "}{\\"x"}  junk {"b": {"c": [1, {}]}}\n{"d": 1'
    found, garbage = [], []
    for k in range(0, len(text), 3):
        documents, bad = splitter.feed(text[k : k + 3])
        found += documents
        garbage += bad
    assert found == ['{"a": "}{\\"x"}', '{"b": {"c": [1, {}]}}']
    assert "".join(garbage) == "junk"
    assert splitter.reset() == '{"d": 1'


def test_json_documents_that_do_not_parse_are_skipped_by_number() -> None:
    docs = [doc for _, doc in json_documents(3.0)]
    docs[1] = '{"now": 1, "aircraft": [nonsense]}'
    reports, skips = _decode("readsb-json", ["\n".join(docs).encode()])
    assert [(s.kind, s.at) for s in skips] == [(SkipKind.SYNTAX, 2)]
    assert len(reports) == 2 * len(FLIGHTS)


def test_a_readsb_json_line_of_one_aircraft_is_read() -> None:
    line = b'{"now": 1757540010.0, "hex": "48ae01", "lat": 52.1, "lon": 21.2, "alt_baro": 30000}\n'
    reports, skips = _decode("readsb-json", [line])
    assert not skips and reports.icao24.tolist() == [0x48AE01]
    assert reports.t_s.tolist() == [10.0]
