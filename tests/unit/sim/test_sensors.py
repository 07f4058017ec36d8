"""Sensor models inside a simulation: radar, ADS-B and acoustic plots against the truth."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from flankwatch.geo.geodesy import forward, wrap_angle
from flankwatch.geo.horizon import horizon_range_m
from flankwatch.scenario.catalogue import builtin_sensor_types, builtin_threat_types
from flankwatch.scenario.schema import Scenario
from flankwatch.sim.sensors.detection import detection_probability, radar_snr, reference_snr
from flankwatch.stream import PlotBatch, PlotKind
from sim_runs import Run, simulate

RADAR_AT = (52.0, 22.0)
RADAR_HEIGHT_M = 20.0
GAP_FILLER = builtin_sensor_types()["gap-filler"]


def _point(distance_m: float, azimuth_deg: float, start: tuple[float, float] = RADAR_AT) -> list:
    lat, lon, _ = forward(start[0], start[1], np.radians(azimuth_deg), distance_m)
    return [float(lat), float(lon)]


def _hover(name: str, threat: str, distance_m: float, azimuth_deg: float, alt_m: float) -> dict:
    """A raid of one slow probe at a distance and bearing from the radar, drifting sideways."""
    start = _point(distance_m, azimuth_deg)
    return {
        "name": name,
        "threat": threat,
        "count": 1,
        "launch": start,
        "target": _point(50_000.0, azimuth_deg + 90.0, tuple(start)),
        "cruise_alt_m": alt_m,
    }


# --- radar ------------------------------------------------------------------------------------

SMALL_RCS_M2 = 0.1


@pytest.fixture(scope="module")
def radar_run(
    new_scenario_data: Callable[[], dict],
    new_probe_threat: Callable[[], dict],
    make_scenario: Callable[[dict[str, Any]], Scenario],
) -> Run:
    data = new_scenario_data()
    small = new_probe_threat()
    small["rcs_m2"] = [SMALL_RCS_M2, SMALL_RCS_M2]
    data.update(duration_s=1200.0, truth_period_s=1.0)
    data["catalogue"] = {"threats": {"probe": new_probe_threat(), "probe-small": small}}
    data["sensors"] = [
        {
            "name": "radar",
            "type": "gap-filler",
            "at": list(RADAR_AT),
            "height_m": RADAR_HEIGHT_M,
        }
    ]
    data["raids"] = [
        _hover("low", "probe", 80_000.0, 90.0, 100.0),
        _hover("high", "probe", 80_000.0, 90.0, 3_000.0),
        _hover("near-small", "probe-small", 40_000.0, 0.0, 3_000.0),
        _hover("far-small", "probe-small", 95_000.0, 270.0, 3_000.0),
        _hover("near-a", "probe", 30_000.0, 180.0, 2_000.0),
        _hover("near-b", "probe", 20_000.0, 135.0, 1_000.0),
        _hover("near-c", "probe", 50_000.0, 225.0, 4_000.0),
    ]
    return simulate(make_scenario(data))


def _radar_plots_of(run: Run, group: str) -> PlotBatch:
    return run.plots.take(run.plots.truth_id == run.object_id(group))


def _looks(run: Run) -> int:
    return int(run.sim.scenario.duration_s / GAP_FILLER.scan_period_s)


def test_no_radar_plot_of_a_target_below_the_horizon(radar_run: Run) -> None:
    # the geometry: 80 km is beyond the horizon of a 100 m target, inside that of a 3 km one
    assert horizon_range_m(RADAR_HEIGHT_M, 100.0) < 80_000.0 < horizon_range_m(RADAR_HEIGHT_M, 3e3)
    assert len(_radar_plots_of(radar_run, "low")) == 0
    high = _radar_plots_of(radar_run, "high")
    assert len(high) > 0.8 * _looks(radar_run)
    assert np.all(high.range_m > 75_000.0)


def _expected_pd(run: Run, plots_of: str, at_range_m: float, rcs_m2: float) -> float:
    snr_ref = reference_snr(GAP_FILLER.reference_pd, GAP_FILLER.pfa)
    snr = radar_snr(
        at_range_m, rcs_m2, snr_ref, GAP_FILLER.reference_range_m, GAP_FILLER.reference_rcs_m2
    )
    return float(detection_probability(snr, GAP_FILLER.pfa, 1))


def test_radar_detects_more_often_at_short_range_as_the_radar_equation_says(
    radar_run: Run,
) -> None:
    looks = _looks(radar_run)
    fractions = {}
    for group, ground_m in (("near-small", 40_000.0), ("far-small", 95_000.0)):
        slant_m = float(np.hypot(ground_m, 3_000.0))
        expected = _expected_pd(radar_run, group, slant_m, SMALL_RCS_M2)
        observed = len(_radar_plots_of(radar_run, group)) / looks
        sigma = np.sqrt(expected * (1 - expected) / looks)
        assert observed == pytest.approx(expected, abs=4 * sigma + 0.02), group
        fractions[group] = observed
    assert fractions["near-small"] > fractions["far-small"] + 0.3


def _target_plots(run: Run) -> PlotBatch:
    return run.plots.take(run.plots.truth_id >= 0)


def test_radar_plots_lie_near_the_truth_with_a_consistent_covariance(radar_run: Run) -> None:
    plots = _target_plots(radar_run)
    truth = radar_run.truth_at(plots.truth_id, plots.t_s)
    keep = np.all(np.isfinite(truth), axis=1)
    assert keep.mean() > 0.99
    error = plots.position()[keep] - truth[keep]
    cov = plots.covariance()[keep]
    assert len(error) > 800
    sigma = np.sqrt(np.diagonal(cov, axis1=1, axis2=2))
    assert np.all(np.abs(error) < 5.0 * sigma)
    nees = np.einsum("ni,ni->n", error, np.linalg.solve(cov, error[:, :, None])[:, :, 0])
    assert nees.mean() == pytest.approx(3.0, abs=4.0 * np.sqrt(6.0 / len(nees)))
    # and the polar measurements themselves against the true range
    sensor = np.column_stack((plots.sensor_x_m, plots.sensor_y_m, plots.sensor_z_m))[keep]
    true_range = np.linalg.norm(truth[keep] - sensor, axis=1)
    range_error = plots.range_m[keep] - true_range
    assert np.std(range_error) == pytest.approx(GAP_FILLER.sigma_range_m, rel=0.15)
    assert abs(np.mean(range_error)) < 4 * GAP_FILLER.sigma_range_m / np.sqrt(len(range_error))


def test_radar_looks_fall_inside_their_window(radar_run: Run) -> None:
    for step in radar_run.steps:
        assert np.all(step.plots.t_s >= step.t0_s)
        assert np.all(step.plots.t_s < step.t1_s)
        assert np.all(np.diff(step.plots.t_s) >= 0.0)


@pytest.mark.parametrize("group", ["high", "near-a", "near-b", "near-c"])
def test_a_rotating_radar_plots_a_target_once_per_scan(radar_run: Run, group: str) -> None:
    times = np.sort(_radar_plots_of(radar_run, group).t_s)
    period = GAP_FILLER.scan_period_s
    assert len(times) <= _looks(radar_run) + 1
    assert len(times) > 0.9 * _looks(radar_run)
    scans = np.diff(times) / period
    # a slow target is looked at a whole number of scans apart: one, or more after a miss
    assert np.all(np.abs(scans - np.round(scans)) < 0.01)
    assert np.all(np.round(scans) >= 1)


def test_radar_false_alarms_per_scan_match_the_configured_mean(
    base_scenario: dict, make_scenario: Callable[[dict], Scenario]
) -> None:
    mean_per_scan = 5.0
    base_scenario["duration_s"] = 3600.0
    base_scenario["sensors"] = [
        {
            "name": "radar",
            "type": "gap-filler",
            "at": list(RADAR_AT),
            "false_alarms_per_scan": mean_per_scan,
        }
    ]
    run = simulate(make_scenario(base_scenario))
    scans = base_scenario["duration_s"] / GAP_FILLER.scan_period_s
    expected = mean_per_scan * scans
    assert len(run.plots) == pytest.approx(expected, abs=4 * np.sqrt(expected))
    assert np.all(run.plots.truth_id == -1)
    assert np.all(run.plots.kind == PlotKind.RADAR)
    assert np.all(run.plots.range_m >= GAP_FILLER.min_range_m)
    assert np.all(run.plots.range_m <= GAP_FILLER.range_m)
    # Poisson: in every window as many on average as the sweep covers, variance equal to mean
    per_window = np.array([len(step.plots) for step in run.steps])
    window_mean = mean_per_scan * base_scenario["batch_s"] / GAP_FILLER.scan_period_s
    assert per_window.mean() == pytest.approx(window_mean, rel=0.1)
    assert per_window.var() / per_window.mean() == pytest.approx(1.0, abs=0.25)


def test_a_radar_with_no_false_alarms_configured_makes_none(
    base_scenario: dict, make_scenario: Callable[[dict], Scenario]
) -> None:
    base_scenario["sensors"][0]["false_alarms_per_scan"] = 0.0
    assert len(simulate(make_scenario(base_scenario)).plots) == 0


# --- ADS-B ------------------------------------------------------------------------------------

FAR_STATION = (48.5, 21.0)


@pytest.fixture(scope="module")
def adsb_run(
    new_scenario_data: Callable[[], dict],
    make_scenario: Callable[[dict[str, Any]], Scenario],
) -> Run:
    data = new_scenario_data()
    data.update(duration_s=2400.0, truth_period_s=1.0)
    data["sensors"] = [
        {"name": "near", "type": "adsb-station", "at": "warsaw", "range_m": 1_000_000.0},
        {"name": "far", "type": "adsb-station", "at": list(FAR_STATION), "range_m": 1_000_000.0},
    ]
    data["raids"] = [
        {
            "name": "drones",
            "threat": "gerbera",
            "count": 2,
            "launch": "warsaw",
            "target": [52.5, 21.5],
            "cruise_alt_m": 1_000.0,
        }
    ]
    data["civil_traffic"] = [
        {
            "name": "shuttle",
            "departure": "EPWA",
            "arrival": "EPGD",
            "count": 2,
            "interval_s": 300.0,
            "cruise_alt_m": 3_000.0,
            "callsign_prefix": "TST",
        }
    ]
    return simulate(make_scenario(data))


def _with_known_truth(run: Run, plots: PlotBatch) -> PlotBatch:
    """The plots made once the truth is recorded (it starts at the end of the first step)."""
    known = np.all(np.isfinite(run.truth_at(plots.truth_id, plots.t_s)), axis=1)
    assert known.mean() > 0.98
    return plots.take(known)


def test_adsb_reports_only_cooperative_aircraft_with_their_identity(adsb_run: Run) -> None:
    plans = adsb_run.sim.plans
    plots = adsb_run.plots
    assert len(plots) > 0
    assert np.all(plots.kind == PlotKind.ADSB)
    assert np.all(plans.cooperative[plots.truth_id])
    assert set(plots.truth_id) == set(np.flatnonzero(plans.group == "shuttle"))
    assert np.all(plots.icao24 == plans.icao24[plots.truth_id])
    assert np.all(plots.icao24 != 0)
    assert len(set(plans.icao24[plans.group == "shuttle"])) == 2
    assert list(plots.callsign) == list(plans.callsign[plots.truth_id])
    assert all(callsign.startswith("TST") for callsign in plots.callsign)


def test_adsb_positions_lie_near_the_truth(adsb_run: Run) -> None:
    spec = builtin_sensor_types()["adsb-station"]
    plots = _with_known_truth(adsb_run, adsb_run.plots)
    truth = adsb_run.truth_at(plots.truth_id, plots.t_s)
    error = plots.position() - truth
    sigma = np.array([spec.sigma_m, spec.sigma_m, spec.sigma_alt_m])
    assert np.all(np.abs(error) < 5 * sigma)
    assert np.std(error, axis=0) == pytest.approx(sigma, rel=0.15)


def test_adsb_hears_nothing_beyond_the_radio_horizon(adsb_run: Run) -> None:
    sensors = adsb_run.sim.sensor_table().to_pydict()
    near = sensors["sensor_id"][sensors["name"].index("near")]
    far = sensors["sensor_id"][sensors["name"].index("far")]
    height = builtin_sensor_types()["adsb-station"].height_m
    far_xyz = adsb_run.sim.frame.geodetic_to_enu(*FAR_STATION, height)
    truth = adsb_run.truth
    shuttle = np.isin(truth.object_id, np.flatnonzero(adsb_run.sim.plans.group == "shuttle"))
    positions = np.column_stack((truth.x_m, truth.y_m, truth.z_m))[shuttle]
    far_distance = np.linalg.norm(positions - far_xyz, axis=1)
    # within the far station's range, always beyond its horizon
    assert far_distance.max() < 1_000_000.0
    assert np.all(far_distance > horizon_range_m(height, truth.alt_m[shuttle]))
    assert np.count_nonzero(adsb_run.plots.sensor_id == far) == 0

    plots = _with_known_truth(adsb_run, adsb_run.plots.take(adsb_run.plots.sensor_id == near))
    assert len(plots) > 100
    station = np.column_stack((plots.sensor_x_m, plots.sensor_y_m, plots.sensor_z_m))
    distance = np.linalg.norm(adsb_run.truth_at(plots.truth_id, plots.t_s) - station, axis=1)
    alt = adsb_run.truth_alt_at(plots.truth_id, plots.t_s)
    assert np.all(distance <= horizon_range_m(height, alt) + 100.0)
    # the near station does lose the aircraft as they descend far away toward Gdansk
    near_xyz = station[0]
    near_distance = np.linalg.norm(positions - near_xyz, axis=1)
    assert np.any(near_distance > horizon_range_m(height, truth.alt_m[shuttle]))


# --- acoustic ---------------------------------------------------------------------------------

NODE_LAT = 52.0


@pytest.fixture(scope="module")
def acoustic_run(
    new_scenario_data: Callable[[], dict],
    make_scenario: Callable[[dict[str, Any]], Scenario],
) -> Run:
    data = new_scenario_data()
    data.update(duration_s=900.0, truth_period_s=1.0)
    data["sensors"] = [
        {
            "name": "picket",
            "type": "acoustic-node",
            "line": {"start": [NODE_LAT, 22.30], "end": [NODE_LAT, 22.42], "count": 5},
            "false_alarms_per_scan": 0.0,
        }
    ]
    data["raids"] = [
        {
            "name": "loud",
            "threat": "geran-2",
            "count": 1,
            "launch": [NODE_LAT + 0.01, 22.0],
            "target": [NODE_LAT + 0.01, 22.8],
            "cruise_alt_m": 300.0,
            "speed_mps": 50.0,
        },
        {
            "name": "quiet",
            "threat": "gerbera",
            "count": 1,
            "launch": [NODE_LAT - 0.03, 22.0],
            "target": [NODE_LAT - 0.03, 22.8],
            "cruise_alt_m": 300.0,
            "speed_mps": 50.0,
        },
    ]
    return simulate(make_scenario(data))


def _heard_to_m(threat: str) -> float:
    node = builtin_sensor_types()["acoustic-node"]
    sound = builtin_threat_types()[threat].sound_db
    return node.range_m * 10 ** ((sound - node.reference_sound_db) / 20)


def test_acoustic_plots_are_bearings_only(acoustic_run: Run) -> None:
    plots = acoustic_run.plots
    assert len(plots) > 50
    assert np.all(plots.kind == PlotKind.ACOUSTIC)
    for name in ("x_m", "y_m", "z_m", "range_m", "elevation_rad", "cov_xx_m2"):
        assert np.all(np.isnan(getattr(plots, name))), name
    assert np.all(np.isfinite(plots.bearing_rad))
    assert np.all(np.isfinite(plots.sensor_x_m))


def test_acoustic_nodes_hear_only_within_a_few_kilometres(acoustic_run: Run) -> None:
    plots = acoustic_run.plots
    station = np.column_stack((plots.sensor_x_m, plots.sensor_y_m, plots.sensor_z_m))
    distance = np.linalg.norm(acoustic_run.truth_at(plots.truth_id, plots.t_s) - station, axis=1)
    loud, quiet = acoustic_run.object_id("loud"), acoustic_run.object_id("quiet")
    assert set(plots.truth_id) == {loud}
    assert distance.max() <= _heard_to_m("geran-2") + 60.0  # plus a step's travel
    # every node heard the loud one, which flew from 20 km before the picket to 28 km past it
    assert len(set(plots.sensor_id)) == 5
    truth = acoustic_run.truth
    loud_xyz = np.column_stack((truth.x_m, truth.y_m, truth.z_m))[truth.object_id == loud]
    nodes = np.unique(station, axis=0)
    assert len(nodes) == 5
    farthest = np.linalg.norm(loud_xyz[:, None, :] - nodes[None, :, :], axis=2).min(axis=1).max()
    assert farthest > 5 * _heard_to_m("geran-2")
    # the quiet one passed closer than the loud one can be heard, farther than it can itself
    quiet_xyz = np.column_stack((truth.x_m, truth.y_m, truth.z_m))[truth.object_id == quiet]
    closest = np.linalg.norm(quiet_xyz[:, None, :] - nodes[None, :, :], axis=2).min()
    assert _heard_to_m("gerbera") + 100.0 < closest < _heard_to_m("geran-2") - 100.0


def test_acoustic_bearings_are_close_to_the_true_bearing(acoustic_run: Run) -> None:
    sigma = np.radians(builtin_sensor_types()["acoustic-node"].sigma_azimuth_deg)
    plots = acoustic_run.plots
    truth = acoustic_run.truth_at(plots.truth_id, plots.t_s)
    true_bearing = np.arctan2(truth[:, 0] - plots.sensor_x_m, truth[:, 1] - plots.sensor_y_m)
    error = wrap_angle(plots.bearing_rad - true_bearing)
    assert np.all(np.abs(error) < 5 * sigma)
    assert np.std(error) == pytest.approx(sigma, rel=0.2)
    assert abs(np.mean(error)) < 4 * sigma / np.sqrt(len(error))
