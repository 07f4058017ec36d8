"""Cooperative traffic through the whole assessor: filed flight plans, squawks, IFF Mode 5."""

from datetime import UTC, datetime

import numpy as np
import pytest

from flankwatch.assess.assessor import build_assessor
from flankwatch.deployment import Deployment, FiledPlan, Origin
from flankwatch.events import EventKind
from flankwatch.geo.airports import airport
from flankwatch.geo.geodesy import distance_azimuth, forward
from flankwatch.io.cot import cot_type
from flankwatch.stream import PlotBatch, PlotKind

START = datetime(2025, 9, 10, 3, 0, tzinfo=UTC)
SPEED_MPS = 200.0
ICAO = 0x48AE01


@pytest.fixture
def deployment():
    plan = FiledPlan(
        callsign="LOT3921",
        departure="EPKK",
        arrival="EPWA",
        off_block=START,
        speed_mps=SPEED_MPS,
    )
    return Deployment(
        name="test", start=START, origin=Origin(lat=52.0, lon=21.5), flight_plans=[plan]
    )


def _on_route(t_s, frame, off_route_m=0.0):
    """Where the planned flight is at ``t_s`` (local ENU, m), moved ``off_route_m`` east,
    and its velocity."""
    dep, arr = airport("EPKK"), airport("EPWA")
    _, azimuth = distance_azimuth(dep.lat_deg, dep.lon_deg, arr.lat_deg, arr.lon_deg)
    lat, lon, heading = forward(dep.lat_deg, dep.lon_deg, azimuth, SPEED_MPS * t_s)
    lat, lon, _ = forward(lat, lon, np.pi / 2, off_route_m)
    where = frame.geodetic_to_enu(float(lat), float(lon), 8000.0)
    v = SPEED_MPS * np.array([np.sin(heading), np.cos(heading), 0.0])
    return where, v


def _fly(assessor, make_tracks, frame, times, off_route_m=0.0, squawk=0, callsign="LOT3921"):
    """Assess one transponder track over ``times``; its declared identities and events."""
    identities, events = [], []
    for t in times:
        where, v = _on_route(t, frame, off_route_m)
        tracks = make_tracks(where, v, t_s=t, track_id=[5], icao24=ICAO, callsign=callsign)
        plots = PlotBatch.build(
            1,
            t_s=[t],
            kind=[PlotKind.ADSB],
            x_m=[where[0]],
            y_m=[where[1]],
            z_m=[where[2]],
            icao24=[ICAO],
            callsign=np.array([callsign], object),
            squawk=[squawk],
        )
        result = assessor.step(tracks, t, plots)
        identities.append(str(result.identity[0]))
        events += result.events
    return identities, events


def test_a_flight_on_its_filed_plan_is_neutral(deployment, make_tracks):
    assessor = build_assessor(deployment)
    identities, _ = _fly(assessor, make_tracks, deployment.frame, np.arange(600.0, 900.0, 5.0))
    assert set(identities) == {"neutral"}


def test_a_flight_that_leaves_its_plan_becomes_unknown_then_suspect(deployment, make_tracks):
    assessor = build_assessor(deployment)
    frame = deployment.frame
    on_plan, _ = _fly(assessor, make_tracks, frame, np.arange(600.0, 700.0, 5.0))
    assert on_plan[-1] == "neutral"
    off, events = _fly(
        assessor, make_tracks, frame, np.arange(700.0, 1000.0, 5.0), off_route_m=60_000.0
    )
    assert "unknown" in off
    assert off[-1] == "suspect"
    assert off.index("unknown") < off.index("suspect")
    assert off.index("unknown") >= 5  # held over several updates, not one
    assert "hostile" not in off
    rules = [e.subject for e in events if e.kind == EventKind.IDENTITY_PROPOSED]
    assert rules == ["off-flight-plan", "off-flight-plan-held"]


def test_a_flight_late_by_hours_deviates(deployment, make_tracks):
    assessor = build_assessor(deployment)
    late = np.arange(600.0, 900.0, 5.0)
    identities = []
    for t in late:
        where, v = _on_route(t, deployment.frame)
        tracks = make_tracks(where, v, t_s=t + 3 * 3600.0, track_id=[5], icao24=ICAO)
        tracks = tracks.__class__(**{**_columns(tracks), "callsign": np.array(["LOT3921"], object)})
        identities.append(str(assessor.step(tracks, t + 3 * 3600.0).identity[0]))
    assert "neutral" not in identities
    assert identities.index("unknown") < identities.index("suspect")


def _columns(tracks):
    return {name: getattr(tracks, name) for name in tracks.column_names()}


def test_squawk_7500_makes_a_flight_suspect_at_once(deployment, make_tracks):
    assessor = build_assessor(deployment)
    frame = deployment.frame
    _fly(assessor, make_tracks, frame, np.arange(600.0, 650.0, 5.0))
    identities, events = _fly(assessor, make_tracks, frame, [650.0], squawk=7500)
    assert identities == ["suspect"]
    emergency = [e for e in events if e.kind == EventKind.SQUAWK_EMERGENCY]
    assert [e.subject for e in emergency] == ["7500"]
    later, _ = _fly(assessor, make_tracks, frame, np.arange(655.0, 900.0, 5.0), squawk=7500)
    assert set(later) == {"suspect"}  # a transponder track is not made hostile by a rule


@pytest.mark.parametrize("code", [7600, 7700])
def test_squawk_7600_and_7700_are_noted_not_made_hostile(deployment, make_tracks, code):
    assessor = build_assessor(deployment)
    identities, events = _fly(
        assessor, make_tracks, deployment.frame, np.arange(600.0, 700.0, 5.0), squawk=code
    )
    assert set(identities) == {"neutral"}
    noted = [e for e in events if e.kind == EventKind.SQUAWK_EMERGENCY]
    assert len(noted) == 1
    assert noted[0].data["squawk"] == f"{code}"


def test_a_mode5_fighter_is_friend_and_military_in_cot(deployment, make_tracks, at):
    """An own F-16 without ADS-B whose track took plots answering Mode 5."""
    assessor = build_assessor(deployment)
    start = at(52.2, 23.0, 6000.0)
    v = np.array([0.0, 250.0, 0.0])
    for t in np.arange(0.0, 60.0, 5.0):
        tracks = make_tracks(start + v * t, v, t_s=t, track_id=[9], mode5_t_s=t - 1.0)
        result = assessor.step(tracks, t, PlotBatch.empty())
    assert result.identity[0] == "friend"
    assert result.proposed[0] == "friend"
    assert cot_type(str(result.identity[0]), "fixed-wing") == "a-f-A-M-F"


def test_mode5_counts_for_valid_s_after_the_latest_reply(deployment, make_tracks, at):
    """A reply counts for ``valid_s`` (30 s) after its plot's time, and only for the track
    that took that plot."""
    replies = build_assessor(deployment).identifier.replies
    start = at(52.2, 23.0, 6000.0)
    xyz = np.array([start, start + [300.0, 0.0, 0.0]])
    tracks = make_tracks(xyz, [0.0, 250.0, 0.0], t_s=40.0, mode5_t_s=np.array([29.0, np.nan]))
    rows = np.arange(2)
    assert replies.mode5(tracks, rows, 40.0).tolist() == [True, False]
    assert replies.mode5(tracks, rows, 59.0).tolist() == [True, False]
    assert replies.mode5(tracks, rows, 59.5).tolist() == [False, False]


def test_a_mode5_plot_beside_a_drone_does_not_make_it_friend(deployment, make_tracks, at):
    """A fighter's Mode 5 plot 100 m from a drone's track (the fighter's own track beside
    it): the drone's track did not take the plot, so it does not answer."""
    assessor = build_assessor(deployment)
    start = at(52.2, 23.0, 1000.0)
    v = np.array([0.0, 50.0, 0.0])
    for t in np.arange(0.0, 60.0, 5.0):
        drone = start + v * t
        fighter = drone + [100.0, 0.0, 0.0]
        tracks = make_tracks(
            np.array([drone, fighter]), v, t_s=t, track_id=[1, 2], mode5_t_s=np.array([np.nan, t])
        )
        plots = PlotBatch.build(
            1,
            t_s=[t],
            kind=[PlotKind.RADAR],
            x_m=[fighter[0] - 100.0],
            y_m=[fighter[1]],
            z_m=[fighter[2]],
            mode5=[True],
        )
        result = assessor.step(tracks, t, plots)
    assert result.identity[1] == "friend"
    assert result.identity[0] != "friend"


def test_without_mode5_the_same_fighter_is_not_friend(deployment, make_tracks, at):
    assessor = build_assessor(deployment)
    start = at(52.2, 23.0, 6000.0)
    v = np.array([0.0, 250.0, 0.0])
    for t in np.arange(0.0, 60.0, 5.0):
        tracks = make_tracks(start + v * t, v, t_s=t, track_id=[9])
        result = assessor.step(tracks, t, PlotBatch.empty())
    assert result.identity[0] == "unknown"
