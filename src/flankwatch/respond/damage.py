"""Battle-damage assessment: which tracks counted killed are still flying.

A shot resolved as a kill ends whatever object is near the track's predicted
position at the impact's time; when none is (the track was poor, or lost before
the impact), the target flies on and plots go on updating its track. A track
counted killed that plots update in ``survival_updates`` windows after the
kill's (one plot near its last position may be a false alarm), while it is still
declared hostile, is therefore still flying: it is no longer counted destroyed,
a ``target-survived`` event says so, and it is a target again. Updates of a
track no longer hostile do not count: the track of a drone shot down beside the
fighter that shot it may go on with the fighter's plots, and is then declared a
friend by its IFF replies.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from flankwatch.events import Event, EventKind
from flankwatch.loop import Kill
from flankwatch.track.output import TrackBatch


@dataclass
class _Claim:
    """A kill counted, and the plots seen on its track since."""

    kill: Kill
    last_update_s: float
    """The track's latest plot time counted so far (s)."""
    windows: list[float] = field(default_factory=list)
    """The times (s) of the windows whose plots updated the track after the kill's."""


class DamageAssessment:
    """The tracks counted killed (and not since seen flying), by track number."""

    def __init__(self, survival_updates: int = 2) -> None:
        if survival_updates < 1:
            raise ValueError(f"survival_updates must be 1 or more, not {survival_updates}")
        self.survival_updates = survival_updates
        self._claims: dict[int, _Claim] = {}

    def __contains__(self, track_id: object) -> bool:
        return track_id in self._claims

    def track_ids(self) -> set[int]:
        """The tracks counted destroyed now."""
        return set(self._claims)

    def count(self, kills: tuple[Kill, ...], tracks: TrackBatch) -> None:
        """Count ``kills``' tracks destroyed. The plots the track has taken up to now (this
        window's, which its target made before the kill reached the world) do not count
        against the kill."""
        if not kills:
            return
        last_update = dict(
            zip(tracks.track_id.tolist(), tracks.last_update_s.tolist(), strict=True)
        )
        for kill in kills:
            seen_s = max(kill.t_s, last_update.get(kill.track_id, -np.inf))
            self._claims[kill.track_id] = _Claim(kill, seen_s)

    def still_flying(
        self, tracks: TrackBatch, hostile: np.ndarray, now_s: float
    ) -> tuple[list[int], list[Event]]:
        """The tracks counted killed that plots have now updated in ``survival_updates``
        windows since the kill's while declared hostile (``hostile``: (n,) bool by row of
        ``tracks``; the window ending at ``now_s``, s, the last of them): no longer counted
        destroyed. Their track numbers, and a ``target-survived`` event for each."""
        survived: list[int] = []
        events: list[Event] = []
        if not self._claims:
            return survived, events
        rows = np.flatnonzero(hostile)
        track_ids, last_update_s = tracks.track_id[rows], tracks.last_update_s[rows]
        updates = zip(track_ids.tolist(), last_update_s.tolist(), strict=True)
        for track_id, last_s in updates:
            claim = self._claims.get(track_id)
            if claim is None or not last_s > claim.last_update_s:
                continue
            claim.last_update_s = last_s
            claim.windows.append(now_s)
            if len(claim.windows) < self.survival_updates:
                continue
            del self._claims[track_id]
            survived.append(track_id)
            events.append(_survived_event(claim, track_id, now_s))
        return survived, events


def _survived_event(claim: _Claim, track_id: int, now_s: float) -> Event:
    kill = claim.kill
    return Event(
        now_s,
        EventKind.TARGET_SURVIVED,
        f"Track {track_id} is still flying {now_s - kill.t_s:.0f} s after {kill.cause} was "
        f"counted a kill: plots updated it in {len(claim.windows)} windows since; it is a "
        "target again",
        track_id=track_id,
        data={"kill_t_s": kill.t_s, "cause": kill.cause},
    )
