"""When periodic reports fall inside a step."""

from __future__ import annotations

import math

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
    times = first[:, None] + period_s * np.arange(per_reporter)[None, :]
    reporter, k = np.nonzero(times < t1_s)
    return reporter, times[reporter, k]
