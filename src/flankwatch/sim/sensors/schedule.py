"""When periodic reports fall inside a step."""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np


def report_times(
    t0_s: float, t1_s: float, period_s: float, phase_s: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Reports due in ``[t0_s, t1_s)`` from reporters that report every ``period_s``.

    Reporter ``i`` reports at ``phase_s[i] + k period_s``. Returns the index of
    the reporter and the time (s) of every report in the window.
    """
    first = t0_s + (phase_s - t0_s) % period_s
    per_reporter = math.ceil((t1_s - t0_s) / period_s) + 1
    times = first[:, None] + _report_offsets(period_s, per_reporter)
    reporter, k = np.nonzero(times < t1_s)
    return reporter, times[reporter, k]


@lru_cache(maxsize=64)
def _report_offsets(period_s: float, count: int) -> np.ndarray:
    """The times (s, shape (1, count), read-only) of a reporter's first ``count`` reports,
    counted from its first one (made once per period and count, not every window)."""
    offsets = period_s * np.arange(count)[None, :]
    offsets.flags.writeable = False
    return offsets


def report_times_each(
    t0_s: float, t1_s: float, period_s: np.ndarray, phase_s: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`report_times` with a period (s) per reporter: the same reports, in the same
    order (by reporter, then by time)."""
    first = t0_s + (phase_s - t0_s) % period_s
    per_reporter = math.ceil((t1_s - t0_s) / float(period_s.min(initial=np.inf))) + 1
    times = first[:, None] + period_s[:, None] * np.arange(per_reporter)[None, :]
    reporter, k = np.nonzero(times < t1_s)
    return reporter, times[reporter, k]
