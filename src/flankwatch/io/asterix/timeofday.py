"""ASTERIX time of day and a run's clock.

ASTERIX records carry only the time of day (``tod_s``: seconds since midnight UTC, in
[0, 86400)), not the date. A run's time ``t_s`` counts seconds from its start, a
UTC-aware datetime. The date is supplied by the run: a time of day is placed on the day
that puts it nearest (within 12 hours) to the time before it, which is the previous
record's ``t_s`` or, for the first record, the run's start. So a time of day that is
more than 12 hours earlier than the one before it falls on the next day (the clock
passed midnight), and one slightly later than the one before it but across midnight
(23:59:59 after 00:00:01) falls on the day before (a late record).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np

SECONDS_PER_DAY = 86_400.0
"""Length of a UTC day without a leap second, s."""


def _start_tod_s(start_utc: datetime) -> float:
    """The time of day of ``start_utc``, s since its UTC midnight.

    Raises :class:`ValueError` if ``start_utc`` has no time zone.
    """
    if start_utc.tzinfo is None or start_utc.utcoffset() is None:
        raise ValueError(f"run start {start_utc.isoformat()} has no time zone (give UTC)")
    utc = start_utc - (start_utc.utcoffset() or timedelta(0))
    midnight = utc.replace(hour=0, minute=0, second=0, microsecond=0)
    return (utc - midnight).total_seconds()


def tod_to_t_s(tod_s: np.ndarray, start_utc: datetime, previous_t_s: float = 0.0) -> np.ndarray:
    """Times of day ``tod_s`` (s since midnight UTC, in record order) as seconds since the
    run's start ``start_utc``, each placed on the day nearest the time before it (see
    the module docstring); ``previous_t_s`` is the last time already placed (s since
    the start), or the start itself.

    Raises :class:`ValueError` if ``start_utc`` has no time zone.
    """
    start_tod = _start_tod_s(start_utc)
    tod = np.asarray(tod_s, dtype=np.float64)
    if tod.size == 0:
        return np.empty(0)
    anchor = start_tod + previous_t_s
    first = anchor + (tod[0] - anchor + SECONDS_PER_DAY / 2) % SECONDS_PER_DAY
    first -= SECONDS_PER_DAY / 2
    steps = np.diff(tod)
    steps = (steps + SECONDS_PER_DAY / 2) % SECONDS_PER_DAY - SECONDS_PER_DAY / 2
    near = first + np.concatenate(([0.0], np.cumsum(steps)))
    absolute = tod + SECONDS_PER_DAY * np.round((near - tod) / SECONDS_PER_DAY)
    return absolute - start_tod


def t_s_to_tod(t_s: np.ndarray, start_utc: datetime) -> np.ndarray:
    """Seconds since the run's start ``start_utc`` as ASTERIX times of day, s since
    midnight UTC, in [0, 86400).

    Raises :class:`ValueError` if ``start_utc`` has no time zone.
    """
    start_tod = _start_tod_s(start_utc)
    tod = np.mod(start_tod + np.asarray(t_s, dtype=np.float64), SECONDS_PER_DAY)
    return np.where(tod >= SECONDS_PER_DAY, 0.0, tod)
