"""Turning trajectories and sensors into a :class:`~families.scene.Scene`: the sensors'
plots with noise in the file's own coordinates (Cartesian or polar), time-sorted, and the
truth at the times the tracks are reported."""

from __future__ import annotations

import numpy as np

from families.scene import (
    Scene,
    Sensor,
    Trajectories,
    observe,
    report_times,
    round_times,
    sorted_by_time,
    truth_rows,
)


def _all_plots(
    sensors: list[Sensor],
    trajectories: Trajectories,
    duration_s: float,
    half_side_m: float,
    rng: np.random.Generator,
    altitude_band_m: tuple[float, float],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Times (s), true positions (m), origins and sensor index of every sensor's plots
    within ``[0, duration_s)``."""
    parts = [
        observe(sensor, trajectories, duration_s, half_side_m, rng, altitude_band_m)
        for sensor in sensors
    ]
    which = np.concatenate([np.full(len(p[0]), i) for i, p in enumerate(parts)])
    t, pos, origin = (np.concatenate([p[k] for p in parts]) for k in range(3))
    t = round_times(t)
    inside = t < duration_s
    return t[inside], pos[inside], origin[inside], which[inside]


def cartesian_scene(
    family: str,
    sensors: list[Sensor],
    trajectories: Trajectories,
    n_scans: int,
    half_side_m: float,
    rng: np.random.Generator,
    planar: bool = True,
    extras: dict[str, np.ndarray] | None = None,
) -> Scene:
    """Cartesian plots (``time_s, sensor_id, x_m, y_m[, z_m], sigma_m``) of the sensors over
    ``n_scans`` scans of the fastest one."""
    scan_s = min(s.revisit_s for s in sensors)
    band = (0.0, 0.0)
    t, pos, origin, which = _all_plots(
        sensors, trajectories, n_scans * scan_s, half_side_m, rng, band
    )
    sigma = np.array([s.sigma_m for s in sensors])[which]
    noisy = pos + rng.normal(0.0, 1.0, pos.shape) * sigma[:, None]
    columns = {
        "time_s": t,
        "sensor_id": np.array([s.sensor_id for s in sensors])[which],
        "x_m": noisy[:, 0],
        "y_m": noisy[:, 1],
    }
    if not planar:
        columns["z_m"] = noisy[:, 2]
    columns["sigma_m"] = sigma
    return _scene(
        family,
        sensors,
        trajectories,
        n_scans,
        scan_s,
        half_side_m,
        columns,
        origin,
        planar,
        polar=False,
        extras=extras,
    )


def polar_scene(
    family: str,
    sensors: list[Sensor],
    trajectories: Trajectories,
    n_scans: int,
    half_side_m: float,
    rng: np.random.Generator,
    altitude_band_m: tuple[float, float],
    extras: dict[str, np.ndarray] | None = None,
) -> Scene:
    """3-D polar plots (``time_s, sensor_id, range_m, azimuth_deg, elevation_deg`` and their
    sigmas) of the sensors, measured from each sensor's position, over ``n_scans`` scans of
    the fastest one; clutter is spread over the square and the altitude band (m)."""
    scan_s = min(s.revisit_s for s in sensors)
    t, pos, origin, which = _all_plots(
        sensors, trajectories, n_scans * scan_s, half_side_m, rng, altitude_band_m
    )
    d = pos - np.array([s.position_m for s in sensors])[which]
    ground = np.hypot(d[:, 0], d[:, 1])
    sigma = {
        name: np.array([getattr(s, name) for s in sensors])[which]
        for name in ("sigma_range_m", "sigma_azimuth_deg", "sigma_elevation_deg")
    }
    noise = rng.normal(0.0, 1.0, (len(t), 3))
    columns = {
        "time_s": t,
        "sensor_id": np.array([s.sensor_id for s in sensors])[which],
        "range_m": np.linalg.norm(d, axis=1) + noise[:, 0] * sigma["sigma_range_m"],
        "azimuth_deg": np.mod(np.degrees(np.arctan2(d[:, 0], d[:, 1])), 360.0)
        + noise[:, 1] * sigma["sigma_azimuth_deg"],
        "elevation_deg": np.degrees(np.arctan2(d[:, 2], ground))
        + noise[:, 2] * sigma["sigma_elevation_deg"],
        **sigma,
    }
    columns["range_m"] = np.abs(columns["range_m"])
    columns["elevation_deg"] = np.clip(columns["elevation_deg"], -90.0, 90.0)
    return _scene(
        family,
        sensors,
        trajectories,
        n_scans,
        scan_s,
        half_side_m,
        columns,
        origin,
        planar=False,
        polar=True,
        extras=extras,
    )


def _scene(
    family: str,
    sensors: list[Sensor],
    trajectories: Trajectories,
    n_scans: int,
    scan_s: float,
    half_side_m: float,
    columns: dict[str, np.ndarray],
    origin: np.ndarray,
    planar: bool,
    polar: bool,
    extras: dict[str, np.ndarray] | None,
) -> Scene:
    columns, origin = sorted_by_time(columns, origin)
    truth_t, truth_id, truth_pos = truth_rows(trajectories, report_times(columns["time_s"]), planar)
    return Scene(
        family=family,
        n_targets=trajectories.n_targets,
        n_scans=n_scans,
        scan_s=scan_s,
        plots=columns,
        origin=origin,
        truth_t_s=truth_t,
        truth_id=truth_id,
        truth_pos_m=truth_pos,
        sensors=sensors,
        planar=planar,
        polar=polar,
        area_half_side_m=half_side_m,
        trajectories=trajectories,
        extras=extras or {},
    )
