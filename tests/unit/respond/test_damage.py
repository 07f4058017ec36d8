"""Battle-damage assessment: a track counted killed that plots go on updating is still flying."""

from __future__ import annotations

import numpy as np
import pytest
from respond_tracks import track_batch

from flankwatch.events import EventKind
from flankwatch.loop import Kill
from flankwatch.respond.damage import DamageAssessment

KILL = Kill(12.0, 7, 0.0, 0.0, 500.0, cause="m from Battery (shot 3)")


def tracks(t_s: float, *track_ids: int):
    """Tracks last updated at ``t_s``."""
    return track_batch(t_s, [(i, (0.0, 0.0, 500.0), (50.0, 0.0, 0.0)) for i in track_ids])


def flying(damage: DamageAssessment, t_s: float, *track_ids: int, now_s: float | None = None):
    """``damage.still_flying`` with tracks updated at ``t_s``, all hostile."""
    batch = tracks(t_s, *track_ids)
    return damage.still_flying(batch, np.ones(len(batch), bool), t_s if now_s is None else now_s)


def test_plots_in_two_windows_after_the_kill_mean_the_target_still_flies() -> None:
    damage = DamageAssessment(survival_updates=2)
    damage.count((KILL,), tracks(15.0, 7, 8))  # this window's plots came before the kill's news
    assert 7 in damage and flying(damage, 15.0, 7, 8) == ([], [])
    assert flying(damage, 20.0, 7) == ([], [])  # one window: may be clutter
    survived, events = flying(damage, 25.0, 7)
    assert survived == [7] and 7 not in damage and damage.track_ids() == set()
    (event,) = events
    assert event.kind == EventKind.TARGET_SURVIVED and event.track_id == 7
    assert event.data == {"kill_t_s": 12.0, "cause": "m from Battery (shot 3)"}
    assert "13 s after m from Battery (shot 3)" in event.message


def test_a_track_that_only_coasts_stays_destroyed() -> None:
    damage = DamageAssessment()
    damage.count((KILL,), tracks(15.0, 7))
    for t_s in (20.0, 25.0, 30.0):
        assert flying(damage, 15.0, 7, now_s=t_s) == ([], [])  # no new plot
    assert flying(damage, 15.0, now_s=35.0) == ([], [])  # the track is gone
    assert damage.track_ids() == {7}


def test_a_track_gone_over_to_a_friend_stays_destroyed() -> None:
    # The drone's track took the plots of the fighter beside it, which IFF made a friend.
    damage = DamageAssessment()
    damage.count((KILL,), tracks(15.0, 7))
    for t_s in (20.0, 25.0, 30.0):
        assert damage.still_flying(tracks(t_s, 7), np.array([False]), t_s) == ([], [])
    assert damage.track_ids() == {7}


def test_a_kill_of_a_track_gone_counts_from_the_kill() -> None:
    damage = DamageAssessment(survival_updates=1)
    damage.count((KILL,), tracks(10.0))
    survived, _ = flying(damage, 13.0, 7, now_s=15.0)  # a plot after the kill's time
    assert survived == [7]


def test_at_least_one_window_is_needed() -> None:
    with pytest.raises(ValueError, match="survival_updates"):
        DamageAssessment(survival_updates=0)
