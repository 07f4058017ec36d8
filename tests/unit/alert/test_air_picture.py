"""The alert stage's picture: tracks joined with their assessment by track number."""

from __future__ import annotations

import numpy as np
from alert_builders import make_assessment, make_tracks

from flankwatch.alert.base import AirPicture
from flankwatch.track.output import TrackStatus


def test_identity_and_class_follow_the_track_number_not_the_row() -> None:
    tracks = make_tracks(
        [
            {"track_id": 7, "x_m": 0.0, "y_m": 0.0},
            {"track_id": 3, "x_m": 1000.0, "y_m": 0.0},
            {"track_id": 12, "x_m": 2000.0, "y_m": 0.0, "status": TrackStatus.TENTATIVE},
            {"track_id": 5, "x_m": 3000.0, "y_m": 0.0},
        ]
    )
    # assessed in another order, and without track 5
    assessed = tracks.take(np.array([2, 1, 0]))
    assessment = make_assessment(
        assessed, ["suspect", "friend", "hostile"], ["decoy", "helicopter", "cruise-missile"]
    )
    picture = AirPicture.build(tracks, assessment, 0.0)
    # the tentative track is left out; track 5, not assessed, is pending and of unknown class
    assert picture.track_id.tolist() == [7, 3, 5]
    assert picture.identity.tolist() == ["hostile", "friend", "pending"]
    assert picture.category.tolist() == ["cruise-missile", "helicopter", "unknown"]


def test_an_empty_assessment_leaves_every_track_pending() -> None:
    tracks = make_tracks([{"track_id": 4, "x_m": 0.0, "y_m": 0.0}])
    picture = AirPicture.build(tracks, make_assessment(tracks.take(np.array([], int)), []), 0.0)
    assert picture.identity.tolist() == ["pending"]
    assert picture.category.tolist() == ["unknown"]
