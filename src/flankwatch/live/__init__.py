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
"""

from flankwatch.live.inputs import FORMATS, InputError, InputSpec, parse_input
from flankwatch.live.source import InputStats, LiveSource
from flankwatch.live.transport import Backoff

__all__ = [
    "FORMATS",
    "Backoff",
    "InputError",
    "InputSpec",
    "InputStats",
    "LiveSource",
    "parse_input",
]
