"""Airspace violations: inside, border crossings near Terespol, predicted crossings."""

import numpy as np
import pytest

from flankwatch.assess.violation import AirspaceSettings, build_airspace_watch
from flankwatch.events import EventKind
from flankwatch.geo.borders import inside
from flankwatch.track.output import TrackStatus

EAST_OF_TERESPOL = (52.07, 23.80)
"""In Belarus, about 12 km east of the border at Terespol (52.07 N 23.63 E)."""
WEST_OF_TERESPOL = (52.07, 23.30)
SPEED_MPS = 50.0
STEP_S = 5.0


@pytest.fixture(scope="module")
def poland_watch_factory(frame):
    built = build_airspace_watch(frame, "POL")

    def fresh():
        return type(built)(
            built.area, frame, dict(zip(built.border_names, built.border_lines, strict=True))
        )

    return fresh


@pytest.fixture
def straight_track(frame, at, heading_to):
    """A track flying level at 500 m from ``start`` toward ``end``; returns the path and
    the time it truly enters (or leaves) Poland, found by fine sampling."""

    def make(start=EAST_OF_TERESPOL, end=WEST_OF_TERESPOL, alt_m=500.0):
        p0 = at(*start, alt_m)
        v = heading_to(p0, at(*end, alt_m), SPEED_MPS)
        t = np.arange(0.0, 600.0, 0.05)
        lat, lon, _ = frame.enu_to_geodetic(p0 + t[:, None] * v)
        state = inside("POL", lat, lon)
        t_cross = t[np.argmax(state != state[0])]
        return p0, v, t_cross

    return make


def _run(watch, make_tracks, kinematics, p0, v, steps, status=TrackStatus.CONFIRMED):
    results = []
    for k in range(steps):
        t = k * STEP_S
        tracks = make_tracks(p0 + t * v, v, t_s=t, track_id=[7], status=status)
        results.append(watch.observe(tracks, kinematics(tracks), t))
    return results


def test_crossing_from_belarus_near_terespol(
    poland_watch_factory, straight_track, make_tracks, kinematics
):
    p0, v, t_cross = straight_track()
    results = _run(poland_watch_factory(), make_tracks, kinematics, p0, v, 80)
    assert not results[0].inside[0] and results[-1].inside[0]
    crossings = [e for r in results for e in r.events if e.kind == EventKind.BORDER_CROSSED]
    assert len(crossings) == 1
    event = crossings[0]
    assert event.track_id == 7
    assert event.subject == "BLR"
    assert event.t_s == pytest.approx(t_cross, abs=1.0)
    assert event.data["direction"] == "entry"
    assert event.data["lat_deg"] == pytest.approx(52.07, abs=0.01)
    assert 23.55 < event.data["lon_deg"] < 23.70
    for end in ("start", "end"):
        assert event.data[f"segment_{end}_lat_deg"] == pytest.approx(52.07, abs=0.05)
        assert event.data[f"segment_{end}_lon_deg"] == pytest.approx(23.63, abs=0.08)
    assert "BLR" in event.message


def test_leaving_is_an_exit_event(poland_watch_factory, straight_track, make_tracks, kinematics):
    p0, v, t_cross = straight_track(start=WEST_OF_TERESPOL, end=EAST_OF_TERESPOL)
    results = _run(poland_watch_factory(), make_tracks, kinematics, p0, v, 100)
    exits = [e for r in results for e in r.events if e.kind == EventKind.AIRSPACE_EXITED]
    assert len(exits) == 1
    assert exits[0].subject == "BLR"
    assert exits[0].data["direction"] == "exit"
    assert exits[0].t_s == pytest.approx(t_cross, abs=1.0)
    assert not [e for r in results for e in r.events if e.kind == EventKind.BORDER_CROSSED]


def test_crossing_prediction(poland_watch_factory, straight_track, make_tracks, kinematics):
    p0, v, t_cross = straight_track()
    results = _run(poland_watch_factory(), make_tracks, kinematics, p0, v, 80)
    before = [r for k, r in enumerate(results) if k * STEP_S < t_cross - STEP_S]
    for r in before:
        assert r.crossing_t_s[0] == pytest.approx(t_cross, abs=3.0)
        assert r.crossing_sigma_s[0] > 0
    after = [r for k, r in enumerate(results) if k * STEP_S > t_cross]
    assert all(np.isnan(r.crossing_t_s[0]) for r in after)
    predicted = [e for r in results for e in r.events if e.kind == EventKind.CROSSING_PREDICTED]
    assert len(predicted) == 1
    assert predicted[0].t_s == 0.0
    assert predicted[0].data["lead_s"] == pytest.approx(t_cross, abs=3.0)
    assert predicted[0].subject == "BLR"


def test_sigma_grows_with_velocity_uncertainty(
    poland_watch_factory, straight_track, make_tracks, kinematics
):
    p0, v, _ = straight_track()
    sigmas = []
    for vel_sigma in (0.5, 5.0):
        tracks = make_tracks(p0, v, vel_sigma_mps=vel_sigma)
        sigmas.append(
            poland_watch_factory().observe(tracks, kinematics(tracks), 0.0).crossing_sigma_s[0]
        )
    assert 0 < sigmas[0] < sigmas[1]


def test_turning_away_cancels_and_a_new_course_is_announced(
    poland_watch_factory, make_tracks, kinematics, at
):
    watch = poland_watch_factory()
    p = at(*EAST_OF_TERESPOL, 500.0)
    kinds = []
    for t, vel in ((0.0, [-50, 0, 0]), (5.0, [50, 0, 0]), (10.0, [-50, 0, 0]), (15.0, [-40, 0, 0])):
        tracks = make_tracks(p, vel, t_s=t)
        kinds.append([e.kind for e in watch.observe(tracks, kinematics(tracks), t).events])
    assert kinds == [
        [EventKind.CROSSING_PREDICTED],
        [EventKind.CROSSING_CANCELLED],
        [EventKind.CROSSING_PREDICTED],
        [EventKind.CROSSING_PREDICTED],
    ]


def test_tentative_tracks_raise_no_events(
    poland_watch_factory, straight_track, make_tracks, kinematics
):
    p0, v, _ = straight_track()
    results = _run(
        poland_watch_factory(), make_tracks, kinematics, p0, v, 80, TrackStatus.TENTATIVE
    )
    assert results[-1].inside[0]
    assert not [e for r in results for e in r.events]


def test_polygon_airspace(frame, make_tracks, kinematics, at):
    """A square of 2 x 2 degrees, with no neighbours named; 0.05 degrees is about 3.4 km."""
    square = [[20.0, 51.0], [22.0, 51.0], [22.0, 53.0], [20.0, 53.0], [20.0, 51.0]]
    watch = build_airspace_watch(frame, square, settings=AirspaceSettings(horizon_s=1000.0))
    points = np.array([at(52.0, 21.0), at(52.0, 23.0), at(52.0, 22.05)])
    tracks = make_tracks(points, [-50.0, 0.0, 0.0])
    state = watch.observe(tracks, kinematics(tracks), 0.0)
    assert state.inside.tolist() == [True, False, False]
    assert np.isnan(state.crossing_t_s[:2]).all()
    assert state.crossing_t_s[2] == pytest.approx(3430 / 50, rel=0.02)
    moved = make_tracks(points[2] + [-5000.0, 0.0, 0.0], [-50.0, 0.0, 0.0], t_s=100.0, track_id=[3])
    events = watch.observe(moved, kinematics(moved), 100.0).events
    assert [e.kind for e in events] == [EventKind.BORDER_CROSSED]
    assert events[0].subject == ""
    assert events[0].t_s == pytest.approx(3430 / 50, rel=0.02)
