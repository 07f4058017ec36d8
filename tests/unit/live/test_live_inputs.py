"""Input specs: FORMAT@URL parsed, and every bad spec refused with its fault named."""

from __future__ import annotations

from pathlib import Path

import pytest

from flankwatch.live.inputs import InputError, parse_input


def test_a_tcp_spec_gives_host_port_and_receiver() -> None:
    spec = parse_input("beast@tcp://192.168.1.20:30005?lat=52.23&lon=21.01&name=roof")
    assert (spec.format, spec.scheme, spec.host, spec.port) == (
        "beast",
        "tcp",
        "192.168.1.20",
        30005,
    )
    assert spec.receiver_deg == (52.23, 21.01)
    assert spec.name == "roof" and spec.is_socket and not spec.multicast


def test_udp_specs_know_multicast_and_ipv6() -> None:
    assert parse_input("SBS@udp://239.2.3.4:30003").multicast
    assert parse_input("sbs@udp://239.2.3.4:30003").format == "sbs"
    v6 = parse_input("avr@udp://[::1]:0")
    assert (v6.host, v6.port, v6.multicast) == ("::1", 0, False)


def test_a_file_spec_takes_relative_and_absolute_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "dump.sbs").write_text("")
    assert parse_input(f"sbs@file://{tmp_path}/dump.sbs").path == tmp_path / "dump.sbs"
    monkeypatch.chdir(tmp_path)
    spec = parse_input("sbs@file://dump.sbs?port=30003&sigma_m=20")
    assert spec.path == Path("dump.sbs") and not spec.is_socket
    assert (spec.capture_port, spec.sigma_m) == (30003, 20.0)


@pytest.mark.parametrize(
    ("text", "fault"),
    [
        ("tcp://host:30005", "expected FORMAT@URL"),
        ("mlat@tcp://host:30005", "unknown format 'mlat'"),
        ("sbs@http://host/aircraft.json", "must start with tcp://"),
        ("sbs@tcp://host", "is not HOST:PORT"),
        ("sbs@tcp://:30003", "has no host"),
        ("sbs@tcp://host:0", "needs a port above 0"),
        ("sbs@tcp://host:70000", "out of range"),
        ("sbs@tcp://host:x1", "not a whole number"),
        ("sbs@udp://receiver.local:30003", "needs an IP address"),
        ("sbs@tcp://host:30003?lat=52", "lat and lon must be given together"),
        ("sbs@tcp://host:30003?lat=95&lon=1", "is not a position"),
        ("sbs@tcp://host:30003?lat=north&lon=1", "is not a number"),
        ("sbs@tcp://host:30003?sigma_m=-3", "must be above 0"),
        ("sbs@tcp://host:30003?colour=red", "unknown parameter 'colour'"),
        ("sbs@tcp://host:30003?name=a&name=b", "given twice"),
        ("sbs@tcp://host:30003?port=1", "for file:// captures only"),
        ("sbs@file://", "needs a path"),
        ("sbs@file:///no/such/dump.sbs", "no such file"),
    ],
)
def test_a_bad_spec_is_refused_naming_it(text: str, fault: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_input(text)
    assert f"--input {text!r}" in str(caught.value)
    assert fault in str(caught.value)
