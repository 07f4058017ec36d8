"""The simulation clock: fixed steps from the start to the end of a run, grouped in windows.

Objects move one step (``step_s``) at a time; sensors observe, and plots are
batched, one window (``batch_s``, a whole number of steps) at a time.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Clock:
    """Steps of ``step_s`` seconds in windows of ``batch_s`` covering ``duration_s``."""

    duration_s: float
    step_s: float
    batch_s: float

    @property
    def steps_per_window(self) -> int:
        """How many steps make one window."""
        return max(1, round(self.batch_s / self.step_s))

    @property
    def n_steps(self) -> int:
        """How many steps the run takes (the last one may run past the end)."""
        return math.ceil(self.duration_s / self.step_s - 1e-9)

    def windows(self) -> Iterator[list[float]]:
        """The start times (s) of the steps of each window, window by window."""
        per_window = self.steps_per_window
        for first in range(0, self.n_steps, per_window):
            last = min(first + per_window, self.n_steps)
            yield [k * self.step_s for k in range(first, last)]

    @staticmethod
    def is_on_grid(t_s: float, period_s: float) -> bool:
        """True when ``t_s`` falls on a multiple of ``period_s`` (to within a microsecond)."""
        phase = math.fmod(t_s, period_s)
        return phase < 1e-6 or period_s - phase < 1e-6
