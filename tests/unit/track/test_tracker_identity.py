"""The tracker holds aircraft by their identity: an ICAO address (ADS-B, Mode S) or an IFF
Mode 5 PIN, and its replies go to the tracks that gave them."""

from __future__ import annotations

import numpy as np
import pytest

from flankwatch.stream import PlotBatch, PlotKind
from flankwatch.track.output import TrackBatch, TrackStatus
from flankwatch.track.settings import TrackerSettings
from flankwatch.track.tracker import Tracker, build_tracker

CV = TrackerSettings(motion="cv", confirmation="m_of_n")


def _straight(t_s: float, start=(0.0, 0.0, 1000.0), velocity=(100.0, 50.0, 0.0)) -> np.ndarray:
    return np.asarray(start) + t_s * np.asarray(velocity)


def test_adsb_identity_is_carried_and_fused_with_radar(position_plots) -> None:
    rng = np.random.default_rng(9)
    tracker = build_tracker(CV)
    for k in range(10):
        truth = _straight(k)
        radar = position_plots(
            k + 0.2, _straight(k + 0.2) + rng.normal(0, 30, 3), sigma_m=30.0, sensor_id=1
        )
        batch = [radar]
        if k % 2 == 0:
            batch.append(
                position_plots(
                    float(k),
                    truth + rng.normal(0, 10, 3),
                    sigma_m=10.0,
                    sensor_id=2,
                    kind=PlotKind.ADSB,
                    icao24=0x4CA123,
                    callsign="RYR12",
                )
            )
        out = tracker.step(PlotBatch.concat(batch).sorted_by_time())
    assert len(np.unique(out.track_id)) == 1
    assert out.icao24[0] == 0x4CA123 and out.callsign[0] == "RYR12"
    assert out.status[0] == TrackStatus.CONFIRMED


def _fighter_beside_drone(position_plots, association: str) -> tuple[Tracker, TrackBatch]:
    """A fighter answering IFF Mode 5 flies 400 m north of a drone that does not, both seen
    by one radar (sigma 20 m) each second for 15 s: the tracker and its last output."""
    rng = np.random.default_rng(12)
    tracker = build_tracker(TrackerSettings(association=association))
    for k in range(15):
        drone = _straight(k, velocity=(60.0, 0.0, 0.0))
        fighter = drone + (0.0, 400.0, 0.0)
        plots = np.vstack((drone, fighter)) + rng.normal(0.0, 20.0, (2, 3))
        out = tracker.step(position_plots(float(k), plots, sigma_m=20.0, mode5=[False, True]))
    return tracker, out


@pytest.mark.parametrize("association", ["joint", "sequential"])
def test_a_mode5_reply_goes_to_the_track_that_took_its_plot(position_plots, association) -> None:
    """Only the fighter's track carries the replies' time."""
    _, out = _fighter_beside_drone(position_plots, association)
    held = out.take(out.status == TrackStatus.CONFIRMED)
    assert len(held) == 2
    fighter_row, drone_row = np.argsort(-held.y_m)
    assert held.mode5_t_s[fighter_row] == 14.0
    assert np.isnan(held.mode5_t_s[drone_row])


@pytest.mark.parametrize("association", ["joint", "sequential"])
def test_a_mode5_reply_goes_first_to_the_track_that_answered_before(
    position_plots, association
) -> None:
    """The drone beside the fighter goes unseen one scan, and the fighter's plot, from a
    coarse sensor, lands nearer the drone's track: the fighter's track still takes it."""
    tracker, out = _fighter_beside_drone(position_plots, association)
    drone_id, fighter_id = out.track_id[np.argsort(out.y_m)]
    stray = _straight(15, velocity=(60.0, 0.0, 0.0)) + (0.0, 150.0, 0.0)
    out = tracker.step(position_plots(15.0, stray, sigma_m=150.0, mode5=True))
    answered = dict(zip(out.track_id.tolist(), out.mode5_t_s.tolist(), strict=True))
    assert answered[fighter_id] == 15.0
    assert np.isnan(answered[drone_id])


@pytest.mark.parametrize("association", ["joint", "sequential"])
@pytest.mark.parametrize("sensor_id", [0, 1])
def test_a_mode5_reply_does_not_go_to_a_track_its_interrogator_saw_silent(
    position_plots, association, sensor_id
) -> None:
    """A fighter whose track was lost (unseen for 2 min) closes on a drone seen by radar 0:
    radar 0's reply from the fighter, inside the drone's gate, cannot be the drone's (radar
    0 got no reply from it before), so the drone's track stays silent and a new track
    takes the reply. The same reply from radar 1, which never saw the drone, may join it."""
    tracker, out = _fighter_beside_drone(position_plots, association)
    drone_id = out.track_id[np.argsort(out.y_m)][0]
    rng = np.random.default_rng(3)
    for k in range(15, 140):
        plots = _straight(k, velocity=(60.0, 0.0, 0.0)) + rng.normal(0.0, 20.0, 3)
        out = tracker.step(position_plots(float(k), plots, sigma_m=20.0))
    assert len(out.take(out.status == TrackStatus.CONFIRMED)) == 1
    reply = _straight(140, velocity=(60.0, 0.0, 0.0)) + (0.0, 60.0, 0.0)
    out = tracker.step(position_plots(140.0, reply, 150.0, sensor_id=sensor_id, mode5=True))
    answered = dict(zip(out.track_id.tolist(), out.mode5_t_s.tolist(), strict=True))
    if sensor_id == 0:
        assert np.isnan(answered[drone_id])
        assert [t for t, at in answered.items() if at == 140.0 and t != drone_id]
    else:
        assert answered[drone_id] == 140.0


def _fighter_before_a_turn(position_plots, association: str, pin: int) -> tuple[Tracker, int]:
    """A fighter answering IFF Mode 5 (Level 2 with ``pin``, Level 1 with 0) flies
    straight at 250 m/s, seen by one radar (sigma 30 m) every 2 s for 60 s: the tracker
    and the fighter's track number."""
    rng = np.random.default_rng(21)
    tracker = build_tracker(TrackerSettings(association=association))
    velocity = (250.0, 0.0, 0.0)
    for k in range(0, 60, 2):
        plot = _straight(k, velocity=velocity) + rng.normal(0.0, 30.0, 3)
        out = tracker.step(position_plots(float(k), plot, sigma_m=30.0, mode5=True, mode5_pin=pin))
    held = out.take(out.status == TrackStatus.CONFIRMED)
    assert len(held) == 1
    return tracker, int(held.track_id[0])


@pytest.mark.parametrize("association", ["joint", "sequential"])
@pytest.mark.parametrize("pin", [4101, 0])
def test_a_mode5_pin_holds_the_fighters_track_through_a_hard_turn(
    position_plots, association, pin
) -> None:
    """Unseen for 10 s, the fighter turned hard: its next plot lies 3 km off the straight
    line, far outside the track's gate. With a Level 2 reply (its PIN) the plot still
    joins the fighter's track, as an airliner's joins by its ICAO address; with a
    Level 1 reply (no PIN) it starts a new track."""
    tracker, fighter = _fighter_before_a_turn(position_plots, association, pin)
    turned = _straight(68.0, velocity=(250.0, 0.0, 0.0)) + (-1500.0, 3000.0, 0.0)
    out = tracker.step(position_plots(68.0, turned, sigma_m=30.0, mode5=True, mode5_pin=pin))
    took = out.track_id[out.last_update_s == 68.0].tolist()
    if pin:
        assert took == [fighter]
    else:
        assert took and fighter not in took
    assert out.icao24.tolist() == [0] * len(out)


@pytest.mark.parametrize("association", ["joint", "sequential"])
@pytest.mark.parametrize("gate_sigmas", [3.0, 0.0])
def test_a_coarse_plot_with_the_pin_joins_beyond_the_identity_gate(
    position_plots, association, gate_sigmas
) -> None:
    """A reply from the fighter lies 6 km off its track, from a sensor with 300 m of
    standard deviation per axis (520 m in all): far outside the statistical gate and
    beyond ``identity_gate_m`` (5 km), but within three of the plot's standard deviations
    more, so it joins the fighter's track; held to 5 km alone it would start a second
    track of the same aircraft."""
    rng = np.random.default_rng(21)
    settings = TrackerSettings(association=association, identity_gate_sigmas=gate_sigmas)
    tracker = build_tracker(settings)
    for k in range(0, 60, 2):
        plot = _straight(k, velocity=(250.0, 0.0, 0.0)) + rng.normal(0.0, 30.0, 3)
        out = tracker.step(position_plots(float(k), plot, sigma_m=30.0, mode5=True, mode5_pin=7))
    fighter = int(out.track_id[out.status == TrackStatus.CONFIRMED][0])
    coarse = _straight(62.0, velocity=(250.0, 0.0, 0.0)) + (0.0, 6000.0, 0.0)
    out = tracker.step(
        position_plots(62.0, coarse, sigma_m=300.0, sensor_id=1, mode5=True, mode5_pin=7)
    )
    took = out.track_id[out.last_update_s == 62.0].tolist()
    if gate_sigmas:
        assert took == [fighter]
    else:
        assert took and fighter not in took


def test_adsb_plots_with_another_address_do_not_join_a_track(position_plots) -> None:
    tracker = build_tracker(CV)
    for k in range(4):
        out = tracker.step(
            position_plots(
                float(k), _straight(k), kind=PlotKind.ADSB, icao24=0xAAAAAA, callsign="ONE"
            )
        )
    out = tracker.step(
        PlotBatch.concat(
            [
                position_plots(
                    4.0, _straight(4.0), kind=PlotKind.ADSB, icao24=0xAAAAAA, callsign="ONE"
                ),
                position_plots(
                    4.0,
                    _straight(4.0) + 20.0,
                    kind=PlotKind.ADSB,
                    icao24=0xBBBBBB,
                    callsign="TWO",
                    sensor_id=1,
                ),
            ]
        )
    )
    assert sorted(out.icao24.tolist()) == [0xAAAAAA, 0xBBBBBB]
    assert len(set(out.track_id.tolist())) == 2
