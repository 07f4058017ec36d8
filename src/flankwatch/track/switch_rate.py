"""The IMM's mode switch rate, estimated from the tracks' own mode histories.

How often targets change between flying straight and turning depends on the targets:
drones and airliners fly legs of many minutes, a manoeuvring aircraft changes every few
seconds. A rate that suits one is far off for the other: one tuned on straight-flying
targets loses manoeuvring ones at every change of leg, and one tuned on manoeuvring
targets lets straight-flying tracks in clutter wander off after false plots (the
README's tracker families). So the rate is estimated from the data, like the clutter
density and the detection probability.

The estimate counts, at each update of a held track, whether its most probable mode
changed, and divides the changes by the track time they span and by ``M - 1`` (each
mode jumps to each other one at the rate): the transitions of the most probable mode
sequence, as a hard-decision expectation-maximisation step carried on as the run goes.
(The soft count, the expected switches under the IMM's own mixing, gave 0.010/s against
0.087/s on the manoeuvring family at N = 500, whose targets change leg every 5-20 s: the
IMM explains most of a change by the small probability it kept on the other modes.) A
prior of ``prior_track_s`` track-seconds at the configured rate holds the estimate until
the tracks have said more.
"""

from __future__ import annotations

import numpy as np


class SwitchRateEstimate:
    """Running estimate of the rate (1/s) at which each mode jumps to each other one."""

    def __init__(self, prior_rate_per_s: float, prior_track_s: float, n_modes: int) -> None:
        if n_modes < 2:
            raise ValueError("a switch rate needs at least two modes")
        if not prior_track_s > 0.0:
            raise ValueError(f"the prior's track time must be positive, got {prior_track_s}")
        self._others = n_modes - 1
        self._switches = prior_rate_per_s * self._others * prior_track_s
        self._track_s = prior_track_s

    @property
    def rate_per_s(self) -> float:
        """The current estimate, 1/s."""
        return self._switches / self._others / self._track_s

    def observe(self, before: np.ndarray, after: np.ndarray, dt_s: np.ndarray) -> None:
        """Count the updates of tracks whose mode probabilities went from ``before`` to
        ``after`` (``(n, M)``) over steps of ``dt_s`` (``(n,)``, s); steps of no length
        (late plots, a track's second plot at one time) count nothing."""
        moved = dt_s > 0.0
        if not moved.all():
            before, after, dt_s = before[moved], after[moved], dt_s[moved]
        changed = before.argmax(axis=1) != after.argmax(axis=1)
        self._switches += float(np.count_nonzero(changed))
        self._track_s += float(np.sum(dt_s))
