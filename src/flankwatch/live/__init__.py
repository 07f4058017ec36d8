"""Live feeds: receivers' ADS-B and ASTERIX streams, over TCP, UDP or from files, as a
run's source.

- :mod:`~flankwatch.live.inputs`: ``FORMAT@URL`` input specs;
- :mod:`~flankwatch.live.transport`: socket readers and file readers;
- :mod:`~flankwatch.live.capture`: UDP datagrams out of pcap and pcapng captures;
- :mod:`~flankwatch.live.decoders`: each ADS-B format's bytes to timed reports;
- :mod:`~flankwatch.live.asterix`: ASTERIX data blocks to reports and plots;
- :mod:`~flankwatch.live.plots`: reports to plots in the run's frame;
- :mod:`~flankwatch.live.source`: :class:`LiveSource`, the inputs as one source;
- :mod:`~flankwatch.live.command`: the ``flankwatch live`` command.

The names below load their module on first use, so that the command line starts fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flankwatch.live.inputs import FORMATS, InputError, InputSpec, parse_input
    from flankwatch.live.source import InputStats, LiveSource
    from flankwatch.live.transport import Backoff

_HOMES = {
    "FORMATS": "inputs",
    "InputError": "inputs",
    "InputSpec": "inputs",
    "parse_input": "inputs",
    "InputStats": "source",
    "LiveSource": "source",
    "Backoff": "transport",
}
"""Each public name and the module of this package it lives in."""

__all__ = [
    "Backoff",
    "FORMATS",
    "InputError",
    "InputSpec",
    "InputStats",
    "LiveSource",
    "parse_input",
]


def __getattr__(name: str) -> Any:
    """A public name, its module imported on first use (PEP 562)."""
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)
