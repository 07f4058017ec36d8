"""Streaming decoders: the same reports however the stream is cut, times from the format."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from live_feeds import (
    FLIGHTS,
    FUTURE_SBS_LINE,
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
    GAP_UNITS,
    MAX_AHEAD_S,
    MAX_LINE_CHARS,
    MLAT_TICKS_PER_S,
    JsonSplitter,
    TickClock,
    TimeGuard,
    plausible_start_s,
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
    assert "".join(text for _, text in garbage) == "junk"
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


def test_an_overlong_line_is_one_skip_and_later_lines_keep_their_numbers() -> None:
    lines = [line for _, line in sbs_lines(2.0)]
    lines[3:3] = ["Z" * 1_000_000]  # line 4
    lines[7:7] = ["MSG,3,this is not,an SBS line"]  # line 8
    data = ("\n".join(lines) + "\n").encode()
    reports, skips = _decode("sbs", _cut(data, list(range(0, len(data), 65_536))))
    assert [(s.kind, s.at) for s in skips] == [(SkipKind.SYNTAX, 4), (SkipKind.SYNTAX, 8)]
    assert f"longer than {MAX_LINE_CHARS}" in skips[0].message
    assert len(reports) == len(lines) - 2


def test_an_overlong_last_line_cut_by_the_end_is_one_skip() -> None:
    reports, skips = _decode("sbs", [b"Z" * 70_000, b"Z" * 70_000])
    assert [(s.kind, s.at) for s in skips] == [(SkipKind.SYNTAX, 1)] and not len(reports)


CUT = '{"hex":"48ae01","lat":52.0,"lon":21.0,"alt_baro":35000,"nac_p":9'
"""A readsb JSON line cut short (no closing brace)."""


@pytest.mark.parametrize(
    "cut",
    [CUT, CUT + ",", '{"hex":"48ae01","flight":"LOT', '{"now": 1757540000.0, "aircraft": [{"hex"'],
)
@pytest.mark.parametrize("where", [0, 3])
def test_a_json_line_cut_short_is_one_skip_and_the_next_documents_are_read(
    cut: str, where: int
) -> None:
    docs = [doc for _, doc in json_documents(6.0)]
    docs.insert(where, cut)
    data = ("\n".join(docs) + "\n").encode()
    for pieces in ([data], _cut(data, list(range(0, len(data), 50)))):
        reports, skips = _decode("readsb-json", pieces)
        assert [(s.kind, s.at) for s in skips] == [(SkipKind.SYNTAX, where + 1)]
        assert len(reports) == 6 * len(FLIGHTS)


def test_json_documents_spread_over_lines_are_still_read() -> None:
    """readsb's aircraft.json: the document over many lines, each entry on its own line
    (at the line's start), and documents pretty-printed with indents."""
    entries = [
        '{"hex":"48ae01","alt_baro":35000,"lat":52.1,"lon":21.2,"nac_p":9,"seen":0.0}',
        '{"hex":"3c6512","alt_baro":28000,"lat":51.9,"lon":21.0,"nac_p":9,"seen":0.0}',
    ]
    readsb = '{ "now" : 1757540001.0,\n  "messages" : 12,\n  "aircraft" : [\n'
    readsb += ",\n".join(entries) + "\n  ]\n}\n"
    indented = json.dumps(
        {"now": 1757540002.0, "aircraft": [json.loads(e) for e in entries]}, indent=2
    )
    reports, skips = _decode("readsb-json", [(readsb + indented + "\n").encode()])
    assert not skips and reports.t_s.tolist() == [1.0, 1.0, 2.0, 2.0]


def test_the_time_guard_refuses_times_far_ahead_and_takes_a_gap_in_a_file() -> None:
    guard = TimeGuard(START_EPOCH_S)
    assert guard.take(100.0, None) and guard.take(100.0 + MAX_AHEAD_S, None)
    assert not guard.take(4e9, None)  # one bad time: refused, the input's time stays
    assert guard.latest_s == 100.0 + MAX_AHEAD_S and guard.take(161.0, None)
    gap = [guard.take(5000.0 + k, None) for k in range(GAP_UNITS + 1)]
    assert gap == [False] * (GAP_UNITS - 1) + [True, True]
    assert "ahead of the input's latest time" in guard.refusal(4e9, None)
    # stamped by reception, a time is measured against the reception time alone
    assert guard.take(30.0 + MAX_AHEAD_S, 30.0) and not guard.take(31.0 + MAX_AHEAD_S, 30.0)
    assert "ahead of its reception" in guard.refusal(31.0 + MAX_AHEAD_S, 30.0)


def test_a_file_s_time_starts_where_its_first_timestamps_agree() -> None:
    t0 = START_EPOCH_S
    steady = [t0 + 0.5 * k for k in range(20)]
    assert plausible_start_s(steady) == t0
    assert plausible_start_s(list(reversed(steady))) == t0  # in any order
    # one unit dated 2099 or 1970 at the head is passed over
    assert plausible_start_s([4.1e9, *steady]) == t0
    assert plausible_start_s([0.0, *steady]) == t0
    # so are a few, if fewer than GAP_UNITS agree with one another
    assert plausible_start_s([0.0, 1.0, 2.0, *steady]) == t0
    assert plausible_start_s([t0 - 7200.0 + k for k in range(GAP_UNITS)] + steady) == t0 - 7200
    # times close together only in pairs (a sparse file), or too few to tell: the earliest
    assert plausible_start_s([t0 + 100.0 * k for k in range(10)]) == t0
    assert plausible_start_s([t0 + 1.0, 0.0]) == 0.0
    assert plausible_start_s([t0]) == t0 and plausible_start_s([]) is None
    assert plausible_start_s([t0 + k for k in range(3)]) == t0  # all three agree


def test_a_file_guard_told_where_the_file_starts_refuses_a_first_unit_far_ahead() -> None:
    guard = TimeGuard(START_EPOCH_S)
    guard.expect(10.0)
    assert not guard.take(4e9, None) and guard.take(10.5, None)
    assert guard.latest_s == 10.5


def test_an_sbs_line_dated_far_ahead_is_skipped_as_future() -> None:
    lines = [line for _, line in sbs_lines(6.0)]
    lines.insert(10, FUTURE_SBS_LINE)  # line 11
    reports, skips = _decode("sbs", [("\n".join(lines) + "\n").encode()])
    assert [(s.kind, s.at) for s in skips] == [(SkipKind.FUTURE, 11)]
    assert "2099-09-10T21:33:30.000Z" in skips[0].message
    assert len(reports) == len(lines) - 1 and reports.t_s.max() < 6.0
    np.testing.assert_array_equal(reports.t_s, np.sort(reports.t_s))


def test_a_json_document_timed_far_ahead_is_skipped_as_future() -> None:
    docs = [doc for _, doc in json_documents(6.0)]
    docs.insert(2, '{"now": 1e15, "hex": "48ae01", "lat": 52.0, "lon": 21.0, "alt_baro": 35000}')
    reports, skips = _decode("readsb-json", ["\n".join(docs).encode()])
    assert [(s.kind, s.at) for s in skips] == [(SkipKind.FUTURE, 3)]
    assert len(reports) == 6 * len(FLIGHTS) and reports.t_s.max() == 5.0


def test_a_gap_in_a_file_longer_than_the_bound_is_taken_after_a_few_lines() -> None:
    before = [line for _, line in sbs_lines(2.0)]
    after = [line for _, line in sbs_lines(4.0, start_epoch_s=START_EPOCH_S + 3600.0)]
    reports, skips = _decode("sbs", [("\n".join(before + after) + "\n").encode()])
    assert [s.kind for s in skips] == [SkipKind.FUTURE] * (GAP_UNITS - 1)
    assert len(reports) == len(before) + len(after) - (GAP_UNITS - 1)
    assert reports.t_s.max() == 3600.0 + 3.5
