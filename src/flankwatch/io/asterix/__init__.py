"""EUROCONTROL ASTERIX at the edge: pure functions between bytes and columns.

- :func:`decode`: a datagram of data blocks to CAT048 radar plots
  (:class:`Cat048Plots`), CAT021 ADS-B reports (:class:`Cat021Reports`) and CAT062
  system tracks (:class:`Cat062Tracks`), with every unusable block or record returned
  as a counted :class:`Skip` (kind, byte offset, message) instead of raised;
- :func:`encode_cat062`: tracks to CAT062 data blocks, each value checked against its
  item's range first (never sent wrapped);
- :func:`tod_to_t_s` and :func:`t_s_to_tod`: ASTERIX time of day and the run's clock,
  across midnight.

Records are parsed and built by ``libasterix`` in the editions of
:data:`DEFAULT_EDITIONS` (or others of :data:`EDITIONS`). No sockets, files or clocks.
"""

from flankwatch.io.asterix.columns import Cat021Reports, Cat048Plots, Cat062Tracks
from flankwatch.io.asterix.decode import Decoded, decode
from flankwatch.io.asterix.encode import Encoded, encode_cat062
from flankwatch.io.asterix.errors import Skip, SkipKind, count_skips
from flankwatch.io.asterix.items import DEFAULT_EDITIONS, EDITIONS
from flankwatch.io.asterix.timeofday import t_s_to_tod, tod_to_t_s

__all__ = [
    "DEFAULT_EDITIONS",
    "EDITIONS",
    "Cat021Reports",
    "Cat048Plots",
    "Cat062Tracks",
    "Decoded",
    "Encoded",
    "Skip",
    "SkipKind",
    "count_skips",
    "decode",
    "encode_cat062",
    "t_s_to_tod",
    "tod_to_t_s",
]
