"""Track deletion: confirmed tracks left without updates, and tracks grown too uncertain."""

from __future__ import annotations

import numpy as np

from flankwatch.track.output import COASTING, CONFIRMED


class StaleTrackDeleter:
    """Deletes confirmed and coasting tracks not updated for ``delete_after_s`` (s) or whose
    position covariance trace exceeds ``max_position_var_m2`` (m^2).

    Tentative tracks are the initiator's to drop: a new track's velocity is
    unknown, so its position grows uncertain fast while it waits for the next
    scan of a slow radar.
    """

    def __init__(self, delete_after_s: float, max_position_var_m2: float) -> None:
        self.delete_after_s = delete_after_s
        self.max_position_var_m2 = max_position_var_m2

    def delete(
        self,
        status: np.ndarray,
        last_update_s: np.ndarray,
        position_var_m2: np.ndarray,
        now_s: float,
    ) -> np.ndarray:
        """Boolean mask of the tracks to delete at ``now_s`` (s)."""
        held = (status == CONFIRMED) | (status == COASTING)
        lost = (now_s - last_update_s > self.delete_after_s) | (
            position_var_m2 > self.max_position_var_m2
        )
        return held & lost
